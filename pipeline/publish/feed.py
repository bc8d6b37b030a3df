"""The podcast feeds: ``site/feed.xml`` (audio) and ``site/video.xml`` (when there is video).

Built with feedgen and three extensions (see :mod:`.podcast20`): Apple's iTunes tags,
the Podcasting 2.0 namespace, and Podlove Simple Chapters. What each app reads:

* Apple Podcasts: the iTunes tags, ``enclosure``, ``guid``, ``pubDate``, the HTML
  show notes in ``content:encoded``; chapters from the MP3's ID3 tag.
* Podcasting 2.0 apps (Podverse, Fountain, Castamatic, ...): ``podcast:transcript``,
  ``podcast:chapters`` (the JSON chapters file), people, soundbite, the video as an
  ``alternateEnclosure`` of the audio item.
* gPodder (podcastparser), AntennaPod and others: ``psc:chapters`` inline. podcastparser
  0.6.11 only knows the Podcasting 2.0 namespace under its old GitHub URL, so it sees
  none of the ``podcast:`` tags here; the inline Podlove chapters are what it reads.

Each feed is a separate show to a directory, so the video feed has its own
``podcast:guid`` (derived from its own URL) and ``podcast:medium`` ``video``.
Both are written only when their bytes change.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Sequence

import jinja2
from feedgen.feed import FeedGenerator

from ..chapters import chapter_anchor
from ..config import Config
from ..errors import BuildError
from ..fsutil import write_text_if_changed
from ..models import INTERVIEWEE, Episode, Segment, Transcript
from ..redact import MARKER as REDACTED
from .artwork import ARTWORK_NAME
from .podcast20 import register, xml_text

log = logging.getLogger(__name__)

FEED_NAME = "feed.xml"
VIDEO_FEED_NAME = "video.xml"
DEFAULT_INTERVIEWER = "Interviewer"  # learncast.toml's placeholder: not a name to credit
DESCRIPTION_LIMIT = 4000  # Apple's limit for an episode description
SOUNDBITE_MIN, SOUNDBITE_MAX, SOUNDBITE_IDEAL = 15.0, 60.0, 30.0

# Episode.files kind -> (MIME type, rel); the episode page is added as text/html.
TRANSCRIPTS = (
    ("vtt", "text/vtt", "captions"),
    ("srt", "application/x-subrip", None),
    ("json", "application/json", None),
    ("txt", "text/plain", None),
)

_NOTES = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(
    """\
{% for p in paragraphs %}<p>{{ p }}</p>
{% endfor %}
{% if chapters %}<p>Chapters:</p>
<ul>
{% for c in chapters %}<li><a href="{{ c.url }}">{{ c.time }}</a> {{ c.title }}</li>
{% endfor %}
{% if more %}<li><a href="{{ page_url }}">more on the episode page</a></li>
{% endif %}
</ul>
{% endif %}
{% if page_url %}<p><a href="{{ page_url }}">Read the full transcript</a></p>
{% endif %}""")


# ---------------------------------------------------------------- writing


def write_feeds(config: Config, site_dir: Path, episodes: Sequence[Episode]) -> list[Path]:
    """Write ``site/feed.xml`` and, when any episode has video, ``site/video.xml``.

    A ``video.xml`` left from an earlier build is removed when no episode has video
    any more, so no feed points at deleted files. Returns the feed files now in site/.
    """
    site = Path(site_dir)
    written = [site / FEED_NAME]
    if write_text_if_changed(written[0], build_feed(config, episodes).decode("utf-8")):
        log.info("wrote %s (%d episodes)", written[0], len(episodes))
    video = site / VIDEO_FEED_NAME
    if any(e.video is not None for e in episodes):
        if write_text_if_changed(video, build_feed(config, episodes, video=True).decode("utf-8")):
            log.info("wrote %s", video)
        written.append(video)
    elif video.exists():
        video.unlink()
        log.info("removed %s: no episode has video", video)
    return written


def build_feed(config: Config, episodes: Sequence[Episode], *, video: bool = False) -> bytes:
    """The RSS document (UTF-8 bytes) for ``episodes``, in the order given.

    ``video=True`` builds the video feed: only episodes with video, the MP4 as the
    enclosure and the MP3 as its alternate.
    """
    items = [e for e in episodes if e.video is not None] if video else list(episodes)
    _check_unique(items)
    feed_url = config.url(VIDEO_FEED_NAME if video else FEED_NAME)
    artwork = config.url(ARTWORK_NAME)
    title = xml_text(config.title, single_line=True) + (" (video)" if video else "")
    host = show_host(config)

    fg = FeedGenerator()
    register(fg)
    fg.title(title)
    fg.link(href=feed_url, rel="self", type="application/rss+xml")
    fg.link(href=config.base_url, rel="alternate")  # feedgen's RSS <link> is the last one set
    fg.description(xml_text(config.description) or title)
    fg.language(config.feed_language)
    fg.generator("Learncast")
    fg.image(url=artwork, title=title, link=config.base_url)
    fg.lastBuildDate(max((_aware(e.pub_date) for e in items), default=None)
                     or dt.datetime.now(dt.timezone.utc).replace(microsecond=0))

    fg.podcast.itunes_author(xml_text(config.author, single_line=True))
    fg.podcast.itunes_owner(name=xml_text(config.owner_name, single_line=True), email=config.owner_email)
    fg.podcast.itunes_image(artwork)
    top, _, sub = (part.strip() for part in config.category.partition(">"))
    fg.podcast.itunes_category({"cat": top, "sub": sub} if sub else {"cat": top})
    fg.podcast.itunes_explicit(config.explicit)
    fg.podcast.itunes_type("episodic")

    fg.podcast20.guid(feed_url)
    fg.podcast20.locked(False, owner=config.owner_email)
    fg.podcast20.medium("video" if video else "podcast")
    fg.podcast20.person(host, "host")

    for ep in items:
        _add_item(fg, config, ep, video=video, host=host)
    return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def _check_unique(items: Sequence[Episode]) -> None:
    """Apps treat two items with one guid (or one enclosure URL) as the same episode."""
    seen: dict[str, str] = {}
    for ep in items:
        for key in (f"guid {ep.guid}", f"audio {ep.audio.url}"):
            if key in seen:
                raise BuildError(f"episodes {seen[key]} and {ep.slug} share the {key}",
                                 path=ep.recording.path,
                                 fix="give each recording its own file name and transcript guid")
            seen[key] = ep.slug


def _aware(value: dt.datetime) -> dt.datetime:
    """Feeds need a time zone; a naive time is taken as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)


