"""Progress display for the command line (library code only reports; this draws)."""

from __future__ import annotations

import time
from typing import Any

# How far through its work a recording is when it reaches each stage: transcription
# is most of the time, so its own progress moves the overall bar between these.
_STAGE_START = {"ingest": 0.0, "transcribe": 0.05, "chapter": 0.9, "derive": 0.9, "load": 0.95}
_TRANSCRIBE_SPAN = 0.85


class CliReporter:
    """A rich progress display: one line per recording in flight, with position and speed,
    and, once the build says how many recordings there are (``planned``), an overall bar
    with the time remaining.

    A recording's line goes away when it finishes, so a build of a thousand recordings
    shows only the few being worked on. When stderr is not a terminal (CI, logs) it
    draws nothing; the summary still prints.
    """

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        self._started: dict[str, float] = {}
        self._fraction: dict[str, float] = {}  # slug -> 0..1 of its work done
        self._overall: Any = None
        self._planned = 0
        self._finished: set[str] = set()  # late events for these (from workers) are ignored

    def __enter__(self) -> CliReporter:
        if self.enabled:
            from rich.progress import (BarColumn, Progress, TaskProgressColumn, TextColumn,
                                       TimeRemainingColumn)

            self._progress = Progress(
                TextColumn("{task.fields[slug]:<28.28} {task.fields[stage]:<10}"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[speed]}"),
                TimeRemainingColumn(),
                transient=False,
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def planned(self, count: int) -> None:
        """The build will process ``count`` recordings: draw the overall bar."""
        self._planned = count + len(self._finished)  # files already refused count as done
        if self._progress is None or count < 1:
            return
        if self._overall is None:
            self._overall = self._progress.add_task("", total=count, slug="all recordings", stage="", speed="")
        self._update_overall()

    def started(self, slug: str, stage: str, total: float | None = None) -> None:
        if slug in self._finished:
            return
        self._fraction[slug] = max(self._fraction.get(slug, 0.0), _STAGE_START.get(stage, 0.0))
        if self._progress is None:
            return
        self._started[slug] = time.monotonic()
        task = self._tasks.get(slug)
        if task is None:
            self._tasks[slug] = self._progress.add_task("", total=total, slug=slug, stage=stage, speed="")
        else:
            self._progress.reset(task, total=total, slug=slug, stage=stage, speed="")
        self._update_overall()

    def advanced(self, slug: str, done: float) -> None:
        if self._progress is None or slug not in self._tasks or slug in self._finished:
            return
        task = self._tasks[slug]
        elapsed = time.monotonic() - self._started.get(slug, time.monotonic())
        speed = f"{done / elapsed:4.1f}x real time" if elapsed > 0.5 else ""
        self._progress.update(task, completed=done, speed=speed)
        total = self._progress.tasks[self._index(task)].total
        if total:
            start = _STAGE_START["transcribe"]
            self._fraction[slug] = max(self._fraction.get(slug, 0.0),
                                       start + _TRANSCRIBE_SPAN * min(1.0, done / total))
            self._update_overall()

    def finished(self, slug: str, ok: bool, message: str = "") -> None:
        self._fraction.pop(slug, None)
        self._finished.add(slug)
        if self._progress is None:
            return
        task = self._tasks.pop(slug, None)
        if task is not None:
            self._progress.remove_task(task)
        self._update_overall()

    def _index(self, task: Any) -> int:
        return next(i for i, t in enumerate(self._progress.tasks) if t.id == task)

    def _update_overall(self) -> None:
        if self._overall is None:
            return
        done = len(self._finished)
        total = max(self._planned, done)
        self._progress.update(self._overall, completed=min(total, done + sum(self._fraction.values())),
                              total=total, stage=f"{done}/{total}")
