"""Sharing: Open Graph tags, schema.org JSON-LD, and a page and a card per key quote.

* An episode page carries Open Graph tags (title, description, type, url, image, audio
  and video) and a schema.org ``PodcastEpisode`` with a ``Clip`` per chapter in
  ``hasPart`` (``startOffset``/``endOffset`` in seconds and a ``#t=`` link: the "key
  moments" search engines show). The home page carries the ``PodcastSeries``.
* Every key quote gets a page of its own beside the episode page
  (``episodes/<slug>/quote-83.4-91.1.html``, named by its span, so the link stays as long
  as the quote does): the quote, who said it, a player of just that span, and its quote
  card (:mod:`.cards`) as ``og:image``, so a shared link shows the card. The episode
  page's "Link to share" points at it.

JSON-LD sits inside ``<script type="application/ld+json">``, where HTML escaping does not
apply: :func:`json_ld` writes ``<``, ``>`` and ``&`` as JSON escapes, so no title can
close the script element. Everything here is made from the published (redacted)
Episode and its views, so nothing withheld or cut can appear.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from markupsafe import Markup

from .. import i18n
from ..i18n import gettext as _
from ..config import Config
from ..models import Episode
from . import cards
from .views import EpisodeView, Timestamp

log = logging.getLogger(__name__)

SCHEMA = "https://schema.org"
QUOTE_PAGE_GLOB = "quote-*.html"
_QUOTE_PAGE = re.compile(r"^quote-\d+(\.\d)?-\d+(\.\d)?\.html$")
_LD_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
OG_TITLE_CHARS = 95  # what most sites show of a title before cutting it


@dataclass(frozen=True)
class Share:
    """What a page's head carries for sharing: Open Graph tags and JSON-LD."""

    url: str  # the page's own absolute address
    og: tuple[tuple[str, str], ...]  # (property, content), in order
    ld: Markup  # JSON-LD, safe to put inside <script type="application/ld+json">


