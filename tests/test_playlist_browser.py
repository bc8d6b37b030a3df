"""Every answer in one play, the handout, the quote pages and the sharing data, in Debian's
chromium (Playwright). The site is test_library_browser's: three interviews rendered from
Episodes made in code, each with a real MP3 (a tone), all three answering "rules"
(Priya 24-34 s, Omar 4-24 s, Jane 4-17.4 s, newest first as the page lists them).
Screenshots and a PDF of the printed handout go to test-artifacts/browser/.
"""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest

from conftest import browser_missing
from test_browser import ARTIFACTS, Problems, fits_width, serious_violations, tab
from test_library_browser import SCREEN, base, page, problems, shot, site  # noqa: F401 (fixtures)

_missing = browser_missing()
pytestmark = [pytest.mark.browser, pytest.mark.skipif(bool(_missing), reason=_missing)]

QUESTION = "questions/rules/index.html"
AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"


def spans(site: Path) -> list[tuple[str, float, float, str]]:
    """(MP3 path from the site root, start, end, who) of each answer, as the page lists them."""
    doc = lxml.html.fromstring((site / QUESTION).read_bytes())
    return [(a.get("data-src").replace("../../", ""), float(a.get("data-start")), float(a.get("data-end")),
             a.get("data-who")) for a in doc.xpath("//article[contains(@class, 'answer')]")]


def audio(page, expression: str):
    return page.evaluate(f"(() => {{ const p = document.querySelector('[data-playlist-player]'); return {expression}; }})()")


def wait_playing(page, src: str, lo: float, hi: float) -> None:
    """Wait until the playlist's player plays ``src`` somewhere in [lo, hi)."""
    try:
        page.wait_for_function(
            "([src, lo, hi]) => { const p = document.querySelector('[data-playlist-player]');"
            " return !p.paused && p.currentSrc.endsWith(src) && p.currentTime >= lo && p.currentTime < hi; }",
            arg=[src, lo, hi], timeout=15_000)
    except Exception as exc:
        where = audio(page, "[p.currentSrc, p.currentTime, p.paused]")
        raise AssertionError(f"player at {where}, expected {src} in [{lo}, {hi})") from exc


def current_answer(page) -> int:
    """The 1-based number of the answer marked as playing (0 for none)."""
    return page.evaluate("Array.from(document.querySelectorAll('article.answer'))"
                         ".findIndex(a => a.getAttribute('aria-current') === 'true') + 1")


