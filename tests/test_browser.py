"""The transcript site in a real browser: Debian's chromium, driven by Playwright.

Static checks (test_pages.py) cannot see what a reader sees: whether a timestamp
really moves the player, a chapter link lands on its heading, search finds a
paragraph, the layout fits a phone, or hostile text stays text once scripts run.
Most tests read the session's build of the sample interview (the real model, about
45 s, shared with test_e2e.py), served by ``pipeline.serve`` (byte ranges, as a media
element needs). Small audio-only sites rendered from Episodes made in code cover the
sticky audio player and hostile text in every field a person can type.

Screenshots go to ``test-artifacts/browser/`` for a person to look at. Accessibility
is checked with axe-core from npm: ``npm ci --prefix tests/js``.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import lxml.html
import pytest
import snowballstemmer

from conftest import AXE, ROOT, SAMPLE, browser_missing, make_tone

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # the tests skip, saying so
    sync_playwright = None

ARTIFACTS = ROOT / "test-artifacts" / "browser"
SLUG = SAMPLE.stem
EPISODE = f"episodes/{SLUG}/index.html"

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
SEEK_TOLERANCE = 0.5  # seconds

_missing = browser_missing()

pytestmark = [pytest.mark.browser, pytest.mark.skipif(bool(_missing), reason=_missing)]

PWN_SCRIPT = "<script>window.__pwned=1</script>"
PWN_IMG = '<img src=x onerror="window.__pwned=1">'
PWN_ENTITY = "&lt;img src=x onerror=window.__pwned=1&gt;"  # text that looks like an escaped tag
PWN = f"{PWN_SCRIPT} {PWN_IMG} {PWN_ENTITY}"


# ---------------------------------------------------------------- fixtures


@contextmanager
def serving(site: Path) -> Iterator[str]:
    """``site`` on an ephemeral localhost port, as ``learncast serve`` serves it; yields the base URL."""
    from pipeline.serve import make_server

    server = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def sample(request) -> Path:
    """The session's sample build (real model, about 45 s once per session); only read here."""
    ws = request.getfixturevalue("sample_build")
    assert (ws / "site" / "pagefind" / "pagefind-entry.json").is_file(), "the search index was not built"
    return ws


@pytest.fixture(scope="module")
def base(sample: Path) -> Iterator[str]:
    with serving(sample / "site") as url:
        yield url


