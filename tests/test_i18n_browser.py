"""A Welsh page of a bilingual site (``languages = ["cy", "en"]``) in Debian's chromium:
axe-core finds no serious or critical issue (language attributes included) on the Welsh
episode, question, overview and home pages and on the language chooser, and the language
switch leads to the English counterpart. Episodes are made in code with a real MP3."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import browser_missing
from test_browser import Problems, serious_violations, serving, tab
from test_library_browser import PEOPLE, SCREEN, _episode

_missing = browser_missing()
pytestmark = [pytest.mark.browser, pytest.mark.skipif(bool(_missing), reason=_missing)]
AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from pipeline.chapters import load_questions
    from pipeline.config import Config
    from pipeline.pages import render_site

    root = tmp_path_factory.mktemp("cymraeg")
    config = Config(root=root, title="Newid gwasanaethau", description="Cyfweliadau am newid gwasanaethau.",
                    author="Y tîm", base_url="http://localhost:8000/", languages=("cy", "en"))
    questions = load_questions()
    episodes = [_episode(root, config, questions, i, p) for i, p in enumerate(PEOPLE)]
    render_site(config, root / "site", episodes, questions, workspace_root=root)
    from pipeline.pages.search import build_search_index

    for lang in ("cy", "en"):
        build_search_index(root / "site" / lang)
    return root / "site"


def test_welsh_pages_pass_axe_and_switch_to_english(browser, site: Path):
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/js`")
    problems = Problems()
    with serving(site) as base:
        page = tab(browser, problems, viewport=SCREEN, bypass_csp=True)  # axe is injected inline
        for path in ("index.html", "cy/index.html", "cy/episodes/jane/index.html", "cy/questions/rules/index.html",
                     "cy/overview/index.html", "cy/questions/index.html"):
            page.goto(base + path)
            assert serious_violations(page, AXE) == [], path
        page.goto(base + "cy/episodes/jane/index.html")
        assert page.evaluate("document.documentElement.lang") == "cy"
        assert page.locator(".transcript .text[lang='en']").count() > 0
        page.locator(".language-switch a[hreflang='en']").click()
        page.wait_for_url("**/en/episodes/jane/index.html")
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.locator("#downloads-heading").inner_text() == "Downloads"
        page.context.close()
    assert not problems, problems


def test_the_welsh_search_box_speaks_welsh(browser, site: Path):
    problems = Problems()
    with serving(site) as base:
        page = tab(browser, problems, viewport=SCREEN)
        page.goto(base + "cy/search/index.html")
        box = page.locator("#search input")
        box.wait_for(timeout=10_000)
        assert box.get_attribute("placeholder") == "Chwilio"
        box.fill("defend")
        page.locator(".pagefind-ui__message").filter(has_text="canlyniad ar gyfer").wait_for(timeout=10_000)
        assert page.locator(".pagefind-ui__result-link").count() >= len(PEOPLE)
        href = page.locator(".pagefind-ui__result-link").first.get_attribute("href")
        assert "/cy/episodes/" in href  # the Welsh index finds the Welsh pages
        page.context.close()
    assert not problems, problems
