"""Sharing and the question page's extras (pipeline/pages/sharing.py, cards.py, playlist.py):
the JSON-LD and Open Graph builders, quote cards (drawn with Pillow, read back with it),
every answer in one play and the handout, then a real build with consent and redaction.
The browser checks are in test_playlist_browser.py.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from pathlib import Path

import lxml.html
import pytest
from PIL import Image

from conftest import Counter, make_tone
from pipeline.pages import cards, sharing
from test_consent import site_text_hits
from test_library_browser import PEOPLE, QUOTE, SECONDS, _episode

HOSTILE = "</script><script>window.__pwned=1</script> <!-- & \u2028 \"quoted\""


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def ld(doc: lxml.html.HtmlElement) -> dict:
    [script] = doc.xpath("//script[@type='application/ld+json']")
    return json.loads(script.text)


def og(doc: lxml.html.HtmlElement) -> dict[str, str]:
    return {m.get("property") or m.get("name"): m.get("content")
            for m in doc.xpath("//head/meta[starts-with(@property, 'og:') or starts-with(@name, 'twitter:')]")}


def render(root: Path, people=PEOPLE, *, change=None) -> Path:
    """test_library_browser's three interviews (Jane has a key quote), rendered from code."""
    from pipeline.chapters import load_questions
    from pipeline.config import Config
    from pipeline.pages import render_site

    config = Config(root=root, title="Changing services", description="Interviews about changing services.",
                    author="The capture team", base_url="https://example.org/learncast/")
    questions = load_questions()
    site = root / "site"
    episodes = [_episode(root, config, questions, i, person) for i, person in enumerate(people)]
    episodes = [change(ep) for ep in episodes] if change else episodes
    (site / "feed.xml").write_text("<rss/>")
    (site / "artwork.jpg").write_bytes(b"not really a JPEG")  # the pages only link to it
    render_site(config, site, episodes, questions, workspace_root=root)
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return render(tmp_path_factory.mktemp("sharing"))


# ---------------------------------------------------------------- JSON-LD and Open Graph


def test_json_ld_cannot_close_its_script_element():
    text = sharing.json_ld({"name": HOSTILE, "n": 1.5})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"name": HOSTILE, "n": 1.5}


def test_the_episode_page_is_a_podcast_episode_with_a_clip_per_chapter(site: Path):
    doc = parse(site / "episodes" / "jane" / "index.html")
    data = ld(doc)
    assert data["@context"] == "https://schema.org" and data["@type"] == "PodcastEpisode"
    assert data["url"] == data["@id"] == "https://example.org/learncast/episodes/jane"
    assert data["partOfSeries"]["@type"] == "PodcastSeries"
    assert data["associatedMedia"] == {"@type": "AudioObject", "contentUrl": "https://example.org/learncast/episodes/jane/audio.mp3",
                                       "encodingFormat": "audio/mpeg", "duration": f"PT{SECONDS:.0f}S"}
    assert data["contributor"][0] == {"@type": "Person", "name": "Jane Doe", "jobTitle": PEOPLE[0][1]}
    # One Clip per chapter, in order, its offsets the chapter's (start floored, end raised, to tenths).
    chapters = [(a.get("data-seek"), a.text_content()) for a in doc.xpath("//nav[@class='contents']//a")]
    clips = data["hasPart"]
    assert [c["@type"] for c in clips] == ["Clip"] * len(chapters) == ["Clip"] * 5
    assert [(str(c["startOffset"]), c["name"]) for c in clips] == chapters
    assert [c["position"] for c in clips] == [1, 2, 3, 4, 5]
    assert [c["url"] for c in clips] == [f"{data['url']}#t={seek}" for seek, _ in chapters]
    assert all(c["endOffset"] > c["startOffset"] for c in clips)
    assert all(a["endOffset"] <= b["startOffset"] for a, b in zip(clips, clips[1:]))  # no overlap
    assert clips[1]["endOffset"] == pytest.approx(4 + (SECONDS - 8) / 3, abs=0.1) and clips[-1]["endOffset"] == SECONDS
    tags = og(doc)
    assert tags["og:type"] == "article" and tags["og:title"] == "How Jane Doe changed the rules"
    assert tags["og:url"] == data["url"] and tags["og:site_name"] == "Changing services"
    assert tags["og:image"] == "https://example.org/learncast/artwork.jpg"
    assert tags["og:image:alt"] == "Cover art for Changing services"
    assert tags["og:audio"] == data["associatedMedia"]["contentUrl"] and tags["og:audio:type"] == "audio/mpeg"
    assert tags["og:description"] == f"An interview with Jane Doe, {PEOPLE[0][1]}."


