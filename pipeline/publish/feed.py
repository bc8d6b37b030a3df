"""The podcast feeds: ``site/feed.xml`` (audio) and ``site/video.xml`` (when there is video).

Built with feedgen and three extensions (see :mod:`.podcast20`): Apple's iTunes tags,
the Podcasting 2.0 namespace, and Podlove Simple Chapters. What each app reads:

* Apple Podcasts: the iTunes tags, ``enclosure``, ``guid``, ``pubDate``, the HTML
  show notes in ``content:encoded``; chapters from ``podcast:chapters`` (the JSON
  chapters file; Apple reads it since 2025, and falls back to the MP3's ID3 chapters),
  ``podcast:transcript`` (it prefers the VTT), and ``podcast:txt purpose="applepodcastsverify"``.
* Podcasting 2.0 apps (Podverse, Fountain, Castamatic, ...): ``podcast:transcript``,
  ``podcast:chapters``, people (with ``href``/``img`` when given), soundbite, season and
  episode, license, location, ``podcast:image`` with alt text, the video as an
  ``alternateEnclosure`` of the audio item.
* gPodder (podcastparser), AntennaPod and others: ``psc:chapters`` inline. podcastparser
  0.6.11 only knows the Podcasting 2.0 namespace under its old GitHub URL, so it sees
  none of the ``podcast:`` tags here; the inline Podlove chapters are what it reads.

Each feed is a separate show to a directory, so the video feed has its own
``podcast:guid`` (derived from its own URL) and ``podcast:medium`` ``video``.
Both are written only when their bytes change.

Size. ``feed.xml`` holds the newest ``feed_limit`` episodes and stays within
``feed_max_kb`` (``learncast.toml``); older episodes move to archive pages
``feed-2.xml``, ``feed-3.xml``, ... (``video-2.xml``, ... for the video feed), each
within the same limits. The pages link each other the RFC 5005 way (``atom:link``
``first``, ``previous``, ``next``, ``last``), which AntennaPod and gPodder follow to
list the whole back catalogue; apps that do not page see the newest episodes. Every
page carries the same channel (title, ``podcast:guid``, ...), and an episode's item is
identical whichever page it is on, so its guid never changes as it moves back.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Callable, Sequence

import jinja2
from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from .. import i18n, timecodes
from ..chapters import chapter_anchor
from ..config import KNOWN_LICENSES, Config
from ..errors import BuildError
from ..fsutil import write_text_if_changed
from ..models import INTERVIEWEE, INTERVIEWER, Episode, Segment, Transcript, is_interviewer
from ..redact import MARKER as REDACTED
from .artwork import ARTWORK_NAME
from .podcast20 import register, xml_text

log = logging.getLogger(__name__)

FEED_NAME = "feed.xml"
VIDEO_FEED_NAME = "video.xml"
ATOM_NS = "http://www.w3.org/2005/Atom"
RSS_TYPE = "application/rss+xml"
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

# The show notes' words, marked here for pybabel (it cannot read the template string below).
_NOTE_WORDS = (i18n.N_("Chapters:"), i18n.N_("more on the episode page"), i18n.N_("Read the full transcript"))
_NOTES_ENV = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
i18n.install(_NOTES_ENV)
_NOTES = _NOTES_ENV.from_string(
    """\
{% for p in paragraphs %}<p>{{ p }}</p>
{% endfor %}
{% if chapters %}<p>{{ _("Chapters:") }}</p>
<ul>
{% for c in chapters %}<li><a href="{{ c.url }}">{{ c.time }}</a> {{ c.title }}</li>
{% endfor %}
{% if more %}<li><a href="{{ page_url }}">{{ _("more on the episode page") }}</a></li>
{% endif %}
</ul>
{% endif %}
{% if page_url %}<p><a href="{{ page_url }}">{{ _("Read the full transcript") }}</a></p>
{% endif %}""")


# ---------------------------------------------------------------- writing


def page_name(name: str, page: int) -> str:
    """The file of a feed's ``page`` (from 1): ``feed.xml``, ``feed-2.xml``, ``feed-3.xml``, ..."""
    if page <= 1:
        return name
    stem, dot, ext = name.rpartition(".")
    return f"{stem}-{page}{dot}{ext}"


