"""Assembles published episodes: media files, downloads, the feed and the pages.

This is the publish stage's driver. It decides which recordings may be published
(consent, embargo, review), encodes only what changed, and hands the finished
Episodes to the feed writer and the page renderer.

It reads ``transcripts/`` and never writes there: it writes ``site/``, and its own state
in the cache (``.learncast/media.json``: what each published file was made from;
``.learncast/state/published.json``: guids and first publication dates, see
:mod:`.history`; ``.learncast/pages.json`` and ``.learncast/reading-packs.json`` with
``.learncast/reading-pack-answers/``: what each page and pack was made from, so adding one
interview does not make them all again).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from ..errors import InputError, LearncastError, as_error
from ..fsutil import write_json, write_text_if_changed
from ..models import Audio, Episode, MediaFile, Transcript
from ..workspace import Workspace
from .history import History

log = logging.getLogger(__name__)

MEDIA_STATE = "media.json"  # in the workspace cache: what each published file was made from
PAGES_STATE = "pages.json"  # in the workspace cache: what each episode page was made from
PACKS_STATE = "reading-packs.json"  # in the workspace cache: what each reading pack was made from
LEGACY_DOWNLOADS = ("transcript.json",)  # published names of earlier releases, removed when seen


class Publishable(Protocol):
    """What publishing needs of one recording's build (stages.RecordingResult is one)."""

    slug: str
    ok: bool
    audio: Audio | None
    transcript: Transcript | None
    notes: list[str]

    def fail(self, exc: BaseException) -> None: ...


@dataclass(frozen=True)
class PublishContext:
    """Everything publishing needs from the build that runs it, and nothing more."""

    ws: Workspace
    questions: Any  # the question set (chapters.QuestionSet)
    now: dt.datetime
    require_reviewed: bool = False
    failed: Callable[[str, str], None] | None = None  # told (slug, one-line message) of a failure

    @property
    def config(self):
        return self.ws.config


def publishable(ctx: PublishContext, result: Publishable) -> tuple[bool, str]:
    """Whether a recording may be published now, and why not."""
    from ..consent import decision

    if result.audio is not None:
        why = decision(ctx.ws.transcript_dir(result.slug), result.audio.recording).blocks(
            ctx.now.date(), ctx.config.require_consent)
        if why:
            return False, why
    if ctx.require_reviewed and not (result.transcript and result.transcript.reviewed):
        return False, "transcript not reviewed (run `learncast review SLUG`)"
    return True, ""


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def publish_site(ctx: PublishContext, results: Sequence[Publishable]) -> list[str]:
    """Publish every publishable recording; returns the published slugs."""
    from .artwork import publish_show_artwork

    ws, config = ctx.ws, ctx.config
    site = ws.site_dir
    site.mkdir(parents=True, exist_ok=True)
    state_path = ws.cache_dir / MEDIA_STATE
    state: dict[str, Any] = json.loads(state_path.read_text()) if state_path.is_file() else {}
    history = History.load(ws.state_dir)
    publish_show_artwork(config, site)

    episodes: list[Episode] = []
    for result in results:
        ok, why = publishable(ctx, result)
        if not ok:
            log.info("%s: not published: %s", result.slug, why)
            result.notes.append(f"not published: {why}")
            continue
        try:
            episodes.append(_episode(ctx, result, state, state_path, history))
        except (LearncastError, OSError) as exc:  # one episode's failure never stops the others
            error = as_error(exc, site)
            result.fail(error)
            if ctx.failed:
                ctx.failed(result.slug, error.one_line())
        finally:
            write_json(state_path, state)
            history.save()

    episodes = write_site(ws, episodes, ctx.questions)
    return [e.slug for e in episodes]


def write_site(ws: Workspace, episodes: list[Episode], questions: Any) -> list[Episode]:
    """Everything made from the finished Episodes: reading packs, feeds, pages, search index.
    Returns the episodes, newest first, with their reading packs among their files."""
    from .. import i18n
    from ..pages import remove_stale, render_site
    from ..pages.search import build_search_index
    from .reading_packs import write_reading_packs

    config, site = ws.config, ws.site_dir
    episodes = sorted(episodes, key=lambda e: e.pub_date, reverse=True)
    # before the pages, which list them
    first = config.site_languages[0]  # a bilingual site's packs are in its first language
    with i18n.use(first if i18n.has_catalogue(first) else None):
        episodes = write_reading_packs(config, site, episodes, questions, state=ws.cache_dir / PACKS_STATE)
    write_language_feeds(config, site, episodes, questions)
    render_site(config, site, episodes, questions, workspace_root=ws.root, pages_state=ws.cache_dir / PAGES_STATE)
    remove_stale(site, {e.slug for e in episodes})
    for lang in config.languages if config.bilingual else ("",):
        build_search_index(site / lang)  # a search index per language (Pagefind stems by <html lang>)
    return episodes