def test_the_player_plays_every_answer_in_page_order_with_the_keyboard(page, base: str, site: Path):
    answers = spans(site)
    assert [a[0] for a in answers] == ["episodes/priya/audio.mp3", "episodes/omar/audio.mp3",
                                       "episodes/jane/audio.mp3"]
    page.goto(base + QUESTION)
    assert page.locator(".playlist").is_visible()  # the script shows it...
    assert page.locator(".answer-audio:visible").count() == 0  # ...and the one player replaces the answers' own
    assert page.locator("[data-playlist-status]").get_attribute("aria-live") == "polite"
    button = page.locator("[data-playlist-play]")
    assert button.text_content() == "Play every answer"
    button.focus()
    page.keyboard.press("Enter")  # the keyboard alone starts it
    src, start, end, who = answers[0]
    wait_playing(page, src, start, start + 1.5)
    assert current_answer(page) == 1
    assert page.locator("[data-playlist-status]").text_content() == f"Now playing answer 1 of 3: {who}"
    assert button.text_content() == "Pause"
    # The paragraph being spoken is highlighted, and its speaker shown.
    page.wait_for_function("() => document.querySelector('article.answer[aria-current] .turn.current')")
    assert page.locator("[data-playlist-speaking]").text_content().startswith("Sam: Tell me about")

    # Near the end of answer 1 it moves on, by itself, to answer 2's file and start.
    page.evaluate(f"document.querySelector('[data-playlist-player]').currentTime = {end - 0.4}")
    src2, start2, end2, who2 = answers[1]
    wait_playing(page, src2, start2, start2 + 1.5)
    assert current_answer(page) == 2
    assert page.locator("[data-playlist-status]").text_content() == f"Now playing answer 2 of 3: {who2}"
    shot(page, "question-playlist-1280.png")

    # Next answer (Tab to it, Space), then the end of the last answer finishes the play.
    assert page.evaluate("document.activeElement === document.querySelector('[data-playlist-play]')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Next answer"
    page.keyboard.press("Space")
    src3, start3, end3, _ = answers[2]
    wait_playing(page, src3, start3, start3 + 1.5)
    assert current_answer(page) == 3
    page.evaluate(f"document.querySelector('[data-playlist-player]').currentTime = {end3 - 0.3}")
    page.wait_for_function("() => document.querySelector('[data-playlist-player]').paused", timeout=10_000)
    assert audio(page, "p.currentTime") < end3 + 0.5  # it stopped at the last answer's end
    assert page.locator("[data-playlist-status]").text_content() == "Finished: all 3 answers have been played."
    assert current_answer(page) == 0


def test_play_from_one_answer_and_back(page, base: str, site: Path):
    answers = spans(site)
    page.goto(base + QUESTION)
    third = page.locator("article.answer").nth(2).get_by_role("button", name="Play every answer from this one")
    third.focus()
    page.keyboard.press("Enter")
    src, start, _, _ = answers[2]
    wait_playing(page, src, start, start + 1.5)
    assert current_answer(page) == 3
    # Paused so that a slow machine stays within 3 s of the answer's start before the click.
    assert audio(page, "(p.pause(), p.currentTime)") - start < 3
    page.get_by_role("button", name="Previous answer").click()  # near its start: the answer before
    src2, start2, _, _ = answers[1]
    wait_playing(page, src2, start2, start2 + 1.5)
    assert current_answer(page) == 2
    page.get_by_role("button", name="Pause").click()
    page.wait_for_function("() => document.querySelector('[data-playlist-player]').paused")
    assert page.get_by_role("button", name="Play every answer", exact=True).is_visible()


def test_without_javascript_each_answer_has_its_own_player(browser, base: str, site: Path):
    problems = Problems()
    p = tab(browser, problems, viewport=SCREEN, java_script_enabled=False)
    try:
        p.goto(base + QUESTION)
        assert not p.locator(".playlist").is_visible()
        players = p.locator("article.answer audio")
        assert players.count() == 3 and all(players.nth(i).is_visible() for i in range(3))
        srcs = [players.nth(i).get_attribute("src") for i in range(3)]
        assert srcs == [f"../../{src}#t={start:g},{end:g}" for src, start, end, _ in spans(site)]
        assert p.get_by_role("link", name="Print a handout for a reflective session").is_visible()
    finally:
        p.context.close()
    assert not problems, problems


def test_the_question_handout_quote_and_episode_pages_pass_axe_and_fit_a_phone(browser, base: str):
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/js`")
    problems = Problems()
    for viewport in (SCREEN, {"width": 360, "height": 740}):
        p = tab(browser, problems, viewport=viewport, bypass_csp=True)  # axe is injected inline
        try:
            for name in (QUESTION, "questions/rules/handout.html", "episodes/jane/quote-13-15.5.html",
                         "episodes/jane/index.html"):  # the last shows the quote card by its quote
                p.goto(base + name)
                assert serious_violations(p, AXE) == [], name
                assert fits_width(p) == [], (name, viewport)
            p.goto(base + "episodes/jane/quote-13-15.5.html")
            assert p.locator("img.quote-card").evaluate("img => img.complete && img.naturalWidth") == 1200
        finally:
            p.context.close()
    assert not problems, problems


def test_the_handout_prints_the_question_and_every_key_quote(page, base: str):
    page.goto(base + "questions/rules/handout.html")
    assert page.locator("h1").text_content() == "What rules did you have to break?"
    assert page.locator(".handout-quote blockquote").all_text_contents() == [
        "We stopped the ones nobody could defend."]
    assert page.get_by_role("button", name="Print this handout").is_visible()  # the script shows it
    page.emulate_media(media="print")
    assert not page.locator(".site-nav").is_visible() and not page.locator(".handout-actions").is_visible()
    assert page.locator(".handout-notes").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "handout-rules.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    shot(page, "handout-print.png")
    page.goto(base + QUESTION)
    page.emulate_media(media="print")
    assert not page.locator(".playlist").is_visible() and not page.locator(".answer-listen").first.is_visible()


def test_the_sharing_data_reads_back_in_the_browser(page, base: str):
    """The JSON-LD parses in the page (the script policy does not block data), the card loads."""
    page.goto(base + "episodes/jane/index.html")
    data = json.loads(page.locator("script[type='application/ld+json']").text_content())
    assert data["@type"] == "PodcastEpisode"
    assert [c["startOffset"] for c in data["hasPart"]] == page.evaluate(
        "Array.from(document.querySelectorAll('.contents a[data-seek]')).map(a => parseFloat(a.dataset.seek))")
    card = page.locator(".key-quote img.quote-card")
    card.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('.key-quote img.quote-card').naturalWidth === 1200")
    assert card.get_attribute("alt").startswith("\u201cWe stopped the ones nobody could defend.\u201d \u2014 Jane Doe")
    assert page.locator("meta[property='og:url']").get_attribute("content") == data["url"]
    page.goto(base + "index.html")
    series = json.loads(page.locator("script[type='application/ld+json']").text_content())
    assert series["@type"] == "PodcastSeries" and series["webFeed"].endswith("feed.xml")
