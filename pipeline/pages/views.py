"""What the templates show, worked out from Episodes and a question set.

The templates stay dumb (loops and escaping only) so a capture team can restyle or
restructure them from ``templates/`` in their workspace without re-implementing the
time-keeping: paragraphs per speaker turn cut at chapter boundaries, timestamps,
anchors and relative links are all decided here.
"""

from __future__ import annotations

import bisect
import math
import posixpath
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote, unquote, urlsplit

from .. import timecodes
from ..i18n import N_, base_language, current_language, format_day
from ..i18n import gettext as _
from ..i18n import ngettext
from ..chapters import CLOSING, INTRO, LOW_CONFIDENCE, chapter_anchor
from ..config import Config
from ..models import INTERVIEWEE, INTERVIEWER, Chapter, Episode, MediaFile, Segment, Transcript, is_interviewer

#: A question page shows an answer's first paragraphs; the rest sit behind "Read more".
PREVIEW_PARAGRAPHS = 2
#: Rounding in transcript.json (3 decimals) must not move a word into the previous chapter.
_EPSILON = 1e-3
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # Unicode category Cc, less whitespace
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
HEADINGS = {INTRO: N_("Introduction"), CLOSING: N_("Closing")}

CHAPTERS_VTT = "chapters.vtt"  # written beside each episode page that has chapters

# kind in Episode.files -> what the download link says, in the order they are listed.
DOWNLOAD_LABELS = {
    "vtt": N_("Captions (WebVTT)"),
    "srt": N_("Subtitles (SRT)"),
    "txt": N_("Transcript (plain text)"),
    "json": N_("Transcript (JSON)"),
    "chapters": N_("Chapters (JSON)"),
    "docx": N_("Reading pack (Word)"),
}
#: A question's reading pack, beside its page (pipeline.publish.reading_packs writes it).
QUESTION_PACK = "{id}-answers.docx"


# ---------------------------------------------------------------- time


@dataclass(frozen=True)
class Timestamp:
    """One moment, as the player seeks to it and as a reader sees it.

    ``seconds`` is floored to tenths so a link never starts after the first word.
    """

    seconds: str  # "754.2": for #t= links and data-start
    clock: str  # "12:34" or "1:02:03": what the reader sees
    iso: str  # "PT754.2S": the <time datetime> value

    @classmethod
    def at(cls, seconds: float) -> Timestamp:
        tenths = max(0, math.floor(seconds * 10 + 1e-6))
        text = str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"
        # The clock is MM:SS (H:MM:SS from an hour), floored like a player's display.
        return cls(seconds=text, clock=timecodes.clock(seconds, floor=True, pad=True), iso=f"PT{text}S")


@dataclass(frozen=True)
class Duration:
    label: str  # "42 min"
    iso: str  # "PT2530S"

    @classmethod
    def of(cls, seconds: float) -> Duration:
        total = max(0, round(seconds))
        if total < 60:
            label = _("%(s)s s", s=total)
        elif total < 3600:
            label = _("%(m)s min", m=round(total / 60))
        else:
            h, m = divmod(round(total / 60), 60)
            label = _("%(h)s h %(m)s min", h=h, m=m) if m else _("%(h)s h", h=h)
        return cls(label=label, iso=f"PT{total}S")


def day_label(d: date) -> str:
    """"2 December 2026"; in the language in use (``pipeline.i18n.use``)."""
    return format_day(d)