def json_ld(data: Any) -> Markup:
    """``data`` as JSON that can sit inside a ``<script>`` element of an HTML page.

    Inside a script element the HTML parser looks only for ``</script`` (and ``<!--``);
    writing ``<``, ``>`` and ``&`` as ``\\u003c``... keeps any text in the data from
    ending the element early, and the JSON still parses to the same strings.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in _LD_ESCAPES:
        text = text.replace(raw, escaped)
    return Markup(text)


def _num(seconds: float) -> float | int:
    """Seconds to the tenth, as a whole number when it is one."""
    value = round(seconds, 1)
    return int(value) if value == int(value) else value


def _short(text: str, limit: int = OG_TITLE_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-\u2013\u2014 ")
    return cut + "\u2026"


def og_locale(config: Config) -> str:
    """The page's language as Open Graph writes it ("cy_GB", "en_GB"): the one in use, else the show's."""
    from babel.core import Locale, UnknownLocaleError, get_global

    code = (i18n.current_language() or config.feed_language or "en").replace("-", "_")
    try:
        loc = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return code
    if not loc.territory:
        likely = get_global("likely_subtags").get(loc.language, loc.language)
        loc = Locale(loc.language, Locale.parse(likely).territory)
    return f"{loc.language}_{loc.territory}" if loc.territory else loc.language


def _artwork(config: Config, show: dict[str, Any]) -> str:
    return config.url(show["artwork"]) if show.get("artwork") else ""


def _artwork_alt(config: Config) -> str:
    return " ".join(config.artwork_alt.split()) or _("Cover art for %(show)s", show=" ".join(config.title.split()))


# ---------------------------------------------------------------- schema.org


def clips(view: EpisodeView, url: str) -> list[dict[str, Any]]:
    """A schema.org ``Clip`` per chapter: its title, start and end, and a link that plays it."""
    out = []
    chapters = sorted(view.chapters, key=lambda c: c.begin)
    for n, ch in enumerate(chapters, 1):
        start = Timestamp.at(ch.begin)
        end = math.ceil(ch.end * 10 - 1e-6) / 10
        if n < len(chapters):  # rounding (or a hand edit) never runs a clip into the next one
            end = min(end, float(Timestamp.at(chapters[n].begin).seconds))
        end = max(end, float(start.seconds) + 0.1)
        out.append({"@type": "Clip", "position": n, "name": ch.title,
                    "startOffset": _num(float(start.seconds)), "endOffset": _num(end),
                    "url": f"{url}#t={start.seconds}"})
    return out


def series_ld(config: Config, show: dict[str, Any]) -> dict[str, Any]:
    """The show as a schema.org ``PodcastSeries``."""
    data: dict[str, Any] = {"@context": SCHEMA, "@type": "PodcastSeries", "@id": config.url(),
                            "name": show["title"], "url": config.url(), "webFeed": show["feed_url"],
                            "inLanguage": show["language"]}
    if show["description"]:
        data["description"] = show["description"]
    if show["author"]:
        data["author"] = {"@type": "Organization", "name": show["author"]}
    if show.get("artwork"):
        data["image"] = _artwork(config, show)
    return data


def _people(view: EpisodeView) -> list[dict[str, Any]]:
    people = []
    if view.interviewee:
        person = {"@type": "Person", "name": view.interviewee}
        if view.role:
            person["jobTitle"] = view.role
        people.append(person)
    if view.interviewer:
        people.append({"@type": "Person", "name": view.interviewer})
    return people


def episode_ld(view: EpisodeView, ep: Episode, config: Config, show: dict[str, Any]) -> dict[str, Any]:
    """The episode as a schema.org ``PodcastEpisode``, its chapters as ``Clip``s in ``hasPart``."""
    url = view.page_url
    data: dict[str, Any] = {
        "@context": SCHEMA, "@type": "PodcastEpisode", "@id": url, "url": url, "name": view.title,
        "datePublished": view.date.isoformat(), "timeRequired": view.duration.iso, "inLanguage": view.language,
        "partOfSeries": {"@type": "PodcastSeries", "@id": config.url(), "name": show["title"], "url": config.url()},
        "associatedMedia": {"@type": "AudioObject", "contentUrl": ep.audio.url, "encodingFormat": ep.audio.mime_type,
                            "duration": view.duration.iso},
    }
    if view.description:
        data["description"] = view.description
    if ep.recording.meta.episode is not None:
        data["episodeNumber"] = _num(ep.recording.meta.episode)
    if people := _people(view):
        data["contributor"] = people
    image = ep.files.get("image") or _artwork(config, show)
    if image:
        data["image"] = image
    parts = clips(view, url)
    if parts:
        data["hasPart"] = parts
    if ep.video is not None:
        video = {"@type": "VideoObject", "name": view.title, "description": view.description or view.title,
                 "contentUrl": ep.video.url, "encodingFormat": ep.video.mime_type, "duration": view.duration.iso,
                 "uploadDate": view.date.isoformat()}
        if image:
            video["thumbnailUrl"] = image
        if parts:
            video["hasPart"] = parts
        data["video"] = video
    return data


# ---------------------------------------------------------------- Open Graph


def episode_og(view: EpisodeView, ep: Episode, config: Config, show: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    who = ", ".join(p for p in (view.interviewee, view.role) if p)
    tags = [("og:type", "article"), ("og:site_name", show["title"]), ("og:title", _short(view.title)),
            ("og:description", view.description or (_("An interview with %(who)s.", who=who) if who else view.title)),
            ("og:url", view.page_url), ("og:locale", og_locale(config))]
    poster = ep.files.get("image")
    image = poster or _artwork(config, show)
    if image:
        tags += [("og:image", image), ("og:image:alt", _("A frame from %(title)s", title=view.title) if poster else _artwork_alt(config))]
    tags += [("og:audio", ep.audio.url), ("og:audio:type", ep.audio.mime_type)]
    if ep.video is not None:
        tags += [("og:video", ep.video.url), ("og:video:type", ep.video.mime_type)]
    tags += [("article:published_time", view.date.isoformat()), ("twitter:card", "summary")]
    return tuple(tags)


def series_share(config: Config, show: dict[str, Any]) -> Share:
    url = config.url()
    tags = [("og:type", "website"), ("og:site_name", show["title"]), ("og:title", _short(show["title"])),
            ("og:description", show["description"] or show["title"]), ("og:url", url),
            ("og:locale", og_locale(config))]
    if show.get("artwork"):
        tags += [("og:image", _artwork(config, show)), ("og:image:alt", _artwork_alt(config))]
    return Share(url=url, og=tuple(tags), ld=json_ld(series_ld(config, show)))


# ---------------------------------------------------------------- quotes


def quote_page_name(fragment: str) -> str:
    """``t=83.4,91.1`` -> ``quote-83.4-91.1.html``."""
    start, end = fragment.removeprefix("t=").split(",")
    return f"quote-{start}-{end}.html"


def _quote_role(view: EpisodeView, speaker: str) -> str:
    """The role shown with a quote: the interviewee's, when the interviewee says it."""
    return view.role if not speaker or speaker == view.interviewee else ""


def with_cards(view: EpisodeView, config: Config, show: dict[str, Any], folder: Path,
               prefix: str = "") -> tuple[EpisodeView, list[Path]]:
    """``view`` with each quote's card (drawn into ``folder`` when new) and page, and the old cards gone;
    and the card files. ``prefix`` is the language's folder in a bilingual site ("cy/"): the pages
    live there, the cards once beside the media."""
    planned = []
    quotes = []
    for qv in view.quotes:
        speaker = qv.speaker or view.interviewee
        card, show_line = cards.plan(qv.text, speaker, _quote_role(view, qv.speaker), show["title"])
        planned.append((card, show_line))
        if prefix:
            card = dataclasses.replace(card, src=posixpath.relpath(f"episodes/{view.slug}/{card.name}",
                                                                   f"{prefix}episodes/{view.slug}"))
        page = quote_page_name(qv.fragment)
        quotes.append(dataclasses.replace(qv, card=card, page=page,
                                          share_url=config.url(*_lang(prefix), "episodes", view.slug, page)))
    files = cards.write_cards(folder, planned)
    by_id = {qv.id: qv for qv in quotes}
    chapters = tuple(dataclasses.replace(ch, quotes=tuple(by_id.get(qv.id, qv) for qv in ch.quotes))
                     for ch in view.chapters)
    return dataclasses.replace(view, quotes=tuple(quotes), chapters=chapters), files


