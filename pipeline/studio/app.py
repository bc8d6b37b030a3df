"""The studio's routes: a thin web layer over the functions the CLI calls.

Pages (jinja2, autoescaped) and a JSON API. Every route names a recording by its slug,
and a slug is only ever one of the workspace's own recordings (:func:`find`): nothing a
request says becomes a path. Every write goes through the library: transcript.json with
:func:`~pipeline.transcribe.write_transcript_file` as a person's write under the
recording's file lock (never the build's workspace lock, so a person never waits on a
build), the review mark with :func:`~pipeline.review.mark_reviewed`, consent with
:func:`~pipeline.consent.record`, cuts with :mod:`pipeline.redact`, the recording's
details with :func:`~pipeline.tomledit.update_sidecar`, chapter corrections with
:func:`~pipeline.chapters.correct.correct`. The guard in front of it all is
:mod:`pipeline.studio.security`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import consent, i18n, redact, review, timecodes, tomledit
from ..chapters import CLOSING, INTRO, LOW_CONFIDENCE, load_questions
from ..chapters.correct import Changes, correct
from ..chapters import edits as chapter_edits
from ..config import read_toml
from ..errors import ConfigError, LearncastError, UsageError
from ..fsutil import inside
from ..models import INTERVIEWEE, INTERVIEWER, Recording
from ..status import recording_states
from ..timecodes import parse_time
from ..transcribe import TRANSCRIPT_NAME, read_transcript_file, write_transcript_file
from ..workspace import Workspace, check_slug, file_lock
from . import builds, editlog, signin
from .editor import redaction_spans
from .edits import UNCERTAIN_BELOW, BadEdit, apply_edit, uncertain_count, version_of
from .learn import accept_learned, learn_data
from .quotes import add_quote, delete_quote, quotes_data
from .replace import post_apply as replace_apply, post_preview as replace_preview
from .security import SAFE_METHODS, BodyTooLarge, Guard, Secrets, current_user, team_user
from .text import interface_language, script_text, state_name, translate

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
VIDEO = {".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi"}
SAVE_LOCK_TIMEOUT = 5.0  # seconds: the build holds a recording's lock only to replace one file


class Refused(Exception):
    """A request that cannot be done: HTTP ``status`` and a one-line message."""

    def __init__(self, status: int, message: str, **extra: Any):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


@dataclass(frozen=True)
class Studio:
    ws: Workspace
    keys: Secrets
    templates: jinja2.Environment

    def render(self, template: str, /, **values: Any) -> str:
        """A page in the studio's language (:func:`~pipeline.studio.text.interface_language`).

        The template's name is positional-only: a page's values may hold a ``name`` (the
        sign-in form's user name).
        """
        lang = interface_language(self.ws.config)
        with i18n.use(lang):
            return self.templates.get_template(template).render(lang=lang, studio_text=script_text(lang), **values)

    def page(self, template: str, /, **values: Any) -> HTMLResponse:
        return HTMLResponse(self.render(template, csrf=self.keys.csrf, **values))


# ---------------------------------------------------------------- recordings


def find(ws: Workspace, slug: str) -> Recording:
    """The workspace's recording with this slug; Refused(404) for anything else.

    Refuses a slug slugify could not make (``..``, ``/etc``, ``%2e``), one no recording in
    media/ has, and a recording or transcript folder that leads outside the workspace (a
    symlink).
    """
    try:
        check_slug(slug)
    except UsageError:
        raise Refused(404, f'"{slug[:60]}" is not a recording in this workspace') from None
    recordings, _ = ws.recordings()
    rec = next((r for r in recordings if r.slug == slug), None)
    if rec is None:
        raise Refused(404, f'no recording "{slug}" in this workspace')
    folder = ws.transcript_dir(slug)
    if rec.path.is_symlink() or not inside(rec.path, ws.media_dir) or \
            (folder.exists() and (folder.is_symlink() or not inside(folder, ws.transcripts_dir))):
        raise Refused(404, f'"{slug}" leads outside the workspace')
    return rec


def transcript_path(ws: Workspace, slug: str) -> Path:
    path = ws.transcript_dir(slug) / TRANSCRIPT_NAME
    if path.is_symlink() or not path.is_file():
        raise Refused(404, f'"{slug}" has no transcript yet; run `learncast build` first')
    return path


def _row(ws: Workspace, rec: Recording | None, state) -> dict[str, Any]:
    """One line of the recordings list."""
    row: dict[str, Any] = {"slug": state.slug, "state": state.state, "detail": state.detail,
                           "title": state.slug, "interviewee": "", "date": "", "duration": None,
                           "uncertain": None, "link": rec is not None}
    if rec is None:
        return row
    row.update(title=rec.title, interviewee=rec.meta.interviewee or "",
               date=rec.meta.date.isoformat() if rec.meta.date else "")
    path = ws.transcript_dir(rec.slug) / TRANSCRIPT_NAME
    if path.is_file() and not path.is_symlink():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            row["duration"] = float(data.get("duration") or 0) or None
            row["uncertain"] = uncertain_count(data)
        except (OSError, ValueError, TypeError, AttributeError):
            row["detail"] = row["detail"] or "transcript.json cannot be read"
    return row


def recording_rows(ws: Workspace) -> list[dict[str, Any]]:
    recordings, _ = ws.recordings()
    by_slug = {r.slug: r for r in recordings}
    return [_row(ws, by_slug.get(s.slug), s) for s in recording_states(ws)]


def clock(seconds: float | None) -> str:
    """A time on the studio's pages, to the second; nothing for no time."""
    return timecodes.clock(seconds, none="")


# ---------------------------------------------------------------- requests


async def body_json(request: Request) -> Any:
    try:
        raw = await request.body()
    except BodyTooLarge:
        raise Refused(413, "the request body is over the size limit") from None
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "the request body is not JSON") from None


