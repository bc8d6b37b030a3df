"""Build and preview from the studio: the build runs in the background, the page watches.

``POST /api/build`` starts :func:`pipeline.build.run`, the same call ``learncast build``
makes, on a thread of the studio's process; one build at a time (a second request while
one runs answers with the running one). ``GET /api/build`` is its progress as JSON, which
the page polls: the stage each recording is in, how far, and each failure as its one-line
message (the LearncastError's message and fix). A build that cannot start because another
command holds the workspace lock ends at once with that message; nothing waits.

A person's saves never wait on it: they take only the recording's file lock, which the
build holds just while it replaces one file, never the build's workspace lock.

``GET /site/...`` serves the workspace's built ``site/`` read-only, behind the same guard
as every other route, so the published pages can be opened from the studio. A request
path is confined to site/: no ``..``, no absolute or odd part, no symlink on the way.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from .. import i18n
from ..errors import LearncastError
from ..fsutil import inside
from ..workspace import Workspace
from . import editlog
from .security import current_user
from .text import STATE_NAMES, translate

log = logging.getLogger(__name__)

STAGE_START = {"ingest": 0.0, "transcribe": 0.05, "chapter": 0.9, "derive": 0.9, "load": 0.95}
TRANSCRIBE_SPAN = 0.85
STAGE_NAMES = {"ingest": i18n.N_("reading the recording"), "transcribe": i18n.N_("transcribing"),
               "chapter": i18n.N_("finding chapters"), "derive": i18n.N_("writing captions"),
               "load": i18n.N_("preparing to publish")}
SITE_TYPES = {".vtt": "text/vtt", ".srt": "application/x-subrip", ".mp3": "audio/mpeg", ".mp4": "video/mp4",
              ".m4a": "audio/mp4", ".json": "application/json", ".xml": "application/xml",
              ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm",
              ".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8"}
# The published pages are learncast's own (no inline script); Pagefind's search needs WebAssembly.
# Their chapter timeline and overview bars set a width in a style attribute (every text in them
# is escaped), so attribute styles are allowed there; scripts stay the site's own files only.
SITE_CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; "
            "media-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class Progress:
    """One recording's place in the build."""

    slug: str
    title: str
    stage: str = "waiting"
    fraction: float = 0.0
    total: float | None = None
    ok: bool | None = None  # None while it is still being worked on
    message: str = ""


