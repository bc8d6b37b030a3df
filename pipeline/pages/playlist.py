"""Every answer in one play, and a printable handout, for each question page.

A question page's player (``static/playlist.js``) plays every interviewee's answer in
turn, in the order the page lists them: for each answer, the span of its chapter in
that episode's *published* MP3. The publish stage makes that MP3 from the recording
with every redacted span silenced, keeping its length (``publish.episodes
._redacted_source``), so the chapter times on the pages are the published audio's times
and a cut is silent in the playlist as it is everywhere else. Withheld interviews are
never published, so they are not on the page nor in the playlist.

Without JavaScript each answer keeps a player of its own (the same MP3 with a
``#t=START,END`` media fragment, which plays just the answer).

The handout (``questions/<id>/handout.html``) is for reflective sessions: the question,
then every answer's key quotes, who said them, and room for notes, laid out for print.
"""

from __future__ import annotations

import math
import posixpath
from dataclasses import dataclass
from typing import Any

from ..i18n import gettext
from .library import span_fragment, spoken
from .views import QuestionView, Timestamp

HANDOUT = "handout.html"  # beside each question page that has answers


@dataclass(frozen=True)
class Track:
    """One answer as the question page's player plays it."""

    number: int
    src: str  # the episode's published MP3, relative to the question page
    type: str
    start: float  # the span in the published audio, in seconds (start floored, end raised, to tenths)
    end: float
    begin: Timestamp  # the start, for the reader
    clip: str  # "t=83.4,151.2": a media fragment that plays just this answer
    length: str  # "2 minutes 35 seconds"
    who: str  # "Jane Doe, Head of Adult Social Care": who answers


def _from_question(href: str, slug: str, qid: str) -> str:
    """An episode page's link (relative to ``episodes/<slug>/``) as seen from ``questions/<qid>/``."""
    if "://" in href or href.startswith("/"):
        return href
    path = posixpath.normpath(posixpath.join("episodes", slug, href))
    return posixpath.relpath(path, posixpath.join("questions", qid))


def tracks(qv: QuestionView) -> tuple[Track, ...]:
    """One track per answer on the question page, in page order."""
    out = []
    for n, a in enumerate(qv.answers, 1):
        ep, ch = a.episode, a.chapter
        start = float(Timestamp.at(ch.begin).seconds)
        end = max(math.ceil(ch.end * 10 - 1e-6) / 10, start + 0.1)
        who = ", ".join(p for p in (ep.interviewee or ep.title, ep.role if ep.interviewee else "") if p)
        out.append(Track(number=n, src=_from_question(ep.audio, ep.slug, qv.id), type=ep.audio_type,
                         start=start, end=end, begin=ch.start, clip=span_fragment(ch.begin, ch.end),
                         length=spoken(max(0.0, ch.end - ch.begin)), who=who))
    return tuple(out)


def total_length(items: tuple[Track, ...]) -> str:
    return spoken(sum(t.end - t.start for t in items))


def question_extras(site: Any, qv: QuestionView) -> dict[str, Any]:
    """What the question page adds to its context: the playlist, its length, and the handout's link
    (the handout written now)."""
    items = tracks(qv)
    return {"playlist": items, "playlist_length": total_length(items), "handout": render_handout(site, qv)}


def render_handout(site: Any, qv: QuestionView) -> str:
    """Write the question's handout beside its page (``site`` is render's writer) and return
    its link from the page; "" (and no file) for a question nobody has answered yet."""
    rel = f"questions/{qv.id}/{HANDOUT}"
    if not qv.answers:
        (site.site_dir / site.prefix / rel).unlink(missing_ok=True)
        return ""
    quoted = [a for a in qv.answers if a.chapter.quotes]
    lang = [site.prefix.strip("/")] if site.prefix else []  # a bilingual site: its pages are in site/<lang>/
    site.render("handout.html", rel, question=qv, quoted=quoted,
                unquoted=[a for a in qv.answers if not a.chapter.quotes],
                question_url=site.config.url(*lang, "questions", qv.id) + "/",
                page_title=gettext("Handout: %(title)s", title=qv.title))
    return HANDOUT


__all__ = ["HANDOUT", "Track", "question_extras", "render_handout", "total_length", "tracks"]
