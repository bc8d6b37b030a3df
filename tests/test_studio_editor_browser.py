"""The transcript editor's tools in Debian's chromium, driven by Playwright: split and join
turns, undo and redo, a third speaker, marking an uncertain word checked, redacting
selected words (struck through, labelled, silent in the player) and removing it again.
Most of it with the keyboard alone; axe-core on the page with every tool in use.
Screenshots go to test-artifacts/studio/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from test_studio import SLUG, Running, built, running, ws  # noqa: F401 - fixtures
from test_studio_browser import _missing, on_disk, open_recording, page, serious_violations, shot, wait_saved  # noqa: F401

try:
    from playwright.sync_api import Page, expect
except ImportError:
    pass

pytestmark = [pytest.mark.browser, pytest.mark.skipif(bool(_missing), reason=_missing)]

PAUSED = "document.querySelector('[data-player]').paused"


@pytest.fixture
def live(ws: Path) -> Iterator[Running]:  # noqa: F811
    with running(ws) as s:
        yield s


def timings(data: dict) -> list[tuple]:
    return [(w["start"], w["end"], w["word"]) for s in data["segments"] for w in s["words"]]


def caret_before(page: Page, turn: int, word: str) -> None:
    """Click the word (which plays from it), pause, and put the caret right before it."""
    page.locator(".turn").nth(turn).locator(".w", has_text=word).first.click()
    page.evaluate("document.querySelector('[data-player]').pause()")
    page.keyboard.press("Control+ArrowLeft")


def test_split_then_join_with_the_keyboard_keeps_every_timing_and_undo_redo_restore(page: Page, live: Running):
    open_recording(page, live)
    before = on_disk(live)
    caret_before(page, 2, "that")
    page.keyboard.press("Alt+Enter")
    expect(page.locator(".turn")).to_have_count(5)
    expect(page.locator(".turn").nth(2).locator(".text")).to_have_text("We broke the rule")
    expect(page.locator(".turn").nth(3).locator(".text")).to_have_text("that every referral needed a signed form first.")
    wait_saved(page)
    after = on_disk(live)
    assert [s["text"] for s in after["segments"][2:4]] == ["We broke the rule", "that every referral needed a signed form first."]
    assert timings(after) == timings(before)
    # the caret is in the new turn: join it back with the turn before it, from there
    assert page.evaluate("document.activeElement.closest('.turn').dataset.i") == "3"
    page.keyboard.press("Shift+Tab")  # the turn's speaker list
    page.keyboard.press("Shift+Tab")  # its time button
    page.keyboard.press("Shift+Tab")  # the turn before
    assert page.evaluate("document.activeElement.closest('.turn').dataset.i") == "2"
    page.keyboard.press("Alt+j")
    expect(page.locator(".turn")).to_have_count(4)
    wait_saved(page)
    joined = on_disk(live)
    assert joined["segments"] == before["segments"]
    # undo the join (outside a text box), then the split; redo the split
    page.locator("#undo").focus()
    page.keyboard.press("Control+z")
    expect(page.locator(".turn")).to_have_count(5)
    wait_saved(page)
    assert len(on_disk(live)["segments"]) == 5 and timings(on_disk(live)) == timings(before)
    page.keyboard.press("Control+z")
    expect(page.locator(".turn")).to_have_count(4)
    wait_saved(page)
    assert on_disk(live)["segments"] == before["segments"]
    page.keyboard.press("Control+Shift+z")
    expect(page.locator(".turn")).to_have_count(5)
    wait_saved(page)
    assert len(on_disk(live)["segments"]) == 5
    page.keyboard.press("Control+y")
    expect(page.locator(".turn")).to_have_count(4)
    wait_saved(page)
    assert on_disk(live)["segments"] == before["segments"]
    expect(page.locator("#redo")).to_be_disabled()


def test_undo_a_text_edit_and_a_speaker_change_with_the_buttons(page: Page, live: Running):
    open_recording(page, live)
    before = on_disk(live)
    page.locator(".turn").nth(2).locator(".w", has_text="broke").dblclick()
    page.keyboard.type("bent")
    page.evaluate("document.querySelector('[data-player]').pause()")
    wait_saved(page)
    assert on_disk(live)["segments"][2]["text"].startswith("We bent the rule")
    page.locator("#speaker-3").select_option("interviewer")
    wait_saved(page)
    assert on_disk(live)["segments"][3]["speaker"] == "interviewer"
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#speaker-3")).to_have_value(before["segments"][3]["speaker"])
    wait_saved(page)
    page.get_by_role("button", name="Undo").click()
    expect(page.locator(".turn").nth(2).locator(".text")).to_contain_text("We broke the rule")
    wait_saved(page)
    assert on_disk(live)["segments"] == before["segments"]  # the words and timings the edit replaced
    page.get_by_role("button", name="Redo").click()
    expect(page.locator(".turn").nth(2).locator(".text")).to_contain_text("We bent the rule")
    wait_saved(page)
    assert on_disk(live)["segments"][2]["text"].startswith("We bent the rule")


def test_join_as_a_chosen_speaker_and_add_a_third_speaker(page: Page, live: Running):
    open_recording(page, live)
    page.get_by_label("New speaker's name").fill("Priya Shah")
    page.get_by_role("button", name="Add speaker").click()
    expect(page.locator("#editor-message")).to_contain_text("Added Priya Shah (speaker-3)")
    expect(page.get_by_label("Name for “speaker-3”")).to_have_value("Priya Shah")
    page.locator("#speaker-3").select_option("speaker-3")
    wait_saved(page)
    data = on_disk(live)
    assert data["speakers"]["speaker-3"] == "Priya Shah" and data["segments"][3]["speaker"] == "speaker-3"
    caret_before(page, 1, "rules")
    page.get_by_label("as the speaker of the joined turn").select_option("speaker-3")
    page.get_by_role("button", name="Join with the next turn").click()
    expect(page.locator(".turn")).to_have_count(3)
    wait_saved(page)
    data = on_disk(live)
    assert data["segments"][1]["speaker"] == "speaker-3"
    assert data["segments"][1]["text"].startswith("What rules did you have to break") and "signed form" in data["segments"][1]["text"]
    page.reload()
    page.wait_for_selector(".recording[data-ready]")
    expect(page.locator("#speaker-1 option:checked")).to_have_text("Priya Shah")


def test_mark_uncertain_words_checked_with_the_keyboard(page: Page, live: Running):
    open_recording(page, live)
    expect(page.locator("#uncertain-count")).to_have_text("2 uncertain words")
    page.locator(".turn").nth(0).locator(".text").focus()
    page.keyboard.press("Alt+n")
    assert page.evaluate("window.getSelection().toString()") == "broke"
    page.keyboard.press("Control+Enter")
    expect(page.locator("#uncertain-count")).to_have_text("1 uncertain word")
    assert page.evaluate("window.getSelection().toString()") == "referral", "it goes on to the next"
    wait_saved(page)
    words = on_disk(live)["segments"][2]["words"]
    assert words[1]["checked"] is True and "checked" not in words[6]
    page.get_by_role("button", name="Mark word checked").click()
    expect(page.locator("#uncertain-count")).to_have_text("0 uncertain words")
    wait_saved(page)
    assert on_disk(live)["segments"][2]["words"][6]["checked"] is True
    page.get_by_role("button", name="Next uncertain word").click()
    expect(page.locator("#editor-message")).to_have_text("No uncertain words left.")
    status, listing = live.json("GET", "/api/recordings")
    assert [r["uncertain"] for r in listing["recordings"] if r["slug"] == SLUG] == [0]


def select_words(page: Page, turn: int, first: str, last: str) -> None:
    page.evaluate("""([turn, first, last]) => {
      const ws = Array.from(document.querySelectorAll('.turn')[turn].querySelectorAll('.w'));
      const a = ws.find((w) => w.textContent === first), b = ws.find((w) => w.textContent === last);
      a.closest('.text').focus();
      const r = document.createRange();
      r.setStart(a.firstChild, 0);
      r.setEnd(b.firstChild, b.textContent.length);
      const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
    }""", [turn, first, last])


def test_redact_selected_words_strikes_them_through_silences_them_and_remove_undoes_it(page: Page, live: Running):
    from pipeline import redact

    open_recording(page, live)
    words = on_disk(live)["segments"][2]["words"]
    select_words(page, 2, "every", "referral")
    page.keyboard.press("Alt+r")
    expect(page.get_by_label("Why (for the team, never published)")).to_be_focused()
    expect(page.locator("#redact-words-what")).to_contain_text("“every referral”")
    page.keyboard.type("names a service")
    page.keyboard.press("Enter")
    expect(page.locator("#redactions li")).to_have_count(1)
    assert redact.load(live.root / "transcripts" / SLUG) == [
        redact.Redaction(start=words[5]["start"], end=words[6]["end"], reason="names a service")]
    struck = page.locator(".w.redacted")
    expect(struck).to_have_text(["every", "referral"])
    assert page.evaluate("getComputedStyle(document.querySelector('.w.redacted')).textDecorationLine") == "line-through"
    label = page.evaluate("getComputedStyle(document.querySelector('.w.redacted-first'), '::before').content")
    assert label == '"redacted"'
    expect(page.locator("#redacted-count")).to_have_text("2 redacted words")
    shot(page, "editor-redacted.png")
    assert serious_violations(page) == []
    # the player is silent over the cut, and not around it
    player = "document.querySelector('[data-player]')"
    page.evaluate(f"{player}.currentTime = {words[5]['start'] + 0.05}")
    page.wait_for_function(f"{player}.muted === true")
    expect(page.locator("#silence-note")).to_be_visible()
    page.evaluate(f"{player}.currentTime = {words[0]['start']}")
    page.wait_for_function(f"{player}.muted === false")
    page.evaluate(f"{player}.play()")
    page.wait_for_function(f"{player}.currentTime > {words[5]['start'] + 0.02} || {player}.ended", timeout=10_000)
    page.wait_for_function(f"{player}.muted === true || {player}.currentTime > {words[6]['end']}")
    page.evaluate(f"{player}.pause()")
    # remove it from the list: the words are no longer struck through
    page.get_by_role("button", name="Remove redaction 1").click()
    expect(page.locator("#no-redactions")).to_be_visible()
    expect(page.locator(".w.redacted")).to_have_count(0)
    assert redact.load(live.root / "transcripts" / SLUG) == []


def test_redact_a_phrase_everywhere_and_a_time_range_from_the_side_panel(page: Page, live: Running):
    from pipeline import redact

    open_recording(page, live)
    select_words(page, 2, "signed", "form")
    page.get_by_role("button", name="Redact selected words").click()
    page.get_by_label("Cut these words everywhere they are said, not only here").check()
    page.get_by_label("Why (for the team, never published)").fill("a form's name")
    page.get_by_role("button", name="Redact", exact=True).click()
    expect(page.locator(".w.redacted")).to_have_text(["signed", "form"])
    page.locator("#redact-start").fill("0:00")
    page.locator("#redact-end").fill("0:01")
    page.get_by_role("button", name="Add redaction").click()
    expect(page.locator("#redactions li")).to_have_count(2)
    assert redact.load(live.root / "transcripts" / SLUG) == [
        redact.Redaction(text="signed form", reason="a form's name"), redact.Redaction(start=0.0, end=1.0)]
    first = page.locator(".turn").nth(0).locator(".w.redacted")
    expect(first.first).to_have_text("Welcome,")
    shot(page, "editor-tools.png")
    assert serious_violations(page) == []


def tab_to(page: Page, test: str, backwards: bool = False, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate(test):
            return
    pytest.fail(f"the keyboard never reached {test}")


def test_keyboard_only_add_a_speaker_give_them_a_turn_and_undo_it(page: Page, live: Running):
    open_recording(page, live)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    tab_to(page, "document.activeElement.id === 'new-speaker'")
    page.keyboard.type("Priya Shah")
    page.keyboard.press("Enter")
    expect(page.locator("#editor-message")).to_contain_text("Added Priya Shah")
    tab_to(page, "document.activeElement.id === 'speaker-3'", backwards=True)
    page.keyboard.press("End")  # the last option: the new speaker
    expect(page.locator("#speaker-3")).to_have_value("speaker-3")
    wait_saved(page)
    assert on_disk(live)["segments"][3]["speaker"] == "speaker-3"
    page.keyboard.press("Control+z")  # on a speaker list, not a text box: the page's undo
    expect(page.locator("#speaker-3")).to_have_value("interviewee")
    wait_saved(page)
    assert on_disk(live)["segments"][3]["speaker"] == "interviewee"
    tab_to(page, "document.activeElement.id === 'split-turn'", backwards=True)
    shot(page, "editor-keyboard.png")
    page.screenshot(path=str(Path("/tmp/editor-keyboard-top.png")))


def test_a_turn_edited_outside_the_studio_is_timed_again_and_then_split(page: Page, live: Running):
    from pipeline.transcribe import read_transcript_file, write_transcript_file

    data = read_transcript_file(live.transcript)
    old = [dict(w) for w in data["segments"][2]["words"]]
    data["segments"][2]["text"] = data["segments"][2]["text"].replace("broke", "bent")  # a text editor's edit
    write_transcript_file(live.transcript, data, machine=False)
    open_recording(page, live)
    text = page.locator(".turn").nth(2).locator(".text")
    expect(text).to_have_text("We bent the rule that every referral needed a signed form first.")
    assert text.locator(".w").count() == 0  # words that no longer spell the text are not shown as words
    text.focus()
    page.keyboard.press("Home")
    for _ in range(4):
        page.keyboard.press("Control+ArrowRight")
    page.keyboard.press("Alt+Enter")
    expect(page.locator(".turn")).to_have_count(5)
    wait_saved(page)
    segs = on_disk(live)["segments"]
    assert [s["text"] for s in segs[2:4]] == ["We bent the rule", "that every referral needed a signed form first."]
    new = segs[2]["words"] + segs[3]["words"]
    assert new[0] == old[0] and new[2:] == old[2:]  # untouched, exactly
    assert (new[1]["word"], new[1]["start"], new[1]["end"]) == (" bent", old[1]["start"], old[1]["end"])
