"""Assembles published episodes: media files, downloads, the feed and the pages.

This is the publish stage's driver. It decides which recordings may be published
(consent, embargo, review), encodes only what changed, and hands the finished
Episodes to the feed writer and the page renderer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BuildError, LearncastError
from ..fsutil import write_json, write_text_if_changed
from ..models import Episode, MediaFile, Transcript

if TYPE_CHECKING:  # pragma: no cover
    from ..build import Builder, RecordingResult

log = logging.getLogger(__name__)

MEDIA_STATE = "media.json"  # in the workspace cache: what each published file was made from


def publishable(builder: Builder, result: RecordingResult) -> tuple[bool, str]:
    """Whether a recording may be published now, and why not."""
    from ..consent import decision

    if result.audio is not None:
        why = decision(builder.ws.transcript_dir(result.slug), result.audio.recording).blocks(
            builder.now.date(), builder.config.require_consent)
        if why:
            return False, why
    if builder.require_reviewed and not (result.transcript and result.transcript.reviewed):
        return False, "transcript not reviewed (run `learncast review SLUG`)"
    return True, ""


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _pub_date(builder: Builder, meta, data: dict[str, Any]) -> dt.datetime:
    """The sidecar's date, else when the episode was first published (remembered)."""
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
        _record_provenance(builder, result)
        ok, why = publishable(builder, result)
        if not ok:
            log.info("%s: not published: %s", result.slug, why)
            result.notes.append(f"not published: {why}")
            continue
        try:
            episodes.append(_episode(builder, result, state, state_path))
        except (LearncastError, OSError) as exc:  # one episode's failure never stops the others
            result.ok = False
            result.error = exc if isinstance(exc, LearncastError) else BuildError(
                f"could not publish ({getattr(exc, 'strerror', None) or exc})", path=getattr(exc, "filename", None),
                fix="check there is free disk space and site/ is writable")
            builder.reporter.finished(result.slug, False, result.error.one_line())
        finally:
            write_json(state_path, state)

    episodes.sort(key=lambda e: e.pub_date, reverse=True)
    write_feeds(config, site, episodes)
    render_site(config, site, episodes, builder.questions, workspace_root=ws.root)
    remove_stale(site, {e.slug for e in episodes})
    build_search_index(site)
    return [e.slug for e in episodes]


def _episode(builder: Builder, result: RecordingResult, state: dict[str, Any], state_path: Path) -> Episode:
    from .. import redact
    from ..consent import decision
    from ..transcribe import TRANSCRIPT_NAME, is_hand_edited, read_transcript_file, write_transcript_file
    from .media import ENCODING_VERSION, encode_audio, encode_video, tag_mp3

    ws, config = builder.ws, builder.config
    slug, audio = result.slug, result.audio
    assert audio is not None and result.transcript is not None
    folder = ws.transcript_dir(slug)
    out = ws.episode_dir(slug)
    out.mkdir(parents=True, exist_ok=True)
    path = folder / TRANSCRIPT_NAME
    data = read_transcript_file(path)
    if not data.get("first_published") and not audio.recording.meta.date:
        data["first_published"] = builder.now.replace(microsecond=0).isoformat()
        write_transcript_file(path, data, machine=not is_hand_edited(data))

    # Everything below is made from the redacted transcript and metadata only.
    entries = redact.load(folder)
    applied = redact.apply(result.transcript, entries)
    transcript = applied.transcript
    rec = dataclasses.replace(audio.recording, meta=redact.redact_meta(audio.recording.meta, applied))
    title = applied.text(audio.recording.title) or slug
    page_url = builder.page_url(slug)
    entry = state.setdefault(slug, {})
    files = _write_downloads(builder, slug, transcript, out)

    chapter_urls = [f"{page_url}#{_anchor(i, c)}" for i, c in enumerate(transcript.chapters)]
    artwork = _episode_artwork(builder, result, out, entry)
    if artwork is not None and artwork.parent == out:
        files["image"] = config.url("episodes", slug, artwork.name)
    tags = {"title": title, "artist": rec.meta.interviewee or config.author, "album": config.title,
            "date": (rec.meta.date.isoformat() if rec.meta.date else None)}
    chapters = [c.to_dict() for c in transcript.chapters]
    source = _redacted_source(builder, audio, applied.spans)

    mp3 = out / "audio.mp3"
    enc_key = _key(audio.source_sha256, "mp3", ENCODING_VERSION, applied.spans)
    if not mp3.is_file() or entry.get("mp3_encoded") != enc_key:
        # Forget the old key first: a build killed mid-encode must never trust a stale file.
        entry.pop("mp3_encoded", None)
        entry.pop("mp3_tagged", None)
        write_json(state_path, state)
        # the cache holds what the build encoded while transcribing (one run for MP3 and MP4)
        encode_audio(source, mp3, channels=min(2, max(1, audio.channels)), cache_dir=_media_cache(builder))
        entry["mp3_encoded"] = enc_key
        entry.pop("mp3_tagged", None)
    tag_key = _key(enc_key, tags, chapters, chapter_urls, str(artwork))
    if entry.get("mp3_tagged") != tag_key:
        entry.pop("mp3_tagged", None)
        write_json(state_path, state)
        tag_mp3(mp3, artwork=artwork, chapters=transcript.chapters, chapter_urls=chapter_urls, **tags)
        entry["mp3_tagged"] = tag_key

    video_file = None
    if audio.has_video:
        mp4 = out / "video.mp4"
        vkey = _key(audio.source_sha256, "mp4", ENCODING_VERSION, chapters, applied.spans)
        if not mp4.is_file() or entry.get("mp4") != vkey:
            entry.pop("mp4", None)
            write_json(state_path, state)
            encode_video(source, mp4, transcript.chapters, cache_dir=_media_cache(builder))
            entry["mp4"] = vkey
        video_file = MediaFile(path=mp4, url=config.url("episodes", slug, "video.mp4"),
                               mime_type="video/mp4", length=mp4.stat().st_size)
    audio_file = MediaFile(path=mp3, url=config.url("episodes", slug, "audio.mp3"),
                           mime_type="audio/mpeg", length=mp3.stat().st_size)
    consent = decision(folder, audio.recording)
    provenance = {
        "engine": transcript.engine,
        "model": transcript.model,
        "transcribed_at": data.get("transcribed_at"),
        "reviewed": transcript.reviewed,
        "reviewed_at": data.get("reviewed_at"),
        "edited_by_hand": is_hand_edited(data),
        "consent": consent.consent or "not recorded",
        "redactions": applied.count,
    }
    return Episode(
        slug=slug,
        guid=data.get("guid") or slug,
        title=title,
        recording=rec,
        transcript=transcript,
        pub_date=_pub_date(builder, rec.meta, data),
        audio=audio_file,
        video=video_file,
        page_url=page_url,
        files=files,
        provenance=provenance,
    )


