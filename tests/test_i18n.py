"""Welsh and bilingual publishing: the catalogues are current, a site with
``languages = ["cy", "en"]`` has every page in both languages (switch, hreflang, lang
attributes, Welsh interface text only), a search page each, and one feed per language that
the feed rules and real parsers accept. Browser checks (axe) are in test_i18n_browser.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.html
import podcastparser
import pytest

from i18n_check import LOCALE, problems, read
from pipeline import i18n
from pipeline.chapters import load_questions
from pipeline.config import Config, ConfigError, load_config
from pipeline.models import INTERVIEWEE, INTERVIEWER, Chapter, Quote, RecordingMeta, Segment, Theme, Transcript
from pipeline.pages import render_site
from pipeline.publish.episodes import write_language_feeds
from test_publish import BASE, NS, episode, parse

LANGS = ("cy", "en")


def test_the_catalogues_hold_every_string_and_wales_has_them_all():
    """A string added to a template or to the code without `python scripts/i18n.py` fails here."""
    assert problems() == []


def test_a_word_left_outside_the_catalogue_in_a_template_is_found(tmp_path: Path):
    from i18n_check import unwrapped

    page = tmp_path / "themes.html"
    page.write_text('{% extends "base.html" %}\n{# a comment #}\n<h2>{{ _("Key quotes") }}</h2>\n'
                    '<h2 id="x">Themes</h2>\n<a aria-label="Play all" href="{{ root }}">·</a>\n'
                    '<meta name="viewport" content="width=device-width, initial-scale=1">\n')
    assert unwrapped(page) == ['themes.html: aria-label="Play all"', 'themes.html: "Themes"']


def test_english_reads_as_the_msgids_and_welsh_is_welsh():
    with i18n.use("en"):
        assert i18n.gettext("Skip to content") == "Skip to content"
        assert i18n.ngettext("%(num)d answer", "%(num)d answers", 2) == "2 answers"
    with i18n.use("cy-GB"):
        assert i18n.gettext("Skip to content") == "Neidio i’r cynnwys"
        assert i18n.gettext("Play from %(clock)s", clock="1:02") == "Chwarae o 1:02"
        assert i18n.format_day(dt.date(2026, 12, 2)) == "2 Rhagfyr 2026"
    assert i18n.gettext("Skip to content") == "Skip to content"  # outside use(): the msgid


def test_the_default_questions_have_welsh_and_translations_never_touch_chaptering(tmp_path: Path):
    qs = load_questions()
    assert all(q.in_language("cy")[0] != q.title and q.in_language("cy")[1] != q.question for q in qs)
    assert qs.questions[0].in_language("en") == (qs.questions[0].title, qs.questions[0].question)
    plain = tmp_path / "plain.toml"
    plain.write_text('[[question]]\nid = "rules"\ntitle = "Rules"\nquestion = "What rules did you break?"\n')
    welsh = tmp_path / "welsh.toml"
    welsh.write_text(plain.read_text() + '\n[question.cy]\ntitle = "Rheolau"\nquestion = "Pa reolau?"\n')
    a, b = load_questions(plain), load_questions(welsh)
    assert a.fingerprint == b.fingerprint and a.questions[0].bank == b.questions[0].bank
    assert b.questions[0].in_language("cy") == ("Rheolau", "Pa reolau?")
    bad = tmp_path / "bad.toml"
    bad.write_text(plain.read_text() + '\n[question.cy]\ntitel = "Rheolau"\n')
    with pytest.raises(ConfigError) as err:
        load_questions(bad)
    assert 'unknown key "cy.titel"' in str(err.value) and str(bad) in err.value.one_line()


@pytest.mark.parametrize("value, expected", [
    ('["cy"]', "one language (\"cy\") must be the show's language"),
    ('["cy", "xx"]', 'no catalogue for "xx"'),
    ('"cy"', "expected a list of language codes"),
    ('["cy", "cy"]', "each language once"),
])
def test_a_bad_languages_key_is_one_line_naming_the_file(tmp_path: Path, value: str, expected: str):
    (tmp_path / "learncast.toml").write_text(f'title = "Show"\nlanguages = {value}\n')
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    line = err.value.one_line()
    assert expected in line and "learncast.toml" in line and 'key "languages"' in line and "\n" not in line


# ---------------------------------------------------------------- a bilingual site


def _transcript() -> Transcript:
    segs = (Segment(0.0, 8.0, "Welcome. What rules did you have to break?", INTERVIEWER),
            Segment(8.0, 30.0, "We stopped asking for a signed referral form.", INTERVIEWEE),
            Segment(30.0, 40.0, "Which relationships were important to build?", INTERVIEWER),
            Segment(40.0, 58.0, "The ones with the frontline staff, and trust took months.", INTERVIEWEE),
            Segment(58.0, 60.0, "Thank you.", INTERVIEWER))
    chapters = (Chapter(0.0, 2.0, "intro", "Introduction", 1.0),
                Chapter(2.0, 30.0, "rules", "Rules you had to break", 0.9),
                Chapter(30.0, 58.0, "relationships", "Relationships and trust", 0.3),
                Chapter(58.0, 60.0, "closing", "Closing", 1.0))
    return Transcript(language="en", engine="fake", model="fake", duration=60.0, segments=segs, chapters=chapters,
                      speakers={INTERVIEWER: "Sam", INTERVIEWEE: "Jane"}, reviewed=False)


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory) -> tuple[Config, Path]:
    root = tmp_path_factory.mktemp("bilingual")
    site = root / "site"
    config = Config(root=root, title="Dysgu o Newid", description="Practitioners on change.",
                    author="Capture team", owner_name="Capture team", owner_email="capture@example.org",
                    base_url=BASE, interviewer="Sam Rivers", languages=LANGS)
    meta = RecordingMeta(interviewee="Jane Doe", role="Head of Service", description="How a rule was dropped.",
                         date=dt.date(2026, 11, 2))
    eps = [dataclasses.replace(episode(site, slug, title=f"{slug} on referrals", meta=meta, tr=_transcript(),
                                       video=(slug == "jane")),
                               page_url=config.page_url(slug),
                               quotes=(Quote(8.0, 12.0, "We stopped asking for a signed referral form.", "Jane"),),
                               themes=(Theme("rules", "Referrals"), Theme("relationships", "Trust")),
                               provenance={"engine": "fake", "model": "tiny", "transcribed_at": "2026-11-01",
                                           "reviewed": False, "edited_by_hand": True, "consent": "public",
                                           "redactions": 2})
           for slug in ("jane", "omar")]
    write_language_feeds(config, site, eps, load_questions())
    render_site(config, site, eps, load_questions(), workspace_root=root)
    return config, site


def pages(site: Path, lang: str) -> list[str]:
    return sorted(str(p.relative_to(site / lang)) for p in (site / lang).rglob("*.html"))


def test_every_page_is_in_both_languages_with_the_right_lang(bilingual):
    config, site = bilingual
    assert pages(site, "cy") == pages(site, "en")
    assert {"index.html", "questions/index.html", "questions/rules/index.html", "overview/index.html",
            "search/index.html", "episodes/jane/index.html"} <= set(pages(site, "cy"))
    assert not (site / "episodes" / "jane" / "index.html").exists()  # the media stay there, once
    chooser = lxml.html.parse(str(site / "index.html")).getroot()
    assert sorted(chooser.xpath("//main//a/@href")) == ["cy/index.html", "en/index.html"]
    assert chooser.xpath("//li[@lang='cy']//a/text()") == ["Cymraeg"]
    for lang in LANGS:
        for rel in pages(site, lang):
            doc = lxml.html.parse(str(site / lang / rel)).getroot()
            assert doc.get("lang") == lang, (lang, rel)
    episode = lxml.html.parse(str(site / "cy" / "episodes" / "jane" / "index.html")).getroot()
    spans = episode.xpath("//section[contains(@class,'transcript')]//span[@class='text']")
    assert spans and all(s.get("lang") == "en" for s in spans)  # an English interview on a Welsh page
    assert episode.xpath("//blockquote/@lang") == ["en"]
    assert episode.xpath("//h2[@class='chapter-heading']/text()")[1] == "Pa reolau y bu’n rhaid i chi eu torri?"
    english = lxml.html.parse(str(site / "en" / "episodes" / "jane" / "index.html")).getroot()
    assert not english.xpath("//*[@lang and not(self::html) and not(ancestor::nav)]")  # nothing to mark here
    # links from a language folder reach the one copy of the media
    hrefs = episode.xpath("//source/@src | //section[@class='downloads']//a/@href")
    targets = [posixpath.normpath(posixpath.join("cy/episodes/jane", h.split("?")[0])) for h in hrefs]
    assert (site / targets[0]).is_file() and targets[0] == "episodes/jane/video.mp4"
    assert set(targets) - {"cy/episodes/jane/chapters.vtt"} <= {f"episodes/jane/{n}" for n in (
        "transcript.vtt", "transcript.srt", "transcript.txt", "transcript.json", "chapters.json", "audio.mp3",
        "video.mp4")}, targets
    assert (site / "cy/episodes/jane/chapters.vtt").read_text().count("Rheolau y bu’n rhaid eu torri") == 1


def _english_strings() -> list[re.Pattern]:
    """Each English msgid whose Welsh differs, as a pattern over a whole text node."""
    out = []
    for message in read(LOCALE / "cy" / "LC_MESSAGES" / "messages.po"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for mid in ids:
            if mid in strings:
                continue
            text = re.escape(mid.replace("%%", "%"))
            out.append(re.compile(re.sub(r"%\\\(\w+\\\)[sd]", ".+?", text)))
    return out


def _interface_text(doc) -> list[str]:
    """Text nodes and labels outside passages in another language (marked lang) and the
    team's own words (titles, names, descriptions, quotes, takeaways, the transcript)."""
    team = {"h1", "blockquote"}
    out = []
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        marked = [a for a in el.iterancestors() if a.get("lang") and a.tag != "html"]
        if marked or el.get("lang") and el.tag != "html" or el.tag in team:
            continue
        if el.get("class") in ("speaker", "text", "interviewee", "role", "lede", "citation", "site-title",
                               "byline", "quote-speaker") or el.getparent() is not None and \
                el.getparent().get("class") in ("takeaways", "learned"):
            continue
        out += [t.strip() for t in (el.text, el.tail) if t and t.strip()]
        out += [el.get(a).strip() for a in ("aria-label", "title", "alt", "label", "placeholder") if el.get(a)]
    return out


