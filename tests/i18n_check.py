"""Whether the shipped gettext catalogues are current (tests/test_i18n.py and
``python scripts/i18n.py --check`` both use it): every string the templates and the code
mark is in messages.pot and in every language's .po, every Welsh string is translated
with the same placeholders, and each .mo is the compiled .po."""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "pipeline" / "locale"
FIX = "run `python scripts/i18n.py` and translate what it adds (README, \"Welsh and other languages\")"
#: Languages whose every msgid must have a translation (English is the msgids themselves).
TRANSLATED = ("cy",)


def ids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def read(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def extracted():
    """The catalogue pybabel extracts from the code and templates now (babel.cfg)."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import i18n as script
    finally:
        sys.path.pop(0)
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "messages.pot"
        script.extract(dest)
        return read(dest)


def problems() -> list[str]:
    out: list[str] = template_problems()
    now = ids(extracted())
    shipped = ids(read(LOCALE / "messages.pot"))
    out += [f"messages.pot lacks {m!r}; {FIX}" for m in sorted(now - shipped)]
    out += [f"messages.pot still has {m!r}, which nothing uses; {FIX}" for m in sorted(shipped - now)]
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/messages.po")):
        lang = po.parent.parent.name
        catalog = read(po)
        out += [f"{lang}: lacks {m!r}; {FIX}" for m in sorted(now - ids(catalog))]
        if lang in TRANSLATED:
            for m in catalog:
                if not m.id:
                    continue
                forms = m.string if isinstance(m.string, tuple) else (m.string,)
                if not all(forms) or (isinstance(m.id, tuple) and len(forms) != catalog.num_plurals):
                    out.append(f"{lang}: {m.id!r} is not translated; translate it in {po.relative_to(ROOT)}")
                if m.fuzzy:
                    out.append(f"{lang}: {m.id!r} is marked fuzzy; check it and remove the flag")
        for message, errors in catalog.check():
            out += [f"{lang}: {message.id!r}: {e}" for e in errors]
        buf = io.BytesIO()
        write_mo(buf, catalog)
        mo = po.with_suffix(".mo")
        if not mo.is_file() or mo.read_bytes() != buf.getvalue():
            out.append(f"{lang}: {mo.relative_to(ROOT)} is not the compiled .po; run `python scripts/i18n.py`")
    return out


TEMPLATES = ROOT / "pipeline" / "pages" / "templates"
STUDIO_TEMPLATES = ROOT / "pipeline" / "studio" / "templates"
#: Literal words a template may carry outside ``_()``: not words a reader reads as language
#: (the studio's shortcut keys are the keys' own labels; its sign-in page's referrer policy).
NOT_WORDS = {"Learncast", "html", "doctype html", "Ctrl", "Alt", "Enter", "same-origin"}
_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_READ_ATTRS = re.compile(r"\b(aria-label|title|alt|placeholder|label|content)\s*=\s*(\"[^\"]*\"|'[^']*')")


def unwrapped(path: Path) -> list[str]:
    """Words in a template that do not go through the catalogue: text between tags, and the
    attributes a reader hears or sees (aria-label, title, alt, placeholder, label, content)."""
    source = _JINJA.sub(" ", path.read_text(encoding="utf-8"))
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S | re.I)
    found = []
    for m in _TAG.finditer(source):
        for name, value in _READ_ATTRS.findall(m.group(3)):
            text = value[1:-1].strip()
            if re.search(r"[A-Za-z]{2,}", text) and text not in NOT_WORDS and not _machine(name, text):
                found.append(f"{path.name}: {name}=\"{text}\"")
    for text in _TAG.sub("\n", source).split("\n"):
        text = " ".join(text.split())
        if re.search(r"[A-Za-z]{2,}", text) and text not in NOT_WORDS and not text.startswith("<!"):
            found.append(f"{path.name}: \"{text}\"")
    return found


def _machine(name: str, text: str) -> bool:
    """A ``content`` that is a setting (viewport, colour scheme, the security policy, robots), not prose."""
    return name == "content" and bool(re.fullmatch(r"[\w\s=,.:;'*/-]+", text)) and (
        "=" in text or ";" in text or text in ("light dark",) or _ROBOTS.fullmatch(text) is not None)


#: A robots meta tag's directives ("noindex", "noindex, nofollow"): read by crawlers, not people.
_ROBOTS = re.compile(r"(?:no)?(?:index|follow|archive|snippet|imageindex)(?:\s*,\s*(?:no)?(?:index|follow|archive|snippet|imageindex))*")


def template_problems() -> list[str]:
    """Every template's words outside ``_()``/``ngettext()``: wrap them, then run scripts/i18n.py."""
    out = []
    for path in sorted(TEMPLATES.glob("*.html")) + sorted(STUDIO_TEMPLATES.glob("*.html")):
        out += [f"{line}: wrap it in {{{{ _(\"...\") }}}} and run `python scripts/i18n.py`"
                for line in unwrapped(path)]
    return out
