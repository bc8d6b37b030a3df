"""The studio in a real browser: Debian's chromium, driven by Playwright.

A person opens the studio with the printed token, corrects a misheard word, renames a
speaker, waits for the autosave, reloads and sees both; transcript.json on disk has them.
The same with the keyboard only; axe-core on both pages; hostile text stays text. The
chapters panel relabels a chapter into chapters.edit.toml.
Screenshots go to /tmp/studio-shots/ for a person to look at.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Iterator

import pytest

from conftest import AXE, ROOT, browser_missing
from test_studio import HOSTILE, SLUG, Running, built, give_chapters, running, tolerance, ws  # noqa: F401 - fixtures

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:
    sync_playwright = None

SHOTS = Path(os.environ.get("LEARNCAST_STUDIO_SHOTS", ROOT / "test-artifacts" / "studio"))

_missing = browser_missing()
pytestmark = [pytest.mark.browser, pytest.mark.skipif(bool(_missing), reason=_missing)]


@pytest.fixture
def live(ws: Path) -> Iterator[Running]:  # noqa: F811
    with running(ws) as s:
        yield s


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A tab that fails the test on any script error or failed request."""
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)  # axe is injected
    p = context.new_page()
    p.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    p.expected_statuses = set()  # a test that provokes a refusal says so
    p.on("response", lambda r: r.status >= 400 and r.status not in p.expected_statuses
         and problems.append(f"HTTP {r.status} {r.url}"))
    yield p
    context.close()
    assert not problems, problems


def open_recording(page: Page, live: Running) -> None:
    page.goto(f"http://127.0.0.1:{live.port}/?token={live.keys.token}")
    assert page.url == f"http://127.0.0.1:{live.port}/", "the token must leave the address bar"
    page.get_by_role("link", name="Discharge").click()
    page.wait_for_selector(".recording[data-ready]")


def wait_saved(page: Page) -> None:
    expect(page.locator("#save-state")).to_have_text("All changes saved", timeout=10_000)


def on_disk(live: Running) -> dict:
    return json.loads(live.transcript.read_text(encoding="utf-8"))


