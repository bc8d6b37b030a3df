"""Render the static transcript site into ``site/``.

Pages are Jinja2 templates with autoescaping on: titles, names and transcript text are
user data and only ever reach the page escaped. A workspace may override any template
(or ``static/`` file) by putting one of the same name in ``<workspace>/templates/``.

Every link inside the site is relative and points at a file (``…/index.html``), so the
site works from any host, a file share or a laptop without a network. Every file is
written atomically and only when its content changed, so unchanged pages keep their
modification time and a sync to a web host copies only what changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import jinja2

from .. import i18n
from ..config import Config
from ..errors import BuildError
from ..fsutil import write_bytes, write_json, write_text_if_changed
from ..models import Episode
from . import library, playlist, sharing, themes, views

log = logging.getLogger(__name__)

#: Written into every folder this module makes under site/episodes and site/questions;
#: only folders holding it are ever deleted, so nothing a person put there is lost.
MARKER = ".learncast-page"
TEMPLATES_DIR = "templates"  # in the workspace root, searched before the package's own
STATIC_FILES = ("site.css", "player.js", "search.js", "library.css", "sharing.css", "playlist.js")
ARTWORK_NAMES = ("artwork.jpg", "artwork.png")
_SAFE_EXTRA = set("-_.")


def pagefind_filter(text: str) -> str:
    """A value for a ``data-pagefind-filter`` attribute.

    Pagefind's search UI writes filter values into the page as HTML (titles and excerpts
    it escapes), so an interviewee named ``<img onerror=...>`` would run on the search
    page. Characters that could open a tag or an entity become look-alikes.
    """
    return str(text).translate(_FILTER_LOOKALIKES)


_FILTER_LOOKALIKES = str.maketrans({"<": "\u2039", ">": "\u203a", "&": "\uff06"})


def make_environment(workspace_root: Path | None) -> jinja2.Environment:
    """A Jinja2 environment that looks in ``<workspace>/templates`` first.

    ``StrictUndefined`` makes a misspelt variable in an overriding template an error
    that names the template, rather than a silently empty page.
    """
    loaders: list[jinja2.BaseLoader] = []
    if workspace_root is not None and (Path(workspace_root) / TEMPLATES_DIR).is_dir():
        loaders.append(jinja2.FileSystemLoader(str(Path(workspace_root) / TEMPLATES_DIR)))
    loaders.append(jinja2.PackageLoader("pipeline.pages", TEMPLATES_DIR))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pagefind_filter"] = pagefind_filter
    i18n.install(env)
    return env


def _safe_name(name: str, what: str) -> str:
    """A slug or question id used as a folder name: refuse anything that could leave site/."""
    if not name or name in (".", "..") or not all(ch.isalnum() or ch in _SAFE_EXTRA for ch in name):
        raise BuildError(f'{what} "{name}" cannot be a folder name in the site',
                         fix="use letters, digits, '-', '_' and '.' only")
    return name


class _Site:
    """Writes the files of one render, remembering each path it wrote."""

    def __init__(self, config: Config, site_dir: Path, workspace_root: Path | None, lang: str = ""):
        self.config = config
        self.site_dir = Path(site_dir)
        self.workspace_root = Path(workspace_root) if workspace_root is not None else None
        self.env = make_environment(self.workspace_root)
        self.written: list[Path] = []
        self.static: dict[str, str] = {}  # name -> "static/name?v=hash"
        # In a site of several languages, this language's pages live in site/<lang>/.
        self.lang = lang or config.site_languages[0]
        self.prefix = f"{lang}/" if config.bilingual and lang else ""
        self.show = self._show()
        self.keys: dict[str, str] = {}  # page -> key of what it was made from (see render_unless_same)
        self.made: dict[str, str] = {}
        self.fingerprint = ""

    def remember(self, state: Path | None) -> None:
        """Read the pages' keys from ``state`` (a JSON file in the build's cache)."""
        if state is None:
            return
        try:
            data = json.loads(Path(state).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        self.keys = data if isinstance(data, dict) else {}
        self.fingerprint = _fingerprint(self.env, repr(self.config))

    def in_language(self, lang: str) -> _Site:
        """The same site, writing ``lang``'s pages (into site/<lang>/ when there are several)."""
        other = _Site.__new__(_Site)
        other.__dict__.update(self.__dict__)
        other.lang, other.prefix = lang, (f"{lang}/" if self.config.bilingual else "")
        other.written = []
        other.show = other._show()
        return other

    def render_unless_same(self, template: str, rel: str, inputs: Any, **context: Any) -> Path:
        """:meth:`render`, skipped when the page exists and ``inputs`` (everything the page is made
        from besides the templates, the catalogues and the site's settings, which are in the key
        too) are what they were when it was written (``pages_state``)."""
        key = hashlib.sha256(repr((self.fingerprint, self.lang, self.prefix, template, rel, self.static,
                                   self.show, inputs)).encode("utf-8")).hexdigest()
        name = self.prefix + rel
        path = self.site_dir / name
        if self.keys.get(name) == key and path.is_file():
            self.made[name] = key
            self.written.append(path)
            return path
        path = self.render(template, rel, **context)
        self.made[name] = key
        return path

    def write(self, rel: str, text: str) -> Path:
        """Write ``text`` to ``site/<rel>`` (in this language's folder)."""
        path = self.site_dir / self.prefix / rel
        if write_text_if_changed(path, text):
            log.debug("wrote %s", path)
        self.written.append(path)
        return path

    def render(self, template: str, rel: str, **context: Any) -> Path:
        """Render ``template`` into ``site/<rel>``; ``root`` in the context leads back to site/."""
        depth = rel.count("/")
        root = "../" * depth  # this language's home (site/, or site/<lang>/)
        static = {name: "../" * (self.prefix + rel).count("/") + href for name, href in self.static.items()}
        context.setdefault("search_labels", {})
        try:
            text = self.env.get_template(template).render(
                root=root, static=static, show=self.show, page_path=rel, alternates=self.alternates(rel, root),
                **context)
        except jinja2.TemplateError as exc:
            where = getattr(exc, "filename", None) or template
            line = getattr(exc, "lineno", None)
            at = f" (line {line})" if line else ""
            raise BuildError(f"template {template} failed{at}: {exc}", path=where,
                             fix=f"correct or delete the override in {TEMPLATES_DIR}/") from exc
        return self.write(rel, text)

    def alternates(self, rel: str, root: str) -> list[dict[str, str]]:
        """The page in each of the site's languages (``hreflang``), with the relative link of the
        language switch ("" for this page's own language); none in a one-language site."""
        if not self.config.bilingual:
            return []
        where = rel.removesuffix("index.html")
        out = [{"lang": lang, "name": i18n.NATIVE_NAMES.get(i18n.base_language(lang), lang),
                "url": self.config.url(lang, where) + ("/" if not where or where.endswith("/") else ""),
                "href": "" if lang == self.lang else f"{root}../{lang}/{rel}"}
               for lang in self.config.languages]
        out.append({"lang": "x-default", "name": "", "url": self.config.url(), "href": ""})  # the chooser
        return out

    def mark(self, folder: str, *, shared: bool = False) -> None:
        """Mark a folder this render owns (``shared``: in site/ itself, not the language's folder)."""
        path = self.site_dir / ("" if shared else self.prefix) / folder / MARKER
        note = "Made by Learncast; this folder is deleted when its page is no longer published.\n"
        if write_text_if_changed(path, note):
            log.debug("marked %s", path.parent)
        self.written.append(path)

    def copy_static(self) -> None:
        """The stylesheet and scripts, from the workspace's templates/static/ when present."""
        for name in STATIC_FILES:
            data = self._static_source(name)
            path = self.site_dir / "static" / name
            try:
                same = path.read_bytes() == data
            except OSError:
                same = False
            if not same:
                write_bytes(path, data)
            self.written.append(path)
            # A version in the link, so a browser never pairs a new page with a cached old script.
            self.static[name] = f"static/{name}?v={hashlib.sha256(data).hexdigest()[:10]}"

    def _static_source(self, name: str) -> bytes:
        if self.workspace_root is not None:
            override = self.workspace_root / TEMPLATES_DIR / "static" / name
            if override.is_file():
                return override.read_bytes()
        return resources.files(__package__).joinpath("static", name).read_bytes()

    def _show(self) -> dict[str, Any]:
        """The show, as every page's header and the home page present it."""
        c = self.config
        feed = c.url(self.prefix, "feed.xml")
        bare = feed.split("://", 1)[1]
        artwork = next((n for n in ARTWORK_NAMES if (self.site_dir / n).is_file()), None)
        if artwork and self.prefix:
            artwork = f"../{artwork}"
        return {
            "title": views.clean_text(c.title), "description": views.clean_text(c.description),
            "author": views.clean_text(c.author), "language": self.lang if c.bilingual else c.feed_language,
            "feed_url": feed, "feed_path": "feed.xml", "podcast_url": f"podcast://{bare}",
            "pcast_url": f"pcast://{bare}", "artwork": artwork,
        }


