"""Changing a TOML file a person also edits, keeping what they wrote.

Learncast rewrites a few files that people edit by hand too: the chapter corrections
(``chapters.edit.toml``), the redactions (``redactions.toml``), the consent decision
(``consent.toml``) and a recording's sidecar (``media/<name>.toml``). Each change goes
through here: the file is loaded with tomlkit, which keeps every comment, blank line and
untouched value as written; only the keys the change names are rewritten; and the result
is written atomically (a crash leaves the old file or the new one, never half of one).

A table in a list of tables (``[[chapter]]``, ``[[redact]]``) owns the comment lines
right above its header (with no blank line between): they go when the entry goes. The
comments above the first entry are the file's own, and stay.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.items import AoT, Comment, Table
from tomlkit.toml_document import TOMLDocument

from .config import SIDECAR_KEYS, TomlError, check_table, loads_toml, read_toml_text
from .errors import ConfigError
from .fsutil import write_text

log = logging.getLogger(__name__)


class CannotEdit(Exception):
    """The file is laid out in a way a change cannot be made to without losing what is written."""


# ---------------------------------------------------------------- loading and writing


def parse(text: str | None, path: Path, *, header: str = "", error: TomlError | None = None) -> TOMLDocument:
    """The document of ``text`` (``header``, a comment, for a new file: ``text`` None).

    A syntax error is the one-line error :func:`pipeline.config.read_toml` gives.
    """
    if text is None:
        return tomlkit.parse(header)
    loads_toml(text, path, error=error)  # the same checks and messages as every other reader
    return tomlkit.parse(text)


def load(path: Path, *, header: str = "", error: TomlError | None = None) -> TOMLDocument:
    """The document in ``path``, or a new one starting with ``header`` when there is no file."""
    path = Path(path)
    return parse(read_toml_text(path, error=error) if path.exists() else None, path, header=header, error=error)


def dumps(doc: TOMLDocument) -> str:
    return tomlkit.dumps(doc)


def save(path: Path, doc: TOMLDocument) -> Path:
    """Write ``doc`` to ``path`` atomically."""
    write_text(Path(path), dumps(doc))
    return Path(path)


def edit(path: Path, change: Callable[[TOMLDocument], None], *, header: str = "",
         error: TomlError | None = None) -> Path:
    """Load ``path`` (a new document with ``header`` when it is missing), apply ``change``, write it back."""
    doc = load(path, header=header, error=error)
    change(doc)
    return save(path, doc)


# ---------------------------------------------------------------- keys


def toml_item(value: Any) -> Any:
    """A value as tomlkit writes it: a string on one line (quotes and newlines escaped), a date
    as a TOML date (``2024-03-01``), the rest as TOML has them."""
    return tomlkit.string(value) if isinstance(value, str) else tomlkit.item(value)


def set_values(table: Table | TOMLDocument, values: Mapping[str, Any]) -> None:
    """Give ``table`` these values (None removes the key), keeping every comment.

    A changed key keeps its place and its trailing comment; a new key goes after the
    table's last key, before any comments or blank lines that end the table. Keys not
    named stay exactly as written.
    """
    for key, value in values.items():
        if value is None:
            if key in table:
                del table[key]
        elif key in table:
            table[key] = toml_item(value)
        else:
            _insert_after_last_key(table, key, toml_item(value))


def _insert_after_last_key(table: Table | TOMLDocument, key: str, item: Any) -> None:
    container: Container = table.value if isinstance(table, Table) else table
    last = None
    for k, v in container.body:
        if k is not None and not isinstance(v, (Table, AoT)):
            last = k
    insert_after = getattr(container, "_insert_after", None)  # tomlkit has no public positional insert
    if last is None or insert_after is None:
        table[key] = item
        return
    insert_after(last, key, item)


# ---------------------------------------------------------------- lists of tables ([[name]])


def entries(doc: TOMLDocument, name: str) -> AoT | None:
    """The ``[[name]]`` tables, each holding the comment lines right above it; None when there are none.

    CannotEdit when ``name`` is written another way (an inline array of tables).
    """
    if name not in doc:
        return None
    aot = doc.item(name)
    if not isinstance(aot, AoT):
        raise CannotEdit(f'its entries are not all written as [[{name}]] tables')
    tables = aot.body
    for above, table in zip(tables, tables[1:]):
        table.trivia.indent = _take_comments(above.value) + table.trivia.indent
    return aot


def _take_comments(container: Container) -> str:
    """The text of the comment lines that end ``container``, emptied where they were."""
    taken: list[Comment] = []
    for _, item in reversed(container.body):
        if not isinstance(item, Comment):
            break
        taken.insert(0, item)
    text = "".join(c.as_string() for c in taken)
    for c in taken:  # emptied, not removed: the container's keys keep their places
        c.trivia.indent = c.trivia.comment_ws = c.trivia.comment = c.trivia.trail = ""
    return text


def add_entry(doc: TOMLDocument, name: str, values: Mapping[str, Any]) -> Table:
    """Append a ``[[name]]`` table, after a blank line."""
    table = tomlkit.table()
    for key, value in values.items():
        table[key] = toml_item(value)
    if name not in doc:
        doc.append(name, tomlkit.aot())
    doc.item(name).append(table)
    table.trivia.indent = "\0"  # a mark no TOML text holds: what the file has before the new table
    before = dumps(doc).split("\0")[0]
    if not before.strip() or before.endswith(("\n\n", "\r\n\r\n")):
        table.trivia.indent = ""
    else:
        table.trivia.indent = "\n" if before.endswith("\n") else "\n\n"
    return table


def remove_entries(doc: TOMLDocument, name: str, indices: set[int]) -> None:
    """Drop these ``[[name]]`` tables (by position), with the comments right above each."""
    aot = entries(doc, name)
    if aot is None:
        return
    for i in sorted(indices, reverse=True):
        del aot[i]
    if not len(aot):
        del doc[name]


# ---------------------------------------------------------------- sidecars


SIDECAR_FIELDS = tuple(k.name for k in SIDECAR_KEYS)


def update_sidecar(path: Path, values: Mapping[str, Any]) -> Path:
    """Set keys of a recording's sidecar (``media/<name>.toml``), keeping every comment.

    ``values`` maps sidecar keys (title, interviewee, role, date, description, ...) to
    their new values; None removes a key. A date, given as a ``datetime.date`` or as
    ``"YYYY-MM-DD"``, is written as a TOML date. ConfigError (nothing written) when a value
    is not one the sidecar accepts.
    """
    path = Path(path)
    values = {k: _as_date(v) if k in ("date", "publish_after") else v for k, v in values.items()}
    problems = check_table({k: v for k, v in values.items() if v is not None}, SIDECAR_KEYS)
    if problems:
        raise ConfigError(problems, path=path)
    path = edit(path, lambda doc: set_values(doc, values))
    log.info("updated %s: %s", path, ", ".join(values))
    return path


def _as_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value  # check_table says what is wrong with it
    return value


__all__ = [
    "CannotEdit",
    "add_entry",
    "dumps",
    "edit",
    "entries",
    "load",
    "parse",
    "remove_entries",
    "save",
    "set_values",
    "toml_item",
    "update_sidecar",
]
