"""Themes (pipeline/themes.py, pipeline/keywords.py, pipeline/pages/themes.py): the team's
file through the command line, the keyword suggesters run for real, and what a build
publishes: themes on the episode and question pages, a Pagefind filter, a page per theme
and the index, never a withheld interview's or a cut word. Also the team's takeaways in
the reading packs (DOCX). The browser check (axe-core) is in test_themes_browser.py.
"""

from __future__ import annotations

from pathlib import Path

import docx
import lxml.html
import numpy as np
import pytest

from conftest import make_tone
from pipeline import keywords
from pipeline import themes as th
from pipeline.errors import UsageError
from pipeline.publish.reading_packs import episode_pack_name, question_pack_name
from test_consent import site_text_hits

pytestmark = pytest.mark.usefixtures("fake_engine", "no_speakers")

LANDLORDS = ("The private landlords, mostly. They saw the council as the enemy. I started a breakfast meeting "
             "every month in a cafe near the market. After a year, the private landlords were phoning us when "
             "a tenant fell behind on the rent, instead of sending an eviction notice.")


@pytest.fixture
def ws(workspace: Path) -> Path:
    make_tone(workspace / "media" / "jane.mp3", 12.0)
    (workspace / "media" / "jane.toml").write_text('interviewee = "Jane Doe"\nrole = "Head of Care"\n')
    return workspace


def chaptered(run, ws: Path) -> Path:
    assert run(ws, stages=("ingest", "transcribe", "chapter")).exit_code == 0
    return ws


def ok(cli, *args) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result.output


def one_line_error(cli, *args) -> str:
    result = cli(*args)
    assert result.exit_code != 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def html(site: Path, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / rel).read_bytes())


# ---------------------------------------------------------------- the command line and the file


def test_set_add_remove_keep_the_files_comments(ws: Path, run, cli):
    chaptered(run, ws)
    path = ws / "transcripts" / "jane" / "themes.toml"
    path.write_text("# Agreed with Jane on 3 March.\nclosing = [\"thanks\"]  # keep this one\n")
    out = ok(cli, "themes", "jane", "--set", "rules", "Signed forms, referrals; referrals", "-w", ws)
    assert "3 theme(s)" in out
    ok(cli, "themes", "jane", "--add", "rules", "trust, Signed-Forms", "-w", ws)  # the second is already there
    ok(cli, "themes", "jane", "--remove", "rules", "REFERRALS", "-w", ws)
    text = path.read_text()
    assert text.startswith("# Agreed with Jane on 3 March.\n") and "# keep this one" in text
    assert th.load_themes(path.parent) == {"closing": ["thanks"], "rules": ["Signed forms", "trust"]}
    listing = ok(cli, "themes", "jane", "--list", "-w", ws)
    assert listing.splitlines()[:2] == ["rules (Rules you had to break)", "  confirmed: Signed forms, trust"]
    assert "suggested" not in listing  # --list shows what is confirmed only
    ok(cli, "themes", "jane", "--set", "rules", "", "-w", ws)
    assert th.load_themes(path.parent) == {"closing": ["thanks"]}
    assert "# Agreed with Jane" in path.read_text()


def test_the_listing_suggests_from_the_answer_and_accept_confirms_it(ws: Path, run, cli):
    chaptered(run, ws)
    listing = ok(cli, "themes", "jane", "-w", ws)
    lines = listing.splitlines()
    assert lines[0] == "rules (Rules you had to break)" and lines[1] == "  confirmed: none"
    suggested = lines[2].removeprefix("  suggested: ").split(", ")
    assert "signed form" in suggested and "referral" in suggested  # the answer's words, by YAKE (the default)
    assert not (ws / "transcripts" / "jane" / "themes.toml").exists()  # showing writes nothing
    ok(cli, "themes", "jane", "--accept", "rules", "-w", ws)
    assert th.load_themes(ws / "transcripts" / "jane")["rules"] == suggested
    after = ok(cli, "themes", "jane", "-w", ws).splitlines()
    assert after[1] == "  confirmed: " + ", ".join(suggested) and after[2] == "  suggested: none"


def test_suggestions_never_offer_a_cut_word(ws: Path, run, cli):
    chaptered(run, ws)
    ok(cli, "redact", "jane", "--phrase", "signed form", "-w", ws)
    listing = ok(cli, "themes", "jane", "--suggester", "minilm", "-w", ws)
    assert "signed" not in listing and "form" not in listing
    assert "referral" in listing