def prepare(site: Any, view: EpisodeView, ep: Episode) -> tuple[EpisodeView, Share]:
    """For the episode page: ``view`` with its quotes' cards and pages (written now), and its
    Open Graph and JSON-LD. ``site`` is :mod:`.render`'s writer."""
    view, files = with_cards(view, site.config, site.show, site.site_dir / "episodes" / view.slug, site.prefix)
    site.written.extend(files)
    render_quote_pages(site, view, ep)
    return view, episode_share(view, ep, site.config, site.show)


def _lang(prefix: str) -> tuple[str, ...]:
    """The language's folder as a URL part: ("cy",) for "cy/", () for a one-language site."""
    return (prefix.strip("/"),) if prefix else ()


def episode_share(view: EpisodeView, ep: Episode, config: Config, show: dict[str, Any]) -> Share:
    return Share(url=view.page_url, og=episode_og(view, ep, config, show), ld=json_ld(episode_ld(view, ep, config, show)))


def quote_share(view: EpisodeView, qv: Any, ep: Episode, config: Config, show: dict[str, Any]) -> Share:
    """The Open Graph tags of a quote's page: its card as the image, its words as the title."""
    url = qv.share_url or config.url("episodes", view.slug, qv.page)
    speaker = qv.speaker or view.interviewee
    title = f"\u201c{_short(qv.text, max(40, OG_TITLE_CHARS - len(speaker) - 5))}\u201d \u2014 {speaker}" if speaker else \
        f"\u201c{_short(qv.text)}\u201d"
    tags = [("og:type", "article"), ("og:site_name", show["title"]), ("og:title", title),
            ("og:description", _("A key quote from \u201c%(title)s\u201d (%(length)s), %(show)s.", title=view.title,
                                 length=qv.length, show=show["title"])),
            ("og:url", url), ("og:locale", og_locale(config))]
    if qv.card is not None:
        tags += [("og:image", config.url("episodes", view.slug, qv.card.name)), ("og:image:type", "image/png"),
                 ("og:image:width", str(qv.card.width)), ("og:image:height", str(qv.card.height)),
                 ("og:image:alt", qv.card.alt)]
    tags += [("og:audio", ep.audio.url), ("og:audio:type", ep.audio.mime_type),
             ("twitter:card", "summary_large_image" if qv.card is not None else "summary")]
    ld: dict[str, Any] = {"@context": SCHEMA, "@type": "Quotation", "url": url, "text": qv.text,
                          "inLanguage": qv.lang or view.language,
                          "isPartOf": {"@type": "PodcastEpisode", "@id": view.page_url, "name": view.title}}
    if speaker:
        person = {"@type": "Person", "name": speaker}
        if role := _quote_role(view, qv.speaker):
            person["jobTitle"] = role
        ld["creator"] = person
    if qv.card is not None:
        ld["image"] = config.url("episodes", view.slug, qv.card.name)
    return Share(url=url, og=tuple(tags), ld=json_ld(ld))


def render_quote_pages(site: Any, view: EpisodeView, ep: Episode) -> list[Path]:
    """Write each quote's page beside the episode page (``site`` is render's writer), and
    remove the pages of quotes no longer chosen."""
    folder = site.site_dir / site.prefix / "episodes" / view.slug
    written = []
    for qv in view.quotes:
        written.append(site.render("quote.html", f"episodes/{view.slug}/{qv.page}", episode=view, quote=qv,
                                   quote_role=_quote_role(view, qv.speaker),
                                   share=quote_share(view, qv, ep, site.config, site.show),
                                   page_title=_("A key quote from %(title)s", title=view.title)))
    remove_quote_pages(folder, written, why="its quote changed or was removed")
    return written


def remove_quote_pages(folder: Path, keep: Iterable[Path] = (), why: str = "") -> None:
    """Remove the quote pages in ``folder`` (only names this module writes) not in ``keep``."""
    keep = set(keep)
    for old in folder.glob(QUOTE_PAGE_GLOB) if folder.is_dir() else ():
        if _QUOTE_PAGE.match(old.name) and old not in keep:
            old.unlink(missing_ok=True)
            log.info("removed %s (%s)", old, why)


__all__ = ["Share", "clips", "episode_ld", "episode_og", "episode_share", "json_ld", "quote_page_name",
           "quote_share", "remove_quote_pages", "render_quote_pages", "series_ld", "series_share", "prepare", "with_cards"]
