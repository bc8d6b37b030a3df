"""The learning library's views: key quotes, takeaways, each episode's chapter timeline,
and the overview of who answered which question.

Like :mod:`.views`, everything a template shows is decided here; the team's quotes and
takeaways arrive on the Episode already redacted (see :mod:`pipeline.quotes`), and only
published episodes reach this module, so nothing withheld can appear.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from .. import timecodes
from ..i18n import current_language
from ..i18n import gettext as _
from ..i18n import ngettext
from ..models import Episode
from .views import ChapterView, EpisodeView, QuestionView, Timestamp, passage_lang


def span_fragment(start: float, end: float) -> str:
    """``t=START,END`` (a media fragment): the start floored, the end raised, to tenths."""
    return f"t={Timestamp.at(start).seconds},{_tenths(math.ceil(end * 10 - 1e-6))}"


def _tenths(n: int) -> str:
    return str(n // 10) if n % 10 == 0 else f"{n // 10}.{n % 10}"


def spoken(seconds: float) -> str:
    """A length as a screen reader reads it: "2 minutes 35 seconds"."""
    if seconds < 9.95:  # a short quote: to the tenth
        tenths = f"{max(0.0, seconds):.1f}".removesuffix(".0")
        if "." in tenths:
            return _("%(n)s seconds", n=tenths)
        return ngettext("%(num)d second", "%(num)d seconds", int(tenths))
    total = round(seconds)
    m, s = divmod(total, 60)
    parts = (([ngettext("%(num)d minute", "%(num)d minutes", m)] if m else [])
             + ([ngettext("%(num)d second", "%(num)d seconds", s)] if s or not m else []))
    return " ".join(parts)


# ---------------------------------------------------------------- quotes and takeaways


@dataclass(frozen=True)
class QuoteView:
    id: str  # "quote-1": its anchor on the episode page
    text: str
    speaker: str
    start: Timestamp
    end: float
    fragment: str  # "t=83.4,91": plays just this span
    length: str  # "8 seconds"
    share_url: str  # the episode page's address with the fragment ("" without a base URL)
    chapter_anchor: str
    chapter_title: str
    card: Any = None  # cards.Card: its quote card, beside the episode page (sharing.with_cards)
    page: str = ""  # its own page's file name, beside the episode page (sharing.render_quote_pages)
    lang: str = ""  # the transcript's language, when it is not the page's


@dataclass(frozen=True)
class TimelineSegment:
    number: int
    anchor: str
    title: str
    start: Timestamp
    width: float  # percent of the recording
    label: str  # what a screen reader hears after the number and title
    margin: bool  # the introduction or the closing


def _quote_views(ep: Episode, view: EpisodeView) -> list[QuoteView]:
    out = []
    lang = passage_lang(ep.transcript, current_language() or view.language)
    for i, quote in enumerate(ep.quotes, 1):
        chapter = _chapter_at(view.chapters, quote.start)
        fragment = span_fragment(quote.start, quote.end)
        out.append(QuoteView(
            id=f"quote-{i}", text=quote.text, speaker=quote.speaker, start=Timestamp.at(quote.start),
            end=quote.end, fragment=fragment, length=spoken(quote.end - quote.start),
            share_url=f"{view.page_url}#{fragment}" if view.page_url else "",
            chapter_anchor=chapter.anchor if chapter else "", chapter_title=chapter.title if chapter else "",
            lang=lang))
    return out


def _chapter_at(chapters: Sequence[ChapterView], t: float) -> ChapterView | None:
    found = None
    for ch in sorted(chapters, key=lambda c: c.begin):
        if ch.begin <= t + 1e-3:
            found = ch
    return found


def timeline(chapters: Sequence[ChapterView], duration: float) -> tuple[TimelineSegment, ...]:
    """One segment per chapter, as wide as the chapter is long (to the next chapter's start)."""
    chs = sorted(chapters, key=lambda c: c.begin)
    total = max(duration, chs[-1].end if chs else 0.0, 1e-3)
    out = []
    for i, ch in enumerate(chs):
        end = chs[i + 1].begin if i + 1 < len(chs) else max(ch.end, total)
        length = max(end - ch.begin, 0.0)
        out.append(TimelineSegment(
            number=i + 1, anchor=ch.anchor, title=ch.title, start=ch.start,
            width=round(100 * length / total, 3),
            label=" " + _("(of %(count)s), from %(clock)s, %(length)s", count=len(chs), clock=ch.start.clock,
                          length=spoken(length)),
            margin=ch.question_id in ("intro", "closing")))
    return tuple(out)


def with_library(view: EpisodeView, ep: Episode) -> EpisodeView:
    """``view`` with the team's quotes and takeaways, each chapter's on the chapter, and the timeline."""
    quotes = _quote_views(ep, view)
    chapters = []
    for ch in view.chapters:
        mine = tuple(t.text for t in ep.takeaways if t.chapter == ch.question_id)
        said = tuple(qv for qv in quotes if qv.chapter_anchor == ch.anchor)
        chapters.append(dataclasses.replace(ch, takeaways=mine, quotes=said))
    return dataclasses.replace(view, chapters=tuple(chapters), quotes=tuple(quotes),
                               timeline=timeline(view.chapters, ep.duration) if view.chapters else ())


# ---------------------------------------------------------------- the overview


@dataclass(frozen=True)
class Cell:
    href: str  # site-relative: the episode page at the answer's start
    seconds: float
    clock: str  # "2:35": what the cell shows
    spoken: str  # "2 minutes 35 seconds, play ..."
    share: float  # percent of the longest answer in the table (the bar's length)


@dataclass(frozen=True)
class Row:
    episode: EpisodeView
    cells: tuple[Cell | None, ...]  # one per question, None where it was not answered
    answered: int


@dataclass(frozen=True)
class OverviewView:
    questions: tuple[QuestionView, ...]
    rows: tuple[Row, ...]
    answered: tuple[int, ...]  # per question: how many interviews answer it


def overview(questions: Iterable[QuestionView], episodes: Iterable[EpisodeView]) -> OverviewView:
    """Every interview (a row, by interviewee) against every question (a column)."""
    qs = tuple(questions)
    eps = sorted(episodes, key=lambda e: ((e.interviewee or e.title).casefold(), e.date))
    raw: list[list[tuple[float, ChapterView] | None]] = []
    for ep in eps:
        row: list[tuple[float, ChapterView] | None] = []
        for qv in qs:
            chs = [c for c in ep.chapters if c.question_id == qv.id]
            row.append((sum(max(0.0, c.end - c.begin) for c in chs), chs[0]) if chs else None)
        raw.append(row)
    longest = max((c[0] for row in raw for c in row if c), default=0.0) or 1.0
    rows = []
    for ep, row in zip(eps, raw):
        who = ep.interviewee or ep.title
        cells = tuple(None if c is None else Cell(
            href=f"{ep.path}#t={c[1].start.seconds}", seconds=c[0], clock=timecodes.clock(c[0]),
            spoken=_("%(length)s: play %(who)s's answer", length=spoken(c[0]), who=who), share=round(max(2.0, 100 * c[0] / longest), 1))
            for c in row)
        rows.append(Row(episode=ep, cells=cells, answered=sum(c is not None for c in cells)))
    answered = tuple(sum(1 for row in rows if row.cells[i] is not None) for i in range(len(qs)))
    return OverviewView(questions=qs, rows=tuple(rows), answered=answered)


__all__ = ["OverviewView", "QuoteView", "TimelineSegment", "overview", "span_fragment", "spoken", "timeline",
           "with_library"]