def write_feeds(config: Config, site_dir: Path, episodes: Sequence[Episode], *, lang: str | None = None) -> list[Path]:
    """Write ``site/feed.xml`` (and its archive pages) and, when any episode has video,
    ``site/video.xml`` (and its pages).

    Archive pages left from an earlier build beyond the pages now needed are removed,
    and so is a ``video.xml`` (with its pages) when no episode has video any more, so
    no feed points at deleted files. Returns the feed files now in site/, main feeds first.

    ``lang`` writes one language's feeds of a site in several (``site/<lang>/feed.xml``, its
    own show with its own ``<language>`` and ``podcast:guid``), in the language
    :func:`pipeline.i18n.use` set; the episodes' ``page_url`` should be that language's pages.
    """
    site = Path(site_dir) / (lang or "")
    written = _write_pages(config, site, FEED_NAME, build_feed_pages(config, episodes, lang=lang), len(episodes))
    if any(e.video is not None for e in episodes):
        count = sum(1 for e in episodes if e.video is not None)
        written += _write_pages(config, site, VIDEO_FEED_NAME,
                                build_feed_pages(config, episodes, video=True, lang=lang), count)
    else:
        _remove_pages(site, VIDEO_FEED_NAME, keep=0)
    return written


def _write_pages(config: Config, site: Path, name: str, pages: list[bytes], count: int) -> list[Path]:
    paths = [site / page_name(name, i) for i in range(1, len(pages) + 1)]
    changed = [path for path, data in zip(paths, pages) if write_text_if_changed(path, data.decode("utf-8"))]
    _remove_pages(site, name, keep=len(pages))
    if changed:
        if len(pages) > 1:
            log.info("wrote %s: %d episodes over %d pages (feed_limit %s, feed_max_kb %s; %d rewritten)",
                     paths[0], count, len(pages), config.feed_limit or "off", config.feed_max_kb or "off",
                     len(changed))
        else:
            log.info("wrote %s (%d episodes)", paths[0], count)
    return paths


def _remove_pages(site: Path, name: str, *, keep: int) -> None:
    """Delete ``name`` (when ``keep`` is 0) and its archive pages numbered above ``keep``."""
    stem, _, ext = name.rpartition(".")
    pattern = re.compile(rf"{re.escape(stem)}-([1-9][0-9]*)\.{re.escape(ext)}")
    stale = [site / name] if keep == 0 else []
    stale += [p for p in site.glob(f"{stem}-*.{ext}")
              if (m := pattern.fullmatch(p.name)) and int(m.group(1)) > max(keep, 1)]
    for path in stale:
        if path.is_file():
            path.unlink()
            log.info("removed %s: %s", path, "no episode has video" if keep == 0 else "no longer needed")


def build_feed(config: Config, episodes: Sequence[Episode], *, video: bool = False, lang: str | None = None) -> bytes:
    """The RSS document (UTF-8 bytes) ``feed.xml`` (``video.xml`` with ``video=True``) would
    hold for ``episodes``: the first page of :func:`build_feed_pages`."""
    return build_feed_pages(config, episodes, video=video, lang=lang)[0]


