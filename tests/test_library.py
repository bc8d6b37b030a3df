"""Key quotes, takeaways, the overview and the chapter timeline (pipeline/quotes.py,
pipeline/pages/library.py): the team's files through the command line, and what a build
publishes from them. The browser checks are in test_library_browser.py.
"""

from __future__ import annotations

from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest

from conftest import make_tone
from pipeline import quotes as qt
from pipeline.models import Chapter, Segment, Transcript, Word
from pipeline.pages.library import span_fragment, spoken, timeline
from pipeline.pages.views import chapter_views
from test_consent import site_text_hits

pytestmark = pytest.mark.usefixtures("fake_engine", "no_speakers")

# The fake engine's answer (tests/conftest.py), on a 12 s tone: 12 words of 0.2 s from 6.0 s.
ANSWER = "We broke the rule that every referral needed a signed form first."
NS = {"podcast": "https://podcastindex.org/namespace/1.0"}


@pytest.fixture
def ws(workspace: Path) -> Path:
    make_tone(workspace / "media" / "jane.mp3", 12.0)
    (workspace / "media" / "jane.toml").write_text('interviewee = "Jane Doe"\nrole = "Head of Care"\n')
    return workspace


def chaptered(run, ws: Path) -> Path:
    report = run(ws, stages=("ingest", "transcribe", "chapter"))
    assert report.exit_code == 0
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


# ---------------------------------------------------------------- the command line


def test_quote_round_trip_keeps_the_files_comments(ws: Path, run, cli):
    chaptered(run, ws)
    path = ws / "transcripts" / "jane" / "quotes.toml"
    path.write_text("# Chosen with the interviewee, 3 March.\n")
    out = ok(cli, "quote", "jane", "--from", "6.1", "--to", "7", "--note", "newsletter", "-w", ws)
    assert "1 quote(s)" in out
    ok(cli, "quote", "jane", "--phrase", "every referral needed", "-w", ws)
    text = path.read_text()
    assert text.startswith("# Chosen with the interviewee, 3 March.\n")
    assert qt.load_quotes(path.parent) == [qt.QuoteEntry(6.0, 7.0, "newsletter"), qt.QuoteEntry(7.0, 7.6)]
    listing = ok(cli, "quote", "jane", "--list", "-w", ws)
    assert '1. 0:06-0:07 (newsletter)  "We broke the rule that"' in listing
    assert '"every referral needed"' in listing
    # A comment a person wrote above an entry goes with it; the file's own comment stays.
    path.write_text(text.replace("[[quote]]\nstart = \"0:07\"", "# the short one\n[[quote]]\nstart = \"0:07\""))
    ok(cli, "quote", "jane", "--remove", "2", "-w", ws)
    after = path.read_text()
    assert "# Chosen with the interviewee" in after and "the short one" not in after
    assert qt.load_quotes(path.parent) == [qt.QuoteEntry(6.0, 7.0, "newsletter")]


def test_a_quote_that_cannot_be_one_is_refused_in_one_line(ws: Path, run, cli):
    chaptered(run, ws)
    ok(cli, "redact", "jane", "--phrase", "signed form", "-w", ws)
    line = one_line_error(cli, "quote", "jane", "--phrase", "needed a signed form", "-w", ws)
    assert "overlaps a redaction" in line and "Fix: choose words before or after the cut" in line
    assert "overlaps a redaction" in one_line_error(cli, "quote", "jane", "--from", "7", "--to", "8.4", "-w", ws)
    assert "is not said" in one_line_error(cli, "quote", "jane", "--phrase", "nobody said this", "-w", ws)
    assert "no words between" in one_line_error(cli, "quote", "jane", "--from", "11.9", "--to", "12", "-w", ws)
    assert "--from and --to" in one_line_error(cli, "quote", "jane", "--from", "6", "-w", ws)
    assert "not a time" in one_line_error(cli, "quote", "jane", "--from", "six", "--to", "7", "-w", ws)
    assert "no entry 3" in one_line_error(cli, "quote", "jane", "--remove", "3", "-w", ws)
    assert not (ws / "transcripts" / "jane" / "quotes.toml").exists()  # nothing was written


