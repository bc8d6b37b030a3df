"""The studio as a team server: ``learncast studio --host H`` (or with ``--public-name``).

On the loopback a secret token in the printed URL is enough (one person, one machine). On
another interface anyone on the network can reach the port, so :class:`Team` replaces the
token with team accounts (:mod:`pipeline.studio.accounts`):

* **Sign-in.** A page at ``/signin`` takes a name and password; a match gives a random
  session id in an HttpOnly, SameSite=Strict cookie (no ``Secure`` flag: the studio itself
  speaks plain http, so a team server belongs behind a TLS proxy). Sessions live in the
  server's memory for :data:`SESSION_HOURS` hours; a restart signs everyone out. Removing
  a user, or giving them a new password, ends their sessions at their next request.
* **Rate limit.** :data:`MAX_FAILURES` failed sign-ins from one client address within
  :data:`WINDOW` seconds refuse further tries from it (HTTP 429) until the oldest ages out.
* **Host.** Besides ``HOST:PORT`` it listens on, the studio answers to each
  ``--public-name`` (with or without the port, for a proxy on 443 that passes ``Host`` on).
  Listening on 0.0.0.0 it also answers to the literal address of the interface a request
  came in on, and to nothing else: a domain an attacker re-points at the server (DNS
  rebinding) is still refused, as a name is never the interface's address.

:class:`~pipeline.studio.security.Guard` asks :class:`Team` who a request is from; the
sign-in routes themselves are :mod:`pipeline.studio.signin`.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import ConfigError, UsageError
from ..fsutil import Stamp, file_stamp
from .accounts import User, find_user, load_users, verify_password

log = logging.getLogger(__name__)

SESSION_COOKIE = "learncast_session"
SESSION_HOURS = 12
MAX_FAILURES = 5
WINDOW = 15 * 60  # seconds
ANY = "0.0.0.0"
LOOPBACK = ("127.0.0.1", "localhost")


class SignInRefused(Exception):
    """A failed sign-in: HTTP ``status`` (401 or 429), a one-line message, and for 429
    the seconds until another try."""

    def __init__(self, status: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


@dataclass
class Session:
    user: str
    hash: str  # the password hash it signed in with: a new password ends the session
    expires: float


@dataclass
class Team:
    """The accounts, sessions and failed sign-ins of one team server."""

    users_file: Path
    public_names: tuple[str, ...] = ()
    max_failures: int = MAX_FAILURES
    window: float = WINDOW
    session_seconds: float = SESSION_HOURS * 3600
    clock: Callable[[], float] = time.monotonic
    any_interface: bool = False
    _users: dict[str, User] = field(default_factory=dict, repr=False)
    _stamp: Stamp = field(default=None, repr=False)
    _sessions: dict[str, Session] = field(default_factory=dict, repr=False)
    _failures: dict[str, deque] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # ------------------------------------------------------------ addresses

    def host_names(self, host: str, port: int) -> set[str]:
        """The ``Host`` headers a server on ``host:port`` answers to (see the module docstring)."""
        self.any_interface = host == ANY
        names = set() if self.any_interface else {f"{host}:{port}"}
        if host in LOOPBACK:
            names |= {f"{h}:{port}" for h in LOOPBACK}
        for name in self.public_names:
            names |= {name} if ":" in name else {name, f"{name}:{port}"}
        return names

    def allows_host(self, host: str, names: set[str], scope: dict[str, Any]) -> bool:
        if host in names:
            return True
        server = scope.get("server") or ()
        return self.any_interface and len(server) == 2 and host == f"{server[0]}:{server[1]}"

    def url(self, host: str, port: int) -> str:
        """The address to give the team: the first public name (https on the loopback, where
        only a TLS proxy can reach it), or the address it listens on (on 0.0.0.0: this
        machine's outward address, as near as it can tell)."""
        if self.public_names:
            name = self.public_names[0]
            if host in LOOPBACK:
                return f"https://{name}/"
            return f"http://{name}/" if ":" in name else f"http://{name}:{port}/"
        return f"http://{outward_address() if host == ANY else host}:{port}/"

    # ------------------------------------------------------------ accounts

    def users(self, *, strict: bool = False) -> dict[str, User]:
        """The users file as it is now (read again when it changed). A file that cannot be
        read lets nobody in (ConfigError when ``strict``)."""
        stamp = file_stamp(self.users_file)
        with self._lock:
            if stamp != self._stamp:
                try:
                    self._users = load_users(self.users_file)
                except ConfigError as exc:
                    if strict:
                        raise
                    log.error("studio: nobody can sign in: %s", exc.one_line())
                    self._users = {}
                self._stamp = stamp
            return self._users

    def session_user(self, session_id: str | None) -> str | None:
        """The name signed in with ``session_id``, or None (no such session, ended, or the
        user was removed or given a new password since)."""
        if not session_id:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
        if session is None:
            return None
        user = self.users().get(session.user)
        if session.expires < self.clock() or user is None or user.hash != session.hash:
            self.sign_out(session_id)
            return None
        return session.user

    def sign_in(self, name: str, password: str, client: str) -> tuple[str, str]:
        """(session id, user name) for a right name and password; SignInRefused otherwise."""
        wait = self.retry_after(client)
        if wait is not None:
            raise SignInRefused(429, "too many failed sign-ins from this computer; "
                                f"try again in {max(1, round(wait / 60))} minutes", wait)
        user = find_user(self.users(), name.strip())
        if not verify_password(password, user.hash if user else None) or user is None:
            with self._lock:
                self._failures.setdefault(client, deque()).append(self.clock())
            log.warning("studio: failed sign-in as %r from %s", name[:64], client)
            raise SignInRefused(401, "that name and password do not match")
        session_id = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._failures.pop(client, None)
            self._sessions = {k: s for k, s in self._sessions.items() if s.expires >= now}
            self._sessions[session_id] = Session(user.name, user.hash, now + self.session_seconds)
        log.info("studio: %s signed in from %s", user.name, client)
        return session_id, user.name

    def sign_out(self, session_id: str | None) -> None:
        with self._lock:
            self._sessions.pop(session_id or "", None)

    def retry_after(self, client: str) -> float | None:
        """Seconds until ``client`` may try again, or None when it may now."""
        now = self.clock()
        with self._lock:
            tries = self._failures.get(client)
            while tries and tries[0] <= now - self.window:
                tries.popleft()
            if not tries:
                self._failures.pop(client, None)
                return None
            return tries[0] + self.window - now if len(tries) >= self.max_failures else None


def is_team_host(host: str, public_names: tuple[str, ...] = ()) -> bool:
    """Whether a studio on ``host`` (with these public names) is reached by others."""
    return host not in LOOPBACK or bool(public_names)


def team_for(users_file: Path, host: str, public_names: tuple[str, ...] = (), *, workspace: Path) -> Team | None:
    """The Team for a studio on ``host``; None on the loopback. UsageError when it needs
    accounts and the workspace has none yet."""
    if not is_team_host(host, public_names):
        return None
    for name in public_names:
        if not name or any(c in name for c in "/ @?#") or name.count(":") > 1:
            raise UsageError(f'"{name}" is not a host name (NAME or NAME:PORT)',
                             fix="give --public-name the name the team types in the address bar")
    team = Team(users_file=users_file, public_names=tuple(public_names))
    if not team.users(strict=True):
        raise UsageError(f"a studio on {host} is open to the network, so it needs team accounts, and there are none",
                         path=users_file,
                         fix=f'add one with `learncast studio users add NAME --workspace {workspace}`')
    return team


def outward_address() -> str:
    """This machine's address on its default route (no packet is sent), or 127.0.0.1."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed, only picks the interface
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"
