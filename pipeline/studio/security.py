"""The studio's guard: one ASGI middleware in front of every route.

The studio edits a workspace's files, so every request must come from the person who
started it, through the browser tab it opened, and nothing else on the machine or the web:

* **Token.** ``learncast studio`` prints ``http://127.0.0.1:PORT/?token=SECRET`` (as Jupyter
  does). The first request carries it in the URL; the guard answers with a redirect to the
  same address without it (so it leaves the address bar and the history) and sets it as an
  HttpOnly, SameSite=Strict cookie that every later request must carry.
* **Host.** A ``Host`` header other than the address it listens on is refused (421), so a
  web page whose domain is re-pointed at 127.0.0.1 (DNS rebinding) cannot reach it.
* **Origin and CSRF.** A request that changes anything (POST, PUT, PATCH, DELETE) must come
  from the studio's own origin and carry the per-server CSRF token (``X-CSRF-Token``), which
  only the studio's pages know (in ``<meta name="csrf-token">``).
* **Size.** A request body over ``max_body`` bytes is refused with 413, declared or not.

**Team server.** With ``keys.team`` (``learncast studio --host``, :mod:`pipeline.studio.team`)
the token is not used: a request must carry the session cookie a sign-in at ``/signin``
gave (a page asked for without it is sent there), and a change may come from the
studio's origin over http or https (a TLS proxy in front). The sign-in and sign-out forms
are checked by Origin here and by their handlers (:mod:`pipeline.studio.signin`).

**Who.** The guard records who each request is from, for the routes to read with
:func:`current_user`: the signed-in name on a team server, the login name (or "local")
on the loopback.

Every response carries a Content-Security-Policy that allows only the studio's own
scripts, styles and media, so hostile text that reached a page could not run either.
"""

from __future__ import annotations

import contextvars
import getpass
import hmac
import json
import logging
import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl, urlencode

log = logging.getLogger(__name__)