def build_feed_pages(config: Config, episodes: Sequence[Episode], *, video: bool = False,
                     lang: str | None = None) -> list[bytes]:
    """Every page of the feed for ``episodes`` (in the order given, newest first), as RSS bytes.

    Each page holds at most ``config.feed_limit`` episodes (0: no limit) and at most
    ``config.feed_max_kb`` kilobytes (0: no limit), except that a page always holds at
    least one episode. There is always a first page, even with no episodes. ``video=True``
    builds the video feed: only episodes with video, the MP4 as the enclosure and the MP3
    as its alternate. ``lang``: the feed of that language in a site of several (see :func:`write_feeds`).
    """
    items = [e for e in episodes if e.video is not None] if video else list(episodes)
    _check_unique(items)
    name = VIDEO_FEED_NAME if video else FEED_NAME
    host = show_host(config)
    last_build = (max((_aware(e.pub_date) for e in items), default=None)
                  or dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
    holder = FeedGenerator()  # registers the extensions on each entry, which every page then reuses
    register(holder)
    entries = [_add_item(holder, config, ep, video=video, host=host) for ep in items]

    def render(chunk: Sequence[FeedEntry], number: int, count: int) -> bytes:
        links = _page_links(config, name, number, count, lang) if count > 1 else []
        return _render(config, chunk, video=video, host=host, last_build=last_build,
                       self_url=config.url(lang or "", page_name(name, number)), links=links, lang=lang)

    # Sizes are measured with the longest paging links any page can carry (a middle page
    # numbered past the last), so the final pages, whose links are no longer, stay in budget.
    worst = len(entries) + 2
    bounds = _partition(entries, config, lambda chunk: render(chunk, worst, worst + 1))
    pages = []
    for number, (start, end) in enumerate(bounds, 1):
        data = render(entries[start:end], number, len(bounds))
        if config.feed_max_kb and len(data) > config.feed_max_kb * 1000:
            log.warning("%s is %d kB, over feed_max_kb %d: its one episode is that big", page_name(name, number),
                        len(data) // 1000, config.feed_max_kb)
        pages.append(data)
    return pages


def _partition(entries: Sequence[FeedEntry], config: Config, render: Callable[[Sequence[FeedEntry]], bytes]
               ) -> list[tuple[int, int]]:
    """(start, end) of the entries on each page, newest page first; ``render`` makes a page
    at least as big as the final one with the same entries will be."""
    limit = config.feed_limit or max(1, len(entries))
    budget = config.feed_max_kb * 1000 if config.feed_max_kb else None
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < len(entries) or not bounds:
        end = min(len(entries), start + limit)
        if budget is not None and end - start > 1:
            data = render(entries[start:end])
            if len(data) > budget:
                end = start + _items_within(data, budget)
        bounds.append((start, end))
        start = end
    return bounds


def _items_within(data: bytes, budget: int) -> int:
    """How many of a rendered page's items (from the first) fit in ``budget`` bytes; at least 1.

    An item serialises the same wherever it stands, so a page of its first k items is
    this page up to the end of the k-th ``</item>``, followed by the same closing tags.
    Item text cannot contain a literal ``</item>``: lxml escapes ``<`` in text and
    attributes, and the CDATA show notes are HTML escaped by jinja2.
    """
    ends = [m.end() for m in re.finditer(rb"</item>", data)]
    tail = len(data) - ends[-1]
    fitting = sum(1 for end in ends if end + tail <= budget)
    return max(1, fitting)


def _page_links(config: Config, name: str, number: int, count: int, lang: str | None = None
                ) -> list[tuple[str, str]]:
    """RFC 5005 paging links (rel, href) for page ``number`` of ``count``."""
    def at(n: int) -> str:
        return config.url(lang or "", page_name(name, n))

    links = [("first", at(1))]
    if number > 1:
        links.append(("previous", at(number - 1)))
    if number < count:
        links.append(("next", at(number + 1)))
    links.append(("last", at(count)))
    return links


class PagingExtension(BaseExtension):
    """Channel ``atom:link`` elements for RFC 5005 paging (feedgen writes only ``self`` in RSS)."""

    def __init__(self) -> None:
        self.links: list[tuple[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        return {"atom": ATOM_NS}

    def extend_rss(self, rss_feed):
        channel = rss_feed[0]
        for rel, href in self.links:
            xml_elem(f"{{{ATOM_NS}}}link", channel, rel=rel, href=href, type=RSS_TYPE)
        return rss_feed


def _render(config: Config, entries: Sequence[FeedEntry], *, video: bool, host: str, last_build: dt.datetime,
            self_url: str, links: list[tuple[str, str]], lang: str | None = None) -> bytes:
    """One RSS document at ``self_url``: the channel, its paging ``links`` and ``entries``."""
    feed_url = config.url(lang or "", VIDEO_FEED_NAME if video else FEED_NAME)
    home = config.url(lang) + "/" if lang else config.base_url
    artwork = config.url(ARTWORK_NAME)
    title = xml_text(config.title, single_line=True) + (" " + i18n.gettext("(video)") if video else "")

    fg = FeedGenerator()
    register(fg)
    fg.register_extension("paging", PagingExtension, None)
    fg.title(title)
    fg.link(href=self_url, rel="self", type=RSS_TYPE)
    fg.link(href=home, rel="alternate")  # feedgen's RSS <link> is the last one set
    fg.description(xml_text(config.description) or title)
    fg.language(lang or config.feed_language)
    fg.generator("Learncast")
    fg.image(url=artwork, title=title, link=home)
    fg.lastBuildDate(last_build)

    fg.podcast.itunes_author(xml_text(config.author, single_line=True))
    fg.podcast.itunes_owner(name=xml_text(config.owner_name, single_line=True), email=config.owner_email)
    fg.podcast.itunes_image(artwork)
    top, _, sub = (part.strip() for part in config.category.partition(">"))
    fg.podcast.itunes_category({"cat": top, "sub": sub} if sub else {"cat": top})
    fg.podcast.itunes_explicit(config.explicit)
    fg.podcast.itunes_type("episodic")

    fg.podcast20.guid(feed_url)  # one show: every page has the main feed's guid
    fg.podcast20.locked(config.locked, owner=config.owner_email)
    fg.podcast20.medium("video" if video else "podcast")
    fg.podcast20.person(host, "host")
    fg.paging.links = list(links)
    _channel_extras(fg, config, title, artwork)

    for fe in entries:
        fg.add_entry(fe, order="append")
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


_PLACEHOLDER = re.compile(r"(speaker|interviewee|interviewer|guest)[\s_-]*\d*", re.IGNORECASE)


def episode_people(ep: Episode, host: str) -> list[tuple[str, str]]:
    """The episode's ``podcast:person`` entries: (name, Podcast Taxonomy role).

    The first interviewer is the ``host`` (the show's when the recording names none), any
    other interviewer a ``co-host``, and the interviewee, everyone the sidecar names and
    every further speaker who speaks in it (a speaker a person added in the studio) a
    ``guest``, in the order of their keys, each once. A name that only says "Speaker 3" or "Interviewee 2",
    or that a redaction cut, is no one to credit.
    """
    meta, t = ep.recording.meta, ep.transcript
    first = xml_text(meta.interviewer or "", single_line=True) or host
    people = [(first, "host")]
    declared = meta.speaker_names()
    named = {**t.speakers, **declared}  # the sidecar, a person's, wins over the transcript
    speaking = {s.speaker for s in t.segments if s.text.strip()}
    keys = sorted(named, key=lambda k: (not is_interviewer(k), _key_number(k), k))
    for key in keys:
        # the sidecar's people are credited; a name only the transcript has, if it speaks
        if key == INTERVIEWER or (key not in declared and key != INTERVIEWEE and key not in speaking):
            continue
        name = xml_text(named[key], single_line=True)
        if not name or _PLACEHOLDER.fullmatch(name) or REDACTED in name or name == DEFAULT_INTERVIEWER:
            continue
        if any(name.casefold() == p.casefold() for p, _ in people):
            continue
        people.append((name, "co-host" if is_interviewer(key) else "guest"))
    return people


def guests(ep: Episode) -> list[str]:
    """The names the episode credits as guests (see :func:`episode_people`)."""
    return [name for name, role in episode_people(ep, "") if role == "guest"]


def _key_number(key: str) -> int:
    tail = key.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 1


def _add_item(fg: FeedGenerator, config: Config, ep: Episode, *, video: bool, host: str) -> FeedEntry:
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
    for name, role in episode_people(ep, host):
        p20.person(name, role)
    for quote in ep.quotes:  # the team's key quotes are the soundbites; else one is chosen
        p20.soundbite(quote.start, quote.end - quote.start, _shorten(quote.text, 128))
    bite = None if ep.quotes else choose_soundbite(ep.transcript)
    if bite is not None:
        p20.soundbite(bite[0], bite[1], _chapter_title_at(ep, bite[0]))
    if alternate is not None:
        p20.alternate_enclosure(alternate.mime_type, alternate.length, alternate.url,
                                title=i18n.gettext("Audio only") if video else i18n.gettext("Video"), lang=language)

    for i, ch in enumerate(ep.chapters):
        fe.psc.chapter(ch.start, ch.title, _chapter_url(ep, i))
    _item_extras(fe, config, ep)
    return fe


def _people_links(config: Config) -> dict[str, tuple[str | None, str | None]]:
    return {config.interviewer: (config.interviewer_href or None, config.interviewer_img or None)}


def _channel_extras(fg: FeedGenerator, config: Config, title: str, artwork: str) -> None:
    """copyright, podcast:license, podcast:txt, podcast:image (with alt text), people's links."""
    if config.copyright:
        fg.copyright(xml_text(config.copyright, single_line=True))
    p20 = fg.podcast20
    if config.license:
        p20.license(config.license, config.license_url or KNOWN_LICENSES.get(config.license))
    for code in config.verify_txt:
        p20.txt(code, "verify")
    p20.image(artwork, alt=xml_text(config.artwork_alt, single_line=True) or i18n.gettext("Cover art for %(title)s", title=title),
              purpose="artwork", aspect_ratio="1/1")
    p20.link_people(_people_links(config))


def _item_extras(fe: FeedEntry, config: Config, ep: Episode) -> None:
    """Season and episode (iTunes and Podcasting 2.0), the place, the poster's alt text, people's links."""
    meta, p20 = ep.recording.meta, fe.podcast20
    season = meta.season or config.season
    if season:
        name = meta.season_name if meta.season else (meta.season_name or config.season_name)
        fe.podcast.itunes_season(season)
        p20.season(season, xml_text(name or "", single_line=True) or None)
    if meta.episode:
        if float(meta.episode).is_integer():
            fe.podcast.itunes_episode(int(meta.episode))
        p20.episode(meta.episode)
    if meta.location:
        p20.location(meta.location, geo=meta.location_geo, osm=meta.location_osm)
    image = ep.files.get("image")
    if image and image.lower().endswith((".jpg", ".png")):
        p20.image(image, alt=i18n.gettext("A frame from the video of %(title)s", title=xml_text(ep.title, single_line=True)),
                  purpose="artwork")
    links = _people_links(config)
    if meta.interviewee:
        links[meta.interviewee] = (meta.interviewee_href, meta.interviewee_img)
    p20.link_people(links)


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


def show_notes(ep: Episode, *, host: str) -> tuple[str, str]:
    """(plain text, HTML) episode notes: description, who is talking, the chapter list.

    Both stay within Apple's 4000-character limit: a long description is cut to half
    of it, then fewer chapters are listed (the rest are on the episode page). The HTML is
    escaped by jinja2, so it cannot contain ``]]>`` and is safe inside the CDATA section
    feedgen writes.
    """
    meta = ep.recording.meta
    paragraphs = [xml_text(p) for p in _shorten(meta.description or "", DESCRIPTION_LIMIT // 2).split("\n\n")
                  if xml_text(p)]
    if meta.interviewee:
        who = xml_text(meta.interviewee, single_line=True)
        if meta.role:
            who += f", {xml_text(meta.role, single_line=True)}"
        paragraphs.append(i18n.gettext("%(who)s, in conversation with %(host)s.", who=who,
                                       host=xml_text(meta.interviewer or '', single_line=True) or host))
    # Times as MM:SS or H:MM:SS, floored: the form apps turn into seek links.
    chapters = [{"time": timecodes.clock(ch.start, floor=True, pad=True),
                 "title": xml_text(ch.title, single_line=True), "url": _chapter_url(ep, i) or ""}
                for i, ch in enumerate(ep.chapters)]

    def notes(n: int) -> tuple[str, str, bool]:
        shown, more = chapters[:n], n < len(chapters)
        plain = "\n\n".join(paragraphs)
        if shown:
            plain += "\n\n" + i18n.gettext("Chapters:") + "\n" + "\n".join(f"{c['time']} {c['title']}" for c in shown)
            if more:
                plain += "\n…"
        if ep.page_url:
            plain += "\n\n" + i18n.gettext("Transcript: %(url)s", url=ep.page_url)
        html = _NOTES.render(paragraphs=paragraphs, chapters=shown, more=more, page_url=ep.page_url)
        return plain, html, max(len(plain), len(html)) <= DESCRIPTION_LIMIT

    # The most chapters that fit (none when not even that fits). Below all of them, both
    # texts grow with every chapter listed, so a binary search finds the same count as
    # trying each from the top, in a few renders rather than one per chapter.
    plain, html, fits = notes(len(chapters))
    if not fits:
        lo, hi = 0, len(chapters) - 1  # notes(lo) is the answer unless one above it fits
        best = notes(0)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            candidate = notes(mid)
            if candidate[2]:
                lo, best = mid, candidate
            else:
                hi = mid - 1
        plain, html, _ = best
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
        if not is_interviewer(seg.speaker) and seg.text.strip() and seg.end > seg.start:
            if previous == seg.speaker and runs:
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
    "build_feed_pages",
    "choose_soundbite",
    "guests",
    "page_name",
    "show_host",
    "show_notes",
    "write_feeds",
]
