"""feedgen extensions for what feedgen's own podcast (iTunes) extension does not write.

* :class:`ItunesExtension` – feedgen 1.0's iTunes channel extension, but writing
  ``itunes:explicit`` as ``true``/``false``, the only values Apple now documents
  (feedgen only accepts the retired ``yes``/``no``/``clean``).
* :class:`Podcast20Extension` / :class:`Podcast20EntryExtension` – the Podcasting 2.0
  namespace (https://podcastindex.org/namespace/1.0): ``podcast:guid``, ``locked``,
  ``medium``, ``person`` on the channel; ``transcript``, ``chapters``, ``person``,
  ``soundbite`` and ``alternateEnclosure`` on items.
  Both also write ``license``, ``txt``, ``image`` (with ``alt``) and ``location``, items
  ``season`` and ``episode``, and people get ``href``/``img`` by name (``link_people``).
* :class:`PodloveChaptersExtension` / :class:`PodloveChaptersEntryExtension` – Podlove
  Simple Chapters (``psc:chapters``) inline in each item: gPodder's podcastparser and
  several apps read these but not the Podcasting 2.0 JSON chapters file.

Register them with ``fg.register_extension(KEY, ChannelClass, EntryClass)``; see
:func:`register`. Every string that reaches the XML goes through :func:`xml_text`,
because lxml refuses control characters and a hand-edited transcript can carry them.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import lxml.etree  # noqa: F401  (feedgen.util uses lxml.etree without importing it)
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.ext.podcast import PodcastExtension
from feedgen.ext.podcast_entry import PodcastEntryExtension
from feedgen.util import xml_elem

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PSC_NS = "http://podlove.org/simple-chapters"

# The namespace every podcast:guid is derived in (Podcasting 2.0 spec, tags/guid.md).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

# Characters XML 1.0 forbids (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/F).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")


def xml_text(value: Any, *, single_line: bool = False) -> str:
    """``value`` as text that lxml accepts and feed readers show sensibly.

    Control characters are dropped rather than escaped: XML 1.0 has no way to carry
    them at all. ``single_line`` also folds newlines and runs of spaces, for titles
    and attribute values.
    """
    text = _XML_ILLEGAL.sub("", str(value))
    if single_line:
        text = _SPACES.sub(" ", text)
    return text.strip()


def podcast_guid(feed_url: str) -> str:
    """The ``podcast:guid`` for a feed URL: UUIDv5 of the URL without scheme or trailing slashes."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def _attrs(**values: Any) -> dict[str, str]:
    """Attribute dict without the unset ones, every value made XML-safe."""
    return {k: xml_text(v, single_line=True) for k, v in values.items() if v is not None and v != ""}


# ---------------------------------------------------------------- iTunes


class ItunesExtension(PodcastExtension):
    """feedgen's iTunes channel extension with ``itunes:explicit`` as ``true``/``false``."""

    def __init__(self) -> None:
        super().__init__()
        self._explicit: bool | None = None

    def itunes_explicit(self, itunes_explicit: bool | None = None) -> bool | None:  # type: ignore[override]
        """Set (with a bool) or get whether the show is explicit."""
        if itunes_explicit is not None:
            self._explicit = bool(itunes_explicit)
        return self._explicit

    def extend_rss(self, rss_feed):
        rss_feed = super().extend_rss(rss_feed)
        if self._explicit is not None:
            elem = xml_elem(f"{{{ITUNES_NS}}}explicit", rss_feed[0])
            elem.text = "true" if self._explicit else "false"
        return rss_feed


# ---------------------------------------------------------------- Podcasting 2.0


@dataclass(frozen=True)
class Person:
    """A ``podcast:person``: the name is the node value, role from the Podcast Taxonomy."""

    name: str
    role: str = "host"
    href: str | None = None
    img: str | None = None

    def write(self, parent) -> None:
        name = xml_text(self.name, single_line=True)[:128]
        if not name:
            return
        elem = xml_elem(f"{{{PODCAST_NS}}}person", parent, **_attrs(role=self.role, href=self.href, img=self.img))
        elem.text = name