def test_bad_requests_and_a_bad_file_are_one_line(ws: Path, run, cli):
    chaptered(run, ws)
    line = one_line_error(cli, "themes", "jane", "--set", "governance", "trust", "-w", ws)
    assert 'no chapter "governance"' in line and "rules" in line
    assert "at most 60 characters" in one_line_error(cli, "themes", "jane", "--add", "rules", "x" * 61, "-w", ws)
    path = ws / "transcripts" / "jane" / "themes.toml"
    path.write_text('rules = "trust"\n')
    line = one_line_error(cli, "themes", "jane", "--list", "-w", ws)
    assert "themes.toml" in line and '"rules" must be a list of themes' in line
    path.write_text('rules = ["trust"\n')
    assert "themes.toml" in one_line_error(cli, "themes", "jane", "-w", ws)


# ---------------------------------------------------------------- what a build publishes


def test_the_build_publishes_confirmed_themes_only_and_never_withheld_or_cut(ws: Path, run, cli, caplog):
    make_tone(ws / "media" / "omar.mp3", 10.0)
    (ws / "media" / "omar.toml").write_text('interviewee = "Omar Said"\n')
    chaptered(run, ws)
    ok(cli, "themes", "jane", "--set", "rules", "Referrals, signed form, <b>bold</b> moves", "-w", ws)
    ok(cli, "takeaway", "jane", "rules", "Drop the form-first rule.", "-w", ws)
    ok(cli, "themes", "omar", "--set", "rules", "Referrals, quietly withheld theme", "-w", ws)
    ok(cli, "consent", "omar", "withheld", "-w", ws)
    ok(cli, "redact", "jane", "--phrase", "signed form", "-w", ws)
    report = run(ws)
    assert report.exit_code == 0
    site = ws / "site"

    # the episode page: each chapter's themes, linked, and a Pagefind filter
    page = html(site, "episodes/jane/index.html")
    rules = page.xpath("//section[@class='chapter'][.//h2[@data-question='rules']]")[0]
    links = rules.xpath(".//p[@class='themes']/a")
    assert [a.text_content() for a in links] == ["Referrals", "<b>bold</b> moves"]  # text, never markup
    assert [a.get("href") for a in links] == ["../../themes/referrals/index.html", "../../themes/b-bold-b-moves/index.html"]
    assert [a.get("data-pagefind-filter") for a in links] == ["Theme[data-filter]"] * 2
    assert links[1].get("data-filter") == "\u2039b\u203abold\u2039/b\u203a moves"  # look-alikes for the search UI
    assert page.xpath("//article[@data-pagefind-body]//p[@class='themes']")
    assert any(hit.startswith("filter/") for hit in site_text_hits(site / "pagefind", "referrals"))  # Pagefind's filters

    # the question page, per answer
    question = html(site, "questions/rules/index.html")
    assert [a.text_content() for a in question.xpath("//article[@class='answer']//p[@class='themes']/a")] == [
        "Referrals", "<b>bold</b> moves"]

    # a page per theme, listing every chapter that carries it, and the index in the nav
    theme = html(site, "themes/referrals/index.html")
    assert theme.xpath("string(//h1)") == "Referrals"
    [entry] = theme.xpath("//li[@class='theme-entry']")
    assert "Jane Doe" in entry.text_content() and "Head of Care" in entry.text_content()
    assert entry.xpath(".//a[@class='play']/@href")[0].startswith("../../episodes/jane/index.html#t=")
    assert entry.xpath(".//p[@class='theme-question']/a/@href")[0].startswith("../../episodes/jane/index.html#ch-")
    index = html(site, "themes/index.html")
    assert [a.text_content() for a in index.xpath("//ul[@class='theme-index']/li/a")] == ["<b>bold</b> moves", "Referrals"]
    assert html(site, "index.html").xpath("//nav[@class='site-nav']//a[@href='themes/index.html']")

    # a cut phrase is never a theme, and a withheld interview contributes nothing
    assert site_text_hits(site, "signed form") == []
    assert not (site / "themes" / "signed-form").exists()
    assert site_text_hits(site, "quietly withheld theme") == []
    assert "Omar" not in theme.text_content()
    [result] = [r for r in report.results if r.slug == "jane"]
    assert any('"signed form"' in n and "redaction" in n for n in result.notes), result.notes
    assert "touches a redaction" in caplog.text

    # the reading packs: the chapter's themes and takeaways, and "what people learned"
    pack = docx.Document(str(site / "episodes" / "jane" / episode_pack_name("jane")))
    paras = [(p.style.name, p.text) for p in pack.paragraphs]
    at = next(i for i, (style, text) in enumerate(paras) if style == "Heading 1" and "rule" in text.lower())
    chapter = paras[at:next((i for i in range(at + 1, len(paras)) if paras[i][0] == "Heading 1"), len(paras))]
    assert ("Normal", "Themes: Referrals, <b>bold</b> moves") in chapter
    assert ("Normal", "Takeaways") in chapter and ("List Bullet", "Drop the form-first rule.") in chapter
    qpack = docx.Document(str(site / "questions" / "rules" / question_pack_name("rules")))
    qparas = [(p.style.name, p.text) for p in qpack.paragraphs]
    assert ("Heading 1", "What people learned about this") in qparas
    assert ("List Bullet", "Drop the form-first rule. — from Jane Doe") in qparas

    # a theme no chapter carries any more loses its page
    ok(cli, "themes", "jane", "--remove", "rules", "Referrals", "-w", ws)
    assert run(ws).exit_code == 0
    assert not (site / "themes" / "referrals").exists() and (site / "themes" / "b-bold-b-moves").is_dir()


