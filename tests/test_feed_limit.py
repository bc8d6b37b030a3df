"""The feed's size limits: ``feed_limit`` and ``feed_max_kb`` in learncast.toml.

feed.xml keeps the newest episodes within both limits; older ones move to RFC 5005
archive pages (feed-2.xml, ...) that link each other, with every item and guid exactly
as it was; the site still lists every episode; a bad value is reported like any other key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree

from pipeline.chapters.questions import Question, QuestionSet
from pipeline.config import DEFAULT_FEED_LIMIT, DEFAULT_FEED_MAX_KB, Config, load_config
from pipeline.errors import ConfigError
from pipeline.models import Chapter, Episode
from pipeline.pages import render_site
from pipeline.publish.feed import build_feed, build_feed_pages, page_name, write_feeds
from test_publish import BASE, NS, episode, transcript

UTC = dt.timezone.utc


def config_with(tmp_path: Path, **limits) -> Config:
    return Config(root=tmp_path, title="Learning from the Frontline", description="Practitioners on change.",
                  author="Capture team", owner_email="capture@example.org", base_url=BASE, **limits)


def show(tmp_path: Path, count: int, *, video_every: int = 0) -> list[Episode]:
    """``count`` episodes, newest first (as the publish stage orders them), one day apart."""
    site = tmp_path / "site"
    newest = dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    return [episode(site, f"ep-{i:03d}", title=f"Interview {count - i}", size=500 + i,
                    video=bool(video_every) and i % video_every == 0, when=newest - dt.timedelta(days=i))
            for i in range(count)]


def root_of(xml: bytes) -> etree._Element:
    return etree.fromstring(xml, etree.XMLParser(recover=False, resolve_entities=False))


def guids(xml: bytes) -> list[str]:
    return root_of(xml).xpath("channel/item/guid/text()")


def paging(xml: bytes) -> dict[str, str]:
    """rel -> href of the channel's atom:link elements (self included)."""
    links = root_of(xml).findall("channel/atom:link", NS)
    return {link.get("rel"): link.get("href") for link in links}


def items_by_guid(xml: bytes) -> dict[str, bytes]:
    return {item.findtext("guid"): etree.tostring(item, with_tail=False) for item in root_of(xml).findall("channel/item")}


# ---------------------------------------------------------------- configuration


def test_defaults_and_values_from_learncast_toml(tmp_path: Path):
    (tmp_path / "learncast.toml").write_text("", encoding="utf-8")
    cfg = load_config(tmp_path)
    assert (cfg.feed_limit, cfg.feed_max_kb) == (DEFAULT_FEED_LIMIT, DEFAULT_FEED_MAX_KB) == (100, 2000)
    (tmp_path / "learncast.toml").write_text("feed_limit = 25\nfeed_max_kb = 0\n", encoding="utf-8")
    cfg = load_config(tmp_path)
    assert (cfg.feed_limit, cfg.feed_max_kb) == (25, 0)


def test_the_init_template_documents_both_keys(workspace: Path):
    text = (workspace / "learncast.toml").read_text(encoding="utf-8")
    assert "\nfeed_limit = 100\n" in text and "\nfeed_max_kb = 2000\n" in text
    assert "feed-2.xml" in text  # says where older episodes go
    cfg = load_config(workspace)
    assert (cfg.feed_limit, cfg.feed_max_kb) == (100, 2000)


