"""Build and preview in a real browser (Debian's chromium through Playwright).

With the keyboard only, a person presses Build on the recordings list, sees the progress (the
recording being transcribed, and a recording that failed with its one-line message), then the
"Open the published page" link, and opens the published page from the studio. axe-core finds no
serious violation in either state. Screenshots: test-artifacts/studio/build-*.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from conftest import browser_missing, make_tone
from test_studio import Running, built, running, ws  # noqa: F401 - fixtures
from test_studio_browser import page, serious_violations, shot  # noqa: F401 - fixtures
from test_studio_build import OPTIONS, ended, gated, held_lock, wait_for  # noqa: F401 - fixtures

try:
    from playwright.sync_api import Browser, Page, expect
except ImportError:
    pass

_missing = browser_missing()
pytestmark = [pytest.mark.browser, pytest.mark.skipif(bool(_missing), reason=_missing)]


@pytest.fixture
def live(ws: Path, gated) -> Iterator[Running]:  # noqa: F811
    with running(ws, build_options=OPTIONS) as s:
        yield s


def tab_to(page: Page, name: str, limit: int = 40) -> None:
    """Press Tab until the focused element's accessible text is ``name``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
    pytest.fail(f"Tab never reached {name!r}")


def test_press_build_with_the_keyboard_see_progress_then_open_the_published_page(
        page: Page, live: Running, gated, browser: Browser):  # noqa: F811
    make_tone(live.root / "media" / "slow.wav", 6.0)
    (live.root / "media" / "broken.wav").write_bytes(b"RIFF\0\0\0\0WAVEnot really audio")
    page.goto(f"http://127.0.0.1:{live.port}/?token={live.keys.token}")
    expect(page.locator("#build-state")).to_have_text("The site has not been built yet.")
    tab_to(page, "Build the site")
    page.keyboard.press("Enter")

    state = page.locator("#build-state")
    expect(state).to_contain_text("Building:", timeout=20_000)
    slow = page.locator("#build-recordings li", has_text="slow")
    expect(slow).to_contain_text("transcribing · 48%", timeout=20_000)
    expect(page.locator("#build-recordings li", has_text="Discharge")).to_contain_text("ready; the site is written")
    broken = page.locator("#build-recordings li.failed")
    expect(broken).to_contain_text("broken.wav", timeout=20_000)
    expect(broken.locator(".message")).to_contain_text("Fix: ")
    expect(page.locator("#build-progress")).to_be_visible()
    shot(page, "build-progress.png")
    assert serious_violations(page) == []

    page.keyboard.press("Enter")  # pressed again while it runs: the same build
    expect(state).to_contain_text("already running")
    assert live.json("GET", "/api/build")[1]["build"]["number"] == 1

    gated.gate.set()
    expect(state).to_contain_text("Build finished", timeout=30_000)
    expect(state).to_contain_text("2 published, 1 failed")
    expect(page.locator("#build-progress")).to_be_hidden()
    link = page.get_by_role("link", name="Open the published page of Discharge")
    expect(link).to_be_visible()
    expect(page.get_by_role("link", name="Open the published site")).to_be_visible()
    table = page.locator("table.recordings tbody tr")
    expect(table.filter(has_text="jane-doe").locator(".badge")).to_have_text("published")
    expect(table.filter(has_text="broken").locator(".badge")).to_have_text("failed")
    shot(page, "build-finished.png")
    assert serious_violations(page) == []

    tab_to(page, "Open the published page")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/site/episodes/jane-doe/index.html"
    page.keyboard.press("Enter")
    page.wait_for_url("**/site/episodes/jane-doe/index.html")
    expect(page.locator("h1")).to_contain_text("Discharge")


def test_the_published_page_works_under_the_studios_policy(live: Running, browser: Browser):  # noqa: F811
    """Without bypassing the CSP: the page's own script runs and nothing is refused."""
    assert live.json("POST", "/api/build")[0] == 202
    build = wait_for(live, ended)["build"]
    assert build["state"] == "finished", build
    context = browser.new_context()
    try:
        p = context.new_page()
        refused: list[str] = []
        p.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))
        p.on("pageerror", lambda exc: refused.append(str(exc)))
        p.goto(f"http://127.0.0.1:{live.port}/?token={live.keys.token}")
        p.goto(f"http://127.0.0.1:{live.port}/site/episodes/jane-doe/index.html")
        expect(p.locator("audio, video").first).to_be_attached()
        p.wait_for_function("document.querySelector('audio, video').readyState >= 1", timeout=10_000)
        p.goto(f"http://127.0.0.1:{live.port}/site/search/index.html")
        p.locator(".pagefind-ui__search-input").fill("referral")
        expect(p.locator(".pagefind-ui__result")).to_have_count(1, timeout=10_000)
        assert refused == []
    finally:
        context.close()


@pytest.mark.usefixtures("held_lock")
def test_a_build_held_off_by_another_command_says_so_in_the_page(page: Page, live: Running):
    page.goto(f"http://127.0.0.1:{live.port}/?token={live.keys.token}")
    page.get_by_role("button", name="Build the site").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#build-state")).to_have_text("The build did not run.", timeout=10_000)
    error = page.locator("#build-error")
    expect(error).to_contain_text("another learncast command is working on this workspace")
    expect(error).to_contain_text("Fix: wait for it to finish")
    shot(page, "build-held-off.png")