def vtt_time(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


# ---------------------------------------------------------------- text


def clean_text(text: str) -> str:
    """Whitespace collapsed, control characters (NUL, ESC, ...) dropped.

    A stray control character in a hand-edited transcript would otherwise end up in
    the page, where some parsers stop at it.
    """
    return " ".join(_CONTROL.sub("", text).split())


def _pieces(seg: Segment, starts: list[float]) -> list[tuple[int, float, str]]:
    """The segment's text as (chapter index, start, text), split where a chapter starts.

    Chapters start at sentences, which may be inside a segment. The text is the
    authority (a person may have corrected it); word timestamps only time it, and only
    while they still match it one to one. Otherwise the tokens are spread over the
    segment in proportion to their length, as the chaptering stage does, so the cut
    falls at the same word.
    """
    text = clean_text(seg.text)
    first = bisect.bisect_right(starts, seg.start + _EPSILON)
    if first >= len(starts) or starts[first] >= seg.end:  # no chapter starts inside: one piece
        return [(max(0, first - 1), seg.start, text)] if text else []
    tokens = text.split()
    words = [w for w in seg.words if w.word.strip()]
    if words and len(words) == len(tokens):
        timed = [(w.start, tok) for w, tok in zip(words, tokens)]
    else:
        total = sum(len(tok) + 1 for tok in tokens) or 1
        span = max(seg.end - seg.start, 0.0)
        timed, pos = [], 0
        for tok in tokens:
            timed.append((seg.start + span * pos / total, tok))
            pos += len(tok) + 1
    out: list[tuple[int, float, str]] = []
    for at, tok in timed:
        idx = max(0, bisect.bisect_right(starts, at + _EPSILON) - 1)
        if out and out[-1][0] == idx:
            out[-1] = (idx, out[-1][1], f"{out[-1][2]} {tok}")
        else:
            out.append((idx, at, tok))
    return out


# ---------------------------------------------------------------- paragraphs and chapters


@dataclass(frozen=True)
class Paragraph:
    """One speaker turn (within one chapter)."""

    id: str  # "p-754200": the start in milliseconds, for search results to link to
    start: Timestamp
    end: float
    speaker: str  # the key: interviewer / interviewee / ...
    name: str  # the display name
    is_interviewer: bool
    text: str
    lang: str = ""  # the transcript's language, when it is not the page's (its ``lang`` attribute)


@dataclass(frozen=True)
class ChapterView:
    index: int
    anchor: str
    question_id: str
    heading: str  # the full question, or "Introduction" / "Closing"
    title: str  # the short title, for the contents list
    start: Timestamp
    begin: float  # the exact start and end, in seconds
    end: float
    confidence: float
    low_confidence: bool
    paragraphs: tuple[Paragraph, ...]
    takeaways: tuple[str, ...] = ()  # the team's, for this chapter (library.with_library)
    quotes: tuple[Any, ...] = ()  # library.QuoteView: the team's key quotes said in this chapter
    themes: tuple[Any, ...] = ()  # themes.ThemeLink: the team's confirmed themes of this chapter

    @property
    def preview(self) -> tuple[Paragraph, ...]:
        """The first paragraphs, always reaching the first words of an answer."""
        n = PREVIEW_PARAGRAPHS
        for i, p in enumerate(self.paragraphs):
            if not p.is_interviewer:
                n = max(n, i + 1)
                break
        return self.paragraphs[:n]

    @property
    def rest(self) -> tuple[Paragraph, ...]:
        return self.paragraphs[len(self.preview):]


def passage_lang(t: Transcript, page_lang: str) -> str:
    """The ``lang`` a passage of ``t`` carries on a page in ``page_lang``: its own language
    when that is another one (Welsh page, English interview), else ""."""
    lang = (t.language or "").strip()
    if not _LANG_RE.match(lang) or not page_lang or base_language(lang) == base_language(page_lang):
        return ""
    return lang


def _paragraphs(t: Transcript, starts: list[float], page_lang: str = "") -> list[list[Paragraph]]:
    """Paragraphs per chapter: consecutive same-speaker words merged, cut at chapter starts.

    With no chapters everything goes into one list.
    """
    out: list[list[Paragraph]] = [[] for _ in range(max(1, len(starts)))]
    used: set[str] = set()
    current: tuple[int, str] | None = None
    words: list[str] = []
    first = last = 0.0
    lang = passage_lang(t, page_lang)

    def flush() -> None:
        if current is None or not words:
            return
        ms = round(first * 1000)
        pid, n = f"p-{ms}", 1
        while pid in used:  # two turns in the same millisecond (hand edits): keep ids unique
            n += 1
            pid = f"p-{ms}-{n}"
        used.add(pid)
        key = current[1]
        out[current[0]].append(Paragraph(
            id=pid, start=Timestamp.at(first), end=round(last, 3), speaker=key,
            name=clean_text(t.speaker_name(key)) or key, is_interviewer=is_interviewer(key), text=" ".join(words),
            lang=lang))

    for seg in sorted(t.segments, key=lambda s: (s.start, s.end)):
        for idx, at, text in _pieces(seg, starts):
            if (idx, seg.speaker) != current:
                flush()
                current, words, first = (idx, seg.speaker), [], at
            words.append(text)
            last = max(seg.end, at)
    flush()
    return out


def chapter_views(t: Transcript, questions: dict[str, Any], page_lang: str = "") -> list[ChapterView]:
    """One view per chapter, in time order, with its paragraphs.

    Anchors come from :func:`pipeline.chapters.chapter_anchor` with the chapter's
    position in the transcript, as the chapters files and MP3 chapter links use it, so
    every link lands on its heading even when a hand edit left the chapters out of order.
    """
    order = sorted(range(len(t.chapters)), key=lambda i: t.chapters[i].start)
    paragraphs = _paragraphs(t, [t.chapters[i].start for i in order], page_lang)
    views = []
    for i, paras in zip(order, paragraphs):
        ch = t.chapters[i]
        views.append(ChapterView(
            index=i, anchor=chapter_anchor(i, ch), question_id=ch.question, heading=heading(ch, questions),
            title=chapter_title(ch, questions), start=Timestamp.at(ch.start),
            begin=ch.start, end=ch.end, confidence=ch.confidence, low_confidence=ch.confidence < LOW_CONFIDENCE,
            paragraphs=tuple(paras)))
    return views


def unchaptered(t: Transcript, page_lang: str = "") -> tuple[Paragraph, ...]:
    """The whole transcript as paragraphs, for an episode without chapters."""
    return tuple(_paragraphs(t, [], page_lang)[0])


def localized(item: Any) -> tuple[str, str]:
    """(title, question) of a question-set item in the language in use (its ``[question.cy]``
    table on a Welsh page), else as the set words it."""
    title, question = getattr(item, "title", "") or "", getattr(item, "question", "") or ""
    if hasattr(item, "in_language") and current_language():
        title, question = item.in_language(current_language())
    return title, question


def heading(ch: Chapter, questions: dict[str, Any]) -> str:
    """The full question asked in a chapter; the chapter's title when the set lacks it."""
    if ch.question in HEADINGS:
        return _(HEADINGS[ch.question])
    q = questions.get(ch.question)
    text = clean_text(localized(q)[1]) if q is not None else ""
    return text or clean_text(ch.title) or ch.question


def chapter_title(ch: Chapter, questions: dict[str, Any]) -> str:
    """The chapter's short title in the language in use: the question set's (translated) title
    while the chapter carries the set's own one, a person's own title as they wrote it."""
    own = clean_text(ch.title)
    q = questions.get(ch.question)
    if ch.question in HEADINGS and own in ("", HEADINGS[ch.question]):
        return _(HEADINGS[ch.question])
    if q is not None and own in ("", clean_text(getattr(q, "title", "") or "")):
        return clean_text(localized(q)[0]) or own or heading(ch, questions)
    return own or heading(ch, questions)


# ---------------------------------------------------------------- links


def site_path(url: str, config: Config) -> str | None:
    """The path of an absolute URL under ``base_url`` relative to ``site/``, else None."""
    base = config.url()
    if url.startswith(base):
        return url[len(base):].split("#", 1)[0].split("?", 1)[0]
    return None


def link(url: str, config: Config, page_dir: str) -> str | None:
    """A link from the page in ``page_dir`` (site-relative, e.g. ``episodes/x``) to ``url``.

    URLs under ``base_url`` become relative, so the site works from a file share or any
    host. Other http(s) URLs stay as they are; anything else (``javascript:`` ...) is dropped.
    """
    path = site_path(url, config)
    if path is not None:
        return posixpath.relpath(path or ".", page_dir or ".")
    return url if urlsplit(url).scheme in ("http", "https") else None


def q(part: str) -> str:
    """A path segment for an href."""
    return quote(part, safe="")


# ---------------------------------------------------------------- episodes


@dataclass(frozen=True)
class Download:
    label: str
    href: str
    size: str  # "23.4 MB", or "" when unknown


def file_size(n: int) -> str:
    if n <= 0:
        return ""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


@dataclass(frozen=True)
class EpisodeView:
    slug: str
    path: str  # site-relative: episodes/<slug>/index.html
    title: str
    interviewee: str
    role: str
    interviewer: str
    description: str
    date: date
    date_label: str
    duration: Duration
    reviewed: bool
    language: str  # of the transcript: srclang and the lang of the transcript text
    chapters: tuple[ChapterView, ...]
    paragraphs: tuple[Paragraph, ...]  # only when there are no chapters
    audio: str  # relative to the episode page
    audio_type: str
    video: str | None
    video_type: str | None
    poster: str | None
    captions: str | None
    chapters_vtt: str | None  # the chapters track's href, when there are chapters
    chapters_track: str  # its WebVTT text ("" without chapters), written beside the page
    downloads: tuple[Download, ...]
    page_url: str
    provenance: tuple[tuple[str, str], ...] = ()  # (label, value) rows for "About this transcript"
    cite: str = ""  # a "cite this interview" line
    quotes: tuple[Any, ...] = ()  # library.QuoteView, in time order
    timeline: tuple[Any, ...] = ()  # library.TimelineSegment, one per chapter

    @property
    def chapter_count(self) -> int:
        return len(self.chapters)


def episode_date(ep: Episode) -> date:
    """The interview's date when known, else the publication date."""
    if ep.recording.meta.date:
        return ep.recording.meta.date
    return ep.pub_date.date() if isinstance(ep.pub_date, datetime) else ep.pub_date


def episode_view(ep: Episode, config: Config, questions: dict[str, Any], *, folder: Path,
                 prefix: str = "") -> EpisodeView:
    """Everything an episode page (and a listing of it) shows; links relative to its page.

    ``folder`` is the episode's folder in ``site/`` (where a video's poster frame lies);
    ``prefix`` is the folder of the page's language in a bilingual site (``"cy/"``), whose
    pages link to the one copy of the media and downloads in ``site/episodes/<slug>/``.
    """
    here = f"{prefix}episodes/{ep.slug}"
    meta = ep.recording.meta
    page_lang = current_language() or config.feed_language

    def media(f: MediaFile) -> str:
        return link(f.url, config, here) or q(f.path.name)

    def download(label: str, href: str, length: int = 0) -> Download:
        # a file in the episode's folder: beside the page, or there from a language's folder
        name = posixpath.relpath(posixpath.normpath(posixpath.join(here, href)), f"episodes/{ep.slug}") \
            if prefix else href
        local = folder / unquote(name)
        if not length and "/" not in name and local.is_file():
            length = local.stat().st_size
        return Download(_(label), href, file_size(length))

    downloads = [download(DOWNLOAD_LABELS[kind], href)
                 for kind in DOWNLOAD_LABELS
                 if ep.files.get(kind) and (href := link(ep.files[kind], config, here))]
    chapter_list = chapter_views(ep.transcript, questions, page_lang)
    track = chapters_vtt(chapter_list, ep.duration) if chapter_list else ""
    if track:
        downloads.append(download(N_("Chapters (WebVTT)"), CHAPTERS_VTT, len(track.encode("utf-8"))))
    downloads.append(download(N_("Audio (MP3)"), media(ep.audio), ep.audio.length))
    if ep.video is not None:
        downloads.append(download(N_("Video (MP4)"), media(ep.video), ep.video.length))
    poster = folder / "poster.jpg"
    lang = ep.transcript.language if _LANG_RE.match(ep.transcript.language or "") else config.feed_language
    d = episode_date(ep)
    captions = ep.files.get("vtt")
    return EpisodeView(
        slug=ep.slug, path=f"episodes/{q(ep.slug)}/index.html", title=clean_text(ep.title) or ep.slug,
        interviewee=clean_text(meta.interviewee or ep.transcript.speakers.get(INTERVIEWEE) or ""),
        role=clean_text(meta.role or ""), interviewer=_interviewer(ep, config),
        description=clean_text(meta.description or ""), date=d, date_label=day_label(d),
        duration=Duration.of(ep.duration), reviewed=ep.transcript.reviewed, language=lang,
        chapters=tuple(chapter_list), paragraphs=() if chapter_list else unchaptered(ep.transcript, page_lang),
        audio=media(ep.audio), audio_type=ep.audio.mime_type,
        video=media(ep.video) if ep.video is not None else None,
        video_type=ep.video.mime_type if ep.video is not None else None,
        poster=(link(config.url("episodes", ep.slug, "poster.jpg"), config, here) if prefix else "poster.jpg")
        if ep.video is not None and poster.is_file() else None,
        captions=link(captions, config, here) if captions else None, chapters_vtt=CHAPTERS_VTT if track else None,
        chapters_track=track,
        downloads=tuple(downloads), page_url=config.page_url(ep.slug, prefix.strip("/")) if prefix else ep.page_url,
        provenance=provenance_rows(ep.provenance), cite=citation(ep, config, d),
    )


def provenance_rows(p: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """How this transcript was made, for readers: never the content of a redaction."""
    if not p:
        return ()
    rows = [(_("Transcribed by"), f"{p.get('engine', '?')} ({p.get('model', '?')})")]
    if p.get("transcribed_at"):
        rows.append((_("Transcribed"), str(p["transcribed_at"])[:10]))
    if p.get("reviewed"):
        rows.append((_("Reviewed by a person"), str(p.get("reviewed_at") or _("yes"))[:10]))
    else:
        rows.append((_("Reviewed by a person"), _("not yet")))
    if p.get("edited_by_hand"):
        rows.append((_("Corrected by hand"), _("yes")))
    consent = str(p.get("consent", "not recorded"))
    rows.append((_("Consent"), _(CONSENT_LABELS[consent]) if consent in CONSENT_LABELS else consent))
    count = int(p.get("redactions", 0))
    rows.append((_("Redactions"), ngettext("%(num)d redaction applied", "%(num)d redactions applied", count)
                 if count else _("none")))
    return tuple(rows)


#: The consent states (pipeline.consent) as the provenance block words them.
CONSENT_LABELS = {"public": N_("public"), "withheld": N_("withheld"), "not recorded": N_("not recorded")}


def citation(ep: Episode, config: Config, d: date) -> str:
    who = clean_text(ep.recording.meta.interviewee or "")
    parts = [p for p in (who, f"\u201c{clean_text(ep.title)}\u201d", clean_text(config.title), day_label(d)) if p]
    url = f"{ep.page_url}#t=0" if ep.page_url else ""
    return ", ".join(parts) + (f". {url}" if url else ".")


def _interviewer(ep: Episode, config: Config) -> str:
    """The interviewer's name, or "" when all that is known is the word "Interviewer"."""
    name = clean_text(ep.recording.meta.interviewer or ep.transcript.speakers.get(INTERVIEWER)
                      or config.interviewer or "")
    return "" if name.lower() == INTERVIEWER else name


def chapters_vtt(chapters: Iterable[ChapterView], duration: float) -> str:
    """A WebVTT chapters track (the short titles), for ``<track kind="chapters">``.

    A chapter's cue runs to the next chapter's start, so the track tiles the recording
    even where a hand-edited chapter end overlaps or leaves a gap.
    """
    chs = list(chapters)
    lines = ["WEBVTT", ""]
    for i, ch in enumerate(chs):
        end = chs[i + 1].begin if i + 1 < len(chs) else max(ch.end, duration)
        end = max(end, ch.begin + 0.001)
        title = ch.title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        lines += [f"{i + 1}", f"{vtt_time(ch.begin)} --> {vtt_time(end)}", title, ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- questions


@dataclass(frozen=True)
class Answer:
    episode: EpisodeView
    chapter: ChapterView


@dataclass(frozen=True)
class QuestionView:
    id: str
    path: str  # site-relative: questions/<id>/index.html
    question: str
    title: str
    answers: tuple[Answer, ...]
    downloads: tuple[Download, ...] = ()  # the reading pack, when there is one beside the page


def question_views(questions: Iterable[Any], episodes: list[EpisodeView], *,
                   site_dir: Path | None = None, pack_root: str = "") -> list[QuestionView]:
    """Every question in the set with every chapter (in newest episodes first) that answers it.

    With ``site_dir``, a question's reading pack found beside its page is in its downloads
    (``pack_root`` leads from a bilingual site's page to site/, where the pack is).
    """
    out = []
    for item in questions:
        answers = tuple(Answer(ep, ch) for ep in episodes for ch in ep.chapters if ch.question_id == item.id)
        pack = QUESTION_PACK.format(id=item.id)
        local = Path(site_dir) / "questions" / item.id / pack if site_dir is not None else None
        href = f"{pack_root}questions/{q(item.id)}/{q(pack)}" if pack_root else q(pack)
        downloads = ((Download(_("Every answer, as a reading pack (Word)"), href, file_size(local.stat().st_size)),)
                     if answers and local is not None and local.is_file() else ())
        title, question = localized(item)
        out.append(QuestionView(
            id=item.id, path=f"questions/{q(item.id)}/index.html",
            question=clean_text(question), title=clean_text(title) or item.id,
            answers=answers, downloads=downloads))
    return out
