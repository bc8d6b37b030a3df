"""The learning library in Debian's chromium (Playwright): a key quote's link plays just its
span, the chapter timeline seeks, and the overview table and an episode page with quotes
pass axe-core. The site is rendered from Episodes made in code, each with a real MP3 (a
tone), so no speech model is needed. Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import browser_missing, make_tone
from test_browser import ARTIFACTS, Problems, serious_violations, serving, tab, wait_for_metadata, fits_width

_missing = browser_missing()
pytestmark = [pytest.mark.browser, pytest.mark.skipif(bool(_missing), reason=_missing)]

SCREEN = {"width": 1280, "height": 800}
PEOPLE = [("Jane Doe", "Head of Adult Social Care, Leeds", ("rules", "relationships", "setbacks")),
          ("Omar Said", "Service designer, Cardiff", ("rules", "governance")),
          ("Priya Shah", "Ward manager", ("relationships", "confidence", "rules", "resilience"))]
SECONDS = 48.0
QUOTE = (13.0, 15.5)  # Jane's key quote: the span a link must play


def _episode(root: Path, config, questions, i: int, person: tuple[str, str, tuple[str, ...]]):
    from pipeline.models import (INTERVIEWEE, INTERVIEWER, Chapter, Episode, MediaFile, Quote, Recording,
                                 RecordingMeta, Segment, Takeaway, Transcript, Word)

    name, role, asked = person
    slug = name.split()[0].lower()
    folder = root / "site" / "episodes" / slug
    folder.mkdir(parents=True)
    mp3 = make_tone(folder / "audio.mp3", seconds=SECONDS)
    bounds = [0.0] + [4.0 + k * (SECONDS - 8) / len(asked) for k in range(len(asked))] + [SECONDS - 4, SECONDS]
    labels = ["intro", *asked, "closing"]
    segments, chapters = [], []
    for (a, b), label in zip(zip(bounds, bounds[1:]), labels):
        title = questions.by_id[label].title if label in questions.by_id else label.title()
        chapters.append(Chapter(a, b, label, title))
        for j, (speaker, text) in enumerate(((INTERVIEWER, f"Tell me about {title.lower()}?"),
                                             (INTERVIEWEE, "We asked each team which steps protected anyone "
                                                           "and stopped the ones nobody could defend."))):
            start, end = a + (b - a) * j / 2, a + (b - a) * (j + 1) / 2
            tokens = text.split()
            step = (end - start) / len(tokens)
            segments.append(Segment(start, end, text, speaker, tuple(
                Word(start + n * step, start + (n + 1) * step, " " + tok) for n, tok in enumerate(tokens))))
    transcript = Transcript("en", "fake", "tiny", SECONDS, tuple(segments), tuple(chapters),
                            {INTERVIEWER: "Sam", INTERVIEWEE: name}, reviewed=True)
    quotes = (Quote(QUOTE[0], QUOTE[1], "We stopped the ones nobody could defend.", name),) if i == 0 else ()
    takeaways = (Takeaway("rules", f"{name.split()[0]}: ask which steps protect anyone."),)
    return Episode(slug=slug, guid=slug, title=f"How {name} changed the rules",
                   recording=Recording(root / f"{slug}.mp3", slug,
                                       RecordingMeta(title=f"How {name} changed the rules", interviewee=name, role=role,
                                                     date=dt.date(2026, 10, 1 + i))),
                   transcript=transcript, pub_date=dt.datetime(2026, 10, 1 + i, tzinfo=dt.timezone.utc),
                   audio=MediaFile(mp3, config.url("episodes", slug, "audio.mp3"), "audio/mpeg", mp3.stat().st_size),
                   page_url=config.url("episodes", slug, ""), quotes=quotes, takeaways=takeaways)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from pipeline.chapters import load_questions
    from pipeline.config import Config
    from pipeline.pages import render_site

    root = tmp_path_factory.mktemp("library")
    config = Config(root=root, title="Changing services", description="Interviews about changing services.",
                    author="The capture team", base_url="http://localhost:8000/")
    questions = load_questions()
    episodes = [_episode(root, config, questions, i, p) for i, p in enumerate(PEOPLE)]
    (root / "site" / "feed.xml").write_text("<rss/>")
    render_site(config, root / "site", episodes, questions, workspace_root=root)
    return root / "site"


@pytest.fixture(scope="module")
def base(site: Path):
    with serving(site) as url:
        yield url


@pytest.fixture
def page(browser, problems: Problems):
    p = tab(browser, problems, viewport=SCREEN, bypass_csp=True)  # axe is injected inline
    # Play muted: what is tested is where playback starts and stops, not the sound.
    p.add_init_script("document.addEventListener('DOMContentLoaded', () =>"
                      " document.querySelectorAll('audio, video').forEach(m => { m.muted = true; }));")
    yield p
    p.context.close()
    assert not problems, problems


@pytest.fixture
def problems() -> Problems:
    return Problems()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def player(page, expression: str):
    return page.evaluate(f"(() => {{ const p = document.querySelector('[data-player]'); return {expression}; }})()")


def test_a_quote_link_plays_just_its_span(page, base: str):
    page.goto(base + "episodes/jane/index.html#t=13,15.5")
    wait_for_metadata(page)
    page.wait_for_function("() => { const p = document.querySelector('[data-player]');"
                           " return !p.paused && p.currentTime > 13; }", timeout=10_000)
    assert 13.0 <= player(page, "p.currentTime") < 14.0  # it started at the quote's start
    assert player(page, "p.muted")
    page.wait_for_function("() => document.querySelector('[data-player]').paused", timeout=10_000)
    assert player(page, "p.currentTime") == pytest.approx(QUOTE[1], abs=0.15)  # and stopped at its end
    page.wait_for_timeout(600)
    assert player(page, "p.paused") and player(page, "p.currentTime") == pytest.approx(QUOTE[1], abs=0.15)


def test_the_play_link_on_the_page_plays_the_span_and_a_timeline_segment_seeks(page, base: str):
    page.goto(base + "episodes/jane/index.html")
    wait_for_metadata(page)
    page.locator(".key-quote a.quote-play").click()
    page.wait_for_function("() => document.querySelector('[data-player]').currentTime > 13.05", timeout=10_000)
    page.wait_for_function("() => document.querySelector('[data-player]').paused", timeout=10_000)
    assert player(page, "p.currentTime") == pytest.approx(QUOTE[1], abs=0.15)
    assert page.evaluate("location.hash") == "#t=13,15.5"
    segment = page.locator(".timeline a").nth(2)
    start = float(segment.get_attribute("data-seek"))
    assert start > 10
    segment.focus()
    page.keyboard.press("Enter")  # the keyboard alone reaches and follows a segment
    page.wait_for_function("t => Math.abs(document.querySelector('[data-player]').currentTime - t) < 0.5",
                           arg=start, timeout=10_000)
    assert page.evaluate("location.hash") == "#" + segment.get_attribute("href").lstrip("#")


def test_the_overview_and_an_episode_page_pass_axe_and_look_right(page, base: str):
    axe = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.is_file():
        pytest.fail(f"{axe} is missing: run `npm ci --prefix tests/js`")
    page.goto(base + "overview/index.html")
    assert page.locator("table caption").count() == 1
    assert page.locator("tbody tr").count() == len(PEOPLE)
    assert fits_width(page) == []
    shot(page, "overview-1280.png")
    assert serious_violations(page, axe) == []
    page.goto(base + "episodes/jane/index.html")
    wait_for_metadata(page)
    shot(page, "episode-library-1280.png")
    assert serious_violations(page, axe) == []
    page.goto(base + "questions/rules/index.html")
    assert page.locator(".learned li").count() == len(PEOPLE)
    shot(page, "question-library-1280.png")
    assert serious_violations(page, axe) == []


def test_the_overview_and_an_episode_page_fit_a_phone(browser, problems: Problems, base: str):
    """On a 360 px phone the page never scrolls sideways: the table scrolls inside its own region."""
    p = tab(browser, problems, viewport={"width": 360, "height": 740})
    try:
        for name in ("overview/index.html", "episodes/jane/index.html"):
            p.goto(base + name)
            assert p.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), name
        p.goto(base + "overview/index.html")
        region = p.locator(".table-scroll")
        assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # the table scrolls within it
        shot(p, "overview-phone.png")
    finally:
        p.context.close()
    assert not problems, problems


def test_dark_mode_passes_axe_too(browser, problems: Problems, base: str):
    axe = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
    p = tab(browser, problems, viewport=SCREEN, color_scheme="dark", bypass_csp=True)  # axe is injected inline
    try:
        for name in ("overview/index.html", "episodes/jane/index.html", "questions/rules/index.html"):
            p.goto(base + name)
            assert serious_violations(p, axe) == [], name
        p.goto(base + "episodes/jane/index.html")
        shot(p, "episode-library-dark.png")
    finally:
        p.context.close()
    assert not problems, problems