def test_takeaway_round_trip_and_refusals(ws: Path, run, cli):
    chaptered(run, ws)
    path = ws / "transcripts" / "jane" / "takeaways.toml"
    path.write_text("# Our words, not theirs.\n")
    ok(cli, "takeaway", "jane", "rules", "Ask which steps protect anyone.", "-w", ws)
    ok(cli, "takeaway", "jane", "closing", "Thank   people\n for their time.", "-w", ws)
    assert path.read_text().startswith("# Our words, not theirs.\n")
    assert qt.load_takeaways(path.parent) == [qt.TakeawayEntry("rules", "Ask which steps protect anyone."),
                                              qt.TakeawayEntry("closing", "Thank people for their time.")]
    assert "2. closing: Thank people for their time." in ok(cli, "takeaway", "jane", "--list", "-w", ws)
    line = one_line_error(cli, "takeaway", "jane", "governance", "Anything.", "-w", ws)
    assert 'no chapter "governance"' in line and "rules, closing" in line
    assert "at most 300 characters" in one_line_error(cli, "takeaway", "jane", "rules", "word " * 80, "-w", ws)
    ok(cli, "takeaway", "jane", "--remove", "1", "-w", ws)
    assert [t.chapter for t in qt.load_takeaways(path.parent)] == ["closing"]
    assert "# Our words, not theirs." in path.read_text()


@pytest.mark.parametrize("name,text,expect", [
    ("quotes.toml", '[[quote]]\nstart = "1:00"\nend = "0:30"\n', "quote 1: the end must come after the start"),
    ("quotes.toml", '[[quote]]\nstart = "0:10"\nend = "4:00"\n', "at most 120 seconds"),
    ("quotes.toml", '[[quote]]\nstart = "0:10"\nfinish = "0:20"\n', 'unknown key "finish"'),
    ("quotes.toml", "[[quote]\nstart = 1\n", "is not valid TOML"),
    ("takeaways.toml", '[[takeaway]]\ntext = "Ask."\n', 'takeaway 1: needs "chapter"'),
    ("takeaways.toml", '[[takeaway]]\nchapter = "rules"\ntext = 4\n', 'needs "text"'),
])
def test_a_bad_file_is_one_line_naming_the_file_and_the_fix(ws: Path, run, cli, name: str, text: str, expect: str):
    chaptered(run, ws)
    path = ws / "transcripts" / "jane" / name
    path.write_text(text)
    command = "quote" if name == "quotes.toml" else "takeaway"
    line = one_line_error(cli, command, "jane", "--list", "-w", ws)
    assert str(path) in line and expect in line and "Fix: " in line, line
    # The build fails that recording with the same line, publishing nothing of it.
    report = run(ws)
    assert report.exit_code == 1
    assert expect in report.failed[0].message and str(path) in report.failed[0].message


# ---------------------------------------------------------------- what a build publishes