def test_with_no_themes_confirmed_the_site_shows_none(ws: Path, run):
    assert run(ws).exit_code == 0
    site = ws / "site"
    assert 'class="themes"' not in (site / "episodes" / "jane" / "index.html").read_text()
    assert "No themes have been chosen yet." in (site / "themes" / "index.html").read_text()
    assert [p.name for p in (site / "themes").iterdir()] == ["index.html"]


# ---------------------------------------------------------------- the extractors, for real


@pytest.mark.parametrize("extractor", keywords.EXTRACTORS)
def test_each_extractor_finds_the_subject_of_an_answer(extractor: str):
    found = keywords.suggest(LANDLORDS, 5, extractor)
    assert 1 <= len(found) <= 5
    assert any("landlords" in k for k in found), found
    assert any(k in ("breakfast meeting", "eviction notice", "rent", "council", "tenant") for k in found), found
    for k in found:
        assert not set(k.split()) & keywords.STOPWORDS, k
    stems = [keywords.stems(k) for k in found]  # no suggestion repeats another
    assert not any(a <= b for i, a in enumerate(stems) for j, b in enumerate(stems) if i != j)


def test_suggestions_come_from_the_answer_and_stop_at_a_cut():
    from pipeline.models import INTERVIEWEE, INTERVIEWER, Chapter, Segment, Transcript

    segs = (Segment(0, 4, "What rules did you break with the auditors?", INTERVIEWER),
            Segment(4, 10, "We paid [redacted] landlords directly, rent debts and all.", INTERVIEWEE))
    transcript = Transcript("en", "x", "y", 10.0, segs, (Chapter(0, 10, "rules", "Rules"),))
    assert th.chapter_texts(transcript) == {"rules": "We paid [redacted] landlords directly, rent debts and all."}
    cands = keywords.candidates(th.chapter_texts(transcript)["rules"])
    assert "auditors" not in cands and "paid landlords" not in cands and "rent debts" in cands
    assert any("landlords" in k for k in th.suggestions(transcript, 5, "yake")["rules"])


# ---------------------------------------------------------------- units


def test_candidates_mmr_and_distinct():
    assert keywords.candidates("The council's private landlords, and rent. Landlords!") == [
        "council", "private", "landlords", "council private", "private landlords", "council private landlords", "rent"]
    doc = np.array([1.0, 0.0])
    vectors = np.array([[1.0, 0.0], [0.99, 0.141], [0.0, 1.0]])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert keywords.mmr(doc, vectors, 2, diversity=0.0) == [0, 1]  # relevance only
    assert keywords.mmr(doc, vectors, 2, diversity=0.7) == [0, 2]  # the near-copy gives way
    assert keywords.distinct(["twenty page application", "page application", "finance", "pages"], 5) == [
        "twenty page application", "finance"]
    with pytest.raises(ValueError):
        keywords.suggest("text", 3, "nonsense")