def show_host(config: Config) -> str:
    """Who hosts the show: the interviewer when named, else the show's author."""
    name = xml_text(config.interviewer, single_line=True)
    if name and name != DEFAULT_INTERVIEWER:
        return name
    return xml_text(config.author, single_line=True)


def _add_item(fg: FeedGenerator, config: Config, ep: Episode, *, video: bool, host: str) -> None:
    meta = ep.recording.meta
    main, alternate = (ep.video, ep.audio) if video else (ep.audio, ep.video)
    assert main is not None
    language = _language(config, ep.transcript)

    fe = fg.add_entry(order="append")
    fe.title(xml_text(ep.title, single_line=True) or ep.slug)
    fe.guid(xml_text(ep.guid, single_line=True), permalink=False)
    if ep.page_url:
        fe.link(href=ep.page_url)
    fe.enclosure(main.url, str(main.length), main.mime_type)
    fe.pubDate(_aware(ep.pub_date))
    plain, html = show_notes(ep, host=host)
    fe.description(plain)
    fe.content(html, type="CDATA")

    fe.podcast.itunes_duration(str(int(round(max(0.0, ep.duration)))))
    fe.podcast.itunes_episode_type("full")
    image = ep.files.get("image")
    if image and image.lower().endswith((".jpg", ".png")):
        fe.podcast.itunes_image(image)

    p20 = fe.podcast20
    for kind, mime, rel in TRANSCRIPTS:
        if ep.files.get(kind):
            p20.transcript(ep.files[kind], mime, language=language, rel=rel)
    if ep.page_url:
        p20.transcript(ep.page_url, "text/html", language=language)
    if ep.files.get("chapters"):
        p20.chapters(ep.files["chapters"])
    p20.person(xml_text(meta.interviewer or "", single_line=True) or host, "host")
    if meta.interviewee:
        p20.person(meta.interviewee, "guest")
    bite = choose_soundbite(ep.transcript)
    if bite is not None:
        p20.soundbite(bite[0], bite[1], _chapter_title_at(ep, bite[0]))
    if alternate is not None:
        p20.alternate_enclosure(alternate.mime_type, alternate.length, alternate.url,
                                title="Audio only" if video else "Video", lang=language)

    for i, ch in enumerate(ep.chapters):
        fe.psc.chapter(ch.start, ch.title, _chapter_url(ep, i))


def _language(config: Config, transcript: Transcript) -> str:
    lang = (transcript.language or "").strip()
    return lang if lang and lang != "auto" else config.feed_language


def _chapter_url(ep: Episode, index: int) -> str | None:
    return f"{ep.page_url}#{chapter_anchor(index, ep.chapters[index])}" if ep.page_url else None


def _chapter_title_at(ep: Episode, t: float) -> str:
    for ch in ep.chapters:
        if ch.start <= t < max(ch.end, ch.start + 1e-3):
            return ch.title
    return ""


# ---------------------------------------------------------------- show notes