def render_site(config: Config, site_dir: Path, episodes: list[Episode], questions: Any, *,
                workspace_root: Path | None = None, pages_state: Path | None = None) -> list[Path]:
    """Write the whole site: show page, episode pages, question library, search page, static files.

    ``questions`` is a :class:`pipeline.chapters.QuestionSet` or any object whose
    ``questions`` items have ``id``, ``question`` and ``title``. Returns every file this
    render consists of (written or already up to date). Question-page folders of
    questions no longer in the set are removed (marked folders only).

    With ``languages`` (several) in learncast.toml, every page is written once per language
    into ``site/<lang>/`` (the media stay in ``site/episodes/<slug>/``, once), and
    ``site/index.html`` lets the reader choose; otherwise the pages are in site/ itself.
    """
    site = _Site(config, site_dir, workspace_root)
    site.remember(pages_state)
    site.copy_static()
    items = list(getattr(questions, "questions", ()) or ())
    ordered = sorted(episodes, key=lambda e: e.pub_date, reverse=True)
    for ep in ordered:
        site.mark(f"episodes/{_safe_name(ep.slug, 'episode slug')}", shared=True)
    for lang in config.site_languages:
        mine = site.in_language(lang)
        with i18n.use(lang if i18n.has_catalogue(lang) else None):
            _render_language(mine, ordered, items)
        site.written += mine.written
    if config.bilingual:
        site.render("languages.html", "index.html", page_title=None,
                    choices=[{"lang": a["lang"], "name": a["name"], "href": f"{a['lang']}/index.html",
                              "prompt": i18n.translations(a["lang"]).gettext(CHOOSE)}
                             for a in site.alternates("index.html", "") if a["lang"] != "x-default"])
        for lang in config.languages:
            _remove_marked(site.site_dir / lang / "episodes", {ep.slug for ep in ordered})
        _remove_one_language_pages(site.site_dir, ordered)
    if pages_state is not None and site.made != site.keys:
        write_json(pages_state, site.made)
    return site.written