def test_the_home_page_is_the_podcast_series(site: Path):
    doc = parse(site / "index.html")
    data = ld(doc)
    assert data["@type"] == "PodcastSeries" and data["name"] == "Changing services"
    assert data["webFeed"] == "https://example.org/learncast/feed.xml"
    assert data["image"] == "https://example.org/learncast/artwork.jpg"
    assert og(doc)["og:type"] == "website"


def test_a_hostile_title_stays_inside_its_json_ld(tmp_path: Path):
    def hostile(ep):
        meta = dataclasses.replace(ep.recording.meta, title=HOSTILE, description=HOSTILE)
        chapters = tuple(dataclasses.replace(c, title=f"{c.title} {HOSTILE}") for c in ep.transcript.chapters)
        return dataclasses.replace(ep, title=HOSTILE, recording=dataclasses.replace(ep.recording, meta=meta),
                                   transcript=dataclasses.replace(ep.transcript, chapters=chapters))

    site = render(tmp_path, PEOPLE[:1], change=hostile)
    raw = (site / "episodes" / "jane" / "index.html").read_text()
    assert "<script>window" not in raw and "\\u003c/script\\u003e\\u003cscript\\u003ewindow" in raw
    doc = parse(site / "episodes" / "jane" / "index.html")
    assert [s.get("src", "").split("?")[0] for s in doc.xpath("//script[not(@type)]")] == ["../../static/player.js"]
    data = ld(doc)
    shown = " ".join(HOSTILE.split())  # as the page shows it: white space (U+2028 too) collapsed
    assert data["name"] == data["description"] == shown
    assert all(c["name"].endswith(shown) for c in data["hasPart"])
    assert og(doc)["og:title"].startswith("</script>")  # an attribute value, escaped by Jinja


# ---------------------------------------------------------------- quote cards


def test_a_card_shows_the_quote_who_and_the_show():
    card, show = cards.plan("We stopped the ones nobody could defend.", "Jane Doe", "Head of Care", "Changing services")
    assert card.text == "We stopped the ones nobody could defend." and card.who == "Jane Doe, Head of Care"
    assert card.alt == "\u201cWe stopped the ones nobody could defend.\u201d \u2014 Jane Doe, Head of Care"
    data = cards.render(card, show)
    assert data == cards.render(card, show)  # the same bytes every time
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "PNG" and img.size == (1200, 630) and img.mode == "RGB"
        assert img.text["Description"] == card.alt
        colours = img.getcolors(maxcolors=1_000_000)
        assert len(colours) > 20  # anti-aliased text, not a blank
        light = sum(n for n, (r, g, b) in colours if min(r, g, b) > 200)
        assert 0.01 < light / (1200 * 630) < 0.2  # white words on the dark ground


def test_a_long_quote_is_shortened_to_fit_and_the_alt_says_what_is_drawn():
    words = ("We mapped every step a referral took, then asked each team which of those steps protected anyone "
             "and which only protected the process. ") * 5
    card, show = cards.plan(words, "Priya Shah", "Ward manager", "Show")
    assert card.text.endswith("\u2026") and len(card.text) < len(words)
    assert " ".join(words.split()).startswith(card.text[:-1])  # the quote's own words, from its start
    assert card.alt == f"\u201c{card.text}\u201d \u2014 Priya Shah, Ward manager"
    emoji, _ = cards.plan("Brilliant \U0001F600 work", "Jane", "", "Show")
    assert emoji.text == "Brilliant work"  # no glyph to draw it with: not drawn, not in the alt


def test_cards_are_drawn_only_when_their_inputs_change(tmp_path: Path, monkeypatch):
    drawn = Counter(monkeypatch, cards, "render")
    one = cards.plan("First quote.", "Jane", "Role", "Show")
    two = cards.plan("Second quote.", "Jane", "Role", "Show")
    (tmp_path / "notes.png").write_bytes(b"a person's file")
    first = cards.write_cards(tmp_path, [one, two])
    assert drawn.calls == 2 and all(p.is_file() for p in first)
    stamps = [p.stat().st_mtime_ns for p in first]
    assert cards.write_cards(tmp_path, [one, two]) == first and drawn.calls == 2  # nothing changed: nothing drawn
    assert [p.stat().st_mtime_ns for p in first] == stamps
    renamed = cards.plan("First quote.", "Jane", "New role", "Show")
    assert renamed[0].name != one[0].name
    kept = cards.write_cards(tmp_path, [renamed])
    assert drawn.calls == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["notes.png", kept[0].name])


