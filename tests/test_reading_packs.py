"""Reading packs (DOCX): built by the publish stage from what the page shows.

One real build (fake engine, real ffmpeg) of three interviews: Jane (a phrase cut, in
the transcript, the title and the description), Omar (video) and Priya (withheld). Each DOCX is opened with
python-docx and read against the page: headings, speakers by name, hyperlinks to the
page at the right times, no cut word in any part of the zip, no withheld interview.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import lxml.html
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from conftest import Counter, make_tone
from pipeline.publish.reading_packs import episode_pack_name, question_pack_name

CUT = "signed form"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def fake_engine_module():
    from conftest import FakeEngine
    from pipeline.transcribe.engines import register_engine, unregister_engine

    register_engine("fake", FakeEngine)
    yield
    unregister_engine("fake")


@pytest.fixture(scope="module")
def site(tmp_path_factory, run, fake_engine_module):
    import dataclasses

    from pipeline import redact, transcribe
    from pipeline.workspace import init_workspace

    mp = pytest.MonkeyPatch()
    mp.setattr(transcribe, "label_speakers", lambda segments, audio, stereo: tuple(
        dataclasses.replace(s, speaker="interviewer" if "?" in s.text or i == 0 else "interviewee")
        for i, s in enumerate(segments)))
    root = tmp_path_factory.mktemp("packs") / "ws"
    init_workspace(root, "Learning from the Frontline")
    media = root / "media"
    make_tone(media / "jane.mp3", 20.0)
    (media / "jane.toml").write_text('title = "Jane on the Signed Form rule"\ninterviewee = "Jane Doe"\n'
                                     'role = "Head of Adult Social Care, Leeds"\ndate = 2026-03-01\n'
                                     'description = "How the team dropped the signed form."\n')
    make_tone(media / "omar.mp4", 16.0, video=True)
    (media / "omar.toml").write_text('interviewee = "Omar Said"\nrole = "Service lead"\ndate = 2026-02-01\n')
    make_tone(media / "priya.mp3", 12.0)
    (media / "priya.toml").write_text('interviewee = "Priya Withheld"\nconsent = "withheld"\n')
    assert run(root).exit_code == 0
    assert "signed form" in (root / "site" / "episodes" / "jane" / "transcript.txt").read_text()
    redact.save(root / "transcripts" / "jane", [redact.Redaction(text=CUT, reason="asked")])
    assert run(root).exit_code == 0
    yield root / "site"
    mp.undo()


def read(path: Path) -> docx.document.Document:
    return docx.Document(str(path))


def text_of(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def links(doc) -> list[tuple[str, str]]:
    """(text, target) of every external hyperlink, in document order."""
    rels = {r.rId: r.target_ref for r in doc.part.rels.values() if r.reltype == RT.HYPERLINK}
    out = []
    for h in doc.element.body.iter(W + "hyperlink"):
        rid = h.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
        if rid:
            out.append(("".join(t.text or "" for t in h.iter(W + "t")), rels[rid]))
    return out


def css(el, cls: str, tag: str = "*") -> list:
    """Elements under ``el`` with the class ``cls`` (lxml's css selectors need a package not installed)."""
    return el.xpath(f".//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]")


def page(site: Path, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / rel).read_bytes())


def test_episode_pack_has_the_pages_headings_speakers_and_timed_links(site: Path):
    html = page(site, "episodes/omar/index.html")
    doc = read(site / "episodes" / "omar" / episode_pack_name("omar"))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    page_chapters = [h.text_content().strip() for h in css(html, "chapter-heading", "h2")]
    assert page_chapters and [h for h in headings if h in page_chapters] == page_chapters  # same, in order
    title = [p.text for p in doc.paragraphs if p.style.name == "Title"]
    assert title == [html.xpath("//h1")[0].text_content().strip()]
    body = text_of(doc)
    assert "Interviewee: Omar Said, Service lead" in body and "1 February 2026" in body
    # speakers by name, as the page names them, and every turn on the page is in the pack
    turns = css(html, "turn", "p")
    for turn in turns:
        name = css(turn, "speaker")[0].text_content().strip()
        text = css(turn, "text")[0].text_content().strip()
        assert any(p.text.startswith(name) and p.text.endswith(text) for p in doc.paragraphs), (name, text)
    # a timestamp per turn, linking to the page at the second the page's own link plays from
    page_url = "https://example.org/learncast/episodes/omar/"
    page_times = [(t.text_content().strip(), t.get("href").split("#t=")[1]) 
                  for turn in css(html, "turn", "p") for t in css(turn, "ts", "a")]
    pack_times = [(text, url.split("#t=")[1]) for text, url in links(doc)
                  if url.startswith(page_url + "#t=") and re.fullmatch(r"\d+:\d\d", text)]
    assert page_times and all(t in pack_times for t in page_times)
    # the provenance and citation lines, as the page shows them
    cite = css(html, "citation")[0].text_content().strip()
    assert f"Cite this interview: {cite}" in body
    rows = [(r.cells[0].text, r.cells[1].text) for r in doc.tables[0].rows]
    page_rows = [(d.getparent().xpath("dt")[0].text_content(), d.text_content())
                 for d in css(html, "provenance")[0].xpath(".//dd")]
    assert rows == page_rows
    assert doc.core_properties.title == title[0] and doc.core_properties.language == "en"