def _fingerprint(env: jinja2.Environment, settings: str) -> str:
    """A key of every template (the workspace's overrides included), the catalogues and ``settings``."""
    digest = hashlib.sha256(settings.encode("utf-8"))
    for name in sorted(env.list_templates()):
        source, _, _ = env.loader.get_source(env, name)
        digest.update(name.encode("utf-8") + b"\0" + source.encode("utf-8"))
    locale = Path(i18n.__file__).parent / "locale"
    for mo in sorted(locale.glob("*/LC_MESSAGES/*.mo")):
        digest.update(mo.read_bytes())
    return digest.hexdigest()


def _remove_one_language_pages(site_dir: Path, episodes: list[Episode]) -> None:
    """After a switch to several languages: the pages a one-language build left where the media
    are (marked folders only), and its question pages, which now live in each language's folder."""
    for ep in episodes:
        folder = site_dir / "episodes" / ep.slug
        if (folder / MARKER).is_file():
            for name in ("index.html", views.CHAPTERS_VTT):
                if (folder / name).is_file():
                    (folder / name).unlink()
                    log.info("removed %s (the pages are in each language's folder now)", folder / name)
            sharing.remove_quote_pages(folder, why="the pages are in each language's folder now")
    _remove_marked(site_dir / "questions", ())
    _remove_marked(site_dir / "themes", ())


