"""The studio in the show's language: a Welsh show's studio is Welsh, an English show's as it was.

The pages' words come from the catalogue (jinja2's i18n extension); the scripts' words from
the JSON block the page embeds (``LearncastDom.t``; pipeline/studio/text.py), so a message a
script writes after a save is Welsh too. axe-core checks the Welsh recording page.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

import pytest

from conftest import browser_missing
from pipeline import i18n
from pipeline.studio import text as studio_text
from test_studio import SLUG, Running, built, running, ws  # noqa: F401 - fixtures

CY = i18n.translations("cy")


def set_language(root: Path, line: str) -> None:
    cfg = root / "learncast.toml"
    source = cfg.read_text(encoding="utf-8")
    assert re.search(r'^language = "en"', source, re.M)
    cfg.write_text(re.sub(r'^language = "en"', line, source, count=1, flags=re.M), encoding="utf-8")


@pytest.fixture
def welsh(ws: Path) -> Iterator[Running]:  # noqa: F811
    set_language(ws, 'language = "cy"')
    with running(ws) as s:
        yield s


class Visible(HTMLParser):
    """The text a reader sees or hears: text outside script/style, and the read attributes."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.lang = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in ("script", "style"):
            self._skip += 1
        for name in ("aria-label", "title", "alt", "placeholder", "label"):
            if attrs.get(name):
                self.texts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def english_left(html: str) -> list[str]:
    """Catalogue strings (msgids whose Welsh differs) still in English in the page's visible text."""
    seen = Visible()
    seen.feed(html)
    whole = " ".join(seen.texts)
    found = []
    for m in CY._catalog:
        msgid = m if isinstance(m, str) else m[0]
        if not msgid or CY.gettext(msgid) == msgid:
            continue
        plain = re.sub(r"<[^>]+>", "", msgid).strip()
        if "%(" in plain or not re.search(r"[A-Za-z]{2,}", plain):
            continue
        if plain in seen.texts or (len(plain.split()) >= 3 and plain in whole):
            found.append(plain)
    return found


def page_html(live: Running, path: str) -> str:
    status, _, body = live.request("GET", path)
    assert status == 200, body[:300]
    return body.decode("utf-8")


def test_a_welsh_shows_list_and_recording_pages_are_welsh(welsh: Running):
    for path in ("/", f"/recordings/{SLUG}"):
        html = page_html(welsh, path)
        seen = Visible()
        seen.feed(html)
        assert seen.lang == "cy", path
        assert english_left(html) == [], path
    listing = page_html(welsh, "/")
    assert "Recordiadau" in listing and "Adeiladu’r wefan" in listing
    assert '<span class="badge">wedi’i drawsgrifio</span>' in listing, "the state as the studio shows it"
    recording = page_html(welsh, f"/recordings/{SLUG}")
    assert "Trawsgrifiad" in recording and "Llwybrau byr" in recording and "Cadw’r manylion" in recording
    assert "Discharge" in recording, "the team's own metadata stays as written"


def test_the_page_embeds_the_scripts_words_in_welsh_as_data(welsh: Running):
    html = page_html(welsh, f"/recordings/{SLUG}")
    block = re.search(r'<script type="application/json" id="studio-text">(.*?)</script>', html, re.S)
    assert block, "the page carries its scripts' words"
    table = json.loads(block.group(1))
    assert table["All changes saved"] == "Cadwyd pob newid"
    assert set(table) <= set(studio_text.script_msgids())
    assert every_script_word_is_translated() == []


def test_the_chapters_panel_offers_the_questions_in_welsh(welsh: Running):
    status, body = welsh.json("GET", f"/api/recordings/{SLUG}/chapters")
    assert status == 200, body
    titles = [q["title"] for q in body["questions"]]
    assert titles[0] == "Cyflwyniad" and titles[-1] == "Cloi"
    assert "Rheolau y bu’n rhaid eu torri" in titles, "the built-in set's Welsh titles"
    assert body["message"].startswith("Nid oes gan y recordiad hwn adrannau eto")


def every_script_word_is_translated() -> list[str]:
    return [m for m in studio_text.script_msgids() if CY.gettext(m) == m and re.search(r"[A-Za-z]{3,}", m)]


def test_an_english_show_gets_english_and_an_empty_table(ws: Path):  # noqa: F811
    with running(ws) as live:
        html = page_html(live, f"/recordings/{SLUG}")
    assert '<html lang="en">' in html
    assert '<script type="application/json" id="studio-text">{}</script>' in html
    assert "All changes saved" not in html and "Shortcuts" in html


def test_a_language_without_a_catalogue_falls_back_to_english(ws: Path):  # noqa: F811
    set_language(ws, 'language = "fr"')
    with running(ws) as live:
        html = page_html(live, "/")
    assert '<html lang="en">' in html and "Recordings" in html


def test_the_embedded_table_cannot_end_its_script_block(monkeypatch):
    studio_text.script_text.cache_clear()
    monkeypatch.setattr(studio_text, "script_msgids", lambda: ("Bad </script><b>&",))

    class Fake:
        def gettext(self, m):
            return "Drwg </script><b>&amp;"

    monkeypatch.setattr(i18n, "translations", lambda lang: Fake())
    try:
        out = str(studio_text.script_text("cy"))
    finally:
        studio_text.script_text.cache_clear()
    assert "<" not in out and ">" not in out and "&" not in out
    assert json.loads(out) == {"Bad </script><b>&": "Drwg </script><b>&amp;"}


def test_the_studio_templates_have_no_word_outside_the_catalogue():
    import i18n_check

    assert [p for p in i18n_check.template_problems() if p.split(":")[0] in
            {f.name for f in i18n_check.STUDIO_TEMPLATES.glob("*.html")}] == []


_missing = browser_missing()


@pytest.mark.browser
@pytest.mark.skipif(bool(_missing), reason=_missing)
def test_in_chromium_the_scripts_write_welsh_and_axe_finds_no_serious_issue(welsh: Running, browser):
    from playwright.sync_api import expect

    from test_studio_browser import open_recording, serious_violations, shot

    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)  # axe is injected
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        open_recording(page, welsh)
        assert page.evaluate("document.documentElement.lang") == "cy"
        expect(page.locator("#save-state")).to_have_text("Cadwyd pob newid")
        expect(page.locator("#uncertain-count")).to_have_text("2 gair ansicr")
        expect(page.locator("#chapters-note")).to_have_text("Nid oes gan y recordiad hwn adrannau eto; rhedwch `learncast build` yn gyntaf.")
        turn = page.locator(".turn").nth(0).locator(".text")
        turn.click()
        page.keyboard.press("End")
        page.keyboard.type(" Diolch.")
        expect(page.locator("#save-state")).to_have_text("Cadwyd pob newid", timeout=10_000)
        assert "Diolch." in welsh.load()["data"]["segments"][0]["text"]
        page.get_by_role("button", name="Dyfyniad allweddol o’r geiriau a ddewiswyd").click()
        expect(page.locator("#quote-message")).to_have_text("Dewiswch eiriau’r dyfyniad yn y trawsgrifiad yn gyntaf.")
        expect(page.locator(".turn").first.locator("button.time")).to_have_attribute("aria-label", re.compile(r"^Chwarae tro 1 o "))
        shot(page, "recording-cy.png")
        assert serious_violations(page) == []
        assert errors == []
    finally:
        context.close()
