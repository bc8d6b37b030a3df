"""The words Learncast writes, in the page's language: gettext catalogues read with Babel.

Every string Learncast itself puts on a page or in a feed is a msgid in
``pipeline/locale/messages.pot``; each language has ``locale/<lang>/LC_MESSAGES/messages.po``
and its compiled ``messages.mo`` (both shipped, so an installed copy needs no build step).
Templates call ``_()`` / ``ngettext()`` (jinja2's i18n extension, newstyle); Python code
calls :func:`gettext` / :func:`ngettext` here, and marks module-level strings with
:func:`N_` to translate them where they are used.

The language in use is a context variable set by :func:`use` around the rendering of one
language's pages and feed, so the same views and templates serve every language and a
one-language show reads exactly as it always did. With no :func:`use` in force the text
is the msgid itself (English).

Updating the catalogues after changing a string: ``python scripts/i18n.py`` (extract,
update, compile; see README, "Welsh and other languages").
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext as _gettext
import logging
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator

log = logging.getLogger(__name__)

DOMAIN = "messages"
LOCALE_DIR = "locale"  # inside the package
#: The languages Learncast ships catalogues for, with each one's name in itself.
NATIVE_NAMES = {"en": "English", "cy": "Cymraeg"}

_current: contextvars.ContextVar[_gettext.NullTranslations | None] = contextvars.ContextVar(
    "learncast_translations", default=None)
_lang: contextvars.ContextVar[str] = contextvars.ContextVar("learncast_language", default="")


def N_(message: str) -> str:
    """Marks ``message`` for extraction; it is translated later, where it is shown."""
    return message


def base_language(code: str) -> str:
    """``"cy-GB"`` -> ``"cy"``: the catalogue a language code reads from."""
    return code.replace("_", "-").split("-", 1)[0].lower()


def available() -> tuple[str, ...]:
    """The languages with a shipped catalogue."""
    root = resources.files(__package__).joinpath(LOCALE_DIR)
    found = []
    for entry in root.iterdir():
        if entry.joinpath("LC_MESSAGES", f"{DOMAIN}.mo").is_file():
            found.append(entry.name)
    return tuple(sorted(found))


def has_catalogue(code: str) -> bool:
    return base_language(code) in available()


@lru_cache(maxsize=None)
def translations(code: str) -> _gettext.NullTranslations:
    """The compiled catalogue for ``code`` (``"en"``, ``"cy"``, ``"cy-GB"``); English's
    catalogue, which is the msgids themselves, when none is shipped."""
    from babel.support import NullTranslations, Translations

    path = resources.files(__package__).joinpath(LOCALE_DIR, base_language(code), "LC_MESSAGES", f"{DOMAIN}.mo")
    if not path.is_file():
        return NullTranslations()
    with path.open("rb") as fh:
        return Translations(fh, domain=DOMAIN)


@contextlib.contextmanager
def use(code: str | None) -> Iterator[None]:
    """Translate into ``code`` inside the block (``None``: leave the language as it is)."""
    if code is None:
        yield
        return
    token = _current.set(translations(code))
    lang_token = _lang.set(code)
    try:
        yield
    finally:
        _current.reset(token)
        _lang.reset(lang_token)


def current_language() -> str:
    """The language :func:`use` set ("" outside one)."""
    return _lang.get()


def gettext(message: str, **variables: Any) -> str:
    """``message`` in the current language, with ``%(name)s`` filled from ``variables``."""
    tr = _current.get()
    text = tr.gettext(message) if tr is not None else message
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the current language; ``%(num)d`` is ``n``."""
    tr = _current.get()
    text = tr.ngettext(singular, plural, n) if tr is not None else (singular if n == 1 else plural)
    return text % {"num": n, **variables}


def install(env: Any) -> None:
    """Give a jinja2 environment ``_``, ``gettext`` and ``ngettext`` that follow :func:`use`
    (jinja2's i18n extension, newstyle: ``{{ _("Play from %(clock)s", clock=c) }}``)."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_jinja_gettext, _jinja_ngettext, newstyle=True)


def _jinja_gettext(message: str) -> str:
    tr = _current.get()
    return tr.gettext(message) if tr is not None else message


def _jinja_ngettext(singular: str, plural: str, n: int) -> str:
    tr = _current.get()
    return tr.ngettext(singular, plural, n) if tr is not None else (singular if n == 1 else plural)


def format_day(day: Any, code: str | None = None) -> str:
    """A date as a reader writes it: "2 December 2026", "2 Rhagfyr 2026"."""
    code = code or current_language()
    if not code or base_language(code) == "en":
        return f"{day.day} {day:%B %Y}"
    from babel.dates import format_date

    try:
        return format_date(day, "d MMMM y", locale=base_language(code))
    except Exception:  # noqa: BLE001 - an unknown locale: the English form
        return f"{day.day} {day:%B %Y}"


__all__ = ["N_", "NATIVE_NAMES", "available", "base_language", "current_language", "format_day", "gettext",
           "has_catalogue", "install", "ngettext", "translations", "use"]