def _render_language(site: _Site, episodes: list[Episode], items: list[Any]) -> None:
    """Every page in one language (the one :func:`pipeline.i18n.use` set)."""
    config, by_id = site.config, {item.id: item for item in items}
    episode_views = []
    theme_names = themes.names(episodes)
    for ep in episodes:
        slug = _safe_name(ep.slug, "episode slug")
        folder = site.site_dir / "episodes" / slug
        view = library.with_library(views.episode_view(ep, config, by_id, folder=folder, prefix=site.prefix), ep)
        view = themes.with_themes(view, ep, theme_names)
        view, share = sharing.prepare(site, view, ep)  # quote cards and pages; Open Graph and JSON-LD
        if view.chapters_vtt:
            site.write(f"episodes/{slug}/{view.chapters_vtt}", view.chapters_track)
        site.render_unless_same("episode.html", f"episodes/{slug}/index.html", (view, share),
                                episode=view, share=share, page_title=view.title)
        if site.prefix:
            site.mark(f"episodes/{slug}")
        episode_views.append(view)

    question_views = views.question_views(items, episode_views, site_dir=site.site_dir,
                                          pack_root="../../../" if site.prefix else "")
    site.render("index.html", "index.html", episodes=episode_views, questions=question_views,
                share=sharing.series_share(config, site.show), page_title=None)
    site.render("questions.html", "questions/index.html", questions=question_views,
                page_title=i18n.gettext("Questions"))
    site.render("search.html", "search/index.html", page_title=i18n.gettext("Search"),
                search_labels=search_labels())
    site.render("overview.html", "overview/index.html", overview=library.overview(question_views, episode_views),
                page_title=i18n.gettext("Overview"))
    for qv in question_views:
        qid = _safe_name(qv.id, "question id")
        site.render("question.html", f"questions/{qid}/index.html", question=qv, page_title=qv.title,
                    **playlist.question_extras(site, qv))  # every answer in one play; the handout
        site.mark(f"questions/{qid}")
    _remove_marked(site.site_dir / site.prefix / "questions", {qv.id for qv in question_views})
    _render_themes(site, episode_views)
    log.info("rendered %d episode pages and %d question pages in %s", len(episode_views),
             len(question_views), site.site_dir / site.prefix)


#: Pagefind's search-box text (its UI's ``translations`` keys), and the search page's own
#: messages, for search.js; ``[SEARCH_TERM]`` and ``[COUNT]`` are Pagefind's placeholders.
SEARCH_LABELS = {
    "placeholder": i18n.N_("Search"),
    "clear_search": i18n.N_("Clear"),
    "load_more": i18n.N_("Load more results"),
    "search_label": i18n.N_("Search this site"),
    "filters_label": i18n.N_("Filters"),
    "zero_results": i18n.N_("No results for [SEARCH_TERM]"),
    "many_results": i18n.N_("[COUNT] results for [SEARCH_TERM]"),
    "one_result": i18n.N_("[COUNT] result for [SEARCH_TERM]"),
    "alt_search": i18n.N_("No results for [SEARCH_TERM]. Showing results for [DIFFERENT_TERM] instead"),
    "search_suggestion": i18n.N_("No results for [SEARCH_TERM]. Try one of the following searches:"),
    "searching": i18n.N_("Searching for [SEARCH_TERM]..."),
    "needs_server": i18n.N_("Search works when the site is served by a web server (for example with "
                            "\"learncast serve\"). You can still browse the episodes and the questions."),
    "no_index": i18n.N_("Search is not available on this copy of the site: its search index has not been built."),
}


CHOOSE = i18n.N_("Choose a language")  # on the languages page, in each language


def search_labels() -> dict[str, str]:
    """:data:`SEARCH_LABELS` in the language in use."""
    return {key: i18n.gettext(text) for key, text in SEARCH_LABELS.items()}


def _render_themes(site: _Site, episode_views: list[views.EpisodeView]) -> None:
    """The themes index and a page per theme; a theme no chapter carries now loses its page."""
    found = themes.theme_views(episode_views)
    site.render("themes.html", themes.INDEX_PATH, themes=found, page_title=i18n.gettext("Themes"))
    for tv in found:
        slug = _safe_name(tv.slug, "theme")
        site.render("theme.html", f"themes/{slug}/index.html", theme=tv, page_title=tv.name)
        site.mark(f"themes/{slug}")
    _remove_marked(site.site_dir / site.prefix / "themes", {tv.slug for tv in found})


def _remove_marked(parent: Path, keep: Iterable[str]) -> list[Path]:
    keep = set(keep)
    removed = []
    if not parent.is_dir():
        return removed
    for folder in sorted(parent.iterdir()):
        if folder.name in keep or folder.is_symlink() or not folder.is_dir():
            continue
        if (folder / MARKER).is_file():
            shutil.rmtree(folder)
            log.info("removed %s (no longer published)", folder)
            removed.append(folder)
    return removed


def remove_stale(site_dir: Path, live_slugs: Iterable[str]) -> list[Path]:
    """Delete ``site/episodes/<slug>/`` folders of episodes no longer published.

    Only folders holding the :data:`MARKER` this module writes are deleted (media,
    downloads and all); a folder a person made there, or a symlink, is left alone.
    Returns the folders removed.
    """
    return _remove_marked(Path(site_dir) / "episodes", live_slugs)