@dataclass
class Build:
    """One run of the build, written by its thread (and the build's reporter), read by the page.

    Every change and every snapshot holds ``lock``: the reporter is called from the build's
    thread and, with worker processes, from the thread relaying their events.
    """

    number: int
    titles: dict[str, str]
    by: str = ""  # who started it
    state: str = "running"  # running, finished, failed (could not run, or stopped)
    started_at: str = field(default_factory=_now)
    finished_at: str | None = None
    error: str = ""
    planned: int = 0
    recordings: dict[str, Progress] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    clock: float = field(default_factory=time.monotonic, repr=False)
    ended: float | None = field(default=None, repr=False)

    def _entry(self, slug: str) -> Progress:
        entry = self.recordings.get(slug)
        if entry is None:
            entry = self.recordings[slug] = Progress(slug, self.titles.get(slug, slug))
        return entry

    # the build's Reporter (pipeline.stages.Reporter), plus the overall count

    def planned_count(self, count: int) -> None:
        with self.lock:
            self.planned = count + sum(1 for p in self.recordings.values() if p.ok is not None)

    def started(self, slug: str, stage: str, total: float | None = None) -> None:
        with self.lock:
            entry = self._entry(slug)
            if entry.ok is None:
                entry.stage, entry.total = stage, total
                entry.fraction = max(entry.fraction, STAGE_START.get(stage, 0.0))

    def advanced(self, slug: str, done: float) -> None:
        with self.lock:
            entry = self._entry(slug)
            if entry.ok is None and entry.stage == "transcribe" and entry.total:
                share = STAGE_START["transcribe"] + TRANSCRIBE_SPAN * min(1.0, done / entry.total)
                entry.fraction = max(entry.fraction, share)

    def finished(self, slug: str, ok: bool, message: str = "") -> None:
        with self.lock:
            entry = self._entry(slug)
            if entry.ok is False and ok:
                return  # a failure stays a failure
            entry.ok, entry.fraction, entry.stage = ok, 1.0, "done" if ok else "failed"
            entry.message = message if not ok else entry.message

    def end(self, state: str, error: str = "", report: Any = None) -> None:
        with self.lock:
            if report is not None:
                for r in report.results:
                    entry = self._entry(r.slug)
                    if entry.ok is not False:
                        entry.ok, entry.fraction = r.ok, 1.0
                        entry.stage, entry.message = ("done", "") if r.ok else ("failed", r.message)
                self.published = list(report.published)
            self.state, self.error, self.finished_at, self.ended = state, error, _now(), time.monotonic()

    def snapshot(self, ws: Workspace) -> dict[str, Any]:
        with self.lock:
            rows = [vars(p).copy() for p in sorted(self.recordings.values(), key=lambda p: p.slug)]
            done = sum(1 for r in rows if r["ok"] is not None)
            total = max(self.planned, len(rows))
            overall = (sum(r["fraction"] for r in rows) / total) if total else 0.0
            publishing = self.state == "running" and total > 0 and done == total
            answer = {"number": self.number, "state": self.state, "error": self.error, "by": self.by,
                      "started_at": self.started_at, "finished_at": self.finished_at,
                      "seconds": round((self.ended or time.monotonic()) - self.clock, 1),
                      "planned": total, "done": done, "fraction": round(min(1.0, overall), 3),
                      "phase": translate(ws.config, i18n.N_("publishing the site") if publishing else (
                          "" if self.state != "running" else i18n.N_("processing the recordings"))),
                      "published": list(self.published)}
        for r in rows:  # a refused file's slug may be no slug at all ("?"): only published ones get a page
            r["stage_name"] = translate(ws.config, STAGE_NAMES[r["stage"]]) if r["stage"] in STAGE_NAMES else r["stage"]
            published = r["slug"] in answer["published"]
            page = ws.episode_page(r["slug"]) if published else None  # site/<lang>/... in a bilingual site
            r["page"] = f"/site/{page.relative_to(ws.site_dir).as_posix()}" if page and page.is_file() else None
        answer["recordings"] = rows
        return answer


class Builder:
    """Starts builds of one workspace, one at a time, and remembers the latest."""

    def __init__(self, ws: Workspace, **options: Any):
        self.ws = ws
        self.options = {"jobs": os.cpu_count() or 1, **options}
        self._lock = threading.Lock()
        self._count = 0
        self.current: Build | None = None
        self.thread: threading.Thread | None = None

    def start(self, by: str = "") -> tuple[Build, bool]:
        """(the build, whether this call started it): the running one if there is one.
        ``by`` is who asked for it."""
        with self._lock:
            if self.current is not None and self.current.state == "running":
                return self.current, False
            self._count += 1
            try:
                titles = {r.slug: r.title for r in self.ws.recordings()[0]}
            except LearncastError:  # the build itself reports what is wrong
                titles = {}
            build = Build(self._count, titles, by=by)
            self.current = build
            self.thread = threading.Thread(target=self._run, args=(build,), name=f"learncast-build-{build.number}",
                                           daemon=True)
            self.thread.start()
        log.info("studio: build %d started by %s", build.number, by or "?")
        return build, True

    def _run(self, build: Build) -> None:
        from .. import build as orchestrator

        build_reporter = _Reporter(build)
        try:  # opened afresh, as the command does: learncast.toml may have changed since the studio started
            ws = Workspace.open(self.ws.root)
            report = orchestrator.run(ws, orchestrator.STAGES, reporter=build_reporter, **self.options)
        except LearncastError as exc:
            log.warning("studio: build %d did not finish: %s", build.number, exc.one_line())
            build.end("failed", exc.one_line())
        except Exception as exc:  # noqa: BLE001 - the page must hear of it; -vv shows the traceback
            log.debug("studio: build %d stopped", build.number, exc_info=True)
            build.end("failed", f"the build stopped: {type(exc).__name__}: {exc}".rstrip(": ") +
                      ". Fix: run `learncast build` in a terminal to see the details.")
        else:
            build.end("finished", report=report)
            log.info("studio: build %d finished (%d failed)", build.number, len(report.failed))


