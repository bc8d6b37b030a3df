"""The studio's find and replace: a thin web layer over :mod:`pipeline.replace`.

``POST /api/replace/preview`` with ``{"find", "replace", "match_case", "slug"}`` (no slug:
every recording) answers the matches (the first ``MAX_SHOWN`` of ``total``), each recording's with the version of its
transcript.json they were found in; nothing is written. ``POST /api/replace/apply`` with
the same phrase and ``"recordings": {slug: {"version", "matches": [id, ...]}}`` writes the
chosen ones, and with ``"vocabulary": true`` adds the replacement to the show's
vocabulary. A recording whose transcript changed since the preview makes the apply
refuse with 409, naming it, and nothing is written. A slug that is not one of the
workspace's transcribed recordings is 404. The guard (:mod:`.security`) checks the
token, Host, Origin and CSRF token before these run, as for every other change.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import replace as rp
from ..errors import ConfigError, LearncastError
from . import editlog
from .security import BodyTooLarge, current_user

log = logging.getLogger(__name__)

MAX_CHOSEN = 100_000  # match ids in one apply
MAX_SHOWN = 500  # matches a preview lists; past it the page says so (make the phrase longer)


class Bad(Exception):
    def __init__(self, status: int, message: str, **extra: Any):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


async def _body(request: Request) -> dict[str, Any]:
    try:
        raw = await request.body()
    except BodyTooLarge:
        raise Bad(413, "the request body is over the size limit") from None
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise Bad(400, "the request body is not JSON") from None
    if not isinstance(body, dict):
        raise Bad(400, "the body must be a JSON object")
    return body


def _phrase(body: dict[str, Any]) -> tuple[str, str, bool]:
    find, replace = body.get("find"), body.get("replace")
    if not isinstance(find, str) or not isinstance(replace, str):
        raise Bad(400, 'give "find" and "replace" as text')
    return find, replace, body.get("match_case") is True


def _choices(body: dict[str, Any]) -> dict[str, rp.Choice]:
    recordings = body.get("recordings", {})
    if not isinstance(recordings, dict):
        raise Bad(400, '"recordings" must map each slug to its "version" and "matches"')
    out, count = {}, 0
    for slug, choice in recordings.items():
        ids = choice.get("matches") if isinstance(choice, dict) else None
        version = choice.get("version") if isinstance(choice, dict) else None
        if not isinstance(version, str) or not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise Bad(400, f'"{slug[:60]}" needs the "version" it was previewed in and the "matches" chosen')
        count += len(ids)
        if ids:
            out[slug] = rp.Choice(version=version, ids=tuple(ids))
    if count > MAX_CHOSEN:
        raise Bad(413, f"at most {MAX_CHOSEN} matches in one apply")
    return out


def _answer(exc: Exception) -> JSONResponse:
    if isinstance(exc, Bad):
        return JSONResponse({"error": exc.message, **exc.extra}, status_code=exc.status)
    if isinstance(exc, rp.StalePreview):
        return JSONResponse({"error": exc.one_line(), "stale": exc.stale, "versions": exc.versions}, status_code=409)
    if isinstance(exc, rp.UnknownRecording):
        return JSONResponse({"error": exc.one_line()}, status_code=404)
    if isinstance(exc, ConfigError):
        return JSONResponse({"error": "; ".join(exc.lines())}, status_code=400)
    return JSONResponse({"error": exc.one_line()}, status_code=400)


def preview_data(ws, body: dict[str, Any]) -> dict[str, Any]:
    find, replace, match_case = _phrase(body)
    slug = body.get("slug") or None
    if slug is not None and not isinstance(slug, str):
        raise Bad(400, '"slug" must be a recording\'s slug, or absent for every recording')
    out = rp.preview(ws, find, replace, slug, match_case=match_case).to_dict()
    out["in_vocabulary"] = rp.in_vocabulary(ws, out["replace"])
    out["shown"], room = 0, MAX_SHOWN
    for rec in out["recordings"]:  # a page of thousands of checkboxes helps nobody: the first ones
        rec["matches"] = rec["matches"][:room]
        room -= len(rec["matches"])
        out["shown"] += len(rec["matches"])
    out["recordings"] = [r for r in out["recordings"] if r["matches"]]
    return out


def apply_data(ws, body: dict[str, Any]) -> dict[str, Any]:
    find, replace, match_case = _phrase(body)
    choices = _choices(body)
    if not choices and body.get("vocabulary") is not True:
        raise Bad(400, "choose at least one match to replace")
    if body.get("vocabulary") is True:
        rp.check_vocabulary(ws, replace)  # before anything is written
    applied = rp.apply(ws, find, replace, choices, match_case=match_case) if choices else []
    added = rp.add_to_vocabulary(ws, replace) if body.get("vocabulary") is True else None
    return {"applied": [{"slug": a.slug, "replaced": a.replaced, "version": a.version} for a in applied],
            "replaced": sum(a.replaced for a in applied), "vocabulary_added": added,
            "term": " ".join(replace.split())}


async def post_preview(request: Request) -> Response:
    try:
        body = await _body(request)
        return JSONResponse(await run_in_threadpool(preview_data, request.app.state.studio.ws, body))
    except (Bad, LearncastError) as exc:
        return _answer(exc)


async def post_apply(request: Request) -> Response:
    ws, user = request.app.state.studio.ws, current_user()
    try:
        body = await _body(request)
        done = await run_in_threadpool(apply_data, ws, body)
    except (Bad, LearncastError) as exc:
        return _answer(exc)
    try:  # who made the change, as every other change request records it (app.route)
        for a in done["applied"]:
            await run_in_threadpool(editlog.record, ws.state_dir, user, a["slug"], "POST replace")
        if done["vocabulary_added"]:
            await run_in_threadpool(editlog.record, ws.state_dir, user, None, "POST vocabulary")
    except OSError as exc:
        log.error("the edit log could not be written (%s); the replacement is made", exc)
    return JSONResponse(done)