def answer(exc: Exception) -> JSONResponse:
    if isinstance(exc, Refused):
        return JSONResponse({"error": exc.message, **exc.extra}, status_code=exc.status)
    if isinstance(exc, BadEdit):
        return JSONResponse({"error": str(exc)}, status_code=400)
    if isinstance(exc, ConfigError):
        return JSONResponse({"error": "; ".join(exc.problems)}, status_code=400)
    if isinstance(exc, LearncastError):
        return JSONResponse({"error": exc.one_line()}, status_code=400)
    raise exc


def route(handler):
    """A Starlette endpoint from ``handler(studio, request)``: Refused and library errors
    become JSON answers with their one-line message. A change that succeeded is recorded
    in the edit log (:mod:`pipeline.studio.editlog`) with who made it, as the guard says."""

    async def endpoint(request: Request) -> Response:
        try:
            response = await handler(request.app.state.studio, request)
        except (Refused, BadEdit, LearncastError) as exc:
            return answer(exc)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            slug = request.path_params.get("slug")
            try:
                await run_in_threadpool(editlog.record, request.app.state.studio.ws.state_dir, current_user(),
                                        slug, editlog.action_of(request.method, request.url.path, slug))
            except OSError as exc:  # the change is made; say loudly that its record is not
                log.error("the studio's edit log cannot be written: %s", exc)
        return response

    endpoint.__name__ = handler.__name__
    return endpoint


# ---------------------------------------------------------------- pages


async def list_page(studio: Studio, request: Request) -> Response:
    rows = await run_in_threadpool(recording_rows, studio.ws)
    return studio.page("list.html", show=studio.ws.config.title, rows=rows, clock=clock)


async def recording_page(studio: Studio, request: Request) -> Response:
    rec = find(studio.ws, request.path_params["slug"])
    meta = rec.meta
    details = {"title": meta.title or "", "interviewee": meta.interviewee or "", "role": meta.role or "",
               "date": meta.date.isoformat() if meta.date else "", "description": meta.description or ""}
    said = consent.decision(studio.ws.transcript_dir(rec.slug), rec)
    mark = review.read_review(studio.ws.transcript_dir(rec.slug))
    return studio.page("recording.html", show=studio.ws.config.title, rec=rec, details=details,
                       video=rec.path.suffix.lower() in VIDEO, consent=said, review=mark,
                       threshold=UNCERTAIN_BELOW)


