"""The team server's sign-in page, its form and sign-out (:mod:`pipeline.studio.team`).

Plain HTML forms, so they work with the keyboard and without script: ``GET /signin``
shows the page, ``POST /signin`` checks the name and password (401 and the page again with
the reason when they do not match, 429 when this client has failed too often) and sets the
session cookie, ``POST /signout`` ends the session. The guard has checked each form's
Origin; sign-out also carries the page's CSRF token in a hidden field. On the loopback
there are no accounts and these answer 404.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from .security import BodyTooLarge, team_user
from .team import SESSION_COOKIE, SignInRefused

log = logging.getLogger(__name__)

FORM_LIMIT = 8 * 1024


def _safe_next(value: Any) -> str:
    """Where to go after signing in: a path of this studio only (no ``//host``, no scheme)."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value if value.isprintable() and len(value) <= 500 else "/"


async def _form(request: Request) -> dict[str, str]:
    try:
        raw = await request.body()
    except BodyTooLarge:
        raw = b""
    if len(raw) > FORM_LIMIT:
        return {}
    return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))


def _page(request: Request, status: int = 200, **values: Any) -> HTMLResponse:
    studio = request.app.state.studio
    values = {"error": "", "notice": "", "name": "", "next": "/", **values}
    html = studio.render("signin.html", csrf="", show=studio.ws.config.title, **values)
    return HTMLResponse(html, status_code=status)


def _no_accounts(request: Request) -> Response | None:
    if request.app.state.studio.keys.team is None:
        return JSONResponse({"error": "this studio has no sign-in: open the address `learncast studio` printed"},
                            status_code=404)
    return None


async def get_signin(request: Request) -> Response:
    refused = _no_accounts(request)
    if refused is not None:
        return refused
    target = _safe_next(request.query_params.get("next"))
    if team_user():
        return RedirectResponse(target, status_code=303)
    notice = "You have signed out." if request.query_params.get("out") else ""
    return _page(request, next=target, notice=notice)


async def post_signin(request: Request) -> Response:
    refused = _no_accounts(request)
    if refused is not None:
        return refused
    team = request.app.state.studio.keys.team
    form = await _form(request)
    name, password, target = form.get("name", "")[:200], form.get("password", ""), _safe_next(form.get("next"))
    client = request.client.host if request.client else "unknown"
    try:
        session_id, _ = await run_in_threadpool(team.sign_in, name, password, client)
    except SignInRefused as exc:
        response = _page(request, exc.status, error=exc.message[0].upper() + exc.message[1:] + ".",
                         name=name, next=target)
        if exc.retry_after is not None:
            response.headers["retry-after"] = str(max(1, int(exc.retry_after)))
        return response
    response = RedirectResponse(target, status_code=303)
    response.headers["set-cookie"] = (f"{SESSION_COOKIE}={session_id}; HttpOnly; SameSite=Strict; Path=/; "
                                      f"Max-Age={int(team.session_seconds)}")
    return response


async def post_signout(request: Request) -> Response:
    refused = _no_accounts(request)
    if refused is not None:
        return refused
    studio = request.app.state.studio
    form = await _form(request)
    if not hmac.compare_digest(form.get("csrf", "").encode(), studio.keys.csrf.encode()):
        return JSONResponse({"error": "sign out from the studio's own page; reload it"}, status_code=403)
    studio.keys.team.sign_out(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/signin?out=1", status_code=303)
    response.headers["set-cookie"] = f"{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
    return response
