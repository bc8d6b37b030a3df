"""The studio end to end on the real sample interview, in Chromium (slow: the real model).

A person opens the studio on a copy of the built sample, corrects a misheard word ("rules you
had to spend" → "bend"), renames the interviewee, cuts a phrase ("kitchen") with the side
panel's redaction form, relabels a chapter and moves another's start in the chapters panel,
marks the transcript reviewed, then presses Build and waits for the one build. The published
page, the captions (VTT voice tags carry the new name), the feed and the MP3 itself (re-ingested
and transcribed with the real engine, as tests/test_redaction_real.py does) show the correction,
the name, the chapters and the cut. Screenshots: test-artifacts/studio/flow-*.png.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import time
from pathlib import Path
from typing import Iterator

import pytest

from conftest import browser_missing
from test_studio import Running, running
from test_studio_browser import page, serious_violations, shot, wait_saved  # noqa: F401 - fixtures

try:
    from playwright.sync_api import Page, expect
except ImportError:
    pass

_missing = browser_missing()
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.skipif(bool(_missing), reason=_missing)]

SLUG = "sample-interview"
TITLE = "Getting people home from hospital"
NEW_NAME = "Dr Helen Ward"
CUT = "kitchen"  # "...assessed him in his kitchen the next morning."


@pytest.fixture
def live(sample_build: Path, tmp_path: Path) -> Iterator[Running]:
    root = tmp_path / "ws"
    shutil.copytree(sample_build, root)
    with running(root) as s:  # the build as `learncast build` runs it: the workspace's engine and scorer
        yield s


def turn_with(page: Page, text: str):
    return page.locator(".turn", has=page.locator(".text", has_text=text))


def correct_and_rename(page: Page) -> None:
    turn = turn_with(page, "rules you had to spend")
    turn.locator(".w", has_text=re.compile(r"^spend$")).dblclick()
    page.keyboard.type("bend")
    page.evaluate("document.querySelector('[data-player]').pause()")
    page.get_by_label("Name for “interviewee”").fill(NEW_NAME)
    wait_saved(page)


def redact(page: Page) -> None:
    page.get_by_label("Phrase to cut").fill(CUT)
    page.get_by_label("Reason (for the team, never published)").fill("identifies where he lives")
    page.get_by_role("button", name="Add redaction").click()
    expect(page.locator("#redactions li")).to_have_count(1)


def chapters(page: Page) -> None:
    """Relabel "Governance" as "Breaking through bureaucracy"; move "What went wrong" to its second question."""
    bar = page.locator("#chapter-bar li button")
    expect(bar).to_have_count(10)
    governance = bar.filter(has_text="Governance")
    governance.click()
    page.get_by_label("Question", exact=True).select_option("bureaucracy")
    expect(page.locator("#chapter-message")).to_contain_text("Relabelled")
    expect(bar.nth(7)).to_contain_text("2:20 Breaking through bureaucracy")
    bar.filter(has_text="What went wrong").click()
    expect(page.locator("#chapter-edit-h")).to_contain_text("Chapter 5 of 10")
    turn_with(page, "What did you take from it?").locator(".w").first.click()
    page.evaluate("document.querySelector('[data-player]').pause()")
    expect(page.locator("#chapter-word")).to_contain_text("What")
    page.get_by_role("button", name="Start here").click()
    expect(page.locator("#chapter-message")).to_contain_text("Moved")
    expect(bar.nth(4)).to_contain_text("1:26 What went wrong")


def review(page: Page) -> None:
    page.get_by_label("Your name").fill("Sam Reviewer")
    page.get_by_role("button", name="Mark as reviewed").click()
    expect(page.locator("#review-state")).to_contain_text("Reviewed by Sam Reviewer")


def saves_during_the_build(live: Running, count: int = 5) -> list[float]:
    """Seconds each of ``count`` saves of the (unchanged) transcript took while the build runs."""
    path = f"/api/recordings/{SLUG}/transcript"
    took = []
    for _ in range(count):
        status, t = live.json("GET", path)
        assert status == 200
        started = time.monotonic()
        status, body = live.json("PUT", path, {"version": t["version"], "speakers": t["data"]["speakers"],
                                               "segments": t["data"]["segments"]})
        took.append(time.monotonic() - started)
        assert status == 200, body
    assert live.json("GET", "/api/build")[1]["build"]["state"] == "running", "the saves were not during the build"
    return took


def build(page: Page, live: Running) -> None:
    page.get_by_role("link", name="Build and preview").click()
    page.get_by_role("button", name="Build the site").focus()
    page.keyboard.press("Enter")
    state = page.locator("#build-state")
    expect(state).to_contain_text("Building:", timeout=20_000)
    expect(page.locator("#build-recordings li")).to_have_count(1)
    shot(page, "flow-build-progress.png")
    took = saves_during_the_build(live)
    print(f"saves during the build: median {statistics.median(took) * 1000:.0f} ms, longest {max(took) * 1000:.0f} ms")
    assert max(took) < 2.0, f"a save waited {max(took):.2f} s during the build"
    expect(state).to_contain_text("Build finished", timeout=600_000)
    expect(state).to_contain_text("1 published.")
    shot(page, "flow-build-finished.png")
    assert serious_violations(page) == []
    page.get_by_role("link", name=f"Open the published page of {TITLE}").click()
    page.wait_for_url(f"**/site/episodes/{SLUG}/index.html")
    expect(page.locator("h1")).to_contain_text(TITLE)
    expect(page.locator("main")).to_contain_text("rules you had to bend")
    shot(page, "flow-published-page.png")


def test_correct_rename_redact_rechapter_review_build_and_the_site_shows_it_all(page: Page, live: Running):
    root = live.root
    page.goto(f"http://127.0.0.1:{live.port}/?token={live.keys.token}")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_selector(".recording[data-ready]")
    correct_and_rename(page)
    redact(page)
    chapters(page)
    review(page)
    build(page, live)

    episode = root / "site" / "episodes" / SLUG
    html = (episode / "index.html").read_text(encoding="utf-8")
    assert "rules you had to bend" in html and "had to spend" not in html
    assert f'class="speaker">{NEW_NAME}</span>' in html and 'class="speaker">Helen Ward</span>' not in html
    assert CUT not in html.lower()
    assert "Breaking through bureaucracy" in html and "not yet reviewed" not in html

    vtt = (episode / "transcript.vtt").read_text(encoding="utf-8")
    assert f"<v {NEW_NAME}>" in vtt and "<v Helen Ward>" not in vtt and "<v Sam Carter>" in vtt
    assert "had to bend" in vtt.replace("\n", " ") and CUT not in vtt.lower()

    marks = {c["title"]: c["startTime"] for c in json.loads((episode / "chapters.json").read_text())["chapters"]}
    assert abs(marks["What went wrong"] - 86.5) < 0.5 and "Governance" not in marks
    assert abs(marks["Breaking through bureaucracy"] - 140.9) < 0.5

    feed = (root / "site" / "feed.xml").read_text(encoding="utf-8")
    assert "01:26 What went wrong" in feed and "02:20 Breaking through bureaucracy" in feed
    assert "Governance" not in feed and CUT not in feed.lower()
    assert re.search(rf'<podcast:person role="guest"[^>]*>{NEW_NAME}</podcast:person>', feed), "the details follow"
    assert ">Helen Ward<" not in feed
    assert 'class="interviewee"' in html and f'>{NEW_NAME}</span>' in html  # the page's header too
    assert f'interviewee = "{NEW_NAME}"' in (root / "media" / f"{SLUG}.toml").read_text(encoding="utf-8")

    heard = hear(episode / "audio.mp3", root.parent / "heard")
    assert CUT not in heard
    assert "assessed him" in heard and "next morning" in heard


def hear(mp3: Path, cache: Path) -> str:
    """What the real model hears in the published MP3."""
    from pipeline.ingest import ingest
    from pipeline.models import Recording
    from pipeline.transcribe.engines import Options, get_engine

    audio, _ = ingest(Recording(path=mp3, slug="published"), cache)
    segments = get_engine("faster-whisper").transcribe(audio.path, audio.duration, Options()).segments
    return " ".join(s.text for s in segments).lower()