async def media(studio: Studio, request: Request) -> Response:
    """The recording itself, with byte ranges (Starlette's FileResponse answers ``Range``
    with 206, as pipeline.serve does for the site), so the player can seek."""
    rec = find(studio.ws, request.path_params["slug"])
    kind = mimetypes.guess_type(rec.path.name)[0] or "application/octet-stream"
    return FileResponse(rec.path, media_type=kind, headers={"cache-control": "private, max-age=0"})


# ---------------------------------------------------------------- the transcript


# The last version of each transcript the studio read or wrote, parsed: (version, data) by
# path. A save of a 90-minute transcript then need not parse the 2 MB file it replaces.
_parsed: dict[Path, tuple[str, dict[str, Any]]] = {}
PARSED_KEPT = 4


def remember(path: Path, version: str, data: dict[str, Any]) -> None:
    _parsed.pop(path, None)
    _parsed[path] = (version, data)
    while len(_parsed) > PARSED_KEPT:
        _parsed.pop(next(iter(_parsed)))


def parsed(path: Path, raw: bytes, version: str) -> dict[str, Any]:
    """transcript.json's data (``raw`` is its bytes, of ``version``); InputError naming the file."""
    kept = _parsed.get(path)
    if kept is not None and kept[0] == version:
        return kept[1]
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        data = read_transcript_file(path)  # raises the one-line InputError naming the file and the fix
    remember(path, version, data)
    return data


async def get_transcript(studio: Studio, request: Request) -> Response:
    """The file's own bytes go out as they are (a 90-minute transcript is 2 MB), once they read as JSON."""
    rec = find(studio.ws, request.path_params["slug"])
    path = transcript_path(studio.ws, rec.slug)
    raw = path.read_bytes()
    version = version_of(raw)
    await run_in_threadpool(parsed, path, raw, version)
    head = f'{{"version": "{version}", "threshold": {json.dumps(UNCERTAIN_BELOW)}, "data": '
    return Response(head.encode() + raw + b"}", media_type="application/json")


def save_transcript(ws: Workspace, slug: str, body: Any, sidecar: Path | None = None) -> bytes:
    """Save a person's edit if the file is still the version they edited; Refused(409) with
    both versions otherwise. Written atomically, as a person's write (the checksum stays).
    The answer is JSON bytes, ``{"version": ..., "data": <the file as saved>}``: the file's
    own bytes, not parsed and encoded again (a 90-minute transcript is 2 MB)."""
    if not isinstance(body, dict) or not isinstance(body.get("version"), str):
        raise BadEdit('the body needs the "version" it edited')
    path = transcript_path(ws, slug)
    with file_lock(ws, slug, timeout=SAVE_LOCK_TIMEOUT):
        raw = path.read_bytes()
        current = version_of(raw)
        if current != body["version"]:
            raise Refused(409, "the transcript was changed elsewhere since this page loaded it",
                          version=current, current=json.loads(raw), yours=body)
        before = parsed(path, raw, current)
        named = {k: before.get("speakers", {}).get(k) for k in ROLE_FIELDS}
        data = apply_edit(before, body)
        write_transcript_file(path, data, machine=False)
        saved = path.read_bytes()
        version = version_of(saved)
        remember(path, version, data)
    log.info("%s: transcript saved from the studio", slug)
    renamed = {ROLE_FIELDS[k]: data["speakers"][k] for k in ROLE_FIELDS
               if data["speakers"].get(k) and data["speakers"][k] != named[k]}
    if renamed and sidecar is not None:
        carry_names(ws, sidecar, renamed)
    return b'{"version": "' + version.encode() + b'", "data": ' + saved + b"}"