def test_the_episode_page_shows_each_quotes_card_and_the_quote_page_shares_it(site: Path):
    folder = site / "episodes" / "jane"
    [png] = folder.glob("quote-card-*.png")
    doc = parse(folder / "index.html")
    [img] = doc.xpath("//figure[@class='key-quote']/img[@class='quote-card']")
    with Image.open(png) as card:
        assert card.size == (1200, 630) and img.get("alt") == card.text["Description"]
    assert img.get("src") == png.name and (img.get("width"), img.get("height")) == ("1200", "630")
    [share] = doc.xpath("//a[@class='quote-share']/@href")
    assert share == "https://example.org/learncast/episodes/jane/quote-13-15.5.html"
    page = parse(folder / "quote-13-15.5.html")
    tags = og(page)
    assert tags["og:image"] == f"https://example.org/learncast/episodes/jane/{png.name}"
    assert tags["og:image:alt"] == img.get("alt") and tags["og:url"] == share
    assert (tags["og:image:width"], tags["og:image:height"], tags["twitter:card"]) == ("1200", "630", "summary_large_image")
    assert page.xpath("//link[@rel='canonical']/@href") == [share]
    assert page.xpath("string(//blockquote)").strip() == "We stopped the ones nobody could defend."
    assert page.xpath("//audio/@src") == [f"audio.mp3#t={QUOTE[0]:g},{QUOTE[1]:g}"]  # plays just the quote
    quote = ld(page)
    assert quote["@type"] == "Quotation" and quote["creator"]["name"] == "Jane Doe"
    # The others chose no quote: no card, no quote page.
    for slug in ("omar", "priya"):
        assert not list((site / "episodes" / slug).glob("quote-*"))


# ---------------------------------------------------------------- every answer in one play, the handout


def test_each_answer_on_a_question_page_is_its_chapter_span_of_the_published_mp3(site: Path):
    doc = parse(site / "questions" / "rules" / "index.html")
    answers = doc.xpath("//article[contains(@class, 'answer')]")
    assert [a.xpath("string(h2)") for a in answers] == ["Priya Shah, Ward manager", "Omar Said, Service designer, Cardiff",
                                                        f"Jane Doe, {PEOPLE[0][1]}"]
    for a in answers:
        src, start, end = a.get("data-src"), float(a.get("data-start")), float(a.get("data-end"))
        slug = re.fullmatch(r"\.\./\.\./episodes/(\w+)/audio\.mp3", src).group(1)
        episode = parse(site / "episodes" / slug / "index.html")
        heading = episode.xpath("//h2[@data-question='rules']")[0]
        seek = episode.xpath(f"//nav[@class='contents']//a[@href='#{heading.get('id')}']/@data-seek")[0]
        assert start == float(seek)
        clip = next(c for c in ld(episode)["hasPart"] if c["startOffset"] == start)
        # The span the episode's Clip data gives (which stops short of the next chapter's start).
        assert clip["endOffset"] <= end <= clip["endOffset"] + 0.1
        assert a.xpath(".//audio/@src") == [f"{src}#t={start:g},{end:g}"]  # without scripts: just this answer
        assert len(a.xpath(".//button[@data-playlist-from][@hidden]")) == 1
    playlist = doc.xpath("//section[@data-playlist]")[0]
    assert playlist.get("hidden") is not None  # shown by the script only
    assert playlist.xpath(".//*[@aria-live='polite']")
    assert "3 answers" in playlist.text_content()
    assert doc.xpath("//script/@src")[-1].startswith("../../static/playlist.js?v=")