def write_language_feeds(config, site: Path, episodes: list[Episode], questions: Any = None) -> None:
    """feed.xml (and video.xml) in the show's language; in a site of several languages, one
    pair per language in ``site/<lang>/``, each item linking to that language's page. The
    chapter titles are the question set's in that language (as the pages show them)."""
    from .. import i18n
    from ..pages.views import chapter_title
    from .feed import write_feeds

    by_id = {q.id: q for q in getattr(questions, "questions", ()) or ()}

    def localized(e: Episode, lang: str | None) -> Episode:
        chapters = tuple(dataclasses.replace(c, title=chapter_title(c, by_id)) for c in e.transcript.chapters)
        page_url = config.page_url(e.slug, lang) if lang else e.page_url
        return dataclasses.replace(e, page_url=page_url, transcript=e.transcript.with_chapters(chapters))

    for lang in config.languages if config.bilingual else (None,):
        code = lang or config.feed_language
        with i18n.use(code if i18n.has_catalogue(code) else None):
            write_feeds(config, site, [localized(e, lang) for e in episodes], lang=lang)


def _episode(ctx: PublishContext, result: Publishable, state: dict[str, Any], state_path: Path,
             history: History) -> Episode:
    from .. import quotes, redact, themes

    ws, config = ctx.ws, ctx.config
    slug, audio = result.slug, result.audio
    assert audio is not None and result.transcript is not None
    folder = ws.transcript_dir(slug)
    out = ws.episode_dir(slug)
    out.mkdir(parents=True, exist_ok=True)
    remembered = history.entry(slug, audio.sha256, ws.media_slugs())
    if audio.recording.meta.date:
        pub_date = dt.datetime.combine(audio.recording.meta.date, dt.time(9, 0), tzinfo=dt.timezone.utc)
    else:
        pub_date = history.first_published(remembered, ctx.now)

    # Everything below is made from the redacted transcript and metadata only.
    applied = redact.apply(result.transcript, redact.load(folder))
    if applied.unmatched:  # the words were edited since the cut was asked for: withhold, never guess
        raise InputError(f'the cut "{applied.unmatched[0]}" matches nothing in the transcript as it now reads, '
                         "so this episode is withheld", path=folder / redact.REDACTIONS_NAME,
                         fix=f"cut the words as they now read or a time range, then remove this entry "
                             f"(`learncast redact {slug} --list`, or the studio's redactions list)")
    transcript = applied.transcript
    picked = quotes.publish(folder, applied, slug)  # the team's quotes and takeaways, redacted
    result.notes.extend(picked.notes)
    confirmed = themes.publish(folder, applied, result.transcript, slug)  # the team's themes, never a cut word
    result.notes.extend(confirmed.notes)
    rec = dataclasses.replace(audio.recording, meta=redact.redact_meta(audio.recording.meta, applied))
    page_url = config.page_url(slug)
    files = _write_downloads(ctx, slug, transcript, out)
    audio_file, video_file = _media_files(ctx, result, transcript, rec, applied, out, state, state_path, files)
    return Episode(
        slug=slug,
        guid=remembered["guid"],
        title=applied.text(audio.recording.title) or slug,
        recording=rec,
        transcript=transcript,
        pub_date=pub_date,
        audio=audio_file,
        video=video_file,
        page_url=page_url,
        files=files,
        provenance=provenance(ws, slug, audio, result.transcript, applied.count),
        quotes=picked.quotes,
        takeaways=picked.takeaways,
        themes=confirmed.themes,
    )


def provenance(ws: Workspace, slug: str, audio: Audio, transcript: Transcript, redactions: int) -> dict[str, Any]:
    """What the episode page says about how its transcript was made: never what was redacted."""
    from ..consent import decision
    from ..review import read_review
    from ..transcribe import TRANSCRIPT_NAME, is_hand_edited, read_transcript_file

    folder = ws.transcript_dir(slug)
    data = read_transcript_file(folder / TRANSCRIPT_NAME)
    review = read_review(folder)
    return {
        "engine": transcript.engine,
        "model": transcript.model,
        "transcribed_at": data.get("transcribed_at"),
        "reviewed": transcript.reviewed,
        "reviewed_at": review.reviewed_at if transcript.reviewed else None,
        "edited_by_hand": is_hand_edited(data),
        "consent": decision(folder, audio.recording).consent or "not recorded",
        "redactions": redactions,
    }


