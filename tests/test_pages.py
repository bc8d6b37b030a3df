"""The static transcript site: pages, links, accessibility basics, escaping, overrides."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import types
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from pipeline.chapters import chapter_anchor
from pipeline.chapters.questions import Question, QuestionSet
from pipeline.config import Config
from pipeline.errors import BuildError
from pipeline.models import (INTERVIEWEE, INTERVIEWER, Chapter, Episode, MediaFile, Recording, RecordingMeta,
                             Segment, Transcript, Word)
from pipeline.pages import MARKER, remove_stale, render_site
from pipeline.pages.search import INDEX_DIR, build_search_index, pagefind_executable

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
BASE = "https://example.org/learncast/"

QUESTIONS = QuestionSet((
    Question("rules", "What rules did you have to break to make this work?", "Rules we broke"),
    Question("relationships", "Which relationships mattered most, and how did you build trust?",
             "Relationships"),
    Question("setbacks", f"What went wrong {XSS_SCRIPT}?", "Setbacks"),
))


def words(text: str, start: float, end: float) -> tuple[Word, ...]:
    toks = text.split()
    step = (end - start) / len(toks)
    return tuple(Word(start + i * step, start + (i + 1) * step, " " + t) for i, t in enumerate(toks))


def seg(start: float, end: float, text: str, speaker: str, with_words: bool = False) -> Segment:
    return Segment(start, end, text, speaker, words(text, start, end) if with_words else ())


def jane_transcript() -> Transcript:
    """Audio-only, unreviewed, hostile text; the 'rules' chapter starts mid-segment."""
    segments = (
        seg(0.0, 4.0, "Welcome to the show.", INTERVIEWER),
        seg(4.0, 8.0, f"Thanks for having me {XSS_SCRIPT}", INTERVIEWEE),
        seg(8.0, 11.0, f"Happy to {XSS_IMG} be here.", INTERVIEWEE),
        # One segment: "Great." closes the introduction; the question ("What", at 12.0 s) opens the next chapter.
        seg(11.0, 17.0, "Great. What rules did you break?", INTERVIEWER, with_words=True),
        seg(17.0, 40.0, "We broke the referral rule.", INTERVIEWEE),
        seg(40.0, 754.27, "And the forms rule too.", INTERVIEWEE),
        seg(754.27, 760.0, "Which relationships mattered?", INTERVIEWER),
        seg(760.0, 800.0, "The ones with the frontline staff.", INTERVIEWEE),
        seg(800.0, 820.0, "Trust took months.", INTERVIEWEE),
        seg(3725.5, 3730.0, "Thank you so much for your time.", INTERVIEWER),
    )
    chapters = (
        Chapter(0.0, 12.0, "intro", "Introduction", 1.0),
        Chapter(12.0, 754.27, "rules", "Rules we broke", 0.9),
        Chapter(754.27, 3725.5, "relationships", "Relationships", 0.3),
        Chapter(3725.5, 3730.0, "closing", "Closing", 1.0),
    )
    return Transcript("en", "fake", "tiny", 3730.0, segments, chapters,
                      {INTERVIEWER: "Sam", INTERVIEWEE: f"Jane {XSS_IMG}"}, reviewed=False)


def bob_transcript() -> Transcript:
    segments = (
        seg(0.0, 3.0, "Hello Bob.", INTERVIEWER),
        seg(3.0, 6.0, "Hello.", INTERVIEWEE),
        seg(6.0, 9.0, "What rules did you break?", INTERVIEWER),
        seg(9.0, 20.0, "None, honestly. We asked permission first.", INTERVIEWEE),
        seg(20.0, 25.0, "Why?", INTERVIEWER),
        seg(25.0, 40.0, "Because the board insisted.", INTERVIEWEE),
        seg(40.0, 55.0, "It took a year.", INTERVIEWEE),
    )
    chapters = (Chapter(0.0, 6.0, "intro", "Introduction"), Chapter(6.0, 55.0, "rules", "Rules we broke", 0.8))
    return Transcript("en", "fake", "tiny", 55.0, segments, chapters, {INTERVIEWER: "Sam", INTERVIEWEE: "Bob"},
                      reviewed=True)


def make_episode(site: Path, config: Config, slug: str, title: str, meta: RecordingMeta, transcript: Transcript,
                 when: dt.datetime, video: bool) -> Episode:
    """An Episode whose media and downloads exist in site/episodes/<slug>/ as dummy bytes."""
    folder = site / "episodes" / slug
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for kind, name in (("vtt", "transcript.vtt"), ("srt", "transcript.srt"), ("txt", "transcript.txt"),
                       ("json", "transcript.json"), ("chapters", "chapters.json")):
        (folder / name).write_text("dummy")
        files[kind] = config.url("episodes", slug, name)
    (folder / "audio.mp3").write_bytes(b"\xff" * 2048)
    audio = MediaFile(folder / "audio.mp3", config.url("episodes", slug, "audio.mp3"), "audio/mpeg", 2048)
    mp4 = None
    if video:
        (folder / "video.mp4").write_bytes(b"\x00" * 4096)
        (folder / "poster.jpg").write_bytes(b"\xff\xd8")
        mp4 = MediaFile(folder / "video.mp4", config.url("episodes", slug, "video.mp4"), "video/mp4", 4096)
    rec = Recording(path=Path(f"/media/{slug}.mp4"), slug=slug, meta=meta)
    return Episode(slug=slug, guid=slug, title=title, recording=rec, transcript=transcript, pub_date=when,
                   audio=audio, video=mp4, page_url=config.url("episodes", slug, ""), files=files)


@pytest.fixture
def workspace(tmp_path: Path) -> types.SimpleNamespace:
    config = Config(root=tmp_path, title=f"Show {XSS_SCRIPT}", description=f"About {XSS_IMG}",
                    language="en-GB", base_url=BASE)
    site = tmp_path / "site"
    site.mkdir()
    (site / "feed.xml").write_text("<rss/>")  # the feed writer's output, linked from every page
    (site / "artwork.jpg").write_bytes(b"\xff\xd8")
    utc = dt.timezone.utc
    jane = make_episode(site, config, "jane-doe-leeds", f"Jane's story {XSS_SCRIPT}",
                        RecordingMeta(interviewee=f"Jane {XSS_IMG}", role=f"Head of {XSS_SCRIPT}",
                                      date=dt.date(2026, 3, 1)),
                        jane_transcript(), dt.datetime(2026, 3, 1, 9, tzinfo=utc), video=False)
    bob = make_episode(site, config, "bob", "Bob's year",
                       RecordingMeta(interviewee="Bob Smith", role="Service manager", date=dt.date(2026, 5, 10)),
                       bob_transcript(), dt.datetime(2026, 5, 10, 9, tzinfo=utc), video=True)
    return types.SimpleNamespace(root=tmp_path, config=config, site=site, episodes=[jane, bob], jane=jane, bob=bob)


def render(ws: types.SimpleNamespace, questions=QUESTIONS) -> list[Path]:
    return render_site(ws.config, ws.site, ws.episodes, questions, workspace_root=ws.root)


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# ---------------------------------------------------------------- structure


def test_every_page_and_static_file_is_written(workspace):
    written = render(workspace)
    site = workspace.site
    expected = [site / "index.html", site / "questions" / "index.html", site / "search" / "index.html",
                site / "episodes" / "jane-doe-leeds" / "index.html", site / "episodes" / "bob" / "index.html",
                site / "episodes" / "bob" / "chapters.vtt", site / "static" / "site.css",
                site / "static" / "player.js", site / "static" / "search.js", site / "static" / "library.css",
                site / "overview" / "index.html", site / "themes" / "index.html"]
    expected += [site / "questions" / q.id / "index.html" for q in QUESTIONS.questions]
    for path in expected:
        assert path.is_file(), path
        assert path in written
    handouts = sorted(site.glob("questions/*/handout.html"))  # one per answered question (test_sharing.py)
    assert handouts and all(path in written for path in handouts)
    assert len(pages(site)) == 5 + 2 + len(QUESTIONS.questions) + len(handouts)


def test_each_page_has_one_h1_lang_landmarks_skip_link_generator_and_title(workspace):
    render(workspace)
    for path in pages(workspace.site):
        doc = parse(path)
        assert len(doc.xpath("//h1")) == 1, path
        assert doc.get("lang") == "en-GB", path
        skip = doc.xpath("//body/*[1]")[0]
        assert skip.tag == "a" and skip.get("href") == "#main", path
        assert doc.xpath("//main[@id='main']"), path
        for landmark in ("header", "nav", "footer"):
            assert doc.xpath(f"//{landmark}"), (path, landmark)
        assert doc.xpath("//meta[@name='generator']/@content") == ["Learncast"], path
        assert doc.findtext(".//title").strip(), path


def test_form_controls_and_players_are_labelled(workspace):
    render(workspace)
    for path in pages(workspace.site):
        doc = parse(path)
        for control in doc.xpath("//input|//audio|//video"):
            cid = control.get("id")
            labelled = (control.get("aria-label") or control.xpath("ancestor::label")
                        or (cid and doc.xpath(f"//label[@for='{cid}']")))
            assert labelled, (path, lxml.html.tostring(control)[:80])


# ---------------------------------------------------------------- episode pages


def chapter_headings(doc) -> list[str]:
    return [h.text_content().strip() for h in doc.xpath("//h2[contains(@class, 'chapter-heading')]")]


def test_one_h2_per_chapter_with_the_full_question_and_its_anchor(workspace):
    render(workspace)
    doc = parse(workspace.site / "episodes" / "jane-doe-leeds" / "index.html")
    assert chapter_headings(doc) == ["Introduction", QUESTIONS.by_id["rules"].question,
                                     QUESTIONS.by_id["relationships"].question, "Closing"]
    ids = doc.xpath("//h2[contains(@class, 'chapter-heading')]/@id")
    assert ids == [chapter_anchor(i, c) for i, c in enumerate(workspace.jane.chapters)]
    # The contents list links to each heading and carries the chapter's start for seeking.
    toc = doc.xpath("//nav[contains(@class, 'contents')]//a")
    assert [a.get("href") for a in toc] == [f"#{i}" for i in ids]
    assert [a.get("data-seek") for a in toc] == ["0", "12", "754.2", "3725.5"]


def test_paragraph_per_speaker_turn_cut_at_chapter_starts(workspace):
    render(workspace)
    doc = parse(workspace.site / "episodes" / "jane-doe-leeds" / "index.html")
    chapters = doc.xpath("//section[contains(@class, 'chapter')]")
    turns = [[(p.findtext(".//span[@class='speaker']"), p.findtext(".//span[@class='text']"))
              for p in ch.xpath(".//p[contains(@class, 'turn')]")] for ch in chapters]
    jane = f"Jane {XSS_IMG}"
    assert turns == [
        [("Sam", "Welcome to the show."),
         (jane, f"Thanks for having me {XSS_SCRIPT} Happy to {XSS_IMG} be here."),  # two segments, one turn
         ("Sam", "Great.")],  # the segment is cut where the next chapter starts (from its word times)
        [("Sam", "What rules did you break?"), (jane, "We broke the referral rule. And the forms rule too.")],
        [("Sam", "Which relationships mattered?"), (jane, "The ones with the frontline staff. Trust took months.")],
        [("Sam", "Thank you so much for your time.")],
    ]
    ids = doc.xpath("//p[contains(@class, 'turn')]/@id")
    assert len(ids) == len(set(ids)) == 8
    assert ids[:4] == ["p-0", "p-4000", "p-11000", "p-12000"]


def test_timestamps_link_to_the_seconds_they_show(workspace):
    render(workspace)
    doc = parse(workspace.site / "episodes" / "jane-doe-leeds" / "index.html")
    stamps = {}
    for p in doc.xpath("//p[contains(@class, 'turn')]"):
        a = p.xpath(".//a[@class='ts']")[0]
        time = a.find("time")
        stamps[p.get("id")] = (a.get("href"), time.get("datetime"), time.text, p.get("data-start"))
    assert stamps["p-4000"] == ("#t=4", "PT4S", "00:04", "4")
    # 754.27 s is floored to tenths, so playback never starts after the first word.
    assert stamps["p-754270"] == ("#t=754.2", "PT754.2S", "12:34", "754.2")
    assert stamps["p-3725500"] == ("#t=3725.5", "PT3725.5S", "1:02:05", "3725.5")


def test_flags_unreviewed_transcripts_and_low_confidence_chapters(workspace):
    render(workspace)
    jane = parse(workspace.site / "episodes" / "jane-doe-leeds" / "index.html")
    bob = parse(workspace.site / "episodes" / "bob" / "index.html")
    assert "not yet reviewed by a person" in jane.xpath("string(//p[@class='notice'])")
    assert not bob.xpath("//p[@class='notice']")
    flagged = [ch.get("aria-labelledby") for ch in jane.xpath("//section[contains(@class, 'chapter')]")
               if ch.xpath(".//p[@class='flag']")]
    assert flagged == [chapter_anchor(2, workspace.jane.chapters[2])]  # confidence 0.3; the others are >= 0.5
    assert "low confidence — check this chapter" in jane.xpath("string(//p[@class='flag'])").lower()


def test_audio_episode_plays_the_mp3_and_lists_every_download(workspace):
    render(workspace)
    doc = parse(workspace.site / "episodes" / "jane-doe-leeds" / "index.html")
    audio = doc.xpath("//audio")[0]
    assert audio.get("preload") == "metadata" and "controls" in audio.attrib
    assert audio.xpath("./source/@src") == ["audio.mp3"]
    assert not doc.xpath("//video")
    hrefs = doc.xpath("//section[contains(@class, 'downloads')]//a/@href")
    assert hrefs == ["transcript.vtt", "transcript.srt", "transcript.txt", "transcript.json", "chapters.json",
                     "chapters.vtt", "audio.mp3"]
    sizes = doc.xpath("//section[contains(@class, 'downloads')]//span[@class='size']/text()")
    assert sizes[0] == "5 bytes" and sizes[-1] == "2.0 kB"  # read from the files beside the page
    meta = doc.xpath("string(//dl[@class='meta'])")
    assert f"Jane {XSS_IMG}" in meta and f"Head of {XSS_SCRIPT}" in meta and "1 March 2026" in meta
    assert doc.xpath("//dl[@class='meta']//time/@datetime")[0] == "2026-03-01"


def test_video_episode_has_captions_and_a_chapters_track(workspace):
    webvtt = pytest.importorskip("webvtt")
    render(workspace)
    folder = workspace.site / "episodes" / "bob"
    doc = parse(folder / "index.html")
    video = doc.xpath("//video")[0]
    assert video.xpath(".//source/@src") == ["video.mp4"] and video.get("poster") == "poster.jpg"
    # lxml parses HTML4, so the void <source>/<track> elements come out nested: search descendants.
    captions = video.xpath(".//track[@kind='captions']")[0]
    assert captions.get("src") == "transcript.vtt" and captions.get("srclang") == "en"
    assert "default" in captions.attrib
    assert video.xpath(".//track[@kind='chapters']/@src") == ["chapters.vtt"]
    cues = webvtt.read(str(folder / "chapters.vtt"))
    assert [(c.start, c.end, c.text) for c in cues] == [
        ("00:00:00.000", "00:00:06.000", "Introduction"), ("00:00:06.000", "00:00:55.000", "Rules we broke")]
    hrefs = doc.xpath("//section[contains(@class, 'downloads')]//a/@href")
    assert hrefs[-2:] == ["audio.mp3", "video.mp4"]


def test_an_episode_without_chapters_still_shows_its_transcript(workspace):
    plain = dataclasses.replace(workspace.bob, transcript=workspace.bob.transcript.with_chapters(()))
    workspace.episodes = [workspace.jane, plain]
    render(workspace)
    folder = workspace.site / "episodes" / "bob"
    doc = parse(folder / "index.html")
    assert not chapter_headings(doc) and not doc.xpath("//track[@kind='chapters']")
    assert len(doc.xpath("//p[contains(@class, 'turn')]")) == 6  # 7 segments, the last two one turn
    assert "chapters.vtt" not in doc.xpath("//a/@href")


def test_hand_edited_chapters_out_of_order_render_in_time_order_with_stable_anchors(workspace):
    chapters = workspace.bob.transcript.chapters[::-1]  # rules first, then intro
    edited = workspace.bob.transcript.with_chapters(chapters)
    workspace.episodes = [dataclasses.replace(workspace.bob, transcript=edited)]
    render(workspace)
    doc = parse(workspace.site / "episodes" / "bob" / "index.html")
    assert chapter_headings(doc) == ["Introduction", QUESTIONS.by_id["rules"].question]
    assert doc.xpath("//h2[contains(@class, 'chapter-heading')]/@id") == ["ch-1-intro", "ch-0-rules"]
    first = doc.xpath("//section[contains(@class, 'chapter')]")[0]
    assert [p.get("id") for p in first.xpath(".//p[contains(@class, 'turn')]")] == ["p-0", "p-3000"]


# ---------------------------------------------------------------- home page and question library


def test_home_page_lists_episodes_newest_first_with_subscribe_links(workspace):
    render(workspace)
    doc = parse(workspace.site / "index.html")
    assert doc.xpath("//h1")[0].text_content() == f"Show {XSS_SCRIPT}"
    cards = doc.xpath("//article[contains(@class, 'card')]")
    assert [c.xpath("string(.//h3)").strip() for c in cards] == ["Bob's year", f"Jane's story {XSS_SCRIPT}"]
    assert cards[0].xpath(".//h3/a/@href") == ["episodes/bob/index.html"]
    assert "2 chapters" in cards[0].text_content() and "4 chapters" in cards[1].text_content()
    assert cards[1].xpath(".//time/@datetime") == ["2026-03-01", "PT3730S"]
    hrefs = doc.xpath("//section[contains(@class, 'subscribe')]//a/@href")
    assert "podcast://example.org/learncast/feed.xml" in hrefs
    assert "pcast://example.org/learncast/feed.xml" in hrefs
    assert "feed.xml" in hrefs
    assert doc.xpath("//input[@id='feed-url']/@value") == [BASE + "feed.xml"]
    assert doc.xpath("//img[@class='artwork']/@src") == ["artwork.jpg"]
    assert "questions/index.html" in doc.xpath("//a/@href")


def test_question_pages_collect_answers_from_every_episode(workspace):
    render(workspace)
    site = workspace.site
    doc = parse(site / "questions" / "rules" / "index.html")
    assert doc.xpath("string(//h1)") == QUESTIONS.by_id["rules"].question
    answers = doc.xpath("//article[@class='answer']")
    assert [a.xpath("string(.//h2)") for a in answers] == ["Bob Smith, Service manager",
                                                            f"Jane {XSS_IMG}, Head of {XSS_SCRIPT}"]
    plays = [a.xpath(".//a[@class='play']/@href")[0] for a in answers]
    assert plays == ["../../episodes/bob/index.html#t=6", "../../episodes/jane-doe-leeds/index.html#t=12"]
    # Bob's answer has 4 turns: the question and the answer show, the rest is behind "Read more".
    bob = answers[0]
    assert len(bob.xpath("./p[contains(@class, 'turn')]")) == 2
    assert len(bob.xpath("./details//p[contains(@class, 'turn')]")) == 2
    assert "Read more" in bob.xpath("string(./details/summary)")
    assert not answers[1].xpath("./details")  # Jane's has only two turns

    counts = {li.xpath("string(./a)"): li.xpath("string(.//span[@class='count'])")
              for li in parse(site / "questions" / "index.html").xpath("//ol[@class='question-list']/li")}
    assert counts == {"Rules we broke": "2 answers", "Relationships": "1 answer", "Setbacks": "0 answers"}
    empty = parse(site / "questions" / "setbacks" / "index.html")
    assert not empty.xpath("//article[@class='answer']") and "0 answers" in empty.text_content()


def test_any_object_with_questions_is_accepted(workspace):
    item = types.SimpleNamespace(id="rules", question="Which rules?", title="Rules")
    render(workspace, types.SimpleNamespace(questions=(item,)))
    doc = parse(workspace.site / "episodes" / "bob" / "index.html")
    assert chapter_headings(doc) == ["Introduction", "Which rules?"]
    assert (workspace.site / "questions" / "rules" / "index.html").is_file()


# ---------------------------------------------------------------- links and safety


def test_every_relative_link_resolves_to_a_file_and_every_fragment_to_an_element(workspace):
    render(workspace)
    site = workspace.site
    indexed = pagefind_executable() is not None and build_search_index(site) is not None
    ids: dict[Path, set[str]] = {p: set(parse(p).xpath("//@id")) for p in pages(site)}
    checked = 0
    for page, page_ids in ids.items():
        doc = parse(page)
        for el, attr, url, _ in doc.iterlinks():
            if attr not in ("href", "src") or el.tag == "link" and el.get("rel") in ("canonical", "alternate"):
                continue
            parts = urlsplit(url)
            if parts.scheme:
                assert parts.scheme in ("podcast", "pcast"), url  # no absolute links inside the site
                continue
            target = page if not parts.path else Path(os.path.normpath(page.parent / unquote(parts.path)))
            if not indexed and INDEX_DIR in target.relative_to(site).parts:
                continue  # the search UI comes with the index (test_search_index_covers_the_episode_pages)
            assert target.is_file(), f"{page.relative_to(site)}: {url}"
            assert site in target.parents
            frag = parts.fragment
            if frag and not frag.startswith("t="):
                assert frag in ids[target], f"{page.relative_to(site)}: {url}"
            checked += 1
    assert checked > 50


def test_hostile_text_is_escaped_everywhere(workspace):
    render(workspace)
    for path in pages(workspace.site):
        doc = parse(path)
        scripts = doc.xpath("//script[not(@type='application/ld+json')]")
        for data in doc.xpath("//script[@type='application/ld+json']"):  # JSON-LD: data, never markup
            assert "<" not in data.text and json.loads(data.text)["@context"] == "https://schema.org", path
        assert all(re.fullmatch(r"(\.\./)*(static|pagefind)/[\w.-]+\.js(\?v=\w+)?", s.get("src", ""))
                   and not (s.text or "").strip() for s in scripts), path  # only our own script files
        assert not [img for img in doc.xpath("//img") if img.get("src") == "x"], path
        for el in doc.iter():
            if isinstance(el.tag, str):
                assert not [a for a in el.attrib if a.lower().startswith("on")], (path, el.tag)
    episode = parse(workspace.site / "episodes" / "jane-doe-leeds" / "index.html")
    assert XSS_SCRIPT in episode.xpath("string(//h1)")
    assert XSS_SCRIPT in episode.findtext(".//title")
    setbacks = parse(workspace.site / "questions" / "setbacks" / "index.html")
    assert setbacks.xpath("string(//h1)") == QUESTIONS.by_id["setbacks"].question
    raw = (workspace.site / "episodes" / "jane-doe-leeds" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw and "<script>alert" not in raw
    [ld] = episode.xpath("//script[@type='application/ld+json']")  # the title, whole, inside the JSON only
    assert XSS_SCRIPT in json.loads(ld.text)["name"] and "</script" not in ld.text.lower()


def test_unsafe_slug_is_refused(workspace):
    workspace.episodes = [dataclasses.replace(workspace.bob, slug="../../etc")]
    with pytest.raises(BuildError, match="cannot be a folder name"):
        render(workspace)


# ---------------------------------------------------------------- overrides, re-renders, stale folders


def test_workspace_templates_and_static_files_override_the_package(workspace):
    templates = workspace.root / "templates"
    (templates / "static").mkdir(parents=True)
    (templates / "index.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1 id="custom">Our library: {{ show.title }}</h1>'
        '<p>{{ episodes|length }} interviews</p>{% endblock %}')
    (templates / "static" / "site.css").write_text("body { color: teal; }")
    render(workspace)
    doc = parse(workspace.site / "index.html")
    assert doc.xpath("string(//h1[@id='custom'])") == f"Our library: Show {XSS_SCRIPT}"  # still escaped
    assert "2 interviews" in doc.text_content()
    assert doc.xpath("//a[@class='skip-link']")  # base.html still comes from the package
    assert (workspace.site / "static" / "site.css").read_text() == "body { color: teal; }"
    assert chapter_headings(parse(workspace.site / "episodes" / "bob" / "index.html"))  # not overridden


def test_a_broken_override_names_the_template(workspace):
    templates = workspace.root / "templates"
    templates.mkdir()
    (templates / "questions.html").write_text('{% extends "base.html" %}{% block main %}{{ nope }}{% endblock %}')
    with pytest.raises(BuildError) as err:
        render(workspace)
    assert "questions.html" in err.value.one_line() and "Fix:" in err.value.one_line()


def test_a_second_render_leaves_unchanged_files_untouched(workspace):
    first = render(workspace)
    page = workspace.site / "episodes" / "bob" / "index.html"
    os.utime(page, (1_000_000, 1_000_000))
    assert render(workspace) == first
    assert page.stat().st_mtime == 1_000_000


def test_remove_stale_deletes_only_marked_folders(workspace):
    render(workspace)
    episodes = workspace.site / "episodes"
    handmade = episodes / "notes"
    handmade.mkdir()
    (handmade / "readme.txt").write_text("mine")
    removed = remove_stale(workspace.site, {"bob"})
    assert removed == [episodes / "jane-doe-leeds"]
    assert not (episodes / "jane-doe-leeds").exists()
    assert (episodes / "bob" / "index.html").is_file() and (episodes / "bob" / MARKER).is_file()
    assert (handmade / "readme.txt").read_text() == "mine"
    assert remove_stale(workspace.site / "nowhere", set()) == []


def test_questions_dropped_from_the_set_lose_their_pages(workspace):
    render(workspace)
    (workspace.site / "questions" / "mine").mkdir()
    smaller = QuestionSet(QUESTIONS.questions[:1])
    render(workspace, smaller)
    names = sorted(p.name for p in (workspace.site / "questions").iterdir() if p.is_dir())
    assert names == ["mine", "rules"]


# ---------------------------------------------------------------- stylesheet and script


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_stylesheet_colours_meet_wcag_aa_in_light_and_dark(workspace):
    render(workspace)
    css = (workspace.site / "static" / "site.css").read_text()
    light = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", css.split("@media (prefers-color-scheme: dark)")[0]))
    dark_block = css.split("@media (prefers-color-scheme: dark)")[1].split("}\n}")[0]
    dark = {**light, **dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", dark_block))}
    pairs = [("--fg", "--bg"), ("--muted", "--bg"), ("--link", "--bg"), ("--visited", "--bg"),
             ("--current-fg", "--current-bg"), ("--flag-fg", "--flag-bg"), ("--notice-fg", "--notice-bg"),
             ("--muted", "--panel"), ("--fg", "--panel"), ("--link", "--current-bg")]
    for scheme in (light, dark):
        for fg, bg in pairs:
            assert _contrast(scheme[fg], scheme[bg]) >= 4.5, (fg, bg, scheme[fg], scheme[bg])
        assert _contrast(scheme["--focus"], scheme["--bg"]) >= 3.0  # non-text contrast for the focus ring
    assert "@media print" in css and "prefers-color-scheme: dark" in css and ":focus-visible" in css
    assert not re.search(r"@import|@font-face|url\(", css)  # nothing fetched from elsewhere


def test_player_script_needs_nothing_from_elsewhere(workspace):
    render(workspace)
    js = (workspace.site / "static" / "player.js").read_text()
    assert not re.search(r"https?://|import\s|require\(", js)
    for hook in ("loadedmetadata", "timeupdate", "hashchange", "aria-current", "follow-along", "data-seek"):
        assert hook in js
    # The hooks the script relies on are on the episode page.
    doc = parse(workspace.site / "episodes" / "jane-doe-leeds" / "index.html")
    assert doc.xpath("//audio[@data-player]") and doc.xpath("//input[@id='follow-along']")
    assert doc.xpath("//*[@data-pagefind-body]")


# ---------------------------------------------------------------- search


def test_search_index_covers_the_episode_pages(workspace):
    if pagefind_executable() is None:
        pytest.skip("pagefind[bin] is not installed")
    render(workspace)
    site = workspace.site
    assert build_search_index(site) == site / INDEX_DIR
    entry = json.loads((site / INDEX_DIR / "pagefind-entry.json").read_text())
    # Only the episode pages carry data-pagefind-body; question pages would repeat them.
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == 2
    assert (site / INDEX_DIR / "pagefind-ui.js").is_file()
    first = {p.name for p in (site / INDEX_DIR).iterdir()}
    workspace.episodes = [workspace.bob]
    remove_stale(site, {"bob"})
    render(workspace)
    build_search_index(site)  # the new index replaces the old one; nothing is left beside it
    entry = json.loads((site / INDEX_DIR / "pagefind-entry.json").read_text())
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == 1
    assert {p.name for p in (site / INDEX_DIR).iterdir()} != first
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".")) == []
    search = parse(site / "search" / "index.html")
    assert search.xpath("//div[@id='search']/@data-root") == ["../"]
    assert search.xpath("//script/@src")[0] == "../pagefind/pagefind-ui.js"
