"""Themes in Debian's chromium (Playwright): the themes index, a theme page and an episode
page with themes pass axe-core (no serious or critical violation) in light and dark mode,
fit a 360 px phone; a theme page's link plays the chapter it lists; search narrows to a
theme with Pagefind's filter. The site is the
learning library's (test_library_browser.py: Episodes made in code, real MP3 tones) with
themes confirmed on some chapters. Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conftest import browser_missing
from test_browser import ARTIFACTS, Problems, fits_width, serious_violations, serving, tab, wait_for_metadata
from test_library_browser import PEOPLE, SCREEN, _episode

_missing = browser_missing()
pytestmark = [pytest.mark.browser, pytest.mark.skipif(bool(_missing), reason=_missing)]

AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
# per interview (by first name): chapter -> themes
THEMES = {"jane": {"rules": ("Rent debts", "Trust"), "relationships": ("Landlords",)},
          "omar": {"rules": ("rent debts",), "governance": ("Standing permission",)},
          "priya": {"relationships": ("Trust", "Landlords")}}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from pipeline.chapters import load_questions
    from pipeline.config import Config
    from pipeline.models import Theme
    from pipeline.pages import render_site
    from pipeline.pages.search import build_search_index

    root = tmp_path_factory.mktemp("themes")
    config = Config(root=root, title="Changing services", description="Interviews about changing services.",
                    author="The capture team", base_url="http://localhost:8000/")
    questions = load_questions()
    episodes = []
    for i, person in enumerate(PEOPLE):
        ep = _episode(root, config, questions, i, person)
        themes = tuple(Theme(chapter, name) for chapter, names in THEMES[ep.slug].items() for name in names)
        episodes.append(dataclasses.replace(ep, themes=themes))
    (root / "site" / "feed.xml").write_text("<rss/>")
    render_site(config, root / "site", episodes, questions, workspace_root=root)
    build_search_index(root / "site")
    return root / "site"


@pytest.fixture(scope="module")
def base(site: Path):
    with serving(site) as url:
        yield url


@pytest.fixture
def problems() -> Problems:
    return Problems()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_theme_pages_pass_axe_in_light_and_dark_and_fit_a_phone(browser, problems: Problems, base: str):
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/js`")
    for scheme in ("light", "dark"):
        p = tab(browser, problems, viewport=SCREEN, color_scheme=scheme, bypass_csp=True)  # axe is injected inline
        try:
            p.goto(base + "themes/index.html")
            assert p.locator(".theme-index li a").all_inner_texts() == ["Landlords", "Rent debts", "Standing permission", "Trust"]
            shot(p, f"themes-index-{scheme}.png")
            assert serious_violations(p, AXE) == [], scheme
            p.goto(base + "themes/rent-debts/index.html")
            assert p.locator(".theme-entry").count() == 2  # Jane's and Omar's rules chapters
            shot(p, f"theme-page-{scheme}.png")
            assert serious_violations(p, AXE) == [], scheme
            p.goto(base + "episodes/jane/index.html")
            wait_for_metadata(p)
            assert p.locator(".chapter .themes a").count() == 3
            assert serious_violations(p, AXE) == [], scheme
        finally:
            p.context.close()
    phone = tab(browser, problems, viewport={"width": 360, "height": 740})
    try:
        for rel in ("themes/index.html", "themes/rent-debts/index.html", "episodes/jane/index.html"):
            phone.goto(base + rel)
            assert fits_width(phone) == [], rel
        shot(phone, "theme-page-360.png")
    finally:
        phone.context.close()
    assert not problems, problems


def test_a_theme_page_plays_the_chapter_it_lists(browser, problems: Problems, base: str):
    p = tab(browser, problems, viewport=SCREEN)
    p.add_init_script("document.addEventListener('DOMContentLoaded', () =>"
                      " document.querySelectorAll('audio, video').forEach(m => { m.muted = true; }));")
    try:
        p.goto(base + "themes/standing-permission/index.html")
        play = p.locator(".theme-entry a.play")
        href = play.get_attribute("href")
        start = float(href.split("#t=")[1])
        play.click()
        p.wait_for_url("**/episodes/omar/index.html#t=*")
        wait_for_metadata(p)
        p.wait_for_function("s => Math.abs(document.querySelector('[data-player]').currentTime - s) < 0.5",
                            arg=start, timeout=10_000)
    finally:
        p.context.close()
    assert not problems, problems


def test_search_narrows_to_a_theme(browser, problems: Problems, base: str):
    from playwright.sync_api import expect

    p = tab(browser, problems, viewport=SCREEN)
    try:
        p.goto(base + "search/index.html")
        p.locator(".pagefind-ui__search-input").fill("defend")  # said in every interview
        results = p.locator(".pagefind-ui__result")
        expect(results).to_have_count(len(PEOPLE), timeout=10_000)
        summary = p.locator("summary.pagefind-ui__filter-name", has_text="Theme")
        expect(summary).to_have_count(1, timeout=10_000)
        if not summary.evaluate("s => s.parentElement.open"):
            summary.click()
        # one value per theme, as the theme pages spell it ("Rent debts" and "rent debts" are one)
        values = p.locator("input.pagefind-ui__filter-checkbox[name='Theme']")
        expect(values).to_have_count(4)
        assert sorted(v.get_attribute("value") for v in values.all()) == [
            "Landlords", "Rent debts", "Standing permission", "Trust"]
        p.locator("input[name='Theme'][value='Landlords']").check()
        expect(results).to_have_count(2, timeout=10_000)  # Jane and Priya carry it; Omar does not
        titles = " ".join(results.locator(".pagefind-ui__result-title").all_inner_texts())
        assert "Jane Doe" in titles and "Priya Shah" in titles and "Omar" not in titles
    finally:
        p.context.close()
    assert not problems, problems