def test_contents_link_to_bookmarks_on_the_chapter_headings(site: Path):
    doc = read(site / "episodes" / "omar" / episode_pack_name("omar"))
    anchors = [h.get(W + "anchor") for h in doc.element.body.iter(W + "hyperlink") if h.get(W + "anchor")]
    marks = {b.get(W + "name") for b in doc.element.body.iter(W + "bookmarkStart")}
    assert anchors and set(anchors) <= marks


def test_no_cut_word_in_any_part_of_the_pack(site: Path):
    pack = site / "episodes" / "jane" / episode_pack_name("jane")
    doc = read(pack)
    assert "[redacted]" in text_of(doc)
    assert "Jane on the [redacted] rule" in [p.text for p in doc.paragraphs if p.style.name == "Title"]
    with zipfile.ZipFile(pack) as z:
        for name in z.namelist():
            data = z.read(name).lower()
            for phrase in (CUT, "signed"):
                assert phrase.lower().encode() not in data, (name, phrase)
    # the page and the pack redact the same words: every turn reads the same
    html = page(site, "episodes/jane/index.html")
    for turn in [css(t, "text")[0] for t in css(html, "turn", "p")]:
        assert any(p.text.endswith(turn.text_content().strip()) for p in doc.paragraphs)


def test_question_pack_has_every_published_answer_and_no_withheld_one(site: Path):
    qpage = page(site, "questions/rules/index.html")
    pack = site / "questions" / "rules" / question_pack_name("rules")
    doc = read(pack)
    answers = [a.xpath(".//h2")[0].text_content().strip() for a in css(qpage, "answer", "article")]
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == answers and len(answers) == 2
    assert [p.text for p in doc.paragraphs if p.style.name == "Title"] == [qpage.xpath("//h1")[0].text_content()]
    for slug in ("jane", "omar"):
        url = f"https://example.org/learncast/episodes/{slug}/"
        assert any(u.startswith(url + "#t=") for _, u in links(doc))
    with zipfile.ZipFile(pack) as z:
        everything = b"".join(z.read(n) for n in z.namelist()).lower()
    assert b"priya" not in everything
    jane = [p.text for p in doc.paragraphs if p.text.startswith("Jane Doe ")]
    omar = [p.text for p in doc.paragraphs if p.text.startswith("Omar Said ")]
    assert jane and all(CUT not in t.lower() for t in jane) and any("[redacted]" in t for t in jane)
    assert any(CUT in t.lower() for t in omar)  # cut from Jane's interview only
    assert not (site / "episodes" / "priya").exists()
    assert not list(site.rglob("*priya*"))


def test_packs_are_linked_from_the_pages_and_listed_as_downloads(site: Path):
    ep = page(site, "episodes/jane/index.html")
    hrefs = {a.text_content(): a.get("href") for a in css(ep, "downloads")[0].xpath(".//a")}
    assert hrefs["Reading pack (Word)"] == episode_pack_name("jane")
    q = page(site, "questions/rules/index.html")
    link = css(q, "downloads")[0].xpath(".//a")[0]
    assert link.get("href") == question_pack_name("rules") and link.get("download") is not None
    assert (site / "questions" / "rules" / link.get("href")).is_file()
    assert "kB" in css(css(q, "downloads")[0], "size")[0].text_content()


def test_packs_are_not_made_again_when_nothing_changed_and_are_the_same_bytes(site: Path, run, monkeypatch):
    from pipeline.publish import reading_packs

    packs = [site / "episodes" / "omar" / episode_pack_name("omar"), site / "questions" / "rules" / "rules-answers.docx"]
    before = [(p.read_bytes(), p.stat().st_mtime_ns) for p in packs]
    with zipfile.ZipFile(packs[0]) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    made = Counter(monkeypatch, reading_packs, "episode_pack"), Counter(monkeypatch, reading_packs, "question_pack")
    assert run(site.parent).exit_code == 0
    assert [c.calls for c in made] == [0, 0]  # a 30-minute pack takes 0.2-0.4 s to make: kept
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in packs] == before  # not rewritten
    # Made again, byte for byte the same, when its record is lost.
    (site.parent / ".learncast" / "reading-packs.json").unlink()
    assert run(site.parent).exit_code == 0
    assert made[0].calls == 2 and made[1].calls >= 1
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in packs] == before
