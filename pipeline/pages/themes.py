"""The themes' views: each chapter's confirmed themes, a page per theme and the index.

Only the themes the team confirmed reach an Episode (:mod:`pipeline.themes`: redactions
checked there), and only published episodes reach this module, so a withheld interview
contributes no theme and no line to a theme page. A theme is known by its slug
(:func:`pipeline.themes.theme_slug`): "Rent debts" in one interview and "rent debts" in
another are one theme, shown as most chapters spell it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from ..models import Episode
from ..themes import theme_slug
from .views import ChapterView, EpisodeView, q

INDEX_PATH = "themes/index.html"


@dataclass(frozen=True)
class ThemeLink:
    name: str
    slug: str
    path: str  # site-relative: themes/<slug>/index.html


@dataclass(frozen=True)
class ThemeEntry:
    episode: EpisodeView
    chapter: ChapterView


@dataclass(frozen=True)
class ThemeView:
    name: str
    slug: str
    path: str
    entries: tuple[ThemeEntry, ...]  # every chapter that carries it, newest episode first

    @property
    def interviews(self) -> int:
        return len({e.episode.slug for e in self.entries})


def link(name: str) -> ThemeLink:
    slug = theme_slug(name)
    return ThemeLink(name=name, slug=slug, path=f"themes/{q(slug)}/index.html")


def names(episodes: Iterable[Episode]) -> dict[str, str]:
    """Each theme's name across the site, by slug: as most chapters spell it (then the first
    in sort order), so every page, link and search filter value says it one way."""
    spellings: dict[str, Counter[str]] = {}
    for ep in episodes:
        for t in ep.themes:
            spellings.setdefault(theme_slug(t.name), Counter())[t.name] += 1
    return {slug: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for slug, c in spellings.items()}


def with_themes(view: EpisodeView, ep: Episode, site_names: dict[str, str] | None = None) -> EpisodeView:
    """``view`` with each chapter's confirmed themes on it, named as ``site_names`` has them."""
    chapters = []
    for ch in view.chapters:
        mine: list[ThemeLink] = []
        for t in ep.themes:
            slug = theme_slug(t.name)
            if t.chapter == ch.question_id and slug not in {m.slug for m in mine}:
                mine.append(link((site_names or {}).get(slug, t.name)))
        chapters.append(dataclasses.replace(ch, themes=tuple(mine)))
    return dataclasses.replace(view, chapters=tuple(chapters))


def theme_views(episodes: Iterable[EpisodeView]) -> list[ThemeView]:
    """Every theme some published chapter carries, alphabetically, each with its chapters."""
    entries: dict[str, list[ThemeEntry]] = {}
    spellings: dict[str, Counter[str]] = {}
    for ep in episodes:
        for ch in ep.chapters:
            for t in ch.themes:
                entries.setdefault(t.slug, []).append(ThemeEntry(ep, ch))
                spellings.setdefault(t.slug, Counter())[t.name] += 1
    out = []
    for slug, found in entries.items():
        name = min(spellings[slug].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        out.append(ThemeView(name=name, slug=slug, path=f"themes/{q(slug)}/index.html", entries=tuple(found)))
    return sorted(out, key=lambda t: (t.name.casefold(), t.slug))


__all__ = ["INDEX_PATH", "ThemeEntry", "ThemeLink", "ThemeView", "link", "names", "theme_views", "with_themes"]