ROLE_FIELDS = {INTERVIEWEE: "interviewee", INTERVIEWER: "interviewer"}  # speaker key -> sidecar key


def carry_names(ws: Workspace, sidecar: Path, names: dict[str, str]) -> None:
    """A speaker renamed in the studio is renamed in the recording's details too (the sidecar's
    ``interviewee``/``interviewer``, comments kept), so the feed, the page's header and the
    citation say what the transcript says. A sidecar listing ``speakers = [...]`` names them
    there; it is left for the person to change."""
    if sidecar.is_symlink() or not inside(sidecar, ws.media_dir):
        return
    try:
        if sidecar.is_file() and "speakers" in read_toml(sidecar):
            return
        tomledit.update_sidecar(sidecar, names)
    except LearncastError as exc:  # the transcript is saved; say why the details are not
        log.warning("%s: the new name is not in the details: %s", sidecar, exc.one_line())


async def put_transcript(studio: Studio, request: Request) -> Response:
    rec = find(studio.ws, request.path_params["slug"])
    body = await body_json(request)
    sidecar = rec.sidecar or rec.path.with_suffix(".toml")
    return Response(await run_in_threadpool(save_transcript, studio.ws, rec.slug, body, sidecar),
                    media_type="application/json")


# ---------------------------------------------------------------- the person's decisions


def _text(body: dict[str, Any], key: str, limit: int = 2000) -> str:
    value = body.get(key, "")
    if not isinstance(value, str) or len(value) > limit:
        raise BadEdit(f'"{key}" must be text of at most {limit} characters')
    return " ".join(value.split()) if key != "description" else value.strip()


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadEdit("the body must be a JSON object")
    return body


async def post_review(studio: Studio, request: Request) -> Response:
    rec = find(studio.ws, request.path_params["slug"])
    body = _object(await body_json(request))
    reviewed = body.get("reviewed", True) is not False
    by = team_user() or _text(body, "by", 200)  # on a team server: whoever signed in
    if reviewed and not by:
        raise BadEdit("give the name of the person who reviewed it")
    folder = studio.ws.transcript_dir(rec.slug)
    transcript_path(studio.ws, rec.slug)
    review.mark_reviewed(folder, reviewed=reviewed, by=by or None)
    mark = review.read_review(folder)
    return JSONResponse({"reviewed": mark.reviewed, "reviewed_by": mark.reviewed_by, "reviewed_at": mark.reviewed_at})


async def post_consent(studio: Studio, request: Request) -> Response:
    rec = find(studio.ws, request.path_params["slug"])
    body = _object(await body_json(request))
    state, until = body.get("consent"), _text(body, "until", 10)
    try:
        date = dt.date.fromisoformat(until) if until else None
    except ValueError:
        raise BadEdit(f'"{until}" is not a date (YYYY-MM-DD)') from None
    consent.record(studio.ws.transcript_dir(rec.slug), state if isinstance(state, str) else "", date)
    said = consent.decision(studio.ws.transcript_dir(rec.slug), rec)
    return JSONResponse({"consent": said.consent,
                         "publish_after": said.publish_after.isoformat() if said.publish_after else None})


def _redaction_list(entries: list[redact.Redaction]) -> list[dict[str, Any]]:
    return [{"n": i, "kind": e.kind, "text": e.text, "start": e.start, "end": e.end, "reason": e.reason,
             "describe": e.describe()} for i, e in enumerate(entries, 1)]


async def get_redactions(studio: Studio, request: Request) -> Response:
    rec = find(studio.ws, request.path_params["slug"])
    return JSONResponse({"redactions": _redaction_list(redact.load(studio.ws.transcript_dir(rec.slug)))})


