"""Publish stage with real ffmpeg and real feed readers.

Media: loudness measured independently with ffmpeg's ebur128 filter, chapters read
back with ffprobe and mutagen. Feeds: checked with lxml/XPath against Apple's and the
Podcasting 2.0 rules, then parsed by feedparser and gPodder's podcastparser.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import hashlib
import io
import json
import re
import subprocess
import uuid
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree
from PIL import Image

from conftest import have, make_tone
from pipeline.config import Config
from pipeline.errors import BuildError, ConfigError, MediaError
from pipeline.ffmpeg import ffmpeg_exe, ffprobe_exe
from pipeline.models import (INTERVIEWEE, INTERVIEWER, Chapter, Episode, MediaFile, Recording,
                             RecordingMeta, Segment, Transcript, Word)
from pipeline.publish.artwork import default_artwork, publish_show_artwork, validate_artwork
from pipeline.publish.feed import build_feed, choose_soundbite, write_feeds
from pipeline.publish.media import encode_audio, encode_video, plan_loudness, poster_frame, tag_mp3
from pipeline.publish.podcast20 import podcast_guid

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "psc": "http://podlove.org/simple-chapters",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
BASE = "https://example.org/learncast/"
CHAPTERS = (
    Chapter(0.0, 7.5, "intro", "Welcome & <introductions>"),
    Chapter(7.5, 15.25, "rules", "Which rules = broken; #1?"),
    Chapter(15.25, 20.0, "closing", "Thanks ✨ — שלום"),
)


# ---------------------------------------------------------------- helpers


def ffprobe_json(path: Path, *args: str) -> dict:
    exe = ffprobe_exe()
    if not exe:
        pytest.skip("ffprobe not installed")
    out = subprocess.run([exe, "-v", "error", "-print_format", "json", *args, str(path)],
                         check=True, capture_output=True).stdout
    return json.loads(out)


def loudness(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) measured by ffmpeg's EBU R128 meter."""
    err = subprocess.run([ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-i", str(path),
                          "-map", "0:a:0", "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    summary = err[err.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak


def make_speechlike(path: Path, seconds: float, *, channels: int = 2, video: bool = False) -> Path:
    """A quiet (about -39 LUFS) tone-plus-pink-noise recording, so normalising has work to do."""
    args = [ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error"]
    if video:
        args += ["-f", "lavfi", "-i", f"testsrc2=s=320x180:r=5:d={seconds}"]
    args += ["-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=48000:duration={seconds}",
             "-f", "lavfi", "-i", f"anoisesrc=d={seconds}:c=pink:a=0.05:r=48000:seed=7"]
    a, n = (1, 2) if video else (0, 1)
    layout = "pan=stereo|c0=c0|c1=0.5*c0" if channels == 2 else "anull"
    args += ["-filter_complex", f"[{a}]volume=0.05[t];[t][{n}]amix=inputs=2:normalize=0,{layout}[m]",
             "-map", "[m]"]
    if video:  # MPEG-4 part 2 in Matroska: the MP4 must be re-encoded to H.264
        args += ["-map", "0:v", "-c:v", "mpeg4", "-c:a", "pcm_s16le"]
    subprocess.run([*args, str(path)], check=True)
    return path


def stream_md5(path: Path, stream: str) -> str:
    out = subprocess.run([ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-i", str(path), "-map", stream,
                          "-c", "copy", "-f", "md5", "-"], capture_output=True, text=True, check=True).stdout
    return out.strip()


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def stereo_mp3(media: Path) -> Path:
    src = make_speechlike(media / "talk.wav", 20.0, channels=2)
    dest = media / "site" / "audio.mp3"
    encode_audio(src, dest, channels=2)
    return dest


# ---------------------------------------------------------------- audio


def test_mp3_is_normalised_to_minus_16_lufs(stereo_mp3: Path, media: Path):
    before, _ = loudness(media / "talk.wav")
    integrated, peak = loudness(stereo_mp3)
    assert before < -30  # the source really was quiet
    assert plan_loudness(media / "talk.wav").prefilter == ""  # a steady signal: linear gain only
    assert abs(integrated - (-16.0)) <= 1.0, integrated
    assert peak <= -1.0, peak
    stream = ffprobe_json(stereo_mp3, "-show_streams")["streams"][0]
    assert (stream["codec_name"], int(stream["sample_rate"]), stream["channels"]) == ("mp3", 44100, 2)
    assert int(stream["bit_rate"]) == 128000


SPEECH = ("We stopped asking every family for a signed referral form before we would see them. "
          "It sounds small, but the form was the reason the waiting list grew. Once the health "
          "visitors could refer by phone, the list fell by half in a month, and nobody in the team "
          "wanted to go back. The hard part was convincing the finance people that the risk was manageable.")


@pytest.mark.skipif(not have("espeak-ng"), reason="espeak-ng not installed")
def test_peaky_speech_is_prelimited_then_normalised(tmp_path: Path):
    """Speech peaks far above its average: linear gain alone would clip, so it is pre-limited."""
    src = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-s", "165", "-w", str(src), SPEECH], check=True, capture_output=True)
    assert float(ffprobe_json(src, "-show_format")["format"]["duration"]) >= 20
    before, before_peak = loudness(src)
    assert before_peak - before > 15  # more peak-to-loudness than -16 LUFS / -1 dBTP allows
    dest = tmp_path / "speech.mp3"
    encode_audio(src, dest, channels=1)
    assert plan_loudness(src).prefilter.startswith("volume=")
    integrated, peak = loudness(dest)
    assert abs(integrated - (-16.0)) <= 1.0 and peak <= -1.0, (integrated, peak)


def test_mono_stays_mono_and_encoding_is_deterministic(tmp_path: Path):
    src = make_tone(tmp_path / "mono.wav", 3.0, channels=1)
    first, second = tmp_path / "a.mp3", tmp_path / "b.mp3"
    encode_audio(src, first, channels=1)
    encode_audio(src, second, channels=1)
    stream = ffprobe_json(first, "-show_streams")["streams"][0]
    assert (stream["channels"], int(stream["bit_rate"])) == (1, 64000)
    assert first.read_bytes() == second.read_bytes()
    assert not list(tmp_path.glob(".*.tmp*"))  # no temporary files left behind


def test_silent_audio_still_encodes(tmp_path: Path):
    src = tmp_path / "silence.wav"
    subprocess.run([ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                    "anullsrc=r=44100:cl=mono", "-t", "2", str(src)], check=True)
    encode_audio(src, tmp_path / "s.mp3", channels=1)
    assert float(ffprobe_json(tmp_path / "s.mp3", "-show_format")["format"]["duration"]) == pytest.approx(2, abs=0.2)


def test_unreadable_source_is_a_media_error(tmp_path: Path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(MediaError) as err:
        encode_audio(bad, tmp_path / "out.mp3", channels=1)
    assert "broken.mp4" in err.value.one_line()
    assert not (tmp_path / "out.mp3").exists()


# ---------------------------------------------------------------- ID3


def test_tag_mp3_writes_id3v23_text_cover_and_chapters(stereo_mp3: Path, tmp_path: Path):
    from mutagen.id3 import ID3, CTOCFlags

    mp3 = tmp_path / "tagged.mp3"
    mp3.write_bytes(stereo_mp3.read_bytes())
    cover = tmp_path / "cover.jpg"
    default_artwork("Cover", cover)
    urls = [f"https://example.org/e/#ch-{i}" for i in range(len(CHAPTERS))]
    kwargs = dict(title="Jane <Doe> & co", artist="Jane Doe", album="Learncast", date="2026-01-02",
                  artwork=cover, chapters=CHAPTERS, chapter_urls=urls)
    tag_mp3(mp3, **kwargs)
    once = mp3.read_bytes()
    tag_mp3(mp3, **kwargs)  # re-tagging replaces the tag rather than adding to it
    assert mp3.read_bytes() == once

    tags = ID3(mp3)
    assert tags.version == (2, 3, 0)
    assert str(tags["TIT2"]) == "Jane <Doe> & co" and str(tags["TPE1"]) == "Jane Doe"
    assert str(tags["TALB"]) == "Learncast" and str(tags["TDRC"]) == "2026-01-02"
    head = once[:4096]
    assert b"TYER" in head and b"TDRC" not in head  # the date in its v2.3 frames
    assert tags.getall("APIC")[0].data == cover.read_bytes()
    assert tags.getall("APIC")[0].mime == "image/jpeg"

    toc = tags.getall("CTOC")[0]
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    assert toc.child_element_ids == ["chp0", "chp1", "chp2"]
    for i, ch in enumerate(CHAPTERS):
        chap = tags[f"CHAP:chp{i}"]
        assert (chap.start_time, chap.end_time) == (int(ch.start * 1000), int(ch.end * 1000))
        assert str(chap.sub_frames["TIT2"]) == ch.title
        assert chap.sub_frames.getall("WXXX")[0].url == urls[i]

    probed = sorted(ffprobe_json(mp3, "-show_chapters")["chapters"], key=lambda c: float(c["start_time"]))
    assert [c["tags"]["title"] for c in probed] == [c.title for c in CHAPTERS]
    assert [float(c["start_time"]) for c in probed] == pytest.approx([c.start for c in CHAPTERS], abs=0.001)
    # Tagging leaves the audio alone.
    assert stream_md5(mp3, "0:a") == stream_md5(stereo_mp3, "0:a")


def test_tag_mp3_rejects_mismatched_chapter_urls(stereo_mp3: Path):
    with pytest.raises(ValueError):
        tag_mp3(stereo_mp3, title="t", artist="a", album="b", chapters=CHAPTERS, chapter_urls=["x"])


# ---------------------------------------------------------------- video


def test_video_is_h264_aac_faststart_normalised_with_chapters(media: Path):
    src = make_speechlike(media / "interview.mkv", 20.0, channels=1, video=True)
    dest = media / "video.mp4"
    encode_video(src, dest, CHAPTERS)
    streams = ffprobe_json(dest, "-show_streams")["streams"]
    codecs = {s["codec_type"]: s["codec_name"] for s in streams if s["codec_type"] in ("audio", "video")}
    assert codecs == {"video": "h264", "audio": "aac"}
    assert next(s for s in streams if s["codec_type"] == "video")["pix_fmt"] == "yuv420p"
    data = dest.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # +faststart: playable while downloading
    integrated, peak = loudness(dest)
    assert abs(integrated - (-16.0)) <= 1.0 and peak <= -1.0, (integrated, peak)
    chapters = ffprobe_json(dest, "-show_chapters")["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [c.title for c in CHAPTERS]
    assert [float(c["start_time"]) for c in chapters] == pytest.approx([c.start for c in CHAPTERS], abs=0.001)
    assert float(chapters[-1]["end_time"]) == pytest.approx(20.0, abs=0.001)


def test_h264_video_is_copied_not_reencoded(tmp_path: Path):
    src = make_tone(tmp_path / "clip.mp4", 6.0, video=True)
    dest = tmp_path / "out.mp4"
    encode_video(src, dest, CHAPTERS[:1])
    assert stream_md5(dest, "0:v") == stream_md5(src, "0:v")
    assert len(ffprobe_json(dest, "-show_chapters")["chapters"]) == 1


def test_poster_frame_is_a_square_rgb_jpeg(tmp_path: Path):
    src = make_tone(tmp_path / "clip.mp4", 3.0, video=True)
    for at in (1.0, 99.0):  # past the end falls back to the first frame
        poster = tmp_path / f"poster-{at}.jpg"
        poster_frame(src, poster, at_seconds=at)
        with Image.open(poster) as img:
            assert (img.format, img.mode, img.size) == ("JPEG", "RGB", (1400, 1400))
            # The 4:3 frame is padded, not stretched: the top rows are the black padding.
            assert img.getpixel((700, 10)) == pytest.approx((0, 0, 0), abs=8)
            assert img.getpixel((700, 700)) != pytest.approx((0, 0, 0), abs=8)


# ---------------------------------------------------------------- artwork


def test_default_artwork_is_valid_and_stable(tmp_path: Path):
    dest = tmp_path / "artwork.jpg"
    default_artwork("Learning from the frontline ✨ <&> שלום", dest)
    validate_artwork(dest)
    with Image.open(dest) as img:
        assert (img.format, img.mode) == ("JPEG", "RGB") and img.size[0] == img.size[1] >= 1400
    first = dest.read_bytes()
    mtime = dest.stat().st_mtime_ns
    default_artwork("Learning from the frontline ✨ <&> שלום", dest)
    assert dest.read_bytes() == first and dest.stat().st_mtime_ns == mtime
    other = tmp_path / "other.png"
    default_artwork("Another show", other)
    with Image.open(other) as img:
        assert img.format == "PNG"


def test_validate_artwork_lists_every_problem(tmp_path: Path):
    bad = tmp_path / "bad.png"
    Image.new("RGBA", (800, 600)).save(bad)
    with pytest.raises(ConfigError) as err:
        validate_artwork(bad)
    text = " ".join(err.value.problems)
    assert len(err.value.problems) == 3
    assert "RGBA" in text and "square" in text and "1400" in text
    cmyk = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (1400, 1400)).save(cmyk)
    with pytest.raises(ConfigError, match="CMYK"):
        validate_artwork(cmyk)
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"GIF89a nope")
    with pytest.raises(ConfigError, match="not a readable image"):
        validate_artwork(junk)


def test_publish_show_artwork_converts_png_and_draws_default(tmp_path: Path):
    png = tmp_path / "art.png"
    Image.new("RGB", (1500, 1500), (10, 120, 40)).save(png)
    site = tmp_path / "site"
    url = publish_show_artwork(Config(root=tmp_path, base_url=BASE, artwork=png), site)
    assert url == BASE + "artwork.jpg"
    with Image.open(site / "artwork.jpg") as img:
        assert (img.format, img.size) == ("JPEG", (1500, 1500))
    publish_show_artwork(Config(root=tmp_path, base_url=BASE, title="Show"), site)
    with Image.open(site / "artwork.jpg") as img:
        assert img.size == (1400, 1400) and img.getpixel((5, 5)) != (10, 120, 40)


def test_one_write_if_changed_for_bytes_text_and_json(tmp_path: Path):
    from pipeline import fsutil

    target = tmp_path / "out" / "file.bin"
    assert fsutil.write_bytes_if_changed(target, b"\x00\xff") is True
    mtime = target.stat().st_mtime_ns
    assert fsutil.write_bytes_if_changed(target, b"\x00\xff") is False and target.stat().st_mtime_ns == mtime
    assert fsutil.write_text_if_changed(target, "é") is True and target.read_bytes() == "é".encode("utf-8")
    assert fsutil.write_text_if_changed(target, "é") is False
    assert fsutil.write_json_if_changed(target, {"a": "é"}) is True
    assert target.read_text(encoding="utf-8") == '{\n  "a": "é"\n}\n'
    assert fsutil.write_json_if_changed(target, {"a": "é"}) is False
    # The show artwork is written through it: republishing the same picture keeps the file.
    site = tmp_path / "site"
    publish_show_artwork(Config(root=tmp_path, base_url=BASE, title="Show"), site)
    art = site / "artwork.jpg"
    mtime = art.stat().st_mtime_ns
    publish_show_artwork(Config(root=tmp_path, base_url=BASE, title="Show"), site)
    assert art.stat().st_mtime_ns == mtime


# ---------------------------------------------------------------- feed fixtures


def transcript(duration: float = 600.0, chapters=CHAPTERS, language: str = "en") -> Transcript:
    segs = (
        Segment(0.0, 8.0, "Welcome. What rules did you break?", INTERVIEWER),
        Segment(8.0, 30.0, "We stopped asking for a signed referral form.", INTERVIEWEE,
                words=tuple(Word(8.0 + i, 9.0 + i, f" w{i}", 0.9) for i in range(22))),
        Segment(30.0, 52.0, "And the waiting list fell by half in a month.", INTERVIEWEE),
        Segment(52.0, 60.0, "Thank you.", INTERVIEWER),
    )
    return Transcript(language=language, engine="fake", model="fake", duration=duration, segments=segs,
                      chapters=tuple(chapters), speakers={INTERVIEWER: "Sam", INTERVIEWEE: "Jane"})


def episode(site: Path, slug: str, *, title: str = "An interview", size: int = 1000, video: bool = False,
            when: dt.datetime | None = None, meta: RecordingMeta | None = None, tr: Transcript | None = None,
            guid: str | None = None) -> Episode:
    folder = site / "episodes" / slug
    folder.mkdir(parents=True, exist_ok=True)
    mp3 = folder / "audio.mp3"
    mp3.write_bytes(hashlib.sha256(slug.encode()).digest() * (size // 32) + b"x" * (size % 32))
    url = f"{BASE}episodes/{slug}/"
    audio = MediaFile(mp3, url + "audio.mp3", "audio/mpeg", mp3.stat().st_size)
    vid = None
    if video:
        mp4 = folder / "video.mp4"
        mp4.write_bytes(b"v" * (size * 3))
        vid = MediaFile(mp4, url + "video.mp4", "video/mp4", mp4.stat().st_size)
    meta = meta or RecordingMeta(interviewee="Jane Doe", role="Head of Service, Leeds",
                                 description="How a referral rule was dropped.")
    files = {k: f"{url}transcript.{k}" for k in ("vtt", "srt", "txt", "json")}
    files["chapters"] = url + "chapters.json"
    return Episode(slug=slug, guid=guid or f"urn:learncast:{slug}", title=title,
                   recording=Recording(site / f"{slug}.mp4", slug, meta), transcript=tr or transcript(),
                   pub_date=when or dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc),
                   audio=audio, video=vid, page_url=url, files=files)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(root=tmp_path, title="Learning from the Frontline", description="Practitioners on change.",
                  author="Capture team", owner_name="Capture team", owner_email="capture@example.org",
                  base_url=BASE, category="Government", explicit=False, interviewer="Sam Rivers")


@pytest.fixture
def episodes(tmp_path: Path) -> list[Episode]:
    site = tmp_path / "site"
    return [
        episode(site, "jane-doe", title="Jane Doe on referrals", size=4321, video=True,
                when=dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)),
        episode(site, "sam-lee", title="Sam Lee on budgets", size=2048,
                when=dt.datetime(2026, 10, 1, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))),
    ]


def parse(xml: bytes) -> etree._Element:
    return etree.fromstring(xml, etree.XMLParser(recover=False, resolve_entities=False))


# ---------------------------------------------------------------- feed: Apple


def test_feed_has_apples_required_channel_tags(config: Config, episodes):
    root = parse(build_feed(config, episodes))
    ch = root.find("channel")
    assert ch.findtext("title") == config.title
    assert ch.findtext("description") == config.description
    assert ch.findtext("language") == "en"
    assert ch.findtext("link") == BASE
    assert ch.find("itunes:image", NS).get("href") == BASE + "artwork.jpg"
    assert ch.find("itunes:category", NS).get("text") == "Government"
    assert ch.findtext("itunes:explicit", namespaces=NS) == "false"
    assert ch.findtext("itunes:author", namespaces=NS) == "Capture team"
    assert ch.findtext("itunes:owner/itunes:name", namespaces=NS) == "Capture team"
    assert ch.findtext("itunes:owner/itunes:email", namespaces=NS) == "capture@example.org"
    self_link = ch.find("atom:link[@rel='self']", NS)
    assert self_link.get("href") == BASE + "feed.xml" and self_link.get("type") == "application/rss+xml"
    explicit = parse(build_feed(dataclasses.replace(config, explicit=True), episodes))
    assert explicit.findtext("channel/itunes:explicit", namespaces=NS) == "true"
    sub = parse(build_feed(dataclasses.replace(config, category="Society & Culture > Documentary"), episodes))
    cat = sub.find("channel/itunes:category", NS)
    assert cat.get("text") == "Society & Culture" and cat.find("itunes:category", NS).get("text") == "Documentary"


def test_feed_items_have_apples_required_tags(config: Config, episodes):
    items = parse(build_feed(config, episodes)).findall("channel/item")
    assert [i.findtext("title") for i in items] == [e.title for e in episodes]  # order kept
    guids = [i.find("guid") for i in items]
    assert len({g.text for g in guids}) == len(items)
    for item, ep in zip(items, episodes):
        guid = item.find("guid")
        assert guid.text == ep.guid and guid.get("isPermaLink") == "false"
        enc = item.find("enclosure")
        assert enc.get("url") == ep.audio.url and enc.get("type") == "audio/mpeg"
        assert int(enc.get("length")) == ep.audio.path.stat().st_size
        assert email.utils.parsedate_to_datetime(item.findtext("pubDate")) == ep.pub_date
        assert item.findtext("itunes:duration", namespaces=NS) == "600"
        assert item.findtext("itunes:episodeType", namespaces=NS) == "full"
        notes = item.findtext("content:encoded", namespaces=NS)
        for ch in CHAPTERS:
            assert ch.title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in notes
        assert "Jane Doe, Head of Service, Leeds, in conversation with Sam Rivers." in item.findtext("description")
        assert "00:07 Which rules = broken; #1?" in item.findtext("description")


def test_feed_rejects_duplicate_guids(config: Config, tmp_path: Path):
    site = tmp_path / "site"
    twins = [episode(site, "a", guid="same"), episode(site, "b", guid="same")]
    with pytest.raises(BuildError, match="share the guid"):
        build_feed(config, twins)


def test_long_notes_stay_within_apples_limit(config: Config, tmp_path: Path):
    chapters = tuple(Chapter(i * 10.0, i * 10.0 + 10, f"q{i}", f"A rather long chapter title number {i} " * 3)
                     for i in range(60))
    meta = RecordingMeta(interviewee="Jane Doe", description="word " * 2000)
    ep = episode(tmp_path / "site", "long", meta=meta, tr=transcript(chapters=chapters))
    item = parse(build_feed(config, [ep])).find("channel/item")
    plain, html = item.findtext("description"), item.findtext("content:encoded", namespaces=NS)
    assert len(plain) <= 4000 and len(html) <= 4000
    assert "Jane Doe" in plain and "more on the episode page" in html
    assert html.count("<li>") >= 5  # the first chapters are still listed


def test_episode_image_when_given(config: Config, episodes):
    ep = dataclasses.replace(episodes[0], files={**episodes[0].files, "image": BASE + "episodes/jane-doe/poster.jpg"})
    item = parse(build_feed(config, [ep])).find("channel/item")
    assert item.find("itunes:image", NS).get("href") == BASE + "episodes/jane-doe/poster.jpg"


# ---------------------------------------------------------------- feed: Podcasting 2.0


def test_podcast_guid_matches_the_spec_examples():
    # The two worked examples in podcast-namespace docs/tags/guid.md.
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert podcast_guid("http://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_feed_podcasting20_channel_tags(config: Config, episodes):
    ch = parse(build_feed(config, episodes)).find("channel")
    expected = str(uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "example.org/learncast/feed.xml"))
    assert ch.findtext("podcast:guid", namespaces=NS) == expected
    locked = ch.find("podcast:locked", NS)
    assert locked.text == "yes" and locked.get("owner") == "capture@example.org"  # locked unless config says not
    unlocked = parse(build_feed(dataclasses.replace(config, locked=False), episodes)).find("channel/podcast:locked", NS)
    assert unlocked.text == "no"
    assert ch.findtext("podcast:medium", namespaces=NS) == "podcast"
    host = ch.find("podcast:person", NS)
    assert (host.text, host.get("role")) == ("Sam Rivers", "host")


def test_feed_podcasting20_item_tags(config: Config, episodes):
    item = parse(build_feed(config, episodes)).find("channel/item")
    ep = episodes[0]
    transcripts = {t.get("type"): t for t in item.findall("podcast:transcript", NS)}
    assert set(transcripts) == {"text/vtt", "application/x-subrip", "application/json", "text/plain", "text/html"}
    assert transcripts["text/vtt"].get("rel") == "captions"
    assert transcripts["text/vtt"].get("url") == ep.files["vtt"]
    assert transcripts["text/html"].get("url") == ep.page_url
    assert all(t.get("language") == "en" for t in transcripts.values())
    chapters = item.find("podcast:chapters", NS)
    assert chapters.get("url") == ep.files["chapters"] and chapters.get("type") == "application/json+chapters"
    people = {p.get("role"): p.text for p in item.findall("podcast:person", NS)}
    assert people == {"host": "Sam Rivers", "guest": "Jane Doe"}
    bite = item.find("podcast:soundbite", NS)
    start, duration = float(bite.get("startTime")), float(bite.get("duration"))
    assert 15.0 <= duration <= 60.0 and 8.0 <= start and start + duration <= 52.0
    alt = item.find("podcast:alternateEnclosure", NS)
    assert alt.get("type") == "video/mp4" and int(alt.get("length")) == ep.video.path.stat().st_size
    assert alt.find("podcast:source", NS).get("uri") == ep.video.url
    psc = item.findall("psc:chapters/psc:chapter", NS)
    assert [c.get("start") for c in psc] == ["00:00:00.000", "00:00:07.500", "00:00:15.250"]
    assert psc[1].get("href") == ep.page_url + "#ch-1-rules"
    second = parse(build_feed(config, episodes)).findall("channel/item")[1]
    assert second.find("podcast:alternateEnclosure", NS) is None  # audio-only episode


def test_write_feeds_writes_video_feed_only_when_needed(config: Config, episodes, tmp_path: Path):
    site = tmp_path / "site"
    paths = write_feeds(config, site, episodes)
    assert paths == [site / "feed.xml", site / "video.xml"]
    video = parse((site / "video.xml").read_bytes()).find("channel")
    assert video.findtext("podcast:medium", namespaces=NS) == "video"
    assert video.findtext("podcast:guid", namespaces=NS) == str(
        uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "example.org/learncast/video.xml"))
    items = video.findall("item")
    assert len(items) == 1 and items[0].find("enclosure").get("type") == "video/mp4"
    assert int(items[0].find("enclosure").get("length")) == episodes[0].video.path.stat().st_size
    assert items[0].find("podcast:alternateEnclosure", NS).get("type") == "audio/mpeg"
    # Unchanged input: the file is not rewritten.
    mtime = (site / "feed.xml").stat().st_mtime_ns
    write_feeds(config, site, episodes)
    assert (site / "feed.xml").stat().st_mtime_ns == mtime
    # No video any more: the stale video feed goes.
    assert write_feeds(config, site, episodes[1:]) == [site / "feed.xml"]
    assert not (site / "video.xml").exists()


# ---------------------------------------------------------------- feed: readers


def test_feedparser_reads_the_feed_without_complaint(config: Config, episodes):
    parsed = feedparser.parse(build_feed(config, episodes))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == config.title
    assert [e.title for e in parsed.entries] == [e.title for e in episodes]
    assert parsed.entries[0].enclosures[0].href == episodes[0].audio.url
    assert parsed.entries[0].itunes_duration == "600"


def test_podcastparser_reads_enclosures_durations_and_chapters(config: Config, episodes):
    parsed = podcastparser.parse(BASE + "feed.xml", io.BytesIO(build_feed(config, episodes)))
    assert parsed["title"] == config.title
    got = {e["guid"]: e for e in parsed["episodes"]}
    for ep in episodes:
        item = got[ep.guid]
        assert item["enclosures"][0]["url"] == ep.audio.url
        assert item["enclosures"][0]["file_size"] == ep.audio.length
        assert item["enclosures"][0]["mime_type"] == "audio/mpeg"
        assert item["total_time"] == 600
        assert item["published"] == int(ep.pub_date.timestamp())
        assert [(c["start"], c["title"]) for c in item["chapters"]] == [(int(c.start), c.title) for c in CHAPTERS]


# ---------------------------------------------------------------- feed: hostile input


def test_hostile_metadata_yields_well_formed_xml(config: Config, tmp_path: Path):
    nasty = "<script>alert('x')</script> & \"quotes\" ]]> 🎙️ مرحبا \u202eevil\x00\x07\x1b\ufffe\ud800 end"
    chapters = (Chapter(0.0, 10.0, "intro", nasty), Chapter(10.0, 600.0, "q1", "]]>]]>"))
    meta = RecordingMeta(interviewee=nasty, role=nasty, interviewer=nasty, description=nasty + "\n\n" + nasty)
    cfg = dataclasses.replace(config, title=nasty, description=nasty, author=nasty, owner_name=nasty)
    ep = episode(tmp_path / "site", "x", title=nasty, meta=meta, guid=nasty,
                 tr=transcript(chapters=chapters, language="ar"))
    for video in (False, True):
        xml = build_feed(cfg, [dataclasses.replace(ep, video=ep.audio)] if video else [ep], video=video)
        root = parse(xml)  # strict parser: raises on anything malformed
        title = root.findtext("channel/item/title")
        assert title.startswith("<script>alert('x')</script> & \"quotes\" ]]> 🎙️ مرحبا")
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe]", xml.decode("utf-8"))
        notes = root.findtext("channel/item/content:encoded", namespaces=NS)
        assert "<script>" not in notes and "&lt;script&gt;" in notes
        assert not feedparser.parse(xml).bozo