#: The fixture's own words (a role, the titles) that a label may quote: not interface text.
TEAM_WORDS = ("Head of Service", "jane on referrals", "omar on referrals")


def test_welsh_pages_have_no_english_interface_text_left(bilingual):
    config, site = bilingual
    english = _english_strings()
    checked = 0
    for rel in pages(site, "cy"):
        doc = lxml.html.parse(str(site / "cy" / rel)).getroot()
        for text in _interface_text(doc):
            for words in TEAM_WORDS:  # the team's words inside a label ("the answer by Jane Doe, Head of Service")
                text = text.replace(words, "…")
            for piece in re.split(r"\s*·\s*", text):
                hit = [p.pattern for p in english if p.fullmatch(piece)]
                assert not hit, (rel, piece, hit)
                checked += 1
    assert checked > 200
    # and the English pages do say them, so the check above can fail
    doc = lxml.html.parse(str(site / "en" / "episodes" / "jane" / "index.html")).getroot()
    assert any(p.fullmatch("About this transcript") for p in english)
    assert {"About this transcript", "Corrected by hand", "Downloads"} <= set(_interface_text(doc))


#: The downloads the publish stage writes beside the media (the first test checks their links).
PUBLISHED = {"transcript.vtt", "transcript.srt", "transcript.txt", "transcript.json", "chapters.json"}