def clock(seconds: float) -> str:
    """``M:SS`` or ``H:MM:SS``, the form apps turn into seek links."""
    total = max(0, int(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def show_notes(ep: Episode, *, host: str) -> tuple[str, str]:
    """(plain text, HTML) episode notes: description, who is talking, the chapter list.

    Both stay within Apple's 4000-character limit: a long description is cut to half
    of it, then fewer chapters are listed (the rest are on the episode page). The HTML is escaped by jinja2, so it cannot contain
    ``]]>`` and is safe inside the CDATA section feedgen writes.
    """
    meta = ep.recording.meta
    paragraphs = [xml_text(p) for p in _shorten(meta.description or "", DESCRIPTION_LIMIT // 2).split("\n\n")
                  if xml_text(p)]
    if meta.interviewee:
        who = xml_text(meta.interviewee, single_line=True)
        if meta.role:
            who += f", {xml_text(meta.role, single_line=True)}"
        paragraphs.append(f"{who}, in conversation with {xml_text(meta.interviewer or '', single_line=True) or host}.")
    chapters = [{"time": clock(ch.start), "title": xml_text(ch.title, single_line=True),
                 "url": _chapter_url(ep, i) or ""} for i, ch in enumerate(ep.chapters)]
    for n in range(len(chapters), -1, -1):
        shown, more = chapters[:n], n < len(chapters)
        plain = "\n\n".join(paragraphs)
        if shown:
            plain += "\n\nChapters:\n" + "\n".join(f"{c['time']} {c['title']}" for c in shown)
            if more:
                plain += "\n…"
        if ep.page_url:
            plain += f"\n\nTranscript: {ep.page_url}"
        html = _NOTES.render(paragraphs=paragraphs, chapters=shown, more=more, page_url=ep.page_url)
        if max(len(plain), len(html)) <= DESCRIPTION_LIMIT:
            break
    return plain.strip()[:DESCRIPTION_LIMIT], html.strip()


def _shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters (with an ellipsis)."""
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0].rstrip() + "…"


# ---------------------------------------------------------------- soundbite


def choose_soundbite(transcript: Transcript) -> tuple[float, float] | None:
    """(start, duration) of the best 15–60 s stretch of one interviewee answer, or None.

    Candidates start where an interviewee segment starts and take whole consecutive
    interviewee segments (cut at a word boundary when one segment alone runs past
    60 s). The score favours clear speech (mean word probability), a length near 30 s,
    ending on a full stop, and the substance of the interview over its intro and
    closing chapters. Ties go to the earlier stretch, so the choice is deterministic.
    """
    runs: list[list[Segment]] = []
    previous = None
    for seg in sorted(transcript.segments, key=lambda s: s.start):
        if REDACTED in seg.text:
            previous = None  # a soundbite never spans a redaction
            continue
        if seg.speaker == INTERVIEWEE and seg.text.strip() and seg.end > seg.start:
            if previous == INTERVIEWEE and runs:
                runs[-1].append(seg)
            else:
                runs.append([seg])
        previous = seg.speaker
    margins = [(c.start, c.end) for c in transcript.chapters if c.question in ("intro", "closing")]

    best: tuple[float, float, float] | None = None  # (score, start, end)
    for run in runs:
        for i, first in enumerate(run):
            for j in range(i, len(run)):
                end, complete = run[j].end, run[j].text.rstrip().endswith((".", "!", "?"))
                if end - first.start > SOUNDBITE_MAX:
                    end = max((w.end for w in run[j].words if w.end - first.start <= SOUNDBITE_MAX),
                              default=run[j - 1].end if j > i else first.start + SOUNDBITE_MAX)
                    complete = False
                duration = end - first.start
                if duration >= SOUNDBITE_MIN:
                    score = _soundbite_score(run[i:j + 1], first.start, end, complete, margins)
                    if best is None or score > best[0] + 1e-9:
                        best = (score, first.start, end)
                if run[j].end - first.start > SOUNDBITE_MAX:
                    break
    if best is None:
        return None
    return round(best[1], 3), round(best[2] - best[1], 3)


def _soundbite_score(segments: list[Segment], start: float, end: float, complete: bool,
                     margins: list[tuple[float, float]]) -> float:
    probs = [w.probability for s in segments for w in s.words if start <= w.start < end]
    clarity = sum(probs) / len(probs) if probs else 1.0
    length = max(0.0, 1.0 - abs((end - start) - SOUNDBITE_IDEAL) / SOUNDBITE_IDEAL)
    in_margin = any(a <= start < b for a, b in margins)
    return clarity + 0.5 * length + 0.3 * complete - 1.0 * in_margin


__all__ = [
    "FEED_NAME",
    "VIDEO_FEED_NAME",
    "build_feed",
    "choose_soundbite",
    "clock",
    "show_host",
    "show_notes",
    "write_feeds",
]