def _new_redaction(body: dict[str, Any]) -> redact.Redaction:
    reason = _text(body, "reason", 500)
    if body.get("text"):
        text = _text(body, "text", 500)
        if not redact.has_words(text):
            raise BadEdit(f'"{text}" has no words to match')
        return redact.Redaction(text=text, reason=reason)
    try:
        start, end = parse_time(str(body.get("start", ""))), parse_time(str(body.get("end", "")))
    except ValueError as exc:
        raise BadEdit(f"{exc} (times as seconds, MM:SS or H:MM:SS)") from None
    if end <= start:
        raise BadEdit("the range ends before it starts")
    return redact.Redaction(start=start, end=end, reason=reason)


async def post_redaction(studio: Studio, request: Request) -> Response:
    rec = find(studio.ws, request.path_params["slug"])
    new = _new_redaction(_object(await body_json(request)))
    folder = studio.ws.transcript_dir(rec.slug)
    with file_lock(studio.ws, rec.slug, timeout=SAVE_LOCK_TIMEOUT):
        entries = redact.load(folder) + [new]
        folder.mkdir(parents=True, exist_ok=True)
        redact.save(folder, entries)
    return JSONResponse({"redactions": _redaction_list(redact.load(folder))})


async def delete_redaction(studio: Studio, request: Request) -> Response:
    rec = find(studio.ws, request.path_params["slug"])
    folder = studio.ws.transcript_dir(rec.slug)
    n = request.path_params["n"]
    with file_lock(studio.ws, rec.slug, timeout=SAVE_LOCK_TIMEOUT):
        entries = redact.load(folder)
        if not 1 <= n <= len(entries):
            raise Refused(404, f"there is no redaction {n}")
        redact.save(folder, [e for i, e in enumerate(entries, 1) if i != n])
    return JSONResponse({"redactions": _redaction_list(redact.load(folder))})


async def get_redaction_spans(studio: Studio, request: Request) -> Response:
    """The spans the cuts take out of the current transcript, for the editor (pipeline.studio.editor)."""
    rec = find(studio.ws, request.path_params["slug"])
    path = transcript_path(studio.ws, rec.slug)
    return JSONResponse(await run_in_threadpool(redaction_spans, studio.ws, rec.slug, path))


DETAIL_KEYS = ("title", "interviewee", "role", "date", "description")


async def post_details(studio: Studio, request: Request) -> Response:
    """The recording's details into its sidecar (``media/<name>.toml``), comments kept; an
    empty field removes its key."""
    rec = find(studio.ws, request.path_params["slug"])
    body = _object(await body_json(request))
    values = {k: (_text(body, k, 5000) or None) for k in DETAIL_KEYS if k in body}
    if not values:
        raise BadEdit(f"nothing to change; give any of {', '.join(DETAIL_KEYS)}")
    sidecar = rec.sidecar or rec.path.with_suffix(".toml")
    if sidecar.is_symlink() or not inside(sidecar, studio.ws.media_dir):
        raise Refused(403, "the sidecar leads outside the workspace")
    tomledit.update_sidecar(sidecar, values)
    return JSONResponse({"saved": sorted(values)})


# ---------------------------------------------------------------- chapters

CHAPTER_ACTIONS = ("relabel", "rename", "move", "split", "merge")
NO_CHAPTERS = "has no chapters yet; run `learncast build` first"


def _chapter_rows(chapters) -> list[dict[str, Any]]:
    rows = []
    for c in chapters:
        row = c.to_dict()
        row["corrected"] = c.corrected
        row["low_confidence"] = not c.corrected and c.confidence < LOW_CONFIDENCE
        rows.append(row)
    return rows


def _outcome(ws: Workspace, slug: str, changes: Changes, *, refuse: bool):
    """``correct(ws, slug, changes)``; a recording with no chapters yet is Refused(409) when
    ``refuse``, None otherwise."""
    try:
        return correct(ws, slug, changes)
    except UsageError as exc:
        if "has not been transcribed" in exc.message or "has no chapters" in exc.message:
            if refuse:
                raise Refused(409, f'"{slug}" {NO_CHAPTERS}') from None
            return None
        raise