def test_the_handout_has_the_question_and_every_answers_key_quotes(site: Path):
    question = parse(site / "questions" / "rules" / "index.html")
    assert question.xpath("//a[.='Print a handout for a reflective session']/@href") == ["handout.html"]
    doc = parse(site / "questions" / "rules" / "handout.html")
    assert doc.xpath("string(//h1)") == "What rules did you have to break?"
    assert [b.text_content().strip() for b in doc.xpath("//figure[@class='handout-quote']//blockquote")] == [
        "We stopped the ones nobody could defend."]
    assert "Jane Doe" in doc.xpath("string(//section[@class='handout-answer']/h2)")
    assert "https://example.org/learncast/episodes/jane/quote-13-15.5.html" in doc.text_content()
    others = doc.xpath("string(//section[@class='handout-others'])")
    assert "Priya Shah" in others and "Omar Said" in others
    assert doc.xpath("//meta[@name='robots']/@content") == ["noindex"]
    # A question nobody answered has no handout and no link to one.
    quiet = parse(site / "questions" / "methods" / "index.html")
    assert not (site / "questions" / "methods" / "handout.html").exists()
    assert not quiet.xpath("//a[@href='handout.html']") and not quiet.xpath("//section[@data-playlist]")


# ---------------------------------------------------------------- a real build: consent and redaction


uses_fake_engine = pytest.mark.usefixtures("fake_engine", "no_speakers")


def ok(cli, *args) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result.output


@uses_fake_engine
def test_cards_follow_consent_and_redaction_and_stay_the_same_bytes(workspace: Path, run, cli, monkeypatch):
    """A withheld interview has no card; a card draws only redacted words; a rebuild draws nothing."""
    make_tone(workspace / "media" / "jane.mp3", 12.0)
    (workspace / "media" / "jane.toml").write_text('interviewee = "Jane Doe"\nrole = "Head of Care"\n')
    make_tone(workspace / "media" / "omar.mp3", 10.0)
    (workspace / "media" / "omar.toml").write_text('interviewee = "Omar Said"\n')
    assert run(workspace, stages=("ingest", "transcribe", "chapter")).exit_code == 0
    ok(cli, "quote", "jane", "--phrase", "we broke the rule", "-w", workspace)
    ok(cli, "quote", "jane", "--phrase", "every referral needed", "-w", workspace)
    ok(cli, "quote", "jane", "--phrase", "a signed form first", "-w", workspace)  # cut below: never published
    ok(cli, "quote", "omar", "--phrase", "every referral needed", "-w", workspace)
    ok(cli, "redact", "jane", "--phrase", "signed form", "-w", workspace)
    ok(cli, "consent", "omar", "withheld", "-w", workspace)
    drawn = Counter(monkeypatch, cards, "render")
    assert run(workspace).exit_code == 0
    site = workspace / "site"
    pngs = sorted((site / "episodes" / "jane").glob("quote-card-*.png"))
    assert len(pngs) == 2 == drawn.calls
    published = " ".join((site / "episodes" / "jane" / "transcript.txt").read_text().split())  # redacted
    assert "[redacted]" in published
    texts = []
    for png in pngs:
        with Image.open(png) as img:
            assert img.size == (1200, 630)
            texts.append(img.text["Description"])
    assert sorted(texts) == ["\u201cWe broke the rule\u201d \u2014 Jane Doe, Head of Care",
                             "\u201cevery referral needed\u201d \u2014 Jane Doe, Head of Care"]
    for text in texts:
        assert text.split("\u201d")[0].lstrip("\u201c") in published
    assert site_text_hits(site, "signed form") == []  # not in any page, card or pack
    assert site_text_hits(site, "Omar Said") == []  # the withheld interview: no card, no page, nothing
    assert not (site / "episodes" / "omar").exists()
    assert not [p for p in site.rglob("quote-card-*.png") if "jane" not in p.parts]
    page = parse(site / "episodes" / "jane" / "index.html")
    assert sorted(page.xpath("//img[@class='quote-card']/@alt")) == sorted(texts)

    # A rebuild draws nothing and leaves the same bytes; a changed role draws both again.
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in pngs}
    assert run(workspace).exit_code == 0
    assert drawn.calls == 2
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (site / "episodes" / "jane").glob("quote-card-*.png")} == before
    (workspace / "media" / "jane.toml").write_text('interviewee = "Jane Doe"\nrole = "Director of Care"\n')
    assert run(workspace).exit_code == 0
    after = sorted((site / "episodes" / "jane").glob("quote-card-*.png"))
    assert drawn.calls == 4 and len(after) == 2 and not set(before) & {p.name for p in after}
    # Withdrawing consent removes the cards with the rest of the interview.
    ok(cli, "consent", "jane", "withheld", "-w", workspace)
    assert run(workspace).exit_code == 0
    assert not list(site.rglob("quote-card-*.png")) and not list(site.rglob("quote-*.html"))