COOKIE = "learncast_studio"
CSRF_HEADER = "x-csrf-token"
MAX_BODY = 8 * 1024 * 1024  # a 90-minute transcript with every word's timings is about 2 MB
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SIGN_IN_PATHS = {"/signin", "/signout"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "media-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class Secrets:
    """The server's two secrets and the addresses it answers to (set once the port is known)."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    hosts: set[str] = field(default_factory=set)
    team: Any = None  # a pipeline.studio.team.Team on a team server

    def listen_on(self, host: str, port: int) -> None:
        """Answer only to ``host:port`` (and ``localhost:port`` when host is the loopback;
        a team server: :meth:`Team.host_names`)."""
        if self.team is not None:
            self.hosts = self.team.host_names(host, port)
            return
        self.hosts = {f"{host}:{port}"}
        if host == "127.0.0.1":
            self.hosts.add(f"localhost:{port}")

    def url(self, host: str, port: int) -> str:
        return f"http://{host}:{port}/?token={self.token}"


class BodyTooLarge(Exception):
    pass


_USER: contextvars.ContextVar[tuple[str, bool]] = contextvars.ContextVar("learncast_studio_user")


def current_user() -> str:
    """Who the request being answered is from (set by the Guard): the signed-in name on a
    team server, this machine's login name (or "local") on the loopback."""
    return _USER.get((local_user(), False))[0]


def team_user() -> str | None:
    """The signed-in name on a team server; None on the loopback."""
    name, team = _USER.get(("", False))
    return name if team else None


def local_user() -> str:
    try:
        return getpass.getuser() or "local"
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "local"


class Guard:
    """ASGI middleware enforcing the rules in the module docstring before any route runs."""

    def __init__(self, app: Callable, keys: Secrets, max_body: int = MAX_BODY):
        self.app, self.keys, self.max_body = app, keys, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.keys.team is not None:
            await self._team_call(scope, receive, send, headers)
            return
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            status, message = refusal
            log.warning("studio refused %s %s: %s", scope["method"], scope["path"], message)
            await _answer(send, status, {"error": message})
            return
        _USER.set((local_user(), False))
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if "token" in query:  # a valid token (checked above): keep it in a cookie, drop it from the URL
            del query["token"]
            location = scope["path"] + (f"?{urlencode(query)}" if query else "")
            cookie = f"{COOKIE}={self.keys.token}; HttpOnly; SameSite=Strict; Path=/"
            await _answer(send, 303, None, [("location", location), ("set-cookie", cookie)])
            return
        await self.app(scope, self._limited(receive, headers), _with_headers(send))

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        """(status, one-line reason) when the request must be refused; None when it may pass."""
        host = headers.get("host", "")
        if host not in self.keys.hosts:
            return 421, f"this studio does not answer to the host {host!r}"
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        given = query.get("token") or _cookie(headers.get("cookie", ""))
        if not given or not hmac.compare_digest(given.encode(), self.keys.token.encode()):
            return 403, "open the studio with the address `learncast studio` printed (it carries the token)"
        return self._change_refusal(scope, headers, (f"http://{host}",))

    def _change_refusal(self, scope: Scope, headers: dict[str, str], origins: tuple[str, ...],
                        csrf_header: bool = True) -> tuple[int, str] | None:
        """The Origin, CSRF and size checks every request passes after its token or session."""
        if scope["method"] not in SAFE_METHODS:
            if headers.get("origin") not in origins:
                return 403, "a change must come from the studio's own page (wrong or missing Origin)"
            csrf = headers.get(CSRF_HEADER, "")
            if csrf_header and not hmac.compare_digest(csrf.encode(), self.keys.csrf.encode()):
                return 403, "a change must carry the page's CSRF token; reload the page"
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            return 413, f"the request body is over the limit of {self.max_body} bytes"
        return None

    async def _team_call(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]) -> None:
        """A team server's request: Host, then the session (or the sign-in page), then the
        checks every change passes."""
        from .team import SESSION_COOKIE

        team, host, path, method = self.keys.team, headers.get("host", ""), scope["path"], scope["method"]
        user = team.session_user(_cookie(headers.get("cookie", ""), SESSION_COOKIE))
        open_path = path in SIGN_IN_PATHS or (path.startswith("/static/") and method in SAFE_METHODS)
        extra: list[tuple[str, str]] = []
        if not team.allows_host(host, self.keys.hosts, scope):
            refusal = 421, f"this studio does not answer to the host {host!r}"
        elif user is None and not open_path:
            refusal = 401, "sign in first (at /signin)"
            if method in SAFE_METHODS and not path.startswith(("/api/", "/media/")):
                refusal = 303, "sign in first"
                extra = [("location", "/signin?" + urlencode({"next": path}))]
        else:
            refusal = self._change_refusal(scope, headers, (f"http://{host}", f"https://{host}"),
                                           csrf_header=path not in SIGN_IN_PATHS)
        if refusal is not None:
            status, message = refusal
            if status != 303:
                log.warning("studio refused %s %s: %s", method, path, message)
            await _answer(send, status, {"error": message}, extra)
            return
        _USER.set((user or "", True))
        await self.app(scope, self._limited(receive, headers), _with_headers(send))

    def _limited(self, receive: Receive, headers: dict[str, str]) -> Receive:
        """``receive`` that stops a chunked body once it passes the limit."""
        seen = 0
        limit = self.max_body

        async def wrapped() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge()
            return message

        return wrapped


def _cookie(header: str, name: str = COOKIE) -> str | None:
    jar = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # noqa: BLE001 - a malformed cookie header is no token
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


def _with_headers(send: Send) -> Send:
    """Add the studio's security headers to every response."""

    async def wrapped(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            extra = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                     (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]
            names = {k.lower() for k, _ in message.get("headers", [])}
            message = {**message, "headers": list(message.get("headers", [])) + [
                (k, v) for k, v in extra if k not in names]}
            if b"cache-control" not in names:
                message["headers"].append((b"cache-control", b"no-store"))
        await send(message)

    return wrapped


async def _answer(send: Send, status: int, body: dict[str, Any] | None,
                  headers: list[tuple[str, str]] = ()) -> None:
    payload = json.dumps(body).encode() if body is not None else b""
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    raw += [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await _with_headers(send)({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})