class _Completeness:
    """Tags a channel and an item may both carry: license, txt, image, location, and
    ``href``/``img`` for people by name (whoever added them)."""

    def _init_completeness(self) -> None:
        self._license: tuple[str, str | None] | None = None
        self._txts: list[tuple[str, str | None]] = []
        self._images: list[dict[str, str]] = []
        self._locations: list[tuple[str, dict[str, str]]] = []
        self._links: dict[str, tuple[str | None, str | None]] = {}

    def license(self, identifier: str, url: str | None = None) -> None:
        """``podcast:license``: a licence id (``CC-BY-4.0``), or a custom one with its url."""
        self._license = (identifier, url)

    def txt(self, text: str, purpose: str | None = None) -> None:
        """``podcast:txt``: free text, e.g. a directory's ownership code with purpose "verify"."""
        self._txts.append((text, purpose))

    def image(self, href: str, *, alt: str | None = None, purpose: str | None = None,
              aspect_ratio: str | None = None, width: int | None = None) -> None:
        """``podcast:image`` with its ``alt`` text for screen readers."""
        attrs = _attrs(href=href, alt=(alt or "")[:500], purpose=purpose, width=width)
        if aspect_ratio:
            attrs["aspect-ratio"] = aspect_ratio
        self._images.append(attrs)

    def location(self, name: str, *, geo: str | None = None, osm: str | None = None,
                 rel: str | None = None) -> None:
        """``podcast:location``: the place the content is about (rel "subject", the default)."""
        self._locations.append((name, _attrs(rel=rel, geo=geo, osm=osm)))

    def link_people(self, links: dict[str, tuple[str | None, str | None]]) -> None:
        """``href`` and ``img`` for each ``podcast:person`` of that name that has none."""
        self._links.update({xml_text(k, single_line=True): v for k, v in links.items() if any(v)})

    def _write_completeness(self, parent) -> None:
        if self._license is not None:
            name, url = self._license
            xml_elem(f"{{{PODCAST_NS}}}license", parent, **_attrs(url=url)).text = xml_text(name, single_line=True)[:128]
        for text, purpose in self._txts:
            xml_elem(f"{{{PODCAST_NS}}}txt", parent, **_attrs(purpose=purpose)).text = xml_text(text)[:4000]
        for attrs in self._images:
            xml_elem(f"{{{PODCAST_NS}}}image", parent, **attrs)
        for name, attrs in self._locations:
            xml_elem(f"{{{PODCAST_NS}}}location", parent, **attrs).text = xml_text(name, single_line=True)[:128]

    def _linked(self, person: Person) -> Person:
        href, img = self._links.get(xml_text(person.name, single_line=True), (None, None))
        return Person(person.name, person.role, person.href or href, person.img or img)


class Podcast20Extension(_Completeness, BaseExtension):
    """Channel-level Podcasting 2.0 tags."""

    def __init__(self) -> None:
        self._guid: str | None = None
        self._locked: tuple[bool, str | None] | None = None
        self._medium: str | None = None
        self._people: list[Person] = []
        self._init_completeness()

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def guid(self, feed_url: str) -> str:
        """Derive and set ``podcast:guid`` from the feed's own URL; returns it."""
        self._guid = podcast_guid(feed_url)
        return self._guid

    def locked(self, locked: bool, owner: str | None = None) -> None:
        """``podcast:locked``: whether other hosts may import the feed; ``owner`` verifies moves."""
        self._locked = (locked, owner)

    def medium(self, medium: str) -> None:
        """``podcast:medium``: podcast, video, music, ... (Podcasting 2.0 tags/medium.md)."""
        self._medium = medium

    def person(self, name: str, role: str = "host", *, href: str | None = None, img: str | None = None) -> None:
        self._people.append(Person(name, role, href, img))

    def extend_rss(self, rss_feed):
        channel = rss_feed[0]
        if self._guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self._guid
        if self._locked is not None:
            locked, owner = self._locked
            elem = xml_elem(f"{{{PODCAST_NS}}}locked", channel, **_attrs(owner=owner))
            elem.text = "yes" if locked else "no"
        if self._medium:
            xml_elem(f"{{{PODCAST_NS}}}medium", channel).text = self._medium
        for person in self._people:
            self._linked(person).write(channel)
        self._write_completeness(channel)
        return rss_feed


@dataclass(frozen=True)
class _Alternate:
    type: str
    length: int
    uri: str
    title: str | None
    height: int | None
    lang: str | None


