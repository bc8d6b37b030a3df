"""The studio's find and replace, over real HTTP and in Debian's chromium.

The workspace is test_studio's: one tone transcribed by the fake engine, whose third turn
reads "We broke the rule that every referral needed a signed form first."
Screenshots go to test-artifacts/studio/ (or $LEARNCAST_STUDIO_SHOTS) for a person to look at.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_studio import SLUG, Running, built, edit_word, running, sha, ws  # noqa: F401 - fixtures

from conftest import ROOT, browser_missing
from test_studio_browser import page, serious_violations  # noqa: F401 - fixtures

PREVIEW, APPLY = "/api/replace/preview", "/api/replace/apply"
SHOTS = Path(os.environ.get("LEARNCAST_STUDIO_SHOTS", ROOT / "test-artifacts" / "studio"))


@pytest.fixture
def live(ws: Path) -> Iterator[Running]:  # noqa: F811
    with running(ws) as s:
        yield s


def preview(live: Running, find: str = "signed form", replace: str = "written form", **extra):
    status, body = live.json("POST", PREVIEW, {"find": find, "replace": replace, "slug": SLUG, **extra})
    assert status == 200, body
    return body


def chosen(body: dict) -> dict:
    return {r["slug"]: {"version": r["version"], "matches": [m["id"] for m in r["matches"]]}
            for r in body["recordings"]}


# ---------------------------------------------------------------- the API


def test_preview_lists_the_matches_with_the_version_and_writes_nothing(live: Running):
    before = sha(live.transcript)
    body = preview(live)
    assert body["total"] == 1 and body["searched"] == 1 and body["in_vocabulary"] is False
    (rec,) = body["recordings"]
    assert rec["slug"] == SLUG and rec["version"] == live.load()["version"]
    (m,) = rec["matches"]
    assert (m["found"], m["replacement"]) == ("signed form", "written form")
    assert m["turn_after"] == "We broke the rule that every referral needed a written form first."
    assert m["before"] == "… rule that every referral needed a" and m["after"] == "first."  # six words each side
    words = live.load()["data"]["segments"][2]["words"]
    assert (m["start"], m["end"]) == (words[9]["start"], words[10]["end"])
    assert sha(live.transcript) == before
    status, every = live.json("POST", PREVIEW, {"find": "SIGNED FORM", "replace": "written form"})
    assert status == 200 and every["total"] == 1, "no slug: every recording, any case"
    status, exact = live.json("POST", PREVIEW, {"find": "SIGNED FORM", "replace": "x", "match_case": True})
    assert status == 200 and exact["total"] == 0


def test_apply_writes_the_chosen_matches_as_a_persons_edit(live: Running):
    from pipeline.transcribe import is_hand_edited

    old = live.load()["data"]["segments"][2]["words"]
    body = preview(live)
    status, out = live.json("POST", APPLY, {"find": body["find"], "replace": body["replace"],
                                            "recordings": chosen(body)})
    assert status == 200, out
    assert out["replaced"] == 1 and out["applied"][0]["slug"] == SLUG and out["vocabulary_added"] is None
    now = live.load()
    assert out["applied"][0]["version"] == now["version"]
    seg = now["data"]["segments"][2]
    assert seg["text"] == "We broke the rule that every referral needed a written form first."
    assert seg["words"][:9] == old[:9] and seg["words"][10:] == old[10:], "untouched words keep their timings"
    assert old[9]["start"] <= seg["words"][9]["start"] <= seg["words"][9]["end"] <= old[9]["end"]
    assert is_hand_edited(json.loads(live.transcript.read_text(encoding="utf-8")))
    from pipeline.studio import editlog
    logged = editlog.read(live.transcript.parents[2] / ".learncast" / "state")
    assert logged[-1]["slug"] == SLUG and logged[-1]["action"] == "POST replace" and logged[-1]["user"]


def test_a_stale_preview_is_refused_with_409_and_the_other_edit_is_kept(live: Running):
    body = preview(live)
    current = live.load()
    status, _ = live.save(current["version"], edit_word(current["data"], 0, "today", "this morning"))
    assert status == 200
    saved = sha(live.transcript)
    status, out = live.json("POST", APPLY, {"find": body["find"], "replace": body["replace"],
                                            "recordings": chosen(body), "vocabulary": True})
    assert status == 409 and out["stale"] == [SLUG] and "preview again" in out["error"]
    assert out["versions"][SLUG] == live.load()["version"]
    assert sha(live.transcript) == saved
    assert "vocabulary = []" in (live.root / "learncast.toml").read_text(encoding="utf-8"), "nothing written"


def test_add_to_vocabulary_keeps_the_comments_of_learncast_toml(live: Running):
    body = preview(live, "signed form", "Form 27B")
    status, out = live.json("POST", APPLY, {"find": body["find"], "replace": body["replace"],
                                            "recordings": chosen(body), "vocabulary": True})
    assert status == 200 and out["vocabulary_added"] is True and out["term"] == "Form 27B"
    text = (live.root / "learncast.toml").read_text(encoding="utf-8")
    assert 'vocabulary = ["Form 27B"]' in text and "# Names and terms the speech model should expect" in text
    assert preview(live, "Form 27B", "Form 27B")["in_vocabulary"] is True
    status, again = live.json("POST", APPLY, {"find": "x", "replace": "form 27b", "recordings": {}, "vocabulary": True})
    assert status == 200 and again["vocabulary_added"] is False
    assert text == (live.root / "learncast.toml").read_text(encoding="utf-8")


def test_changes_need_the_origin_and_the_csrf_token_like_every_other_write(live: Running):
    body = preview(live)
    apply = {"find": body["find"], "replace": body["replace"], "recordings": chosen(body)}
    before = sha(live.transcript)
    for path, data in ((PREVIEW, {"find": "a", "replace": "b"}), (APPLY, apply)):
        assert live.request("POST", path, data, headers={"X-CSRF-Token": None})[0] == 403
        assert live.request("POST", path, data, headers={"X-CSRF-Token": "guess"})[0] == 403
        assert live.request("POST", path, data, headers={"Origin": "http://evil.example"})[0] == 403
        assert live.request("POST", path, data, headers={"Origin": None})[0] == 403
        assert live.request("POST", path, data, auth=False)[0] == 403
    assert sha(live.transcript) == before


def test_slugs_and_bodies_that_do_not_fit_are_refused_with_one_line(live: Running):
    body = preview(live)
    for slug in ("nobody", "../etc", "Jane"):
        status, out = live.json("POST", PREVIEW, {"find": "a", "replace": "b", "slug": slug})
        assert status == 404 and "\n" not in out["error"], out
        status, out = live.json("POST", APPLY, {"find": "a", "replace": "b",
                                                "recordings": {slug: {"version": "x", "matches": ["0:0"]}}})
        assert status == 404, out
    status, out = live.json("POST", APPLY, {"find": body["find"], "replace": body["replace"],
                                            "recordings": {SLUG: {"version": body["recordings"][0]["version"],
                                                                  "matches": ["7:7"]}}})
    assert status == 400 and "has no match" in out["error"]
    assert live.json("POST", PREVIEW, {"find": "  ", "replace": "b"})[0] == 400
    assert live.json("POST", APPLY, {"find": "a", "replace": "b", "recordings": {}})[0] == 400
    assert live.request("POST", PREVIEW, raw=b"{not json")[0] == 400


# ---------------------------------------------------------------- in the browser

_missing = browser_missing()
browser_only = pytest.mark.skipif(bool(_missing), reason=_missing or "the browser is here")


def tab_to(page, element_id: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    pytest.fail(f"Tab never reached #{element_id}")


@pytest.mark.browser
@browser_only
def test_keyboard_find_preview_apply_and_add_to_vocabulary_on_the_recording_page(page, live: Running):
    from playwright.sync_api import expect

    page.goto(f"http://127.0.0.1:{live.port}/recordings/{SLUG}?token={live.keys.token}")
    page.wait_for_selector(".recording[data-ready]")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    tab_to(page, "replace-find", limit=120)  # the keyboard alone, from the top of the page
    page.keyboard.type("signed form")
    page.keyboard.press("Tab")
    page.keyboard.type("written form")
    page.keyboard.press("Enter")  # Preview
    expect(page.locator("#replace-summary")).to_have_text("1 match of “signed form”")
    assert page.evaluate("document.activeElement.id") == "replace-summary"
    item = page.locator("#replace-list li")
    expect(item).to_have_count(1)
    expect(item.locator("del")).to_contain_text("signed form")
    expect(item.locator("ins")).to_contain_text("written form")
    expect(item.locator(".turn-after")).to_contain_text("needed a written form first.")
    expect(item.get_by_role("checkbox")).to_be_checked()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "replace-recording.png"), full_page=True)
    assert serious_violations(page) == []
    tab_to(page, "replace-vocab")
    page.keyboard.press("Space")
    tab_to(page, "replace-apply")
    expect(page.locator("#replace-apply")).to_have_text("Replace 1 chosen and add to vocabulary")
    page.keyboard.press("Enter")
    expect(page.locator("#replace-message")).to_contain_text("Replaced 1. Added “written form” to the show's vocabulary.")
    expect(page.locator(".turn").nth(2).locator(".text")).to_have_text(
        "We broke the rule that every referral needed a written form first.")
    expect(page.locator("#save-state")).to_have_text("All changes saved")
    data = json.loads(live.transcript.read_text(encoding="utf-8"))
    assert data["segments"][2]["text"].endswith("a written form first.")
    assert 'vocabulary = ["written form"]' in (live.root / "learncast.toml").read_text(encoding="utf-8")
    page.screenshot(path=str(SHOTS / "replace-applied.png"), full_page=True)


@pytest.mark.browser
@browser_only
def test_across_all_on_the_list_page_a_stale_preview_is_refused(page, live: Running):
    from playwright.sync_api import expect

    page.goto(f"http://127.0.0.1:{live.port}/?token={live.keys.token}")
    page.get_by_label("Find", exact=True).fill("referral")
    page.get_by_label("Replace with").fill("Referral")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#replace-summary")).to_have_text("1 match of “referral” in 1 of 1 recordings")
    expect(page.locator("#replace-list legend")).to_contain_text("(1 match)")
    page.screenshot(path=str(SHOTS / "replace-list.png"), full_page=True)
    assert serious_violations(page) == []
    current = live.load()  # someone saves the transcript after the preview
    assert live.save(current["version"], edit_word(current["data"], 0, "today", "this morning"))[0] == 200
    saved = sha(live.transcript)
    page.expected_statuses = {409}
    page.get_by_role("button", name="Replace 1 chosen").click()
    expect(page.locator("#replace-message")).to_contain_text(f"Nothing replaced: {SLUG} changed since the preview")
    assert page.locator("#replace-results").is_hidden()
    assert sha(live.transcript) == saved


def test_a_preview_lists_at_most_max_shown_matches_and_says_how_many_there_are(live: Running, monkeypatch):
    from pipeline.studio import replace as studio_replace

    monkeypatch.setattr(studio_replace, "MAX_SHOWN", 2)
    body = preview(live, "you", "ye")  # "thank you", "did you", "you so much"
    assert body["total"] == 3 and body["shown"] == 2
    assert sum(len(r["matches"]) for r in body["recordings"]) == 2


def test_a_term_the_vocabulary_refuses_is_a_400_before_the_transcript_changes(live: Running):
    body = preview(live, "signed form", "w" * 120)
    before = sha(live.transcript)
    status, out = live.json("POST", APPLY, {"find": body["find"], "replace": body["replace"],
                                            "recordings": chosen(body), "vocabulary": True})
    assert status == 400 and "learncast.toml" in out["error"] and "at most 100" in out["error"]
    assert sha(live.transcript) == before