def _record_provenance(builder: Builder, result: RecordingResult) -> None:
    """Keep a short provenance block in transcript.json: never what was redacted."""
    from .. import redact
    from ..consent import decision
    from ..transcribe import TRANSCRIPT_NAME, is_hand_edited, read_transcript_file, write_transcript_file

    folder = builder.ws.transcript_dir(result.slug)
    path = folder / TRANSCRIPT_NAME
    if result.audio is None or not path.is_file():
        return
    data = read_transcript_file(path)
    d = decision(folder, result.audio.recording)
    entries = redact.load(folder)
    block = {
        "engine": data.get("engine"),
        "model": data.get("model"),
        "transcribed_at": data.get("transcribed_at"),
        "reviewed": bool(data.get("reviewed")),
        "reviewed_at": data.get("reviewed_at"),
        "consent": d.consent or "not recorded",
        "publish_after": d.publish_after.isoformat() if d.publish_after else None,
        "redactions": redact.apply(Transcript.from_dict(data), entries).count if entries else 0,
    }
    if data.get("provenance") != block:
        write_transcript_file(path, {**data, "provenance": block}, machine=not is_hand_edited(data))


def _write_downloads(builder: Builder, slug: str, transcript, out: Path) -> dict[str, str]:
    """The transcript formats and chapters for listeners, from the (redacted) transcript."""
    from ..chapters import to_p20_chapters
    from ..transcribe.formats import cues, to_p20_json, to_srt, to_txt, to_vtt

    config = builder.config
    cue_list = cues(transcript)  # one caption layout for the VTT and the SRT
    outputs = {
        "vtt": ("transcript.vtt", to_vtt(transcript, cue_list)),
        "srt": ("transcript.srt", to_srt(transcript, cue_list)),
        "txt": ("transcript.txt", to_txt(transcript)),
        "json": ("transcript.json", json.dumps(to_p20_json(transcript), indent=2, ensure_ascii=False) + "\n"),
        "chapters": ("chapters.json", json.dumps(to_p20_chapters(transcript.chapters, builder.page_url(slug)),
                                                 indent=2, ensure_ascii=False) + "\n"),
    }
    files = {}
    for kind, (name, text) in outputs.items():
        write_text_if_changed(out / name, text)
        files[kind] = config.url("episodes", slug, name)
    return files


def _media_cache(builder: Builder) -> Path:
    from ..parallel import media_cache_dir

    return media_cache_dir(builder.ws)


def _redacted_source(builder: Builder, audio, spans: tuple[tuple[float, float], ...]) -> Path:
    """The recording with its redacted spans silenced (same duration), or the recording itself."""
    from .. import ffmpeg
    from ..fsutil import atomic_path
    from ..redact import silence_filter

    if not spans:
        return audio.recording.path
    folder = builder.ws.cache_dir / "redacted"
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{audio.source_sha256[:16]}-{_key(spans)[:16]}.mkv"
    if not dest.is_file():
        for old in folder.glob(f"{audio.source_sha256[:16]}-*.mkv"):
            old.unlink(missing_ok=True)
        video = ["-map", "0:v:0?", "-c:v", "copy"] if audio.has_video else ["-vn"]
        with atomic_path(dest) as tmp:
            ffmpeg.run(["-y", "-i", ffmpeg.arg_path(audio.recording.path), "-map", "0:a:0", *video,
                        "-af", silence_filter(spans), "-c:a", "pcm_s16le", "-map_metadata", "-1",
                        "-f", "matroska", ffmpeg.arg_path(tmp)], what=audio.recording.path)
    return dest


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