def test_the_build_shows_quotes_takeaways_the_overview_and_the_timeline(ws: Path, run, cli):
    make_tone(ws / "media" / "omar.mp3", 10.0)
    (ws / "media" / "omar.toml").write_text('interviewee = "Omar Said"\n')
    chaptered(run, ws)
    ok(cli, "quote", "jane", "--phrase", "we broke the rule", "-w", ws)
    ok(cli, "takeaway", "jane", "rules", "Drop the form-first rule.", "-w", ws)
    ok(cli, "takeaway", "omar", "rules", "Omar's own lesson.", "-w", ws)
    ok(cli, "quote", "omar", "--phrase", "every referral needed", "-w", ws)
    ok(cli, "consent", "omar", "withheld", "-w", ws)
    assert run(ws).exit_code == 0
    site = ws / "site"

    page = lxml.html.fromstring((site / "episodes" / "jane" / "index.html").read_bytes())
    [quote] = page.xpath("//section[@class='key-quotes']//figure")
    assert quote.xpath("string(.//blockquote)").strip() == "We broke the rule"
    assert quote.xpath(".//a[contains(@class, 'quote-play')]/@href") == ["#t=6,6.8"]
    # The link to share is the quote's own page (its card as og:image; see test_sharing.py).
    assert quote.xpath(".//a[@class='quote-share']/@href") == ["https://example.org/learncast/episodes/jane/quote-6-6.8.html"]
    assert "Jane Doe" in quote.xpath("string(.//figcaption)")
    takeaways = page.xpath("//section[@class='chapter'][.//h2[@data-question='rules']]//aside[@class='takeaways']//li")
    assert [li.text_content() for li in takeaways] == ["Drop the form-first rule."]
    segments = page.xpath("//nav[@class='timeline']//li")
    assert len(segments) == len(page.xpath("//section[@class='chapter']")) >= 2
    widths = [float(li.get("style").split(":")[1].strip(" %;")) for li in segments]
    assert sum(widths) == pytest.approx(100, abs=0.01)
    links = page.xpath("//nav[@class='timeline']//a")
    assert all(a.get("data-seek") and a.get("href").startswith("#ch-") for a in links)
    assert " ".join(links[0].text_content().split()) == f"Chapter 1: Rules you had to break (of {len(links)}), from 00:00, 9.6 seconds"

    question = lxml.html.fromstring((site / "questions" / "rules" / "index.html").read_bytes())
    learned = question.xpath("//section[@class='learned']")[0]
    assert learned.xpath("string(h2)") == "What people learned about this"
    assert "Drop the form-first rule." in learned.text_content() and "Jane Doe" in learned.text_content()
    assert question.xpath("//figure[@class='key-quote']//a[contains(@class, 'quote-play')]/@href") == [
        "../../episodes/jane/index.html#t=6,6.8"]

    overview = lxml.html.fromstring((site / "overview" / "index.html").read_bytes())
    table = overview.xpath("//table")[0]
    assert table.xpath("string(caption)").startswith("Who answered which question")
    assert [th.get("scope") for th in table.xpath("thead//th")] == ["col"] * len(table.xpath("thead//th"))
    [row] = table.xpath("tbody/tr")
    assert row.xpath("string(th)").startswith("Jane Doe")
    cells = row.xpath("td")
    assert len(cells) == len(table.xpath("thead//th")) - 1 == 11  # the default question set
    answered = [td for td in cells if "cell--answered" in td.get("class")]
    [cell] = answered
    assert cell.xpath(".//a/@href")[0].startswith("../episodes/jane/index.html#t=")
    assert "play Jane Doe's answer" in cell.text_content()
    assert sum("not answered" in td.text_content() for td in cells) == 10
    nav = lxml.html.fromstring((site / "index.html").read_bytes())
    assert nav.xpath("//nav[@class='site-nav']//a[@href='overview/index.html']")

    feed = lxml.etree.parse(str(site / "feed.xml"))
    bites = feed.xpath("//item/podcast:soundbite", namespaces=NS)
    assert [(b.get("startTime"), b.get("duration"), b.text) for b in bites] == [("6.0", "0.8", "We broke the rule")]
    assert not feedparser.parse((site / "feed.xml").read_bytes()).bozo  # still a well-formed feed

    # The withheld interview appears nowhere: no row, no quote, no takeaway.
    for words in ("Omar Said", "Omar's own lesson"):
        assert site_text_hits(site, words) == [], words
    assert not (site / "episodes" / "omar").exists()
    quoted = [f.xpath("string(.//blockquote)").strip() for page in site.rglob("*.html")
              for f in lxml.html.fromstring(page.read_bytes()).xpath("//figure[@class='key-quote']")]
    assert set(quoted) == {"We broke the rule"}  # Omar's quote (the same words are in Jane's transcript) is not