def _local_links(doc) -> list[str]:
    out = []
    for value in doc.xpath("//@src | //@href | //@data-src"):
        if "://" in value or value.startswith(("#", "mailto:", "data:")):
            continue
        out.append(value.split("#")[0].split("?")[0])
    return [v for v in out if v]


def test_every_link_and_source_on_a_welsh_page_reaches_a_file(bilingual):
    """Playlists, quote pages and cards, handouts and theme pages, from site/cy/..., reach the
    one copy of the media in site/episodes/<slug>/ and the other pages of their language."""
    config, site = bilingual
    kinds = set()
    for lang in LANGS:
        for rel in pages(site, lang):
            doc = lxml.html.parse(str(site / lang / rel)).getroot()
            here = posixpath.dirname(f"{lang}/{rel}")
            for href in _local_links(doc):
                target = posixpath.normpath(posixpath.join(here, href))
                assert not target.startswith(".."), (lang, rel, href)
                path = site / target
                if posixpath.basename(target) in PUBLISHED or "/pagefind/" in f"/{target}":
                    continue  # written by the publish stage and the search index, which this fixture skips
                assert path.is_file() or (path / "index.html").is_file(), (lang, rel, href)
                kinds.add(posixpath.basename(rel) if "quote-" not in rel else "quote")
    assert {"handout.html", "quote", "index.html"} <= kinds
    cy = site / "cy"
    question = lxml.html.parse(str(cy / "questions" / "rules" / "index.html")).getroot()
    assert question.xpath("//article[@class='answer']/@data-src") == ["../../../episodes/jane/audio.mp3",
                                                                       "../../../episodes/omar/audio.mp3"] or \
        all(s.endswith("/audio.mp3") for s in question.xpath("//article[@class='answer']/@data-src"))
    box = question.xpath("//section[@data-playlist]")[0]  # playlist.js fills these in; it never translates
    assert box.get("data-now") == "Yn chwarae ateb {n} o {total}: {who}" and "{total}" in box.get("data-done")
    assert question.xpath("//button[@data-playlist-play]/@data-pause-label") == ["Oedi"]
    assert question.xpath("//a[@href='handout.html']") and (cy / "questions" / "rules" / "handout.html").is_file()
    handout = lxml.html.parse(str(cy / "questions" / "rules" / "handout.html")).getroot()
    assert handout.xpath("//p[@class='lede']/span[@class='handout-url']/text()") == [f"{BASE}cy/questions/rules/"]
    quotes = sorted((cy / "episodes" / "jane").glob("quote-*.html"))
    assert quotes and not list((site / "episodes" / "jane").glob("quote-*.html"))  # pages in the language's folder
    page = lxml.html.parse(str(quotes[0])).getroot()
    assert page.xpath("//img[contains(@class,'quote-card')]/@src")[0].startswith("../../../episodes/jane/quote-card-")
    og = dict((m.get("property"), m.get("content")) for m in page.xpath("//meta[@property]"))
    assert og["og:url"] == f"{BASE}cy/episodes/jane/{quotes[0].name}" and og["og:locale"] == "cy_GB"
    assert og["og:image"].startswith(f"{BASE}episodes/jane/quote-card-")
    episode = lxml.html.parse(str(cy / "episodes" / "jane" / "index.html")).getroot()
    assert episode.xpath("//a[@class='quote-share']/@href") == [og["og:url"]]
    import json

    ld = json.loads(episode.xpath("//script[@type='application/ld+json']/text()")[0])
    assert ld["inLanguage"] == "en"  # the interview is in English, whatever the page's language
    quote_ld = json.loads(page.xpath("//script[@type='application/ld+json']/text()")[0])
    assert quote_ld["inLanguage"] == "en" and quote_ld["url"] == og["og:url"]
    themes = lxml.html.parse(str(cy / "themes" / "index.html")).getroot()
    assert sorted(themes.xpath("//ul[@class='theme-index']//a/@href")) == ["../themes/referrals/index.html",
                                                                           "../themes/trust/index.html"]
    assert (cy / "themes" / "trust" / "index.html").is_file() and (site / "en" / "themes" / "trust" / "index.html").is_file()


