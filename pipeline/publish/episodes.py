"""Assembles published episodes: media files, downloads, the feed and the pages.

This is the publish stage's driver. It decides which recordings may be published
(consent, embargo, review), encodes only what changed, and hands the finished
Episodes to the feed writer and the page renderer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fsutil import write_json
from ..models import Episode, MediaFile

if TYPE_CHECKING:  # pragma: no cover
    from ..build import Builder, RecordingResult

log = logging.getLogger(__name__)

MEDIA_STATE = "media.json"  # in the workspace cache: what each published file was made from
DOWNLOADS = {  # file in transcripts/<slug>/ -> (file in site/episodes/<slug>/, kind)
    "transcript.vtt": ("transcript.vtt", "vtt"),
    "transcript.srt": ("transcript.srt", "srt"),
    "transcript.txt": ("transcript.txt", "txt"),
    "transcript.p20.json": ("transcript.json", "json"),
    "chapters.json": ("chapters.json", "chapters"),
}


def publishable(builder: Builder, result: RecordingResult) -> tuple[bool, str]:
    """Whether a recording may be published now, and why not."""
    meta = result.audio.recording.meta if result.audio else None
    today = builder.now.date()
    if meta is not None:
        if meta.consent == "withheld":
            return False, "consent is withheld"
        if builder.config.require_consent and meta.consent != "public":
            return False, 'require_consent is on and consent is not "public"'
        if meta.publish_after and meta.publish_after > today:
            return False, f"embargoed until {meta.publish_after.isoformat()}"
    if builder.require_reviewed and not (result.transcript and result.transcript.reviewed):
        return False, "transcript not reviewed (run `learncast review SLUG`)"
    return True, ""


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _pub_date(builder: Builder, result: RecordingResult, data: dict[str, Any]) -> dt.datetime:
    meta = result.audio.recording.meta
    if meta.date:
        return dt.datetime.combine(meta.date, dt.time(9, 0), tzinfo=dt.timezone.utc)
    first = data.get("first_published")
    if first:
        return dt.datetime.fromisoformat(first)
    return builder.now.replace(microsecond=0)


def publish_site(builder: Builder, results: list[RecordingResult]) -> list[str]:
    """Publish every publishable recording; returns the published slugs."""
    from ..pages import remove_stale, render_site
    from ..pages.search import build_search_index
    from .artwork import publish_show_artwork
    from .feed import write_feeds

    ws, config = builder.ws, builder.config
    site = ws.site_dir
    site.mkdir(parents=True, exist_ok=True)
    state_path = ws.cache_dir / MEDIA_STATE
    state: dict[str, Any] = json.loads(state_path.read_text()) if state_path.is_file() else {}
    publish_show_artwork(config, site)

    episodes: list[Episode] = []
    for result in results:
        ok, why = publishable(builder, result)
        if not ok:
            log.info("%s: not published: %s", result.slug, why)
            result.notes.append(f"not published: {why}")
            continue
        try:
            episodes.append(_episode(builder, result, state))
        except Exception:
            write_json(state_path, state)
            raise
    write_json(state_path, state)

    episodes.sort(key=lambda e: e.pub_date, reverse=True)
    write_feeds(config, site, episodes)
    render_site(config, site, episodes, builder.questions, workspace_root=ws.root)
    remove_stale(site, {e.slug for e in episodes})
    build_search_index(site)
    return [e.slug for e in episodes]


def _episode(builder: Builder, result: RecordingResult, state: dict[str, Any]) -> Episode:
    from ..transcribe import TRANSCRIPT_NAME, read_transcript_file
    from .media import ENCODING_VERSION, encode_audio, encode_video, tag_mp3

    ws, config = builder.ws, builder.config
    slug, audio, transcript = result.slug, result.audio, result.transcript
    assert audio is not None and transcript is not None
    rec = audio.recording
    out = ws.episode_dir(slug)
    out.mkdir(parents=True, exist_ok=True)
    data = read_transcript_file(ws.transcript_dir(slug) / TRANSCRIPT_NAME)
    page_url = builder.page_url(slug)
    title = rec.title
    entry = state.setdefault(slug, {})

    # Downloads: the derived formats, copied so site/ is self-contained.
    files: dict[str, str] = {}
    for src_name, (dest_name, kind) in DOWNLOADS.items():
        src = ws.transcript_dir(slug) / src_name
        if src.is_file():
            dest = out / dest_name
            if not dest.is_file() or dest.read_bytes() != src.read_bytes():
                shutil.copyfile(src, dest)
            files[kind] = config.url("episodes", slug, dest_name)

    chapter_urls = [f"{page_url}#{_anchor(i, c)}" for i, c in enumerate(transcript.chapters)]
    artwork = _episode_artwork(builder, result, out, entry)
    if artwork is not None and artwork.parent == out:
        files["image"] = config.url("episodes", slug, artwork.name)
    tags = {"title": title, "artist": rec.meta.interviewee or config.author, "album": config.title,
            "date": (rec.meta.date.isoformat() if rec.meta.date else None)}
    chapters = [c.to_dict() for c in transcript.chapters]

    mp3 = out / "audio.mp3"
    enc_key = _key(audio.source_sha256, "mp3", ENCODING_VERSION)
    if not mp3.is_file() or entry.get("mp3_encoded") != enc_key:
        encode_audio(rec.path, mp3, channels=min(2, max(1, audio.channels)))
        entry["mp3_encoded"] = enc_key
        entry.pop("mp3_tagged", None)
    tag_key = _key(enc_key, tags, chapters, chapter_urls, str(artwork))
    if entry.get("mp3_tagged") != tag_key:
        tag_mp3(mp3, artwork=artwork, chapters=transcript.chapters, chapter_urls=chapter_urls, **tags)
        entry["mp3_tagged"] = tag_key

    video_file = None
    if audio.has_video:
        mp4 = out / "video.mp4"
        vkey = _key(audio.source_sha256, "mp4", ENCODING_VERSION, chapters)
        if not mp4.is_file() or entry.get("mp4") != vkey:
            encode_video(rec.path, mp4, transcript.chapters)
            entry["mp4"] = vkey
        video_file = MediaFile(path=mp4, url=config.url("episodes", slug, "video.mp4"),
                               mime_type="video/mp4", length=mp4.stat().st_size)
    audio_file = MediaFile(path=mp3, url=config.url("episodes", slug, "audio.mp3"),
                           mime_type="audio/mpeg", length=mp3.stat().st_size)
    return Episode(
        slug=slug,
        guid=data.get("guid") or slug,
        title=title,
        recording=rec,
        transcript=transcript,
        pub_date=_pub_date(builder, result, data),
        audio=audio_file,
        video=video_file,
        page_url=page_url,
        files=files,
    )


def _episode_artwork(builder: Builder, result: RecordingResult, out: Path, entry: dict[str, Any]) -> Path | None:
    """A poster frame for a video, else the show artwork."""
    from .media import poster_frame

    audio = result.audio
    if audio is not None and audio.has_video:
        poster = out / "poster.jpg"
        key = _key(audio.source_sha256, "poster", 1)
        if not poster.is_file() or entry.get("poster") != key:
            try:
                poster_frame(audio.recording.path, poster, at_seconds=min(5.0, audio.duration / 2))
                entry["poster"] = key
            except Exception as exc:  # a poster is nice to have; the show artwork stands in
                log.warning("%s: no poster frame (%s); using the show artwork", result.slug, exc)
        if poster.is_file():
            return poster
    show = builder.ws.site_dir / "artwork.jpg"
    return show if show.is_file() else None


def _anchor(index: int, chapter) -> str:
    from ..chapters import chapter_anchor

    return chapter_anchor(index, chapter)


__all__ = ["publish_site", "publishable"]
