"""The studio's interface language: its pages in the show's language, and the words its scripts write.

The studio speaks the show's first language (``languages[0]``, else ``language``), or English
when Learncast has no catalogue for it. Templates go through :mod:`pipeline.i18n` (jinja2's
i18n extension). The scripts never translate in their logic: they call
``LearncastDom.t("English text", {name: value})`` (static/dom.js), which looks the text up in
the JSON block the page embeds (``<script type="application/json" id="studio-text">``) and
falls back to the English. :func:`script_text` is that block: the translations, in the page's
language, of the msgids Babel extracts from static/*.js (babel.cfg, keyword ``t``); an empty
object for English.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from .. import i18n

STATIC = Path(__file__).resolve().parent / "static"
#: A recording's state (pipeline.status) as the studio shows it; the CLI's ``learncast status`` stays English.
STATE_NAMES = {"new": i18n.N_("new"), "transcribed": i18n.N_("transcribed"), "chaptered": i18n.N_("chaptered"),
               "reviewed": i18n.N_("reviewed"), "published": i18n.N_("published"), "failed": i18n.N_("failed")}


def interface_language(config) -> str:
    """The show's language when Learncast has a catalogue for it, else ``"en"``."""
    languages = tuple(config.site_languages or ()) or (config.language,)
    lang = languages[0] if languages and languages[0] else "en"
    return lang if lang != "auto" and i18n.has_catalogue(lang) else "en"


def translate(config, message: str) -> str:
    """``message`` (a msgid) in the studio's language, for text the server sends to the scripts."""
    return i18n.translations(interface_language(config)).gettext(message) if message else message


def state_name(state: str) -> str:
    """A recording's state in the language :func:`pipeline.i18n.use` set (the page's)."""
    return i18n.gettext(STATE_NAMES[state]) if state in STATE_NAMES else state


@lru_cache(maxsize=1)
def script_msgids() -> tuple[str, ...]:
    """Every ``t("...")`` msgid in the studio's scripts (as ``pybabel extract`` finds them)."""
    from babel.messages.extract import extract_from_file

    found: set[str] = set()
    for path in sorted(STATIC.glob("*.js")):
        for _line, message, _comments, _context in extract_from_file("javascript", str(path), keywords={"t": None}):
            if isinstance(message, str) and message:
                found.add(message)
    return tuple(sorted(found))


@lru_cache(maxsize=None)
def script_text(lang: str) -> Markup:
    """The JSON block's content for ``lang``: ``{english: translation}``, safe inside <script>."""
    table = {}
    if i18n.base_language(lang) != "en":
        catalogue = i18n.translations(lang)
        table = {m: catalogue.gettext(m) for m in script_msgids() if catalogue.gettext(m) != m}
    text = json.dumps(table, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))