def test_each_switch_leads_to_the_counterpart_and_hreflang_pairs_are_reciprocal(bilingual):
    config, site = bilingual
    for lang, other in (("cy", "en"), ("en", "cy")):
        for rel in pages(site, lang):
            doc = lxml.html.parse(str(site / lang / rel)).getroot()
            switch = doc.xpath("//nav[contains(@class,'language-switch')]//a")
            assert [a.get("hreflang") for a in switch] == [other], (lang, rel)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(f"{lang}/{rel}"), switch[0].get("href")))
            assert target == f"{other}/{rel}", (lang, rel)
            assert switch[0].get("lang") == other and switch[0].text == i18n.NATIVE_NAMES[other]
            alternates = {l.get("hreflang"): l.get("href") for l in doc.xpath("//link[@rel='alternate'][@hreflang]")}
            assert set(alternates) == {"cy", "en", "x-default"}
            assert alternates["x-default"] == BASE  # the language chooser, site/index.html
            mine = alternates[lang]
            path = urlsplit(alternates[other]).path.removeprefix(urlsplit(BASE).path)
            back = site / (path + "index.html" if path.endswith("/") or not path else path)
            theirs = {l.get("hreflang"): l.get("href")
                      for l in lxml.html.parse(str(back)).getroot().xpath("//link[@rel='alternate'][@hreflang]")}
            assert theirs[lang] == mine, (lang, rel)


