"""The feed's season, episode, licence, place, ownership text, image alt text, people's
links, copyright and lock: values as configured (learncast.toml and sidecars), checked
against the Podcasting 2.0 rules with lxml, then read by feedparser and podcastparser."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import feedparser
import podcastparser
import pytest

from pipeline.config import ConfigError, load_config, load_sidecar
from pipeline.models import RecordingMeta
from pipeline.publish.feed import build_feed
from pipeline.workspace import Workspace
from test_publish import BASE, NS, episode, parse

OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@pytest.fixture
def config(workspace: Path):
    (workspace / "learncast.toml").write_text('''
title = "Learning from the Frontline"
base_url = "https://example.org/learncast/"
owner_email = "capture@example.org"
copyright = "© 2026 Leeds City Council"
license = "OGL-UK-3.0"
verify_txt = ["S6lpp-7ZCn8-dZfGc-OoyaG"]
artwork_alt = "A green circle with the words Learning from the Frontline"
season = 1
season_name = "Leeds cohort 2026"
interviewer = "Sam Rivers"
interviewer_href = "https://example.org/people/sam"
interviewer_img = "https://example.org/people/sam.jpg"
''', encoding="utf-8")
    return load_config(workspace)


@pytest.fixture
def episodes(tmp_path: Path):
    site = tmp_path / "site"
    cardiff = RecordingMeta(interviewee="Jane Doe", role="Head of Service", season=2, season_name="Cardiff cohort",
                            episode=3, location="Cardiff, Wales", location_geo="geo:51.4816,-3.1791",
                            location_osm="R1625787", interviewee_href="https://example.org/people/jane",
                            interviewee_img="https://example.org/people/jane.jpg")
    plain = RecordingMeta(interviewee="Omar Said", episode=2.5)
    return [episode(site, "jane", meta=cardiff), episode(site, "omar", meta=plain)]


def one(parent, tag):
    found = parent.findall(tag, NS)
    assert len(found) == 1, f"{tag}: the spec allows one, found {len(found)}"
    return found[0]


def test_channel_tags_as_configured_and_within_the_rules(config, episodes):
    assert config.base_url == BASE
    ch = parse(build_feed(config, episodes)).find("channel")
    assert ch.findtext("copyright") == "© 2026 Leeds City Council"
    lic = one(ch, "podcast:license")
    assert lic.text == "OGL-UK-3.0" and lic.get("url") == OGL_URL and len(lic.text) <= 128
    txt = one(ch, "podcast:txt")
    assert (txt.text, txt.get("purpose")) == ("S6lpp-7ZCn8-dZfGc-OoyaG", "verify")
    image = one(ch, "podcast:image")
    assert image.get("href") == BASE + "artwork.jpg"  # the same picture as itunes:image
    assert image.get("href") == ch.find("itunes:image", NS).get("href")
    assert image.get("alt") == "A green circle with the words Learning from the Frontline"
    assert image.get("aspect-ratio") == "1/1" and image.get("purpose") == "artwork"
    locked = one(ch, "podcast:locked")
    assert locked.text == "yes" and locked.get("owner") == config.owner_email  # the default
    host = one(ch, "podcast:person")
    assert (host.text, host.get("href"), host.get("img")) == (
        "Sam Rivers", "https://example.org/people/sam", "https://example.org/people/sam.jpg")


def test_item_tags_from_the_sidecar_or_the_config(config, episodes):
    jane, omar = parse(build_feed(config, episodes)).findall("channel/item")
    season = one(jane, "podcast:season")
    assert (season.text, season.get("name")) == ("2", "Cardiff cohort")  # the sidecar's
    assert jane.findtext("itunes:season", namespaces=NS) == "2"
    assert one(jane, "podcast:episode").text == "3" and jane.findtext("itunes:episode", namespaces=NS) == "3"
    where = one(jane, "podcast:location")
    assert (where.text, where.get("geo"), where.get("osm")) == ("Cardiff, Wales", "geo:51.4816,-3.1791", "R1625787")
    people = {p.get("role"): p for p in jane.findall("podcast:person", NS)}
    assert people["guest"].text == "Jane Doe"
    assert people["guest"].get("href") == "https://example.org/people/jane"
    assert people["guest"].get("img") == "https://example.org/people/jane.jpg"
    assert people["host"].get("href") == "https://example.org/people/sam"
    # No season in the sidecar: the show's; a special's decimal number is podcast:episode only.
    season = one(omar, "podcast:season")
    assert (season.text, season.get("name")) == ("1", "Leeds cohort 2026")
    assert omar.findtext("itunes:season", namespaces=NS) == "1"
    assert one(omar, "podcast:episode").text == "2.5" and omar.find("itunes:episode", NS) is None
    assert omar.find("podcast:location", NS) is None
    guest = next(p for p in omar.findall("podcast:person", NS) if p.get("role") == "guest")
    assert guest.get("href") is None and guest.get("img") is None  # none given: none invented
    for item in (jane, omar):
        assert int(one(item, "podcast:season").text) >= 1
        float(one(item, "podcast:episode").text)


def test_without_the_keys_the_feed_has_none_of_them_and_stays_locked(config, episodes, tmp_path: Path):
    bare = dataclasses.replace(config, copyright="", license="", verify_txt=(), season=None, season_name="", artwork_alt="",
                               interviewer_href="", interviewer_img="")
    plain = [dataclasses.replace(e, recording=dataclasses.replace(e.recording, meta=RecordingMeta(interviewee="X")))
             for e in episodes]
    ch = parse(build_feed(bare, plain)).find("channel")
    assert ch.find("copyright") is None and ch.find("podcast:license", NS) is None
    assert ch.find("podcast:txt", NS) is None
    assert one(ch, "podcast:image").get("alt") == f"Cover art for {config.title}"
    assert one(ch, "podcast:locked").text == "yes"
    for item in ch.findall("item"):
        assert item.find("podcast:season", NS) is None and item.find("itunes:season", NS) is None
        assert item.find("podcast:episode", NS) is None
    custom = dataclasses.replace(bare, license="leeds-learning-v1", license_url="https://example.org/licence")
    lic = parse(build_feed(custom, plain)).find("channel/podcast:license", NS)
    assert (lic.text, lic.get("url")) == ("leeds-learning-v1", "https://example.org/licence")
    cc = parse(build_feed(dataclasses.replace(bare, license="CC-BY-4.0"), plain)).find("channel/podcast:license", NS)
    assert cc.text == "CC-BY-4.0" and cc.get("url") is None


def test_feed_readers_read_the_feed_with_the_new_tags(config, episodes):
    data = build_feed(config, episodes)
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.rights == "© 2026 Leeds City Council"
    assert parsed.entries[0].itunes_season == "2" and parsed.entries[0].itunes_episode == "3"
    gpodder = podcastparser.parse(BASE + "feed.xml", io.BytesIO(data))
    assert [e["guid"] for e in gpodder["episodes"]] == [e.guid for e in episodes]
    assert gpodder["episodes"][0]["number"] == 3 and gpodder["episodes"][0]["total_time"] == 600


def test_a_bad_season_in_a_sidecar_is_one_line_naming_the_file_and_the_fix(workspace: Path):
    (workspace / "media" / "jane.mp4").write_bytes(b"not read here")
    sidecar = workspace / "media" / "jane.toml"
    sidecar.write_text('season = "two"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_sidecar(sidecar)
    recordings, errors = Workspace.open(workspace).recordings()
    assert recordings == [] and len(errors) == 1
    line = errors[0].one_line()
    assert "\n" not in line and str(sidecar) in line
    assert 'key "season"' in line and "a whole number from 1 to 10000 such as season = 2" in line
    assert 'got "two"' in line and "Fix: correct the sidecar" in line
    assert caught.value.problems == [line.split(": ", 1)[1].split(". Fix:")[0]]


@pytest.mark.parametrize("line, expected", [
    ("episode = 0", "an episode number greater than 0"),
    ('location_geo = "Leeds"', '"geo:LATITUDE,LONGITUDE"'),
    ('location_osm = "118362"', "an OpenStreetMap id"),
    ('interviewee_img = "jane.jpg"', r"an http\(s\) URL"),
])
def test_other_bad_sidecar_values_name_the_key(tmp_path: Path, line: str, expected: str):
    sidecar = tmp_path / "x.toml"
    sidecar.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=expected):
        load_sidecar(sidecar)


@pytest.mark.parametrize("line, expected", [
    ('license = "my-licence"', 'add license_url = "https://..."'),
    ("locked = 1", "expected true or false"),
    ("season = 0", "a whole number from 1 to 10000"),
    ("verify_txt = [1]", "verification code"),
])
def test_bad_feed_keys_in_learncast_toml_name_the_key_and_the_fix(workspace: Path, line: str, expected: str):
    toml = workspace / "learncast.toml"
    key = line.split(" = ")[0]
    text = re.sub(rf"^{key} = .*$", "", toml.read_text(encoding="utf-8"), flags=re.M)  # the template's own
    toml.write_text(text + line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=expected) as caught:
        load_config(workspace)
    assert str(toml) in caught.value.lines()[0]