class _Reporter:
    """The build's Reporter protocol over a :class:`Build` (``planned`` is the overall count)."""

    def __init__(self, build: Build):
        self.started, self.advanced, self.finished = build.started, build.advanced, build.finished
        self.planned = build.planned_count


# ---------------------------------------------------------------- routes


def _builder(request: Request) -> Builder:
    return request.app.state.builder


def _site_link(ws: Workspace) -> str | None:
    index = ws.site_dir / "index.html"
    return "/site/index.html" if index.is_file() and not index.is_symlink() else None


def build_answer(ws: Workspace, build: Build | None, **extra: Any) -> dict[str, Any]:
    """The latest build's progress and where the site is; once it has ended, each
    recording's state as the list shows it (published, withheld, needs review...)."""
    from ..status import recording_states

    snapshot = build.snapshot(ws) if build else None
    if snapshot is not None and snapshot["state"] != "running":
        states = {s.slug: s for s in recording_states(ws)}
        for row in snapshot["recordings"]:
            state = states.get(row["slug"])
            row["state"], row["detail"] = (state.state, state.detail) if state else ("", "")
            row["state_name"] = translate(ws.config, STATE_NAMES.get(row["state"], row["state"]))
    return {"build": snapshot, "site": _site_link(ws), **extra}


async def get_build(request: Request) -> Response:
    builder = _builder(request)
    return JSONResponse(await run_in_threadpool(build_answer, builder.ws, builder.current))


async def post_build(request: Request) -> Response:
    """Start a build (202), or answer with the one running (200). A started build goes in the
    studio's edit log with who started it, like every change the studio makes."""
    builder = _builder(request)
    by = current_user()
    build, started = await run_in_threadpool(builder.start, by)
    if started:
        try:
            await run_in_threadpool(editlog.record, builder.ws.state_dir, by, None, "POST build")
        except OSError as exc:  # the build runs; say loudly that its record is not kept
            log.error("the studio's edit log cannot be written: %s", exc)
    answer = await run_in_threadpool(build_answer, builder.ws, build, started=started)
    return JSONResponse(answer, status_code=202 if started else 200)


def site_file(site: Path, rel: str) -> Path | None:
    """The file under ``site`` that ``rel`` names, or None: every part a plain name (no
    ``..``, ``.``, empty, backslash or NUL), no symlink on the way, and inside ``site``
    once resolved. A folder means its index.html."""
    parts = rel.split("/") if rel else []
    if parts and parts[-1] == "":
        parts[-1] = "index.html"
    if not parts:
        parts = ["index.html"]
    if any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts) or site.is_symlink():
        return None
    path = site
    for part in parts:
        path = path / part
        if path.is_symlink():
            return None
    if path.is_dir():
        path = path / "index.html"
        if path.is_symlink():
            return None
    if not path.is_file() or not inside(path, site):
        return None
    return path


def _is_folder(site: Path, rel: str) -> bool:
    found = site_file(site, rel + "/")
    return found is not None and found.parent == site.joinpath(*rel.split("/"))


async def site(request: Request) -> Response:
    """A file of the built site, read-only (GET and HEAD), with byte ranges for the player.
    A folder without its trailing slash is redirected to it, so the pages' relative links work."""
    ws = _builder(request).ws
    rel = request.path_params.get("path", "")
    if request.url.path == "/site" or (rel and not rel.endswith("/")
                                       and await run_in_threadpool(_is_folder, ws.site_dir, rel)):
        return RedirectResponse(f"/site/{quote(rel)}/" if rel else "/site/", status_code=307)
    path = await run_in_threadpool(site_file, ws.site_dir, rel)
    if path is None:
        message = ("the site has not been built yet; press Build" if not ws.site_dir.is_dir()
                   else "no such file in the built site")
        return JSONResponse({"error": message}, status_code=404)
    kind = SITE_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=kind, headers={"cache-control": "no-cache",
                                                        "content-security-policy": SITE_CSP})
