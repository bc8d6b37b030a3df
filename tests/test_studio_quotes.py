"""Key quotes from the studio: the same quotes.toml ``learncast quote`` writes, over HTTP and in
Chromium (select words, "Key quote from selected words", a note, save), refused over a cut."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from conftest import browser_missing
from pipeline import quotes as qt
from test_studio import SLUG, Running, built, running, ws  # noqa: F401 - fixtures

QUOTES = f"/api/recordings/{SLUG}/quotes"
# The fake engine's 8 s transcript: the answer "We broke the rule that every referral needed a
# signed form first." runs from 4.0 to 5.6 s.
ANSWER = (4.0, 5.6)


@pytest.fixture
def live(ws: Path) -> Iterator[Running]:  # noqa: F811
    with running(ws) as s:
        yield s


def test_a_quote_is_added_listed_with_its_words_and_removed(live: Running):
    folder = live.root / "transcripts" / SLUG
    status, body = live.json("GET", QUOTES)
    assert status == 200 and body == {"quotes": []}
    status, body = live.json("POST", QUOTES, {"start": 4.05, "end": 5.6, "note": "  for the  handout "})
    assert status == 200, body
    [q] = body["quotes"]
    assert q["text"] == "We broke the rule that every referral needed a signed form first."
    assert (q["start"], q["end"]) == ANSWER, "snapped to the words"
    assert q["note"] == "for the handout" and q["n"] == 1
    assert qt.load_quotes(folder) == [qt.QuoteEntry(4.0, 5.6, "for the handout")]
    log = (live.root / ".learncast" / "state" / "studio-edits.log").read_text(encoding="utf-8")
    assert "POST quotes" in log
    status, body = live.json("DELETE", QUOTES + "/1")
    assert status == 200 and body["quotes"] == []
    assert qt.load_quotes(folder) == []


def test_a_quote_over_a_redaction_is_refused_and_nothing_is_written(live: Running):
    folder = live.root / "transcripts" / SLUG
    (folder / "redactions.toml").write_text('[[redact]]\ntext = "signed form"\n', encoding="utf-8")
    status, body = live.json("POST", QUOTES, {"start": 4.0, "end": 5.6})
    assert status == 400 and "overlaps a redaction" in body["error"] and "\n" not in body["error"]
    assert not (folder / qt.QUOTES_NAME).exists()


@pytest.mark.parametrize("body, says", [({"start": 4.0}, '"end" must be a time'),
                                        ({"start": "x", "end": 5}, '"start" must be a time'),
                                        ({"start": 4.0, "end": 5.6, "note": 7}, "the note must be text"),
                                        (["start"], "must be a JSON object")])
def test_a_bad_quote_request_is_400_with_one_line(live: Running, body, says):
    status, answer = live.json("POST", QUOTES, body)
    assert status == 400 and says in answer["error"]
    assert not (live.root / "transcripts" / SLUG / qt.QUOTES_NAME).exists()


def test_removing_a_quote_that_is_not_there_is_400(live: Running):
    status, body = live.json("DELETE", QUOTES + "/3")
    assert status == 400 and "reload the page" in body["error"]


_missing = browser_missing()


@pytest.mark.browser
@pytest.mark.skipif(bool(_missing), reason=_missing)
def test_choosing_a_key_quote_by_selecting_words_in_the_studio(live: Running, browser):
    from playwright.sync_api import expect

    from test_studio_browser import open_recording, serious_violations, shot

    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)  # axe is injected
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        open_recording(page, live)
        page.evaluate("""() => {
          const words = document.querySelectorAll('.turn')[2].querySelectorAll('.w');
          const range = document.createRange();
          range.setStartBefore(words[0]); range.setEndAfter(words[words.length - 1]);
          const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
        }""")
        page.get_by_role("button", name="Key quote from selected words").click()
        expect(page.locator("#quote-what")).to_contain_text("We broke the rule")
        expect(page.get_by_label("Note (for the team, never published)")).to_be_focused()
        page.keyboard.type("for the handout")
        page.keyboard.press("Enter")
        expect(page.locator("#quote-message")).to_contain_text("Key quote added")
        expect(page.locator("#quotes li")).to_have_count(1)
        expect(page.locator("#quote-form")).to_be_hidden()
        expect(page.locator("#quotes li q")).to_have_text("We broke the rule that every referral needed a signed form first.")
        assert qt.load_quotes(live.root / "transcripts" / SLUG) == [qt.QuoteEntry(4.0, 5.6, "for the handout")]
        shot(page, "recording-quotes.png")
        assert serious_violations(page) == []
        page.get_by_role("button", name="Remove key quote 1: 0:04-0:05.6").click()
        expect(page.locator("#no-quotes")).to_be_visible()
        assert errors == []
    finally:
        context.close()