def chapters_answer(ws: Workspace, slug: str, outcome) -> dict[str, Any]:
    questions = load_questions(ws.config.questions)
    lang = interface_language(ws.config)  # the question set's own translation, as the pages show it
    choices = [{"id": INTRO, "title": translate(ws.config, i18n.N_("Introduction"))},
               *({"id": q.id, "title": q.in_language(lang)[0]} for q in questions),
               {"id": CLOSING, "title": translate(ws.config, i18n.N_("Closing"))}]
    if outcome is None:
        return {"chapters": [], "built": False, "by_hand": False, "corrections": 0, "questions": choices,
                "message": translate(ws.config, i18n.N_("This recording has no chapters yet; run `learncast build` first."))}
    return {"chapters": _chapter_rows(outcome.applied.chapters), "built": outcome.built,
            "by_hand": outcome.by_hand, "corrections": outcome.corrections, "questions": choices,
            "message": ""}


def _seconds(body: dict[str, Any], key: str) -> float:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1e7:
        raise BadEdit(f'"{key}" must be a time in seconds')
    return float(value)


def chapter_changes(body: dict[str, Any], chapters) -> Changes:
    """The one change a request asks for, checked against the chapters in use."""
    action = body.get("action")
    if action not in CHAPTER_ACTIONS:
        raise BadEdit(f'"action" must be one of {", ".join(CHAPTER_ACTIONS)}')
    at = _seconds(body, "at")
    starts = any(abs(c.start - at) <= chapter_edits.TOLERANCE for c in chapters)
    if action in ("relabel", "rename", "move", "merge") and not starts:
        raise BadEdit(f"no chapter starts at {clock(at)}")
    if action in ("relabel", "split"):
        question = body.get("question")
        if not isinstance(question, str) or not question.strip() or len(question) > 200:
            raise BadEdit('give the "question" id')
        if action == "split" and starts:
            raise BadEdit(f"a chapter already starts at {clock(at)}; pick a word further from it")
        return Changes(sets=((at, question.strip()),))
    if action == "rename":
        title = _text(body, "title", 300)
        if not title:
            raise BadEdit("give the chapter a title")
        return Changes(titles=((at, title),))
    if action == "move":
        return Changes(moves=((at, _seconds(body, "to")),))
    return Changes(merges=(at,))


def get_chapters_data(ws: Workspace, slug: str) -> dict[str, Any]:
    return chapters_answer(ws, slug, _outcome(ws, slug, Changes(), refuse=False))


def change_chapters(ws: Workspace, slug: str, body: dict[str, Any]) -> dict[str, Any]:
    with file_lock(ws, slug, timeout=SAVE_LOCK_TIMEOUT):
        before = _outcome(ws, slug, Changes(), refuse=True)
        changes = chapter_changes(body, before.applied.chapters)
        after = _outcome(ws, slug, changes, refuse=True)
    log.info("%s: chapters corrected from the studio (%s)", slug, body.get("action"))
    return chapters_answer(ws, slug, after)


async def get_chapters(studio: Studio, request: Request) -> Response:
    rec = find(studio.ws, request.path_params["slug"])
    return JSONResponse(await run_in_threadpool(get_chapters_data, studio.ws, rec.slug))


async def post_chapters(studio: Studio, request: Request) -> Response:
    rec = find(studio.ws, request.path_params["slug"])
    body = _object(await body_json(request))
    return JSONResponse(await run_in_threadpool(change_chapters, studio.ws, rec.slug, body))


async def get_learn(studio: Studio, request: Request) -> Response:
    rec = find(studio.ws, request.path_params["slug"])
    return JSONResponse(await run_in_threadpool(learn_data, studio.ws, rec.slug))


async def post_learn(studio: Studio, request: Request) -> Response:
    rec = find(studio.ws, request.path_params["slug"])
    body = _object(await body_json(request))
    return JSONResponse(await run_in_threadpool(accept_learned, studio.ws, rec.slug, body))