def _media_files(ctx: PublishContext, result: Publishable, transcript: Transcript, rec, applied,
                 out: Path, state: dict[str, Any], state_path: Path,
                 files: dict[str, str]) -> tuple[MediaFile, MediaFile | None]:
    """The episode's MP3 (tagged, with chapters) and MP4, encoded only when their inputs changed."""
    from .media import ENCODING_VERSION, encode_audio, encode_video, tag_mp3

    config, slug, audio = ctx.config, result.slug, result.audio
    page_url = config.page_url(slug)
    entry = state.setdefault(slug, {})
    chapter_urls = [f"{page_url}#{_anchor(i, c)}" for i, c in enumerate(transcript.chapters)]
    artwork = _episode_artwork(ctx, result, out, entry)
    if artwork is not None and artwork.parent == out:
        files["image"] = config.url("episodes", slug, artwork.name)
    tags = {"title": applied.text(audio.recording.title) or slug, "artist": rec.meta.interviewee or config.author,
            "album": config.title, "date": (rec.meta.date.isoformat() if rec.meta.date else None)}
    chapters = [c.to_dict() for c in transcript.chapters]
    source = _redacted_source(ctx, audio, applied.spans)

    mp3 = out / "audio.mp3"
    enc_key = _key(audio.source_sha256, "mp3", ENCODING_VERSION, applied.spans)
    if not mp3.is_file() or entry.get("mp3_encoded") != enc_key:
        # Forget the old key first: a build killed mid-encode must never trust a stale file.
        entry.pop("mp3_encoded", None)
        entry.pop("mp3_tagged", None)
        write_json(state_path, state)
        # the cache holds what the build encoded while transcribing (one run for MP3 and MP4)
        encode_audio(source, mp3, channels=min(2, max(1, audio.channels)), cache_dir=_media_cache(ctx))
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
            encode_video(source, mp4, transcript.chapters, cache_dir=_media_cache(ctx))
            entry["mp4"] = vkey
        video_file = MediaFile(path=mp4, url=config.url("episodes", slug, "video.mp4"),
                               mime_type="video/mp4", length=mp4.stat().st_size)
    audio_file = MediaFile(path=mp3, url=config.url("episodes", slug, "audio.mp3"),
                           mime_type="audio/mpeg", length=mp3.stat().st_size)
    return audio_file, video_file


def _write_downloads(ctx: PublishContext, slug: str, transcript: Transcript, out: Path) -> dict[str, str]:
    """The transcript formats and chapters for listeners, from the (redacted) transcript,
    under the same names as in ``transcripts/<slug>/``."""
    from ..formats import CHAPTERS_NAME, FILE_NAMES, chapters_text, render_all

    config = ctx.config
    texts = {**render_all(transcript), "chapters": chapters_text(transcript, config.page_url(slug))}
    names = {**FILE_NAMES, "chapters": CHAPTERS_NAME}
    files = {}
    for kind, text in texts.items():
        write_text_if_changed(out / names[kind], text)
        files["json" if kind == "p20" else kind] = config.url("episodes", slug, names[kind])
    for name in LEGACY_DOWNLOADS:  # an earlier release's name for a file published now under another
        (out / name).unlink(missing_ok=True)
    return files


def _media_cache(ctx: PublishContext) -> Path:
    from .media import CACHE_FOLDER

    return ctx.ws.cache_dir / CACHE_FOLDER


def _redacted_source(ctx: PublishContext, audio, spans: tuple[tuple[float, float], ...]) -> Path:
    """The recording with its redacted spans silenced (same duration), or the recording itself."""
    from .. import ffmpeg
    from ..fsutil import atomic_path
    from ..redact import silence_filter

    if not spans:
        return audio.recording.path
    folder = ctx.ws.cache_dir / "redacted"
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


def _episode_artwork(ctx: PublishContext, result: Publishable, out: Path, entry: dict[str, Any]) -> Path | None:
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
    show = ctx.ws.site_dir / "artwork.jpg"
    return show if show.is_file() else None


def _anchor(index: int, chapter) -> str:
    from ..chapters import chapter_anchor

    return chapter_anchor(index, chapter)


__all__ = ["PublishContext", "Publishable", "publish_site", "publishable", "provenance"]