def test_one_search_page_and_labels_per_language(bilingual):
    config, site = bilingual
    import json

    box = lxml.html.parse(str(site / "cy" / "search" / "index.html")).getroot().xpath("//div[@id='search']")[0]
    labels = json.loads(box.get("data-labels"))
    assert labels["placeholder"] == "Chwilio" and "[SEARCH_TERM]" in labels["zero_results"]
    assert box.get("data-root") == "../"  # site/cy/: its own pagefind/ index


def test_one_feed_per_language_each_within_the_rules_and_read_by_real_parsers(bilingual):
    config, site = bilingual
    guids = set()
    for lang in LANGS:
        data = (site / lang / "feed.xml").read_bytes()
        ch = parse(data).find("channel")
        assert ch.findtext("language") == lang
        assert ch.findtext("title") == config.title and ch.findtext("description") == config.description
        assert ch.findtext("link") == f"{BASE}{lang}/"
        assert ch.find("itunes:image", NS).get("href") == BASE + "artwork.jpg"
        assert ch.find("atom:link[@rel='self']", NS).get("href") == f"{BASE}{lang}/feed.xml"
        for key in ("itunes:author", "itunes:owner/itunes:email", "itunes:explicit"):
            assert ch.findtext(key, namespaces=NS), key
        guids.add(ch.findtext("podcast:guid", namespaces=NS))
        items = ch.findall("item")
        assert len(items) == 2
        for item in items:
            assert item.findtext("link").startswith(f"{BASE}{lang}/episodes/")
            assert item.find("enclosure").get("url").startswith(f"{BASE}episodes/")  # one copy of the media
            assert item.findtext("guid") and item.findtext("pubDate") and item.findtext("itunes:duration", namespaces=NS)
            assert len(item.findtext("description")) <= 4000
        notes = items[0].findtext("content:encoded", namespaces=NS)
        assert ("Adrannau:" in notes and "Darllen y trawsgrifiad llawn" in notes and "Chapters:" not in notes
                and "Rheolau y bu’n rhaid eu torri" in notes and "Cyflwyniad" in notes
                if lang == "cy" else "Chapters:" in notes and "Read the full transcript" in notes
                and "Rules you had to break" in notes)
        parsed = feedparser.parse(data)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.feed.language == lang and len(parsed.entries) == 2
        gpodder = podcastparser.parse(f"{BASE}{lang}/feed.xml", io.BytesIO(data))
        assert [e["guid"] for e in gpodder["episodes"]] == [i.findtext("guid") for i in items]
    assert len(guids) == 2  # two shows to a directory
    assert (site / "cy" / "video.xml").is_file() and parse((site / "cy" / "video.xml").read_bytes()) \
        .findtext("channel/language") == "cy"


