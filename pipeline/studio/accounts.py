"""The studio's team accounts: ``.learncast/state/studio-users.toml``.

A studio that listens on another interface than the loopback (``learncast studio --host``)
lets in only the people named in this file, each with a password. The file is written
only by ``learncast studio users add|remove`` (never by a build, never by hand), with
owner-only permissions (0600), and kept in ``.learncast/state/`` because no build can make
it again and ``learncast prune`` never touches that folder.

Passwords are kept as scrypt hashes (:func:`hashlib.scrypt`, RFC 7914) with a random
16-byte salt per password and the parameters written beside the hash, so they can be
raised later without breaking older entries::

    [users."Sam Reviewer"]
    hash = "scrypt$16384$8$1$<salt, base64>$<32-byte key, base64>"
    added = "2026-03-01T10:00:00+00:00"

N = 2**14, r = 8, p = 1 (16 MiB and about 50 ms per check on a laptop): OWASP's minimum
for scrypt. A check compares keys with :func:`hmac.compare_digest`, and an unknown name is
checked against a dummy hash, so the answer takes as long either way.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import os
import re
import secrets
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, UsageError
from ..fsutil import write_text

log = logging.getLogger(__name__)

USERS_NAME = "studio-users.toml"
SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES, SALT_BYTES = 2 ** 14, 8, 1, 32, 16
MIN_PASSWORD, MAX_PASSWORD = 12, 1024
_NAME_RE = re.compile(r"^\w(?:[\w .'-]{0,62}[\w.])?$")
_HEADER = ("# The Learncast studio's team accounts: names and scrypt password hashes.\n"
           "# Written by `learncast studio users add|remove`; do not edit by hand, do not share.\n")


@dataclass(frozen=True)
class User:
    name: str
    hash: str
    added: str = ""


def users_path(state_dir: Path) -> Path:
    """Where the users file of the workspace whose state folder is ``state_dir`` lives."""
    return Path(state_dir) / USERS_NAME


def check_name(name: str) -> str:
    """``name`` when it can be a user name (letters, digits, spaces, . ' - _; 1-64)."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise UsageError(f'"{str(name)[:70]}" cannot be a user name',
                         fix="use 1 to 64 letters, digits, spaces, dots, dashes or apostrophes")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password is shorter than {MIN_PASSWORD} characters",
                         fix="choose a longer one (a few words make a good one)")
    if len(password) > MAX_PASSWORD:
        raise UsageError(f"the password is longer than {MAX_PASSWORD} characters", fix="choose a shorter one")
    return password


# ---------------------------------------------------------------- hashes


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length,
                          maxmem=256 * r * (n + p + 2))


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$key`` for ``password``, with a fresh random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


_DUMMY = hash_password(secrets.token_urlsafe(16))


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored`` (None or a bad entry: checked against a dummy,
    so a wrong name takes as long as a wrong password, and answers False)."""
    good = stored is not None
    try:
        kind, n, r, p, salt, key = (stored or _DUMMY).split("$")
        want = base64.b64decode(key, validate=True)
        if kind != "scrypt" or not 2 <= int(n) <= 2 ** 20 or not 1 <= int(r) <= 32 or not 1 <= int(p) <= 16:
            raise ValueError(kind)
        got = _scrypt(password[:MAX_PASSWORD], base64.b64decode(salt, validate=True), int(n), int(r), int(p),
                      len(want))
    except (ValueError, TypeError):
        log.warning("a password hash in the studio's users file cannot be read")
        return False
    return hmac.compare_digest(got, want) and good


# ---------------------------------------------------------------- the file


def load_users(path: Path) -> dict[str, User]:
    """The users in ``path`` by name ({} when there is no file)."""
    if not path.is_file():
        return {}
    if file_mode(path) & 0o077:
        log.warning("%s can be read by other users of this machine; `chmod 600` it", path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError([f"cannot be read ({exc}); remove it and add the users again"], path=path) from None
    table = data.get("users", {})
    users, problems = {}, []
    for name, entry in table.items() if isinstance(table, dict) else ():
        if not isinstance(entry, dict) or not isinstance(entry.get("hash"), str):
            problems.append(f'user "{name}" has no password hash; add it again')
            continue
        users[name] = User(name=name, hash=entry["hash"], added=str(entry.get("added", "")))
    if problems or not isinstance(table, dict):
        raise ConfigError(problems or ["[users] must be a table"], path=path)
    return users


def find_user(users: dict[str, User], name: str) -> User | None:
    """The user called ``name``, the case of its letters aside."""
    wanted = name.casefold()
    return next((u for u in users.values() if u.name.casefold() == wanted), None)


def _save(path: Path, users: dict[str, User]) -> None:
    import tomlkit

    doc = tomlkit.document()
    table = tomlkit.table(is_super_table=True)
    for user in sorted(users.values(), key=lambda u: u.name.casefold()):
        entry = tomlkit.table()
        entry["hash"], entry["added"] = user.hash, user.added
        table[user.name] = entry
    doc["users"] = table
    write_text(path, _HEADER + tomlkit.dumps(doc).rstrip("\n") + "\n", mode=0o600)


@contextmanager
def _changing(path: Path) -> Iterator[None]:
    """Hold the users file's lock while it is read, changed and replaced (two commands at
    once would otherwise lose one's change)."""
    from filelock import FileLock, Timeout

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(path.with_name(f".{path.name}.lock")), timeout=10):
            yield
    except Timeout:
        raise UsageError("another command is changing the users file", path=path, fix="try again") from None


def add_user(path: Path, name: str, password: str, *, replace: bool = False) -> User:
    """Add ``name`` with ``password`` to the users file (a new password when ``replace``)."""
    check_name(name)
    check_password(password)
    with _changing(path):
        return _add(path, name, password, replace)


def _add(path: Path, name: str, password: str, replace: bool) -> User:
    users = load_users(path)
    old = find_user(users, name)
    if old is not None and not replace:
        raise UsageError(f'there is already a user "{old.name}"', path=path,
                         fix=f'give them a new password with `learncast studio users add "{old.name}" --replace`')
    if old is not None:
        del users[old.name]
    when = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    user = users[name] = User(name=name, hash=hash_password(password), added=when)
    _save(path, users)
    log.info("studio user %s %s", name, "given a new password" if old else "added")
    return user


def remove_user(path: Path, name: str) -> User:
    with _changing(path):
        return _remove(path, name)


def _remove(path: Path, name: str) -> User:
    users = load_users(path)
    old = find_user(users, name)
    if old is None:
        raise UsageError(f'there is no user "{name}"', path=path, fix="see the users with `learncast studio users list`")
    del users[old.name]
    _save(path, users)
    log.info("studio user %s removed", old.name)
    return old


def file_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777
