"""The studio's chapters panel with the keyboard alone, in Debian's chromium.

From the recording page, Tab reaches the chapter bar; Enter selects a chapter (focus stays
on it); Tab reaches its question, and typing the question's first letters relabels it; the
cursor put in a word of the transcript chooses that word, and Shift+Tab back to "Start
here" then Enter moves the chapter's start to it. chapters.edit.toml gets both changes,
with the team's comment kept. No mouse event is sent; axe-core stays clean.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from test_studio import SLUG, Running, built, give_chapters, tolerance, ws  # noqa: F401 - fixtures
from test_studio_browser import _missing, live, page, serious_violations, shot  # noqa: F401 - fixtures

try:
    from playwright.sync_api import Page, expect
except ImportError:
    Page = None

pytestmark = [pytest.mark.browser, pytest.mark.skipif(bool(_missing), reason=_missing)]


def focused(page: Page, script: str):
    return page.evaluate(f"(() => {{ const e = document.activeElement; return {script}; }})()")


def tab_to(page: Page, test: str, *, back: bool = False, limit: int = 80) -> int:
    """Press Tab (Shift+Tab when ``back``) until the focused element passes ``test``; the presses."""
    for n in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if focused(page, test):
            return n
    pytest.fail(f"{'Shift+' if back else ''}Tab never reached the element where {test}")


def visible_focus(page: Page) -> bool:
    """The focused element shows a focus ring (an outline of some width)."""
    return focused(page, "getComputedStyle(e).outlineStyle !== 'none' && parseFloat(getComputedStyle(e).outlineWidth) > 0")


@pytest.mark.usefixtures("tolerance")
def test_the_chapters_panel_with_the_keyboard_alone(page: Page, live: Running):
    path = give_chapters(live.root)
    page.goto(f"http://127.0.0.1:{live.port}/recordings/{SLUG}?token={live.keys.token}")
    page.wait_for_selector(".recording[data-ready]")
    page.on("mousedown", lambda *_: pytest.fail("a mouse event"))  # nothing below uses the mouse
    bar = page.locator("#chapter-bar li button")
    expect(bar).to_have_count(3)

    # Tab into the bar; the next Tab is the second chapter; Enter selects it and focus stays there.
    tab_to(page, "e.closest('#chapter-bar') !== null")
    assert focused(page, "e.textContent").startswith("0:00 Introduction")
    assert visible_focus(page)
    page.keyboard.press("Tab")
    assert focused(page, "e.textContent").startswith("0:02 Rules you had to break")
    page.keyboard.press("Enter")
    expect(page.locator("#chapter-edit-h")).to_contain_text("Chapter 2 of 3")
    expect(bar.nth(1)).to_have_attribute("aria-pressed", "true")
    assert focused(page, "e.getAttribute('aria-pressed')") == "true", "focus stays on the chosen chapter"

    # Its question: Tab to the labelled select, type the first letters of the new one.
    tab_to(page, "e.id === 'chapter-question'")
    assert focused(page, "e.labels[0].textContent") == "Question"
    assert visible_focus(page)
    page.keyboard.type("Br")
    expect(page.locator("#chapter-message")).to_contain_text("Relabelled")
    expect(bar.nth(1)).to_have_text("0:02 Breaking through bureaucracy")
    assert 'question = "bureaucracy"' in path.read_text(encoding="utf-8")

    # A word: Tab on to the third turn's text, the cursor into "broke" with the arrow keys.
    tab_to(page, "e.classList.contains('text') && e.closest('.turn').dataset.i === '2'")
    for _ in range(4):  # "We b|roke"
        page.keyboard.press("ArrowRight")
    expect(page.locator("#chapter-word")).to_contain_text("“broke” at 0:04")
    page.evaluate("document.querySelector('[data-player]').pause()")

    # Back to "Start here" and press it: the chapter now starts at that word.
    tab_to(page, "e.id === 'chapter-start-here'", back=True)
    assert visible_focus(page)
    page.keyboard.press("Enter")
    expect(page.locator("#chapter-message")).to_contain_text("Moved")
    expect(bar.nth(1)).to_have_text("0:04 Breaking through bureaucracy")
    text = path.read_text(encoding="utf-8")
    assert "move_to =" in text and 'question = "bureaucracy"' in text
    assert "# the team's corrections: keep this comment" in text
    shot(page, "recording-chapters-keyboard.png")
    assert serious_violations(page) == []
