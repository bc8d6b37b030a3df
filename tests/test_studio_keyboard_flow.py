"""The whole review flow with the keyboard alone, in Debian's chromium (issue 16: "Keyboard
only: the same flow without a mouse").

On the fake engine's workspace (tests/test_studio.py: an 8 s tone, four turns; its three
chapters given to the chapter stage, as give_chapters does for the studio), a person who never
touches the mouse opens the recording from the list, corrects a word in a turn, renames the
interviewee, selects two words with Shift+arrows and redacts them with Alt+R giving a reason,
relabels a chapter and moves its start to a word, marks the transcript reviewed, follows
"Build and preview", presses Build, waits for it, and follows the link to the published page.
Only page.keyboard is used (no click, no fill, no focus()), and a listener in the page counts
any mouse or pointer event across the tab's pages (none allowed); every stop checks that the
focused element shows a focus ring. Then the files on disk and the published page, captions and feed
(chapters.json too) show the correction, the name and no cut words; back on the recording
page after the build, axe-core finds no serious or critical violation.
Screenshots: test-artifacts/studio/keyboard-flow-*.png.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator

import pytest

from test_studio import CHAPTERS, SLUG, Running, built, give_chapters, running, tolerance, ws  # noqa: F401 - fixtures
from test_studio_browser import _missing, page, serious_violations, shot  # noqa: F401 - fixtures
from test_studio_build import OPTIONS

try:
    from playwright.sync_api import Page, expect
except ImportError:
    Page = None

pytestmark = [pytest.mark.browser, pytest.mark.skipif(bool(_missing), reason=_missing)]

NEW_NAME = "Dr Jane Okafor"
REVIEWER = "Sam Reviewer"
CUT = "signed form"  # "...every referral needed a signed form first."


@pytest.fixture
def three_chapters(monkeypatch):
    """The chapter stage finds the tone's three chapters (tests/test_studio.py's CHAPTERS) again
    after the correction: the lexical scorer makes one chapter of four lines."""
    from pipeline import chapters
    from pipeline.models import Chapter

    monkeypatch.setattr(chapters, "chapter_transcript", lambda *a, **k: tuple(Chapter(**c) for c in CHAPTERS))


@pytest.fixture
def live(ws: Path, fake_engine, no_speakers, three_chapters) -> Iterator[Running]:  # noqa: F811
    with running(ws, build_options=OPTIONS) as s:
        yield s


def focused(page: Page, script: str):
    return page.evaluate(f"(() => {{ const e = document.activeElement; return {script}; }})()")


MOUSE_WATCH = """(() => {
  const seen = () => +(sessionStorage.getItem("mouse") || 0);
  for (const type of ["mousedown", "pointerdown", "mouseup", "wheel", "dblclick", "contextmenu"]) {
    addEventListener(type, () => sessionStorage.setItem("mouse", seen() + 1), true);
  }
})();"""  # a key that presses a button fires "click", never these; kept across the tab's pages


def mouse_events(page: Page) -> int:
    return page.evaluate("+(sessionStorage.getItem('mouse') || 0)")


def ring(page: Page) -> None:
    """The focused element is not the page itself and shows a focus ring (an outline)."""
    style = focused(page, "[e.tagName, e.id, getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]")
    assert style[0] != "BODY", "focus was lost to the page"
    assert style[2] != "none" and float(style[3].rstrip("px")) > 0, f"no visible focus on {style[:2]}"


def tab_to(page: Page, test: str, *, back: bool = False, limit: int = 120) -> None:
    """Tab (Shift+Tab when ``back``) until the focused element passes ``test``, checking the ring there."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if focused(page, f"!!e && ({test})"):
            ring(page)
            return
    pytest.fail(f"{'Shift+' if back else ''}Tab never reached the element where {test}")


def turn_text(i: int) -> str:
    return f"e.classList.contains('text') && e.closest('.turn').dataset.i === '{i}'"


PAUSED = "document.querySelector('[data-player]').paused"


def listen(page: Page) -> None:
    """Esc plays and Esc pauses again, while the caret stays in the text."""
    page.keyboard.press("Escape")
    page.wait_for_function(f"!{PAUSED}")
    page.keyboard.press("Escape")
    page.wait_for_function(PAUSED)


def right(page: Page, n: int, *, shift: bool = False) -> None:
    for _ in range(n):
        page.keyboard.press("Shift+ArrowRight" if shift else "ArrowRight")