class Podcast20EntryExtension(_Completeness, BaseEntryExtension):
    """Item-level Podcasting 2.0 tags."""

    def __init__(self) -> None:
        self._transcripts: list[dict[str, str]] = []
        self._chapters: str | None = None
        self._people: list[Person] = []
        self._soundbites: list[tuple[float, float, str]] = []
        self._alternates: list[_Alternate] = []
        self._season: tuple[int, str | None] | None = None
        self._episode: tuple[float, str | None] | None = None
        self._init_completeness()

    def season(self, number: int, name: str | None = None) -> None:
        """``podcast:season``: the season number, with an optional name (a programme, a cohort)."""
        self._season = (int(number), name)

    def episode(self, number: float, display: str | None = None) -> None:
        """``podcast:episode``: the episode's number (decimal allowed), ``display`` up to 32 characters."""
        self._episode = (number, display)

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def transcript(self, url: str, type: str, *, language: str | None = None, rel: str | None = None) -> None:
        """One ``podcast:transcript`` per format; ``rel="captions"`` marks timed captions."""
        self._transcripts.append(_attrs(url=url, type=type, language=language, rel=rel))

    def chapters(self, url: str) -> None:
        """``podcast:chapters`` pointing at a JSON chapters file."""
        self._chapters = url

    def person(self, name: str, role: str = "host", *, href: str | None = None, img: str | None = None) -> None:
        """Item people replace the channel's, so restate the host next to the guest."""
        self._people.append(Person(name, role, href, img))

    def soundbite(self, start: float, duration: float, title: str = "") -> None:
        if duration <= 0 or start < 0:
            raise ValueError(f"soundbite needs start >= 0 and duration > 0, got {start}, {duration}")
        self._soundbites.append((start, duration, title))

    def alternate_enclosure(self, type: str, length: int, uri: str, *, title: str | None = None,
                            height: int | None = None, lang: str | None = None) -> None:
        """Another rendition of the episode (the video of an audio item, or the reverse)."""
        self._alternates.append(_Alternate(type, int(length), uri, title, height, lang))

    def extend_rss(self, entry):
        for attrs in self._transcripts:
            xml_elem(f"{{{PODCAST_NS}}}transcript", entry, **attrs)
        if self._chapters:
            xml_elem(f"{{{PODCAST_NS}}}chapters", entry,
                     **_attrs(url=self._chapters, type="application/json+chapters"))
        for person in self._people:
            self._linked(person).write(entry)
        if self._season is not None:
            number, name = self._season
            elem = xml_elem(f"{{{PODCAST_NS}}}season", entry)  # (xml_elem's own first argument is "name")
            for key, value in _attrs(name=(name or "")[:128]).items():
                elem.set(key, value)
            elem.text = str(number)
        if self._episode is not None:
            number, display = self._episode
            elem = xml_elem(f"{{{PODCAST_NS}}}episode", entry, **_attrs(display=(display or "")[:32]))
            elem.text = _number(number)
        self._write_completeness(entry)
        for start, duration, title in self._soundbites:
            elem = xml_elem(f"{{{PODCAST_NS}}}soundbite", entry,
                            startTime=_seconds(start), duration=_seconds(duration))
            elem.text = xml_text(title, single_line=True)[:128] or None
        for alt in self._alternates:
            elem = xml_elem(f"{{{PODCAST_NS}}}alternateEnclosure", entry,
                            **_attrs(type=alt.type, length=alt.length, title=(alt.title or "")[:32],
                                     height=alt.height, lang=alt.lang))
            xml_elem(f"{{{PODCAST_NS}}}source", elem, **_attrs(uri=alt.uri))
        return entry


def _number(value: float) -> str:
    """An episode number as written: ``3``, ``3.5``."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _seconds(value: float) -> str:
    """Seconds as the spec's examples write them: ``73.0``, ``1234.5``."""
    return repr(round(float(value), 3))


# ---------------------------------------------------------------- Podlove Simple Chapters


class PodloveChaptersExtension(BaseExtension):
    """Channel half of the psc extension: it only declares the namespace at the root."""

    def extend_ns(self) -> dict[str, str]:
        return {"psc": PSC_NS}


class PodloveChaptersEntryExtension(BaseEntryExtension):
    """``<psc:chapters version="1.2">`` with one ``psc:chapter`` per chapter."""

    def __init__(self) -> None:
        self._chapters: list[dict[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        return {"psc": PSC_NS}

    def chapter(self, start: float, title: str, href: str | None = None) -> None:
        self._chapters.append(_attrs(start=npt(start), title=title, href=href))

    def extend_rss(self, entry):
        if self._chapters:
            group = xml_elem(f"{{{PSC_NS}}}chapters", entry, version="1.2")
            for attrs in self._chapters:
                xml_elem(f"{{{PSC_NS}}}chapter", group, **attrs)
        return entry


def npt(seconds: float) -> str:
    """Normal Play Time ``HH:MM:SS.mmm``, the form Podlove Simple Chapters uses."""
    ms = max(0, int(round(seconds * 1000)))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def register(fg) -> None:
    """Register every extension on a FeedGenerator, before entries are added.

    ``podcast`` is our iTunes subclass in the key feedgen's own one would take, so
    ``fg.podcast`` and ``fe.podcast`` work as feedgen documents them.
    """
    fg.register_extension("podcast", ItunesExtension, PodcastEntryExtension)
    fg.register_extension("podcast20", Podcast20Extension, Podcast20EntryExtension)
    fg.register_extension("psc", PodloveChaptersExtension, PodloveChaptersEntryExtension)


__all__ = [
    "ITUNES_NS",
    "PODCAST_GUID_NAMESPACE",
    "PODCAST_NS",
    "PSC_NS",
    "ItunesExtension",
    "Person",
    "Podcast20EntryExtension",
    "Podcast20Extension",
    "PodloveChaptersEntryExtension",
    "PodloveChaptersExtension",
    "npt",
    "podcast_guid",
    "register",
    "xml_text",
]