async def get_quotes(studio: Studio, request: Request) -> Response:
    rec = find(studio.ws, request.path_params["slug"])
    return JSONResponse(await run_in_threadpool(quotes_data, studio.ws, rec.slug))


async def post_quote(studio: Studio, request: Request) -> Response:
    rec = find(studio.ws, request.path_params["slug"])
    body = _object(await body_json(request))
    return JSONResponse(await run_in_threadpool(add_quote, studio.ws, rec.slug, body))


async def delete_quote_route(studio: Studio, request: Request) -> Response:
    rec = find(studio.ws, request.path_params["slug"])
    return JSONResponse(await run_in_threadpool(delete_quote, studio.ws, rec.slug, request.path_params["n"]))


async def api_recordings(studio: Studio, request: Request) -> Response:
    return JSONResponse({"recordings": await run_in_threadpool(recording_rows, studio.ws)})


# ---------------------------------------------------------------- the app


def templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.globals["account"] = team_user  # the signed-in name on a team server, else None
    i18n.install(env)  # {{ _("...") }} in the studio's language (Studio.render)
    env.globals["state_name"] = state_name
    return env


def create_app(ws: Workspace, keys: Secrets | None = None, *, max_body: int | None = None,
               build_options: dict[str, Any] | None = None) -> Guard:
    """The studio for ``ws``: the Starlette app behind its guard. ``keys.listen_on`` must be
    called with the address it serves before it answers anything. ``build_options`` go to
    the builds its Build button starts (as ``learncast build``'s options do)."""
    keys = keys or Secrets()
    r = "/api/recordings/{slug}"
    app = Starlette(routes=[
        Route("/", route(list_page)),
        Route("/recordings/{slug}", route(recording_page)),
        Route("/media/{slug}", route(media)),
        Route("/api/recordings", route(api_recordings)),
        Route(f"{r}/transcript", route(get_transcript), methods=["GET"]),
        Route(f"{r}/transcript", route(put_transcript), methods=["PUT"]),
        Route(f"{r}/review", route(post_review), methods=["POST"]),
        Route(f"{r}/consent", route(post_consent), methods=["POST"]),
        Route(f"{r}/redactions", route(get_redactions), methods=["GET"]),
        Route(f"{r}/redactions", route(post_redaction), methods=["POST"]),
        Route(f"{r}/redactions/{{n:int}}", route(delete_redaction), methods=["DELETE"]),
        Route(f"{r}/redactions/spans", route(get_redaction_spans), methods=["GET"]),
        Route(f"{r}/details", route(post_details), methods=["POST"]),
        Route(f"{r}/chapters", route(get_chapters), methods=["GET"]),
        Route(f"{r}/chapters", route(post_chapters), methods=["POST"]),
        Route(f"{r}/learn", route(get_learn), methods=["GET"]),
        Route(f"{r}/quotes", route(get_quotes), methods=["GET"]),
        Route(f"{r}/quotes", route(post_quote), methods=["POST"]),
        Route(f"{r}/quotes/{{n:int}}", route(delete_quote_route), methods=["DELETE"]),
        Route(f"{r}/learn", route(post_learn), methods=["POST"]),
        Route("/api/replace/preview", replace_preview, methods=["POST"]),
        Route("/api/replace/apply", replace_apply, methods=["POST"]),
        Route("/signin", signin.get_signin, methods=["GET"]),
        Route("/signin", signin.post_signin, methods=["POST"]),
        Route("/signout", signin.post_signout, methods=["POST"]),
        Route("/api/build", builds.get_build, methods=["GET"]),
        Route("/api/build", builds.post_build, methods=["POST"]),
        Route("/site", builds.site, methods=["GET", "HEAD"]),
        Route("/site/{path:path}", builds.site, methods=["GET", "HEAD"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ])
    app.state.studio = Studio(ws=ws, keys=keys, templates=templates())
    app.state.builder = builds.Builder(ws, **(build_options or {}))
    kwargs = {} if max_body is None else {"max_body": max_body}
    return Guard(app, keys, **kwargs)