def test_redaction_reaches_takeaways_and_drops_a_quote_it_overlaps(ws: Path, run, cli, caplog):
    chaptered(run, ws)
    ok(cli, "quote", "jane", "--phrase", "needed a signed form first", "-w", ws)
    ok(cli, "quote", "jane", "--phrase", "we broke", "-w", ws)
    ok(cli, "takeaway", "jane", "rules", "Never wait for the Signed Form.", "-w", ws)
    ok(cli, "takeaway", "jane", "rules", "<script>window.x=1</script> is text", "-w", ws)
    ok(cli, "redact", "jane", "--phrase", "signed form", "-w", ws)  # after the quote was chosen
    report = run(ws)
    assert report.exit_code == 0
    site = ws / "site"
    assert site_text_hits(site, "signed form") == []
    page = lxml.html.fromstring((site / "episodes" / "jane" / "index.html").read_bytes())
    assert [f.xpath("string(.//blockquote)").strip() for f in page.xpath("//figure[@class='key-quote']")] == ["We broke"]
    assert [li.text_content() for li in page.xpath("//aside[@class='takeaways']//li")] == [
        "Never wait for the [redacted].", "<script>window.x=1</script> is text"]  # escaped: text, never markup
    assert "<script>window.x" not in (site / "episodes" / "jane" / "index.html").read_text()
    [result] = report.results
    assert any("quote 1" in n and "overlaps a redaction" in n for n in result.notes), result.notes
    assert "overlaps a redaction" in caplog.text
    bites = lxml.etree.parse(str(site / "feed.xml")).xpath("//podcast:soundbite", namespaces=NS)
    assert [b.text for b in bites] == ["We broke"]


def test_with_no_quotes_chosen_the_site_shows_none(ws: Path, run):
    assert run(ws).exit_code == 0
    site = ws / "site"
    for page in ("episodes/jane/index.html", "questions/rules/index.html"):
        html = (site / page).read_text()
        assert "key-quote" not in html and "What people learned" not in html and "class=\"takeaways\"" not in html
    assert (site / "overview" / "index.html").is_file()


# ---------------------------------------------------------------- units


def _transcript() -> Transcript:
    words = tuple(Word(1.0 + i * 0.5, 1.4 + i * 0.5, " " + w) for i, w in enumerate("one two three four".split()))
    seg = Segment(1.0, 3.0, "One two, THREE four.", "interviewee", words)
    edited = Segment(4.0, 6.0, "A corrected sentence here", "interviewer", ())  # no word timings left
    return Transcript("en", "x", "y", 10.0, (seg, edited),
                      (Chapter(0, 4, "rules", "Rules"), Chapter(4, 10, "closing", "Closing")))


def test_phrases_and_spans_follow_the_text_as_corrected():
    t = _transcript()
    assert qt.find_phrase(t, "two three") == [(1.5, 2.4)]  # punctuation and case ignored
    assert qt.snap(t, 1.45, 2.3) == (1.5, 2.4)
    assert qt.quote_text(t, 1.5, 2.4) == ("two, THREE", "interviewee")
    start, end = qt.find_phrase(t, "corrected sentence")[0]  # timed in proportion to the text
    assert 4.0 < start < end < 6.0
    assert qt.quote_text(t, start, end)[0] == "corrected sentence"


def test_fragments_lengths_and_timeline_widths():
    assert span_fragment(83.46, 91.01) == "t=83.4,91.1"
    assert span_fragment(6.0, 7.0) == "t=6,7"
    assert spoken(0.4) == "0.4 seconds" and spoken(1.0) == "1 second" and spoken(155) == "2 minutes 35 seconds"
    segs = timeline(chapter_views(_transcript(), {}), 10.0)
    assert [s.width for s in segs] == [40.0, 60.0]
    assert segs[1].margin and not segs[0].margin
    assert segs[0].label == " (of 2), from 00:00, 4 seconds"