def test_names_slugs_and_changes():
    assert th.theme_slug("Rent debts") == th.theme_slug("rent-debts") == "rent-debts"
    assert th.theme_slug("Café culture") == "cafe-culture"
    assert th.theme_slug("日本").startswith("theme-")
    assert th.parse_list(" trust ,  rent   debts; Trust.,") == ["trust", "rent debts"]
    have = {"rules": ["trust"]}
    out = th.changed(have, chapters=["rules", "closing"], suggested={"rules": ["Trust", "rent"], "closing": ["time"]},
                     accept=["all"], add=[("closing", "thanks")], remove=[("rules", "rent")])
    assert out == {"rules": ["trust"], "closing": ["time", "thanks"]}
    assert have == {"rules": ["trust"]}  # not changed in place
    with pytest.raises(UsageError, match="at most 10"):
        th.changed({}, chapters=["rules"], set_=[("rules", ", ".join(f"t{i}" for i in range(11)))])


def test_theme_pages_join_spellings_across_interviews():
    from pipeline.pages.themes import link, theme_views
    from pipeline.pages.views import ChapterView, Timestamp

    def chapter(qid: str, names: list[str]) -> ChapterView:
        return ChapterView(0, f"ch-{qid}", qid, qid, qid, Timestamp.at(1.0), 1.0, 2.0, 1.0, False, (),
                           themes=tuple(link(n) for n in names))

    class Ep:  # only what theme_views reads
        def __init__(self, slug, chapters):
            self.slug, self.chapters = slug, chapters

    eps = [Ep("a", (chapter("rules", ["Rent debts"]), chapter("trust", ["rent debts", "Landlords"]))),
           Ep("b", (chapter("rules", ["rent debts"]),))]
    views = theme_views(eps)  # type: ignore[arg-type]
    from types import SimpleNamespace

    from pipeline.models import Theme
    from pipeline.pages.themes import names
    published = [SimpleNamespace(themes=(Theme("rules", "Rent debts"), Theme("trust", "rent debts"))),
                 SimpleNamespace(themes=(Theme("rules", "rent debts"), Theme("rules", "Trust")))]
    assert names(published) == {"rent-debts": "rent debts", "trust": "Trust"}  # type: ignore[arg-type]
    assert [(v.name, v.slug, len(v.entries), v.interviews) for v in views] == [
        ("Landlords", "landlords", 1, 1), ("rent debts", "rent-debts", 3, 2)]


def test_publish_leaves_out_a_theme_said_only_inside_a_cut(tmp_path: Path, caplog):
    from pipeline import redact
    from pipeline.models import INTERVIEWEE, INTERVIEWER, Chapter, Segment, Transcript, Word

    def seg(start: float, text: str, speaker: str) -> Segment:
        tokens = text.split()
        return Segment(start, start + len(tokens) * 0.5, text, speaker,
                       tuple(Word(start + i * 0.5, start + (i + 1) * 0.5, " " + t) for i, t in enumerate(tokens)))

    transcript = Transcript("en", "x", "y", 20.0, (
        seg(0.0, "Which rules did you break?", INTERVIEWER),
        seg(3.0, "We paid rent debts directly and trusted the landlords.", INTERVIEWEE),
        seg(10.0, "Any setbacks?", INTERVIEWER),
        seg(12.0, "Councillor Grey blocked it twice.", INTERVIEWEE)),
        (Chapter(0.0, 10.0, "rules", "Rules"), Chapter(10.0, 20.0, "setbacks", "Setbacks")))
    folder = tmp_path / "jane"
    th.save_themes(folder, {"rules": ["rent debts", "landlords", "trust"], "setbacks": ["Councillor Grey", "delay"],
                            "governance": ["boards"]})
    redact.save(folder, [redact.Redaction(start=4.4, end=5.6)])  # "rent debts", by time
    applied = redact.apply(transcript, redact.load(folder))
    published = th.publish(folder, applied, transcript, "jane")
    assert [(t.chapter, t.name) for t in published.themes] == [
        ("rules", "landlords"), ("rules", "trust"), ("setbacks", "Councillor Grey"), ("setbacks", "delay")]
    assert any('"rent debts"' in n for n in published.notes) and any('"governance"' in n for n in published.notes)
    redact.save(folder, [redact.Redaction(start=4.4, end=5.6), redact.Redaction(text="Councillor Grey")])
    applied = redact.apply(transcript, redact.load(folder))
    names = [t.name for t in th.publish(folder, applied, transcript, "jane").themes]
    assert names == ["landlords", "trust", "delay"]  # a cut phrase is never a theme
