"""Many recordings at once: worker processes on this machine, or a Dask cluster.

Each recording is independent until publishing, so the per-recording steps (ingest,
transcribe, chapter) run in workers and the publish step (feed, pages) runs here.

* ``run_pool``: ``learncast build --jobs N``. N worker processes, each loading the model
  once and using ``cores // N`` threads, so jobs × threads never exceeds the cores.
  While one worker decodes a recording with ffmpeg, another is transcribing.
* ``run_dask``: ``learncast build --scheduler tcp://HOST:8786``. One Dask task per
  recording and step, chained, so a cluster of machines shares the work. Workers need this
  package installed and the workspace at the same path (a shared folder).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Sequence

from .build import Builder, QuietReporter, RecordingResult, step
from .errors import UsageError
from .models import Recording
from .workspace import Workspace

log = logging.getLogger(__name__)

_BUILDERS: dict[tuple, Builder] = {}  # one per worker process (and options), model loaded once


def _builder(root: str, options: dict[str, Any], reporter: Any = None) -> Builder:
    key = (root, tuple(sorted((k, str(v)) for k, v in options.items())))
    builder = _BUILDERS.get(key)
    if builder is None:
        builder = _BUILDERS[key] = Builder(Workspace.open(root), reporter=reporter, **options)
    elif reporter is not None:
        builder.reporter = reporter
    return builder


def worker_options(options: dict[str, Any], jobs: int) -> dict[str, Any]:
    opts = {k: v for k, v in options.items() if k != "reporter"}
    opts.setdefault("threads", max(1, (os.cpu_count() or 1) // jobs))
    return opts


# ---------------------------------------------------------------- local processes


class _QueueReporter:
    """Sends a worker's progress to the parent, which draws it."""

    def __init__(self, q: Any):
        self.q = q

    def started(self, slug: str, stage: str, total: float | None = None) -> None:
        self.q.put(("started", slug, stage, total))

    def advanced(self, slug: str, done: float) -> None:
        self.q.put(("advanced", slug, done))

    def finished(self, slug: str, ok: bool, message: str = "") -> None:
        pass  # the parent reports outcomes as results arrive


_WORKER: dict[str, Any] = {}


def _init_worker(root: str, options: dict[str, Any], q: Any) -> None:
    _WORKER.update(root=root, options=options, queue=q)


def _work(rec: Recording, steps: Sequence[str]) -> RecordingResult:
    builder = _builder(_WORKER["root"], _WORKER["options"], _QueueReporter(_WORKER["queue"]))
    result, stereo = RecordingResult(slug=rec.slug, path=rec.path), None
    for name in steps:
        result, stereo = step(builder, rec, name, result, stereo)
    return result


def run_pool(ws: Workspace, recordings: list[Recording], steps: Sequence[str], jobs: int,
             options: dict[str, Any]) -> list[RecordingResult]:
    reporter = options.get("reporter") or QuietReporter()
    opts = worker_options(options, jobs)
    ctx = get_context("spawn")  # no inherited threads or locks; model libraries prefer it
    manager = ctx.Manager()
    events = manager.Queue()
    stop = threading.Event()

    def relay() -> None:
        while not stop.is_set():
            try:
                kind, slug, *args = events.get(timeout=0.2)
            except queue.Empty:
                continue
            except (EOFError, OSError):
                return
            getattr(reporter, kind)(slug, *args)

    relay_thread = threading.Thread(target=relay, daemon=True)
    relay_thread.start()
    results: list[RecordingResult] = []
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(recordings)), mp_context=ctx,
                                 initializer=_init_worker,
                                 initargs=(str(ws.root), opts, events)) as pool:
            futures = {pool.submit(_work, rec, list(steps)): rec for rec in recordings}
            for fut in as_completed(futures):
                rec = futures[fut]
                try:
                    result = fut.result()
                except Exception as exc:  # a worker died (out of memory, killed)
                    from .errors import BuildError

                    result = RecordingResult(slug=rec.slug, path=rec.path, ok=False, error=BuildError(
                        f"the worker processing it stopped ({type(exc).__name__})", path=rec.path,
                        fix="run the build again; if it recurs, use --jobs 1"))
                reporter.finished(rec.slug, result.ok, result.message)
                results.append(result)
    finally:
        stop.set()
        relay_thread.join(timeout=2)
        manager.shutdown()
    return sorted(results, key=lambda r: r.slug)


# ---------------------------------------------------------------- Dask


def _dask_step(root: str, options: dict[str, Any], rec: Recording, name: str,
               previous: tuple[RecordingResult, Path | None] | None) -> tuple[RecordingResult, Path | None]:
    builder = _builder(root, options)
    result, stereo = previous if previous is not None else (RecordingResult(slug=rec.slug, path=rec.path), None)
    return step(builder, rec, name, result, stereo)


def connect(scheduler: str):
    try:
        from dask.distributed import Client
    except ImportError:
        raise UsageError("Dask is not installed", fix="pip install 'learncast[dask]'") from None
    try:
        return Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler} ({exc})",
                         fix="start it with `dask scheduler`, or check the address and port") from None


def run_dask(ws: Workspace, recordings: list[Recording], steps: Sequence[str], scheduler: Any,
             options: dict[str, Any]) -> list[RecordingResult]:
    """One task per recording and step; ``scheduler`` is an address or a dask Client."""
    from dask.distributed import as_completed as dask_completed

    reporter = options.get("reporter") or QuietReporter()
    opts = {k: v for k, v in options.items() if k != "reporter"}
    client = scheduler if not isinstance(scheduler, str) else connect(scheduler)
    run_id = uuid.uuid4().hex[:8]
    finals = {}
    try:
        for rec in recordings:
            fut = None
            for name in steps:
                fut = client.submit(_dask_step, str(ws.root), opts, rec, name, fut,
                                    key=f"learncast-{run_id}-{rec.slug}-{name}", pure=False)
                reporter.started(rec.slug, name)
            finals[fut.key] = (fut, rec)
        results = []
        for fut in dask_completed([f for f, _ in finals.values()]):
            rec = finals[fut.key][1]
            result, _ = fut.result()
            reporter.finished(rec.slug, result.ok, result.message)
            results.append(result)
    finally:
        if isinstance(scheduler, str):
            client.close()
    return sorted(results, key=lambda r: r.slug)