def correct_a_word(page: Page) -> None:
    """Turn 3, "We broke the rule...": the caret after "We ", Shift+→ over "broke", type "bent"."""
    tab_to(page, turn_text(2))
    page.keyboard.press("Home")
    right(page, 3)
    right(page, 5, shift=True)
    listen(page)
    assert page.evaluate("window.getSelection().toString()") == "broke"
    page.keyboard.type("bent")
    ring(page)
    expect(page.locator('.turn[data-i="2"] .text')).to_contain_text("We bent the rule")


def rename_the_interviewee(page: Page) -> None:
    tab_to(page, "e.id === 'speaker-name-interviewee'")
    assert focused(page, "e.labels[0].textContent") == "Name for “interviewee”"
    page.keyboard.press("Control+A")
    page.keyboard.type(NEW_NAME)
    expect(page.locator('.turn[data-i="2"] select.speaker option:checked')).to_have_text(NEW_NAME)
    expect(page.locator("#who-interviewee")).to_have_text(NEW_NAME)  # the page's header follows
    expect(page.locator("#d-interviewee")).to_have_value(NEW_NAME)  # and the details form
    expect(page.locator("#save-state")).to_have_text("All changes saved", timeout=10_000)


def redact_two_words(page: Page) -> None:
    """Back to turn 3, select "signed form" with Shift+→, Alt+R, a reason, Tab to Redact, Enter."""
    tab_to(page, turn_text(2), back=True)
    page.keyboard.press("End")
    for _ in range(len(" first.")):
        page.keyboard.press("ArrowLeft")
    for _ in range(len(CUT)):
        page.keyboard.press("Shift+ArrowLeft")
    assert page.evaluate("window.getSelection().toString()") == CUT
    page.keyboard.press("Alt+r")
    expect(page.locator("#redact-words-form")).to_be_visible()
    assert focused(page, "e.id") == "redact-words-reason", "the reason box takes the focus"
    ring(page)
    expect(page.locator("#redact-words-what")).to_contain_text(f"“{CUT}”")
    page.keyboard.type("names the form she signed")
    tab_to(page, "e.type === 'submit' && e.closest('#redact-words-form') !== null")
    page.keyboard.press("Enter")
    expect(page.locator("#redactions li")).to_have_count(1)
    expect(page.locator("#redact-words-form")).to_be_hidden()
    assert focused(page, "e.id") == "redact-selection", "focus comes back to the Redact button"
    ring(page)
    expect(page.locator(".w.redacted")).to_have_count(2)


def relabel_and_move_a_chapter(page: Page) -> None:
    """Chapter 2 ("Rules you had to break", 0:02): relabel it as bureaucracy, start it at "bent"."""
    bar = page.locator("#chapter-bar li button")
    expect(bar).to_have_count(3)
    tab_to(page, "e.closest('#chapter-bar') !== null", back=True)
    while not focused(page, "e.textContent").startswith("0:02"):
        page.keyboard.press("Tab" if focused(page, "e.textContent").startswith("0:00") else "Shift+Tab")
    ring(page)
    page.keyboard.press("Enter")
    expect(page.locator("#chapter-edit-h")).to_contain_text("Chapter 2 of 3")
    assert focused(page, "e.getAttribute('aria-pressed')") == "true", "focus stays on the chosen chapter"
    ring(page)
    tab_to(page, "e.id === 'chapter-question'")
    page.keyboard.type("Br")
    expect(page.locator("#chapter-message")).to_contain_text("Relabelled")
    expect(bar.nth(1)).to_have_text("0:02 Breaking through bureaucracy")
    ring(page)

    tab_to(page, turn_text(2))
    page.keyboard.press("Home")
    right(page, 4)  # "We b|ent"
    expect(page.locator("#chapter-word")).to_contain_text("“bent” at 0:04")
    tab_to(page, "e.id === 'chapter-start-here'", back=True)
    page.keyboard.press("Enter")
    expect(page.locator("#chapter-message")).to_contain_text("Moved")
    expect(bar.nth(1)).to_have_text("0:04 Breaking through bureaucracy")
    ring(page)


def mark_reviewed(page: Page) -> None:
    tab_to(page, "e.id === 'review-by'")
    page.keyboard.type(REVIEWER)
    tab_to(page, "e.textContent === 'Mark as reviewed'")
    page.keyboard.press("Enter")
    expect(page.locator("#review-state")).to_contain_text(f"Reviewed by {REVIEWER}")
    ring(page)