def test_switching_a_site_to_two_languages_removes_the_one_language_pages(tmp_path: Path):
    site = tmp_path / "site"
    config = Config(root=tmp_path, title="Show", base_url=BASE)
    eps = [dataclasses.replace(episode(site, "jane", tr=_transcript()), page_url=config.page_url("jane"),
                               quotes=(Quote(8.0, 12.0, "We stopped asking for a signed referral form.", "Jane"),),
                               themes=(Theme("rules", "Referrals"),))]
    render_site(config, site, eps, load_questions(), workspace_root=tmp_path)
    assert (site / "episodes" / "jane" / "index.html").is_file() and (site / "questions" / "rules").is_dir()
    assert list((site / "episodes" / "jane").glob("quote-*.html")) and (site / "themes" / "referrals").is_dir()
    (site / "questions" / "mine").mkdir()  # a person's folder is never removed
    both = dataclasses.replace(config, languages=LANGS)
    render_site(both, site, eps, load_questions(), workspace_root=tmp_path)
    assert not (site / "episodes" / "jane" / "index.html").exists() and (site / "episodes" / "jane" / "audio.mp3").is_file()
    assert not (site / "questions" / "rules").exists() and (site / "questions" / "mine").is_dir()
    assert not list((site / "episodes" / "jane").glob("quote-*.html"))  # now in cy/ and en/
    assert list((site / "episodes" / "jane").glob("quote-card-*.png")) and not (site / "themes" / "referrals").exists()
    assert (site / "cy" / "episodes" / "jane" / "index.html").is_file()
    assert "Cymraeg" in (site / "index.html").read_text() and (site / "en" / "questions" / "rules" / "index.html").is_file()


@pytest.mark.usefixtures("fake_engine", "no_speakers")
def test_a_bilingual_build_writes_each_language_its_pages_feeds_and_search_index(workspace: Path, run):
    from conftest import make_tone

    config = workspace / "learncast.toml"
    config.write_text(config.read_text() + '\nlanguages = ["cy", "en"]\n')
    make_tone(workspace / "media" / "Jane Doe.mp3", 8.0)
    report = run(workspace)
    assert report.exit_code == 0, [r.message for r in report.failed]
    site = workspace / "site"
    for lang in LANGS:
        assert parse((site / lang / "feed.xml").read_bytes()).findtext("channel/language") == lang
        assert (site / lang / "pagefind" / "pagefind-entry.json").is_file()
        doc = lxml.html.parse(str(site / lang / "episodes" / "jane-doe" / "index.html")).getroot()
        assert doc.get("lang") == lang
    assert (site / "episodes" / "jane-doe" / "audio.mp3").is_file()
    assert not (site / "feed.xml").exists() and "Cymraeg" in (site / "index.html").read_text()
    welsh = (site / "cy" / "episodes" / "jane-doe" / "index.html").read_text()
    assert "Lawrlwythiadau" in welsh and "Downloads" not in welsh
    from pipeline.status import recording_states
    from pipeline.workspace import Workspace

    ws = Workspace.open(workspace)
    assert ws.episode_page("jane-doe") == site / "cy" / "episodes" / "jane-doe" / "index.html"
    assert [s.state for s in recording_states(ws)] == ["published"]


def test_a_welsh_shows_reading_pack_is_in_welsh(bilingual):
    import docx

    from pipeline.pages import views
    from pipeline.publish.reading_packs import episode_pack

    config, site = bilingual
    ep = dataclasses.replace(episode(site, "pack", meta=RecordingMeta(interviewee="Jane Doe", date=dt.date(2026, 11, 2)),
                                     tr=_transcript()), provenance={"engine": "fake", "model": "tiny"})
    questions = {q.id: q for q in load_questions()}
    with i18n.use("cy"):
        view = views.episode_view(ep, config, questions, folder=site / "episodes" / "pack")
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(episode_pack(view, config))).paragraphs)
    assert "Cyfwelai: Jane Doe" in text and "Gwrando a darllen ar-lein" in text and "Cynnwys" in text
    assert "Pa reolau y bu’n rhaid i chi eu torri?" in text and "Interviewee" not in text