@pytest.mark.parametrize(("line", "expected"), [
    ("feed_limit = -1", 'key "feed_limit": expected 0 (no limit) or a whole number of episodes from 1 to 100000, got -1'),
    ('feed_limit = "all"', 'key "feed_limit": expected 0 (no limit) or a whole number of episodes from 1 to 100000, '
                           "got a string"),
    ("feed_limit = 2.5", 'key "feed_limit": expected 0 (no limit) or a whole number of episodes from 1 to 100000, '
                         "got a number"),
    ("feed_limit = true", 'key "feed_limit": expected 0 (no limit) or a whole number of episodes from 1 to 100000, '
                          "got true/false"),
    ("feed_max_kb = 50", 'key "feed_max_kb": expected 0 (no limit) or a whole number of kB from 100 to 1000000, '
                         "got 50"),
    ("feed_max_kb = 2000000", 'key "feed_max_kb": expected 0 (no limit) or a whole number of kB from 100 to 1000000, '
                              "got 2000000"),
])
def test_a_bad_value_names_the_file_the_key_and_what_is_expected(tmp_path: Path, line: str, expected: str):
    path = tmp_path / "learncast.toml"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert info.value.lines() == [f"{path}: {expected}"]


def test_bad_limits_are_reported_with_every_other_problem(tmp_path: Path):
    (tmp_path / "learncast.toml").write_text('feed_limit = "lots"\nfeed_max_kb = 1\nfeed_limt = 5\ntitle = 3\n',
                                             encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    text = "\n".join(info.value.lines())
    assert len(info.value.problems) == 4
    assert 'key "feed_limit"' in text and 'key "feed_max_kb"' in text and 'key "title"' in text
    assert 'unknown key "feed_limt" (did you mean "feed_limit"?)' in text


# ---------------------------------------------------------------- pages of the feed


def test_a_show_within_the_limits_is_one_feed_without_paging_links(tmp_path: Path):
    episodes = show(tmp_path, 5)
    cfg = config_with(tmp_path)
    pages = build_feed_pages(cfg, episodes)
    assert len(pages) == 1 and pages[0] == build_feed(cfg, episodes)
    assert guids(pages[0]) == [e.guid for e in episodes]
    assert paging(pages[0]) == {"self": BASE + "feed.xml"}
    # No limits at all: the same document.
    assert build_feed_pages(config_with(tmp_path, feed_limit=0, feed_max_kb=0), episodes) == pages


def test_feed_limit_keeps_the_newest_and_pages_the_rest(tmp_path: Path):
    episodes = show(tmp_path, 7)
    pages = build_feed_pages(config_with(tmp_path, feed_limit=3, feed_max_kb=0), episodes)
    assert [len(guids(p)) for p in pages] == [3, 3, 1]
    assert guids(pages[0]) == [e.guid for e in episodes[:3]]  # the three newest, newest first
    newest = max(episodes, key=lambda e: e.pub_date)
    assert guids(pages[0])[0] == newest.guid
    everything = [g for p in pages for g in guids(p)]
    assert everything == [e.guid for e in episodes]  # each episode once, in order
    assert build_feed(config_with(tmp_path, feed_limit=3, feed_max_kb=0), episodes) == pages[0]


def test_items_and_guids_are_the_same_on_whichever_page_they_land(tmp_path: Path):
    episodes = show(tmp_path, 7)
    whole = items_by_guid(build_feed(config_with(tmp_path, feed_limit=0, feed_max_kb=0), episodes))
    for limit in (1, 2, 3, 6):
        pages = build_feed_pages(config_with(tmp_path, feed_limit=limit, feed_max_kb=0), episodes)
        paged = {g: item for p in pages for g, item in items_by_guid(p).items()}
        assert paged == whole
    # A new episode pushes the oldest to the next page; every guid stays as it was.
    before = build_feed_pages(config_with(tmp_path, feed_limit=3, feed_max_kb=0), episodes[1:])
    after = build_feed_pages(config_with(tmp_path, feed_limit=3, feed_max_kb=0), episodes)
    assert guids(after[0]) == [episodes[0].guid] + guids(before[0])[:2]
    assert guids(after[1])[0] == guids(before[0])[2]


def test_pages_link_each_other_as_rfc_5005_says(tmp_path: Path):
    pages = build_feed_pages(config_with(tmp_path, feed_limit=2, feed_max_kb=0), show(tmp_path, 5))
    assert len(pages) == 3
    url = [BASE + "feed.xml", BASE + "feed-2.xml", BASE + "feed-3.xml"]
    assert paging(pages[0]) == {"self": url[0], "first": url[0], "next": url[1], "last": url[2]}
    assert paging(pages[1]) == {"self": url[1], "first": url[0], "previous": url[0], "next": url[2],
                                "last": url[2]}
    assert paging(pages[2]) == {"self": url[2], "first": url[0], "previous": url[1], "last": url[2]}
    for page in pages:  # one show: the same channel, the main feed's podcast:guid on every page
        channel = root_of(page).find("channel")
        assert channel.findtext("title") == "Learning from the Frontline"
        assert channel.findtext("podcast:guid", namespaces=NS) == root_of(pages[0]).findtext(
            "channel/podcast:guid", namespaces=NS)
        assert channel.findtext("link") == BASE


def test_feed_readers_read_every_page_and_follow_next(tmp_path: Path):
    episodes = show(tmp_path, 5)
    pages = build_feed_pages(config_with(tmp_path, feed_limit=2, feed_max_kb=0), episodes)
    seen = []
    url = BASE + "feed.xml"
    while url:  # what gPodder does: podcastparser hands back rel="next" as paged_feed_next
        page = pages[[BASE + page_name("feed.xml", n) for n in range(1, len(pages) + 1)].index(url)]
        parsed = podcastparser.parse(url, io.BytesIO(page))
        seen += [e["guid"] for e in parsed["episodes"]]
        url = parsed.get("paged_feed_next")
        assert not feedparser.parse(page).bozo
    assert sorted(seen) == sorted(e.guid for e in episodes)


def test_feed_max_kb_keeps_every_page_under_the_budget(tmp_path: Path):
    episodes = show(tmp_path, 120)  # about 3 kB an item
    whole = build_feed(config_with(tmp_path, feed_limit=0, feed_max_kb=0), episodes)
    budget_kb = 100
    assert len(whole) > 2 * budget_kb * 1000  # the test needs a feed several pages long
    pages = build_feed_pages(config_with(tmp_path, feed_limit=0, feed_max_kb=budget_kb), episodes)
    assert len(pages) >= 3
    assert all(len(p) <= budget_kb * 1000 for p in pages)
    assert [g for p in pages for g in guids(p)] == [e.guid for e in episodes]
    item = max(len(i) for i in items_by_guid(whole).values())
    assert all(len(p) > budget_kb * 1000 - item - 1000 for p in pages[:-1])  # pages are filled, not sparse
    # Both limits at once: whichever is reached first.
    both = build_feed_pages(config_with(tmp_path, feed_limit=5, feed_max_kb=budget_kb), episodes)
    assert all(len(guids(p)) <= 5 and len(p) <= budget_kb * 1000 for p in both)


def test_an_episode_bigger_than_the_budget_gets_a_page_of_its_own(tmp_path: Path, caplog):
    site = tmp_path / "site"
    when = dt.datetime(2026, 1, 1, 9, tzinfo=UTC)
    many = tuple(Chapter(i * 2.0, i * 2.0 + 2.0, "q", f"Chapter {i} " + "x" * 40) for i in range(2000))
    big = episode(site, "big", tr=transcript(duration=4000.0, chapters=many), when=when + dt.timedelta(days=1))
    small = [episode(site, f"s{i}", when=when - dt.timedelta(days=i)) for i in range(3)]
    with caplog.at_level(logging.WARNING, logger="pipeline.publish.feed"):
        pages = build_feed_pages(config_with(tmp_path, feed_limit=0, feed_max_kb=100), [big, *small])
    assert [guids(p) for p in pages] == [[big.guid], [e.guid for e in small]]
    assert len(pages[0]) > 100_000 and len(pages[1]) <= 100_000
    assert "over feed_max_kb 100" in caplog.text


def test_no_episodes_is_still_one_feed(tmp_path: Path):
    pages = build_feed_pages(config_with(tmp_path, feed_limit=2), [])
    assert len(pages) == 1 and guids(pages[0]) == []


# ---------------------------------------------------------------- files in site/


def test_write_feeds_writes_every_page_and_removes_those_no_longer_needed(tmp_path: Path):
    site = tmp_path / "site"
    episodes = show(tmp_path, 7, video_every=2)  # 4 of them have video
    cfg = config_with(tmp_path, feed_limit=3, feed_max_kb=0)
    (site / "feed-notes.xml").write_text("a person's file")
    (site / "feed-1.xml").write_text("not a page Learncast writes")
    paths = write_feeds(cfg, site, episodes)
    assert paths == [site / "feed.xml", site / "feed-2.xml", site / "feed-3.xml", site / "video.xml",
                     site / "video-2.xml"]
    assert [len(guids(p.read_bytes())) for p in paths] == [3, 3, 1, 3, 1]
    assert guids((site / "video.xml").read_bytes()) == [e.guid for e in episodes if e.video is not None][:3]
    # Fewer episodes: the pages past the last are removed, nothing else is.
    assert write_feeds(cfg, site, episodes[:4]) == [site / "feed.xml", site / "feed-2.xml", site / "video.xml"]
    assert not (site / "feed-3.xml").exists() and not (site / "video-2.xml").exists()
    # No video any more: the video feed and its pages go.
    write_feeds(cfg, site, [e for e in episodes if e.video is None])
    assert not list(site.glob("video*.xml"))
    assert (site / "feed-notes.xml").read_text() == "a person's file"
    assert (site / "feed-1.xml").exists()


def test_unchanged_pages_are_not_rewritten(tmp_path: Path):
    site = tmp_path / "site"
    episodes = show(tmp_path, 5)
    cfg = config_with(tmp_path, feed_limit=2, feed_max_kb=0)
    write_feeds(cfg, site, episodes)
    mtimes = {p: p.stat().st_mtime_ns for p in site.glob("feed*.xml")}
    write_feeds(cfg, site, episodes)
    assert {p: p.stat().st_mtime_ns for p in site.glob("feed*.xml")} == mtimes


def test_the_site_lists_every_episode_whatever_the_feed_holds(tmp_path: Path):
    site = tmp_path / "site"
    episodes = show(tmp_path, 6)
    cfg = config_with(tmp_path, feed_limit=2, feed_max_kb=0)
    write_feeds(cfg, site, episodes)
    questions = QuestionSet((Question("rules", "What rules did you have to break?", "Rules"),))
    render_site(cfg, site, episodes, questions, workspace_root=tmp_path)
    index = (site / "index.html").read_text(encoding="utf-8")
    rules = (site / "questions" / "rules" / "index.html").read_text(encoding="utf-8")
    for ep in episodes:
        assert (site / "episodes" / ep.slug / "index.html").is_file()
        assert f"episodes/{ep.slug}/index.html" in index
        assert f"episodes/{ep.slug}/index.html" in rules
    assert len(guids((site / "feed.xml").read_bytes())) == 2


def test_the_video_feed_pages_have_their_own_names_and_guid(tmp_path: Path):
    episodes = [dataclasses.replace(e, video=e.audio) for e in show(tmp_path, 3)]
    pages = build_feed_pages(config_with(tmp_path, feed_limit=2, feed_max_kb=0), episodes, video=True)
    assert paging(pages[1])["self"] == BASE + "video-2.xml"
    assert paging(pages[0])["next"] == BASE + "video-2.xml"
    guid = {root_of(p).findtext("channel/podcast:guid", namespaces=NS) for p in pages}
    main = root_of(build_feed(config_with(tmp_path), episodes)).findtext("channel/podcast:guid", namespaces=NS)
    assert len(guid) == 1 and guid != {main}