def build_and_open_the_page(page: Page) -> None:
    tab_to(page, "e.textContent === 'Build and preview'", back=True)
    page.keyboard.press("Enter")
    page.wait_for_url("**/#build")
    tab_to(page, "e.id === 'build-start'")
    page.keyboard.press("Space")
    state = page.locator("#build-state")
    expect(state).to_contain_text("Build finished", timeout=60_000)
    ring(page)
    failed = page.locator("#build-recordings li.failed")
    assert failed.count() == 0, failed.all_inner_texts()
    expect(state).to_contain_text("1 published.")
    shot(page, "keyboard-flow-built.png")
    tab_to(page, f"e.getAttribute('href') === '/site/episodes/{SLUG}/index.html'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/site/episodes/{SLUG}/index.html")
    expect(page.locator("main")).to_contain_text("bent the rule that every referral needed a [redacted] first.")


@pytest.mark.usefixtures("tolerance")
def test_the_whole_review_flow_with_the_keyboard_alone(page: Page, live: Running):
    from pipeline import redact
    from pipeline.review import read_review

    root, folder = live.root, live.root / "transcripts" / SLUG
    chapter_edits = give_chapters(root)
    page.add_init_script(MOUSE_WATCH)
    page.goto(f"http://127.0.0.1:{live.port}/?token={live.keys.token}")
    tab_to(page, f"e.getAttribute('href') === '/recordings/{SLUG}'")
    page.keyboard.press("Enter")
    page.wait_for_selector(".recording[data-ready]")

    correct_a_word(page)
    rename_the_interviewee(page)
    redact_two_words(page)
    relabel_and_move_a_chapter(page)
    mark_reviewed(page)
    expect(page.locator("#save-state")).to_have_text("All changes saved", timeout=10_000)
    shot(page, "keyboard-flow-edited.png")
    assert page.evaluate(PAUSED), "moving the caret never starts the sound"
    build_and_open_the_page(page)
    assert mouse_events(page) == 0, "the flow used the mouse"

    # back (history, not the mouse) to the recording page: after the build it is still clean
    page.go_back()
    page.go_back()
    page.wait_for_selector(".recording[data-ready]")
    expect(page.locator("#review-state")).to_contain_text(f"Reviewed by {REVIEWER}")
    assert serious_violations(page) == []

    # the person's files
    data = json.loads((folder / "transcript.json").read_text(encoding="utf-8"))
    assert data["segments"][2]["text"].startswith("We bent the rule that every referral needed a signed form")
    assert data["speakers"]["interviewee"] == NEW_NAME
    [cut] = redact.load(folder)
    assert cut.reason == "names the form she signed" and cut.text is None and cut.start < cut.end
    words = [w["word"].strip() for w in data["segments"][2]["words"]
             if cut.start - 0.01 <= (w["start"] + w["end"]) / 2 <= cut.end + 0.01]
    assert " ".join(words) == CUT
    edits = chapter_edits.read_text(encoding="utf-8")
    assert 'question = "bureaucracy"' in edits and "move_to =" in edits
    assert "# the team's corrections: keep this comment" in edits
    review = read_review(folder)
    assert review.reviewed and review.reviewed_by == REVIEWER

    # the published site
    episode = root / "site" / "episodes" / SLUG
    html = (episode / "index.html").read_text(encoding="utf-8")
    assert "bent the rule" in html and "broke" not in html
    assert f'class="speaker">{NEW_NAME}</span>' in html and CUT not in html
    vtt = (episode / "transcript.vtt").read_text(encoding="utf-8")
    assert f"<v {NEW_NAME}>" in vtt and "<v Jane Doe>" not in vtt
    assert "bent" in vtt and CUT not in vtt.replace("\n", " ")
    feed = (root / "site" / "feed.xml").read_text(encoding="utf-8")
    assert re.search(rf'<podcast:person role="guest"[^>]*>{NEW_NAME}</podcast:person>', feed)
    assert ">Jane Doe<" not in feed and CUT not in feed
    marks = {c["title"]: c["startTime"] for c in json.loads((episode / "chapters.json").read_text())["chapters"]}
    bent = next(w for w in data["segments"][2]["words"] if w["word"] == " bent")
    assert marks == {"Introduction": 0.0, "Breaking through bureaucracy": bent["start"], "Goodbye": 6.4}
    assert "Breaking through bureaucracy" in html and "Rules you had to break" not in html

