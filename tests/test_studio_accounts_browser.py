"""The team server's sign-in in a real browser (Debian's chromium, through Playwright),
with the keyboard alone: a wrong password shows the page again with the reason, the right
one opens the page asked for, the review is marked as the signed-in person, and Sign out
ends it. axe-core on the sign-in page (plain and with its error) and a signed-in page.
Screenshots go to the studio's screenshot folder for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import browser_missing
from test_studio import SLUG, built, ws  # noqa: F401 - fixtures
from test_studio_accounts import SAM, SAM_PW, add_users, team_server
from test_studio_browser import page, serious_violations, shot  # noqa: F401 - fixtures

try:
    from playwright.sync_api import Page, expect
except ImportError:
    pass

_missing = browser_missing()
pytestmark = [pytest.mark.browser, pytest.mark.skipif(bool(_missing), reason=_missing)]


def focused(page: Page) -> str:
    return page.evaluate("() => document.activeElement.id || document.activeElement.textContent.trim()")


def test_a_team_member_signs_in_and_out_with_the_keyboard_alone(page: Page, ws: Path):  # noqa: F811
    from pipeline.review import read_review
    from pipeline.studio import editlog

    add_users(ws)
    with team_server(ws) as team:
        base = f"http://127.0.0.1:{team.port}"
        page.goto(f"{base}/recordings/{SLUG}")
        assert page.url == f"{base}/signin?next=%2Frecordings%2F{SLUG}"
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        assert serious_violations(page) == []
        assert focused(page) == "signin-name"  # the name field has the focus at once

        page.expected_statuses = {401}
        page.keyboard.type(SAM)
        page.keyboard.press("Tab")
        page.keyboard.type("not the password")
        page.keyboard.press("Enter")
        expect(page.get_by_role("alert")).to_have_text("That name and password do not match.")
        expect(page.get_by_label("Name")).to_have_value(SAM)
        assert focused(page) == "signin-password"  # the name kept, on to the password
        assert serious_violations(page) == []
        shot(page, "signin-error.png")

        page.keyboard.type(SAM_PW)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/recordings/{SLUG}")
        page.wait_for_selector(".recording[data-ready]")
        expect(page.locator(".account")).to_contain_text(f"Signed in as {SAM}")
        expect(page.locator("#review-by")).to_have_value(SAM)
        assert serious_violations(page) == []
        shot(page, "signed-in.png")

        page.get_by_role("button", name="Mark as reviewed").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#review-state")).to_contain_text(f"Reviewed by {SAM}")
        assert read_review(ws / "transcripts" / SLUG).reviewed_by == SAM
        assert [(e["user"], e["action"]) for e in editlog.read(ws / ".learncast" / "state")] == \
            [(SAM, "POST review")]

        # Sign out is the third stop from the top of a page: skip link, the studio's name, Sign out
        page.reload()
        page.wait_for_selector(".recording[data-ready]")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert focused(page) == "Sign out"
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/signin?out=1")
        expect(page.get_by_role("status")).to_have_text("You have signed out.")
        shot(page, "signed-out.png")
        page.goto(f"{base}/")
        assert page.url.startswith(f"{base}/signin"), "signed out, the studio asks again"