@pytest.fixture(scope="module")
def axe_source() -> Path:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/js`")
    return AXE


class Problems(list):
    """Uncaught script errors and failed requests (a missing script, index file or track) seen by a tab."""

    def watch(self, page: Page) -> Page:
        page.on("pageerror", lambda exc: self.append(f"script error: {exc}"))
        page.on("response", lambda r: r.status >= 400 and self.append(f"HTTP {r.status} {r.url}"))
        return page


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def page(browser: Browser, problems: Problems) -> Iterator[Page]:
    """A desktop-sized tab; the test fails on any uncaught script error or broken request."""
    context = browser.new_context(viewport=DESKTOP)
    yield problems.watch(context.new_page())
    context.close()
    assert not problems, problems


def tab(browser: Browser, problems: Problems, **options) -> Page:
    """Another tab in its own context (a phone, dark mode, ...); close it with tab.context.close()."""
    return problems.watch(browser.new_context(**{"viewport": DESKTOP, **options}).new_page())


# ---------------------------------------------------------------- helpers


def player_time(page: Page) -> float:
    return page.evaluate("document.querySelector('[data-player]').currentTime")


def wait_for_metadata(page: Page) -> None:
    """Seeking means nothing until the media element knows its duration."""
    page.wait_for_function("() => { const p = document.querySelector('[data-player]');"
                           " return p && p.readyState >= 1 && p.duration > 0; }", timeout=15_000)


def wait_for_time(page: Page, seconds: float) -> None:
    """Wait until the player is within SEEK_TOLERANCE of ``seconds`` (it may be playing on)."""
    try:
        page.wait_for_function(
            # null-safe: a click on a link may still be loading the page that has the player
            "([t, tol]) => { const p = document.querySelector('[data-player]');"
            " return p !== null && Math.abs(p.currentTime - t) < tol; }",
            arg=[seconds, SEEK_TOLERANCE], timeout=10_000)
    except Exception as exc:
        raise AssertionError(f"player at {player_time(page):.2f} s, expected {seconds} s") from exc


def pause(page: Page) -> None:
    page.evaluate("document.querySelector('[data-player]').pause()")


def turns(site: Path) -> list[tuple[str, float, str]]:
    """(id, start, text) of every transcript paragraph on the built episode page."""
    doc = lxml.html.fromstring((site / EPISODE).read_bytes())
    return [(p.get("id"), float(p.get("data-start")), p.find_class("text")[0].text_content())
            for p in doc.xpath("//p[contains(@class, 'turn')][@data-start]")]


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000, path
    return path


def serious_violations(page: Page, axe: Path) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    page.add_script_tag(path=str(axe))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
            for v in result if v["impact"] in ("serious", "critical")]


def fits_width(page: Page) -> list[str]:
    """Elements that stick out past the right edge of the viewport (nothing may, on a phone)."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth, out = [];
        if (document.documentElement.scrollWidth > width) out.push('page scrolls sideways: ' +
            document.documentElement.scrollWidth + ' > ' + width);
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.width && r.right > width + 1 && getComputedStyle(el).position !== 'fixed'
                && !el.closest('.visually-hidden, .skip-link'))
                out.push(el.tagName.toLowerCase() + '.' + el.className + ' right=' + Math.round(r.right));
        }
        return out.slice(0, 10);
    }""")


def luminance(css_colour: str) -> float:
    """Relative luminance (WCAG) of an ``rgb(...)``/``rgba(...)`` computed colour."""
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css_colour)[:3])

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


# ---------------------------------------------------------------- the player


def test_media_codecs_play_in_this_chromium(page: Page, base: str):
    """The sample's H.264/AAC video and MP3 audio decode here, so the seek tests test real playback."""
    page.goto(base + EPISODE)
    support = page.evaluate("""() => ({
        mp3: document.createElement('audio').canPlayType('audio/mpeg'),
        h264: document.createElement('video').canPlayType('video/mp4; codecs="avc1.42E01E, mp4a.40.2"')})""")
    assert support == {"mp3": "probably", "h264": "probably"}
    wait_for_metadata(page)
    duration = page.evaluate("document.querySelector('[data-player]').duration")
    assert 120 < duration < 240


def test_clicking_a_transcript_timestamp_seeks_the_player(page: Page, base: str, sample: Path):
    later = [t for t in turns(sample / "site") if t[1] > 30]
    pid, start, _ = later[len(later) // 2]
    page.goto(base + EPISODE)
    wait_for_metadata(page)
    assert player_time(page) < 1
    page.locator(f"#{pid} a.ts").click()
    wait_for_time(page, start)
    pause(page)
    para = page.locator(f"#{pid}")
    expect(para).to_have_class(re.compile(r"\bcurrent\b"))
    expect(para).to_have_attribute("aria-current", "true")
    assert page.evaluate("location.hash") == f"#t={para.get_attribute('data-start')}"
    assert page.locator(".turn.current").count() == 1


def test_a_chapter_link_scrolls_to_its_heading_and_seeks(page: Page, base: str):
    page.goto(base + EPISODE)
    wait_for_metadata(page)
    links = page.locator(".contents a[data-seek]")
    assert links.count() >= 4
    link = links.nth(links.count() // 2)
    anchor = link.get_attribute("href").removeprefix("#")
    start = float(link.get_attribute("data-seek"))
    assert start > 20
    link.click()
    heading = page.locator(f"h2[id='{anchor}']")
    expect(heading).to_be_in_viewport(ratio=1)
    wait_for_time(page, start)
    assert page.evaluate("location.hash") == f"#{anchor}"
    # The player was paused, so following the contents does not start playback.
    assert page.evaluate("document.querySelector('[data-player]').paused")


def test_a_t_deep_link_starts_there(page: Page, base: str, sample: Path):
    page.goto(base + EPISODE + "#t=60")
    wait_for_time(page, 60)
    pause(page)
    # The paragraph spoken at 60 s is marked and brought into view.
    pid = [t[0] for t in turns(sample / "site") if t[1] <= 60.05][-1]
    current = page.locator(".turn.current")
    expect(current).to_have_id(pid)
    expect(current).to_be_in_viewport()


def test_a_deep_link_in_a_page_already_open_seeks_again(page: Page, base: str):
    page.goto(base + EPISODE)
    wait_for_metadata(page)
    page.evaluate("location.hash = '#t=100'")
    wait_for_time(page, 100)
    pause(page)


def test_the_site_works_from_files_without_a_server(page: Page, sample: Path):
    """Opened from a file share: the player and its links work; search says why it cannot."""
    site = sample / "site"
    page.goto((site / EPISODE).as_uri() + "#t=30")
    wait_for_time(page, 30)
    pause(page)
    page.locator(".site-nav a", has_text="Search").click()
    expect(page.locator("#search-status")).to_contain_text("served by a web server")


# ---------------------------------------------------------------- search and questions


def distinctive_word(site: Path) -> tuple[str, str]:
    """A word of the transcript (and its paragraph id) whose stem occurs once on the episode page.

    Taken from the built page rather than hard-coded, so the test holds whatever the model hears.
    """
    stem = snowballstemmer.stemmer("english").stemWord
    page_words = re.findall(r"[a-z]+", lxml.html.fromstring((site / EPISODE).read_bytes())
                            .xpath("string(//article)").lower())
    counts: dict[str, int] = {}
    for w in page_words:
        counts[stem(w)] = counts.get(stem(w), 0) + 1
    paras = turns(site)
    for pid, _, text in paras[len(paras) // 2:] + paras[:len(paras) // 2]:
        for word in re.findall(r"[A-Za-z]{7,}", text):
            if counts.get(stem(word.lower())) == 1:
                return word.lower(), pid
    pytest.fail("no word of the transcript occurs only once on the episode page")


def test_search_finds_a_transcript_word_and_opens_its_paragraph(page: Page, base: str, sample: Path):
    word, pid = distinctive_word(sample / "site")
    page.goto(base + "search/index.html")
    page.locator(".pagefind-ui__search-input").fill(word)
    results = page.locator(".pagefind-ui__result")
    expect(results).to_have_count(1, timeout=10_000)
    expect(page.locator(".pagefind-ui__result-excerpt mark").first).to_contain_text(word, ignore_case=True)
    # The page result links to the episode's file; the sub-result to the paragraph the word is in.
    expect(results.locator("a.pagefind-ui__result-link").first).to_have_attribute("href", re.compile(
        rf"/{re.escape(EPISODE)}$"))
    sub = results.locator(".pagefind-ui__result-nested a.pagefind-ui__result-link")
    expect(sub.first).to_have_attribute("href", re.compile(rf"/{re.escape(EPISODE)}#{pid}$"))
    sub.first.click()
    page.wait_for_url(re.compile(rf"/{re.escape(EPISODE)}#{pid}$"))
    para = page.locator(f"#{pid}")
    expect(para).to_be_in_viewport()
    expect(para).to_contain_text(word, ignore_case=True)
    # The player is cued at that paragraph, without starting to play.
    wait_for_time(page, float(para.get_attribute("data-start")))
    expect(para).to_have_class(re.compile(r"\bcurrent\b"))
    assert page.evaluate("document.querySelector('[data-player]').paused")


def answered_question(sample: Path, longest: bool = False) -> tuple[str, str]:
    """A question the sample answers and that chapter's anchor on the episode page.

    The first in the episode, or with ``longest`` the one with the most paragraphs
    (its question page has a "Read more" part).
    """
    doc = lxml.html.fromstring((sample / "site" / EPISODE).read_bytes())
    chapters = [(len(h.xpath("ancestor::section[1]//p[contains(@class, 'turn')]")), h.get("data-question"), h.get("id"))
                for h in doc.xpath("//h2[contains(@class, 'chapter-heading')]")
                if h.get("data-question") not in ("intro", "closing")]
    if not chapters:
        pytest.fail("the sample has no chapter answering a question")
    _, qid, anchor = max(chapters, key=lambda c: c[0]) if longest else chapters[0]
    return qid, anchor


def test_the_question_page_lists_the_samples_answer(page: Page, base: str, sample: Path):
    qid, anchor = answered_question(sample)
    page.goto(base + "questions/index.html")
    entry = page.locator(".question-list li", has=page.locator(f"a[href$='/{qid}/index.html']"))
    expect(entry.locator(".count")).to_have_text("1 answer")
    entry.locator("a").first.click()
    page.wait_for_url(re.compile(rf"/questions/{qid}/index.html$"))
    answers = page.locator("article.answer")
    expect(answers).to_have_count(1)
    expect(answers.locator("h2")).to_contain_text("Helen Ward")
    # The preview is the chapter's transcript, as on the episode page.
    ep = lxml.html.fromstring((sample / "site" / EPISODE).read_bytes())
    first = ep.xpath(f"//h2[@id='{anchor}']/ancestor::section[1]//p[contains(@class, 'turn')]")[0]
    expect(answers.locator(".turn .text").first).to_have_text(first.find_class("text")[0].text_content())
    # "From <episode>" opens the chapter, with the player cued at its start.
    answers.locator(f"a[href$='#{anchor}']").click()
    page.wait_for_url(re.compile(rf"/{re.escape(EPISODE)}#{anchor}$"))
    expect(page.locator(f"h2[id='{anchor}']")).to_be_in_viewport()
    wait_for_time(page, float(page.locator(f".contents a[href='#{anchor}']").get_attribute("data-seek")))


def test_play_from_on_a_question_page_plays_the_answer(page: Page, base: str, sample: Path):
    qid, _ = answered_question(sample)
    page.goto(base + f"questions/{qid}/index.html")
    play = page.locator("article.answer a.play")
    start = float(play.get_attribute("href").rsplit("#t=", 1)[1])
    with page.expect_navigation():  # the link opens the episode page at the answer
        play.click()
    wait_for_time(page, start)
    pause(page)


# ---------------------------------------------------------------- accessibility and layout


PAGES = ["index.html", EPISODE, "questions/index.html", "question", "search/index.html"]


def page_url(base: str, sample: Path, name: str) -> str:
    return base + (f"questions/{answered_question(sample)[0]}/index.html" if name == "question" else name)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_violation(browser: Browser, problems: Problems, base: str, sample: Path,
                                        axe_source: Path, name: str, scheme: str):
    page = tab(browser, problems, color_scheme=scheme, bypass_csp=True)  # axe is injected inline
    page.goto(page_url(base, sample, name))
    if name.startswith("search"):  # check the results as well as the empty form
        page.locator(".pagefind-ui__search-input").fill(distinctive_word(sample / "site")[0])
        expect(page.locator(".pagefind-ui__result")).to_have_count(1, timeout=10_000)
    violations = serious_violations(page, axe_source)
    page.context.close()
    assert violations == []
    assert not problems, problems


@pytest.mark.parametrize("name", PAGES)
def test_nothing_overflows_a_360px_phone(browser: Browser, problems: Problems, base: str, sample: Path,
                                         name: str):
    page = tab(browser, problems, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page.goto(page_url(base, sample, name))
    if name.startswith("search"):
        page.locator(".pagefind-ui__search-input").fill(distinctive_word(sample / "site")[0])
        expect(page.locator(".pagefind-ui__result")).to_have_count(1, timeout=10_000)
    overflow = fits_width(page)
    screenshot(page, f"phone-{name.replace('/index.html', '').replace('/', '-').replace('.html', '')}.png")
    page.context.close()
    assert overflow == []
    assert not problems, problems


def test_episode_screenshots_desktop_and_phone(browser: Browser, problems: Problems, base: str):
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = tab(browser, problems, viewport=viewport)
        page.goto(base + EPISODE)
        wait_for_metadata(page)
        assert fits_width(page) == []
        # Body text is at least 14 px and the player fills the text column.
        assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.turn .text')).fontSize)") >= 14
        box = page.locator("[data-player]").bounding_box()
        column = page.locator("main").bounding_box()
        assert box["width"] >= column["width"] - 2 * 16 - 1
        # Timestamps are targets a finger can hit (WCAG 2.5.8: 24 px).
        ts = page.locator(".turn a.ts").first.bounding_box()
        assert ts["height"] >= 24 and ts["width"] >= 24, ts
        screenshot(page, f"episode-{label}.png")
        page.context.close()
    assert not problems, problems


def test_dark_mode_is_dark_with_light_text(browser: Browser, problems: Problems, base: str):
    page = tab(browser, problems, color_scheme="dark")
    page.goto(base + EPISODE)
    colours = page.evaluate("""() => { const b = getComputedStyle(document.body),
        t = getComputedStyle(document.querySelector('.turn .text')),
        a = getComputedStyle(document.querySelector('.turn a.ts'));
        return [b.backgroundColor, t.color, a.color]; }""")
    bg, text, link = (luminance(c) for c in colours)
    assert bg < 0.05 and text > 0.6
    assert (link + 0.05) / (bg + 0.05) >= 4.5  # WCAG AA for the timestamp links
    screenshot(page, "episode-dark.png")
    page.context.close()
    assert not problems, problems


def test_print_shows_the_transcript_without_player_or_navigation(browser: Browser, problems: Problems,
                                                                  base: str, sample: Path):
    page = tab(browser, problems)
    qid, _ = answered_question(sample, longest=True)
    for url, name in ((base + EPISODE, "episode-print.png"), (base + f"questions/{qid}/index.html",
                                                              "question-print.png")):
        page.goto(url)
        page.emulate_media(media="print")
        for selector in (".site-nav", ".site-footer", ".skip-link", ".player", ".downloads", ".badge"):
            if page.locator(selector).count():
                expect(page.locator(selector).first).to_be_hidden()
        expect(page.locator(".site-title")).to_be_visible()  # whose transcript it is, on paper too
        if page.locator(".contents").count():
            expect(page.locator(".contents")).to_be_visible()  # its links work in a PDF
        expect(page.locator("h1")).to_be_visible()
        expect(page.locator(".turn").last).to_be_visible()  # on a question page, inside "Read more"
        assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") in ("rgb(255, 255, 255)",
                                                                                   "rgba(0, 0, 0, 0)")
        screenshot(page, name)
        pdf = page.pdf(format="A4")  # the browser's "Save as PDF"
        (ARTIFACTS / name.replace(".png", ".pdf")).write_bytes(pdf)
        assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 1
        page.emulate_media(media="screen")
    # Printing from the browser's menu opens every "Read more" too (for browsers without ::details-content).
    assert page.locator("details:not([open])").count() >= 1
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details:not([open])").count() == 0
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("details[open]").count() == 0
    page.context.close()
    assert not problems, problems


# ---------------------------------------------------------------- hostile text


ANSWER = ("We mapped every step a referral took, then asked each team which of those steps protected "
          "anyone and which only protected the process, and we stopped doing the ones nobody could defend.")


def words(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def render_audio_site(root: Path, mark: str, chapters: int) -> Path:
    """An audio-only episode rendered from objects made in code, with a real MP3 (a tone).

    ``mark`` goes into every field a person can type: show, title, names, role, transcript
    and questions. Each chapter is a question and a long answer, 10 s in all. The site is
    indexed by Pagefind, so search results (which Pagefind's UI writes as HTML) are covered.
    """
    from pipeline.chapters.questions import Question, QuestionSet
    from pipeline.config import Config
    from pipeline.models import (INTERVIEWEE, INTERVIEWER, Chapter, Episode, MediaFile, Recording, RecordingMeta,
                                 Segment, Transcript)
    from pipeline.pages import render_site
    from pipeline.pages.search import build_search_index, pagefind_executable

    config = Config(root=root, title=words("Show", mark), description=words("About", mark),
                    author=words("Team", mark), base_url="http://localhost:8000/")
    site = root / "site"
    slug = "audio"
    folder = site / "episodes" / slug
    folder.mkdir(parents=True)
    (site / "feed.xml").write_text("<rss/>")
    length = 10.0 * chapters
    mp3 = make_tone(folder / "audio.mp3", seconds=length)
    audio = MediaFile(mp3, config.url("episodes", slug, "audio.mp3"), "audio/mpeg", mp3.stat().st_size)
    segments, marks, questions = [], [], []
    for i in range(chapters):
        t, qid = 10.0 * i, f"q{i + 1}"
        segments += [Segment(t, t + 3, words("Which rules", mark, f"number {i + 1}?"), INTERVIEWER),
                     Segment(t + 3, t + 10, words("All of them", mark, "quixotically.", ANSWER), INTERVIEWEE)]
        marks.append(Chapter(t, t + 10, qid, words("Rules", mark, str(i + 1)), 0.2 if i == 0 else 0.9))
        questions.append(Question(qid, words("Which rules", mark, f"number {i + 1}?"),
                                  words("Rules", mark, str(i + 1))))
    transcript = Transcript("en", "fake", "tiny", length, tuple(segments), tuple(marks),
                            {INTERVIEWER: words("Sam", mark), INTERVIEWEE: words("Mallory", mark)}, reviewed=False)
    meta = RecordingMeta(title=words("Episode", mark), interviewee=words("Mallory", mark), role=words("Head of", mark),
                         interviewer=words("Sam", mark), date=dt.date(2026, 11, 1), description=words("Story", mark))
    episode = Episode(slug=slug, guid=slug, title=words("Episode", mark),
                      recording=Recording(root / "x.mp3", slug, meta), transcript=transcript,
                      pub_date=dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc), audio=audio,
                      page_url=config.url("episodes", slug, ""))
    render_site(config, site, [episode], QuestionSet(tuple(questions)), workspace_root=root)
    if pagefind_executable() is not None:
        build_search_index(site)
    return site


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return render_audio_site(tmp_path_factory.mktemp("hostile"), PWN, chapters=2)


@pytest.fixture(scope="module")
def audio_site(tmp_path_factory) -> Path:
    return render_audio_site(tmp_path_factory.mktemp("audio"), "", chapters=8)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_audio_player_sticks_and_never_covers_the_chapter_a_link_opens(browser: Browser, problems: Problems,
                                                                           audio_site: Path, size: str):
    page = tab(browser, problems, viewport=DESKTOP if size == "desktop" else PHONE, reduced_motion="reduce")
    with serving(audio_site) as url:
        page.goto(url + "episodes/audio/index.html")
        wait_for_metadata(page)
        screenshot(page, f"episode-audio-{size}.png")
        # The bar that stays on screen takes little of it.
        bar = page.locator(".player").bounding_box()
        assert bar["height"] <= 0.2 * page.viewport_size["height"], bar
        for n in (5, 2, 7):
            link = page.locator(".contents a[data-seek]").nth(n)
            anchor = link.get_attribute("href").removeprefix("#")
            link.click()
            heading = page.locator(f"h2[id='{anchor}']")
            expect(heading).to_be_in_viewport(ratio=1)
            wait_for_time(page, float(link.get_attribute("data-seek")))
            player, top = page.locator(".player").bounding_box(), heading.bounding_box()
            assert abs(player["y"]) <= 1, "the audio player scrolled away"
            assert top["y"] >= player["y"] + player["height"], f"chapter {n} heading is under the player"
            # Back to the contents for the next link.
            page.locator(".contents").scroll_into_view_if_needed()
        # Arriving from another page (a question page, a search result) lands below the player too.
        chapter = page.locator(".contents a[data-seek]").nth(3).get_attribute("href").removeprefix("#")
        for target in (chapter, page.locator(".turn[id]").nth(9).get_attribute("id")):
            page.goto("about:blank")
            page.goto(url + f"episodes/audio/index.html#{target}")
            wait_for_metadata(page)
            player, top = page.locator(".player").bounding_box(), page.locator(f"[id='{target}']").bounding_box()
            assert player["y"] + player["height"] <= top["y"] < PHONE["height"] / 2, target
    page.context.close()
    assert not problems, problems


# Where each page shows a hostile field, which must read exactly as typed.
HOSTILE_PAGES = {
    "index.html": ("h1", f"Show {PWN}"),
    "episodes/audio/index.html": ("h1", f"Episode {PWN}"),
    "questions/index.html": (".question-list a", f"Rules {PWN} 1"),
    "questions/q1/index.html": ("h1", f"Which rules {PWN} number 1?"),
    "search/index.html": (".pagefind-ui__result-title a", f"Episode {PWN}"),
}


@pytest.mark.parametrize("name", HOSTILE_PAGES)
def test_hostile_text_renders_as_text_and_never_runs(browser: Browser, problems: Problems, hostile: Path,
                                                     name: str):
    """Escaping alone must hold, so the page's script policy is switched off here (tested below)."""
    selector, text = HOSTILE_PAGES[name]
    page = tab(browser, problems, bypass_csp=True)
    with serving(hostile) as url:
        # A hostile #t= fragment too: the player reads only the number.
        page.goto(url + name + ("#t=1<img src=x onerror=window.__pwned=1>" if "episodes" in name else ""))
        if name.startswith("search"):
            assert (hostile / "pagefind").is_dir(), "Pagefind is not installed"
            page.locator(".pagefind-ui__search-input").fill("quixotically")
            expect(page.locator(".pagefind-ui__result")).to_have_count(1, timeout=10_000)
            # The interviewee filter (which Pagefind's UI writes as HTML) shows the name, harmlessly.
            expect(page.locator(".pagefind-ui__filter-label").first).to_contain_text("Mallory \u2039script\u203a")
        expect(page.locator(selector).first).to_have_text(text)
        page.wait_for_timeout(300)  # an onerror would have fired by now
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert PWN_SCRIPT in page.evaluate("document.title")
        # No element came from the text: every <img> and <script> is the page's own.
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("main script, main img").count() == 0
        if "episodes" in name:
            for shown in (f"Mallory {PWN}", f"Head of {PWN}", f"Rules {PWN} 2", f"Story {PWN}"):
                expect(page.get_by_text(shown, exact=True).first).to_be_visible()
    page.context.close()
    assert not problems, problems


def test_the_script_policy_stops_injected_markup_running(page: Page, base: str):
    """The second line of defence: markup some widget writes into a page cannot run script."""
    for name in ("search/index.html", EPISODE):
        page.goto(base + name)
        page.evaluate("""() => {
            document.querySelector('main').insertAdjacentHTML('beforeend',
                '<img src="data:," onerror="window.__pwned=1"><img src="data:," onload="window.__pwned=2">' +
                '<a id="js" href="javascript:window.__pwned=3">x</a>');
        }""")
        page.locator("#js").click()
        page.wait_for_timeout(300)
        assert page.evaluate("typeof window.__pwned") == "undefined"
    # ...while the site's own scripts run: the player script marked the follow-along option usable.
    expect(page.locator(".follow")).to_be_visible()