# ---------------------------------------------------------------- soundbite


def seg(start: float, end: float, text: str, speaker: str = INTERVIEWEE, prob: float | None = None) -> Segment:
    words = () if prob is None else tuple(
        Word(start + i * (end - start) / 4, start + (i + 1) * (end - start) / 4, f" w{i}", prob) for i in range(4))
    return Segment(start, end, text, speaker, words)


def tr_of(*segments: Segment, chapters: tuple[Chapter, ...] = ()) -> Transcript:
    return Transcript("en", "fake", "m", max(s.end for s in segments), tuple(segments), chapters)


def test_soundbite_is_a_whole_interviewee_stretch_of_15_to_60_seconds():
    t = tr_of(seg(0, 10, "What changed?", INTERVIEWER), seg(10, 20, "We listened first."),
              seg(20, 38, "Then we rewrote the form."), seg(38, 45, "Next question?", INTERVIEWER),
              seg(45, 52, "Short answer."))
    start, duration = choose_soundbite(t)
    assert (start, start + duration) == (10.0, 38.0)


def test_soundbite_none_without_a_long_enough_answer():
    assert choose_soundbite(tr_of(seg(0, 40, "All questions?", INTERVIEWER))) is None
    assert choose_soundbite(tr_of(seg(0, 10, "Yes."), seg(10, 12, "Why?", INTERVIEWER), seg(12, 20, "No."))) is None


def test_soundbite_cuts_a_long_segment_at_a_word_boundary():
    words = tuple(Word(i * 2.0, i * 2.0 + 1.5, f" w{i}", 0.9) for i in range(60))
    start, duration = choose_soundbite(tr_of(Segment(0.0, 120.0, "A very long answer", INTERVIEWEE, words)))
    assert start == 0.0 and 15.0 <= duration <= 60.0
    assert any(abs(w.end - duration) < 1e-6 for w in words)


def test_soundbite_prefers_clear_speech_outside_the_intro():
    clear_later = tr_of(seg(0, 30, "Muffled answer.", prob=0.3), seg(30, 35, "And?", INTERVIEWER),
                        seg(35, 65, "A clear answer.", prob=0.95))
    assert choose_soundbite(clear_later)[0] == 35.0
    in_intro = tr_of(seg(0, 30, "Hello, I am Jane.", prob=0.95), seg(30, 35, "So?", INTERVIEWER),
                     seg(35, 65, "The real story.", prob=0.9),
                     chapters=(Chapter(0, 30, "intro", "Intro"), Chapter(30, 65, "q1", "Story")))
    assert choose_soundbite(in_intro)[0] == 35.0