def serious_violations(page: Page) -> list[str]:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/js`")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
            for v in result if v["impact"] in ("serious", "critical")]


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_correct_a_word_and_rename_a_speaker_then_reload_and_see_both(page: Page, live: Running):
    open_recording(page, live)
    turn = page.locator(".turn").nth(2)
    turn.locator(".w", has_text="broke").dblclick()  # selects the word (and plays from it)
    page.keyboard.type("bent")
    page.evaluate("document.querySelector('[data-player]').pause()")
    page.get_by_label("Name for “interviewee”").fill("Jane Doe")
    wait_saved(page)
    page.reload()
    page.wait_for_selector(".recording[data-ready]")
    expect(page.locator(".turn").nth(2).locator(".text")).to_contain_text("We bent the rule")
    expect(page.locator(".turn").nth(2).locator("select.speaker option:checked")).to_have_text("Jane Doe")
    data = on_disk(live)
    assert data["segments"][2]["text"].startswith("We bent the rule")
    assert data["speakers"]["interviewee"] == "Jane Doe"
    assert [w["word"] for w in data["segments"][2]["words"]][:3] == [" We", " bent", " the"]


def test_the_pages_have_no_serious_accessibility_violation_and_look_right(page: Page, live: Running):
    page.goto(f"http://127.0.0.1:{live.port}/?token={live.keys.token}")
    shot(page, "list.png")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Discharge").click()
    page.wait_for_selector(".recording[data-ready]")
    shot(page, "recording.png")
    assert serious_violations(page) == []


def test_keyboard_only_tab_to_a_turn_type_a_correction_and_play_pause(page: Page, live: Running):
    open_recording(page, live)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('text')"):
            break
    else:
        pytest.fail("Tab never reached a turn's text")
    assert page.evaluate("document.activeElement.closest('.turn').dataset.i") == "0"
    page.keyboard.press("End")
    page.keyboard.type(" Really.")
    paused = "document.querySelector('[data-player]').paused"
    page.keyboard.press("Escape")
    page.wait_for_function(f"!{paused}")
    page.keyboard.press("Escape")
    page.wait_for_function(paused)
    page.keyboard.press("Control+Space")
    page.wait_for_function(f"!{paused}")
    page.keyboard.press("Control+Space")
    page.wait_for_function(paused)
    page.keyboard.press("Control+ArrowUp")
    assert page.evaluate("document.querySelector('[data-player]').playbackRate") == 1.25
    page.evaluate("document.querySelector('[data-player]').currentTime = 5")
    page.keyboard.press("Control+Comma")
    assert abs(page.evaluate("document.querySelector('[data-player]').currentTime") - 2) < 0.1
    wait_saved(page)
    assert page.evaluate("document.activeElement.closest('.turn').dataset.i") == "0", "typing kept its place"
    assert on_disk(live)["segments"][0]["text"].endswith("today. Really.")


def test_the_spoken_word_is_highlighted_and_clicking_a_word_plays_from_it(page: Page, live: Running):
    open_recording(page, live)
    word = page.locator(".turn").nth(2).locator(".w", has_text="rule")
    start = float(word.get_attribute("data-start"))
    word.click()
    page.wait_for_function("!document.querySelector('[data-player]').paused")
    page.wait_for_function("document.querySelector('.w.current') !== null")
    t = page.evaluate("document.querySelector('[data-player]').currentTime")
    assert start - 0.05 <= t < start + 1.5


def test_next_uncertain_goes_to_each_uncertain_word(page: Page, live: Running):
    open_recording(page, live)
    expect(page.locator("#uncertain-count")).to_have_text("2 uncertain words")
    page.get_by_role("button", name="Next uncertain word").click()
    assert page.evaluate("window.getSelection().toString()") == "broke"
    page.get_by_role("button", name="Next uncertain word").click()
    assert page.evaluate("window.getSelection().toString()") == "referral"


def test_a_stale_tab_shows_the_conflict_with_both_texts(page: Page, live: Running):
    page.expected_statuses.add(409)
    open_recording(page, live)
    t = live.load()
    data = json.loads(json.dumps(t["data"]))
    data["segments"][2]["text"] = data["segments"][2]["text"].replace("broke", "smashed")
    assert live.save(t["version"], data)[0] == 200
    page.locator(".turn").nth(2).locator(".w", has_text="rule").dblclick()
    page.keyboard.type("law")
    expect(page.locator("#conflict")).to_be_visible(timeout=10_000)
    expect(page.locator("#conflict-yours")).to_contain_text("We broke the law")
    expect(page.locator("#conflict-theirs")).to_contain_text("We smashed the rule")
    assert "smashed" in on_disk(live)["segments"][2]["text"]


def test_hostile_text_stays_text(page: Page, live: Running):
    open_recording(page, live)
    expect(page.locator(".turn").nth(3).locator(".text")).to_contain_text("<script>window.__pwned=1</script>")
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".transcript img, .transcript script").count() == 0
    expect(page.locator("h1")).to_have_text(f"Discharge {HOSTILE}")


def test_the_side_panel_records_review_consent_and_a_redaction(page: Page, live: Running):
    from pipeline import redact
    from pipeline.review import read_review

    open_recording(page, live)
    page.get_by_label("Your name").fill("Sam Reviewer")
    page.get_by_role("button", name="Mark as reviewed").click()
    expect(page.locator("#review-state")).to_contain_text("Reviewed by Sam Reviewer")
    assert read_review(live.root / "transcripts" / SLUG).reviewed_by == "Sam Reviewer"
    page.get_by_label("Withheld").check()
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator("#consent-state")).to_have_text("Consent: withheld")
    page.get_by_label("Phrase to cut").fill("signed form")
    page.get_by_label("Reason (for the team, never published)").fill("names a form")
    page.get_by_role("button", name="Add redaction").click()
    expect(page.locator("#redactions li")).to_have_count(1)
    assert redact.load(live.root / "transcripts" / SLUG) == [redact.Redaction(text="signed form", reason="names a form")]
    page.get_by_role("button", name="Remove redaction 1").click()
    expect(page.locator("#no-redactions")).to_be_visible()
    assert redact.load(live.root / "transcripts" / SLUG) == []


@pytest.mark.usefixtures("tolerance")
def test_the_chapters_panel_relabels_a_chapter_into_the_corrections_file(page: Page, live: Running):
    path = give_chapters(live.root)
    open_recording(page, live)
    bar = page.locator("#chapter-bar li button")
    expect(bar).to_have_count(3)
    expect(bar.nth(1)).to_have_text("0:02 Rules you had to breakcheck")
    bar.nth(1).click()
    expect(page.locator("#chapter-edit-h")).to_contain_text("Chapter 2 of 3")
    page.get_by_label("Question", exact=True).select_option("bureaucracy")
    expect(page.locator("#chapter-message")).to_contain_text("Relabelled")
    expect(bar.nth(1)).to_have_text("0:02 Breaking through bureaucracy")
    text = path.read_text(encoding="utf-8")
    assert 'question = "bureaucracy"' in text and "# the team's corrections: keep this comment" in text
    page.locator(".turn").nth(2).locator(".w", has_text="broke").click()
    page.evaluate("document.querySelector('[data-player]').pause()")
    expect(page.locator("#chapter-word")).to_contain_text("broke")
    page.get_by_label("New chapter's question").select_option("confidence")
    page.get_by_role("button", name="Split here").click()
    expect(bar).to_have_count(4)
    expect(page.locator("#chapter-edit-h")).to_contain_text("Chapter 3 of 4")
    assert 'question = "confidence"' in path.read_text(encoding="utf-8")
    shot(page, "recording-chapters.png")
    assert serious_violations(page) == []


@pytest.mark.usefixtures("tolerance")
def test_teaching_the_question_set_from_a_correction_with_the_keyboard(page: Page, live: Running):
    from pipeline.chapters import load_questions

    give_chapters(live.root, edits=None)
    open_recording(page, live)
    page.locator("#chapter-bar li button").nth(1).click()
    page.get_by_label("Question", exact=True).select_option("bureaucracy")
    expect(page.locator("#chapter-message")).to_contain_text("Relabelled")
    summary = page.locator("#learn summary")
    summary.focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Find wordings in my corrections").focus()
    page.keyboard.press("Enter")
    box = page.locator("#learn-items input[type=checkbox]")
    expect(box).to_have_count(1)
    expect(page.locator("#learn-items label")).to_contain_text("What rules did you have to break to make this work?")
    expect(box).to_be_focused()
    expect(box).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Add the ticked wordings")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#learn-message")).to_contain_text("Added 1 wording to")
    phrasings = load_questions(live.root / "questions.toml").by_id["bureaucracy"].phrasings
    assert "What rules did you have to break to make this work?" in phrasings
    shot(page, "recording-learn.png")
    assert serious_violations(page) == []


def test_an_edit_typed_just_before_the_tab_closes_is_saved(page: Page, live: Running):
    """Closing the tab inside the autosave's wait still saves the edit (the page saves as it is hidden)."""
    open_recording(page, live)
    before = on_disk(live)["segments"][2]["text"]
    page.locator(".turn").nth(2).locator(".w", has_text="rule").dblclick()
    page.evaluate("document.querySelector('[data-player]').pause()")
    page.keyboard.type("law")
    page.close(run_before_unload=True)  # well inside the 700 ms the autosave waits
    deadline = time.monotonic() + 5
    while on_disk(live)["segments"][2]["text"] == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "the law that" in on_disk(live)["segments"][2]["text"]
