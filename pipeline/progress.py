"""Progress display for the command line (library code only reports; this draws)."""

from __future__ import annotations

import time
from typing import Any


class CliReporter:
    """A rich progress display: one line per recording in flight, with position and speed.

    When stderr is not a terminal (CI, logs) it draws nothing; the summary still prints.
    """

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        self._started: dict[str, float] = {}

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

    def started(self, slug: str, stage: str, total: float | None = None) -> None:
        if self._progress is None:
            return
        self._started[slug] = time.monotonic()
        task = self._tasks.get(slug)
        if task is None:
            self._tasks[slug] = self._progress.add_task("", total=total, slug=slug, stage=stage, speed="")
        else:
            self._progress.reset(task, total=total, slug=slug, stage=stage, speed="")

    def advanced(self, slug: str, done: float) -> None:
        if self._progress is None or slug not in self._tasks:
            return
        elapsed = time.monotonic() - self._started.get(slug, time.monotonic())
        speed = f"{done / elapsed:4.1f}x real time" if elapsed > 0.5 else ""
        self._progress.update(self._tasks[slug], completed=done, speed=speed)

    def finished(self, slug: str, ok: bool, message: str = "") -> None:
        if self._progress is None:
            return
        task = self._tasks.get(slug)
        if task is None:
            task = self._tasks[slug] = self._progress.add_task("", total=1, slug=slug, stage="", speed="")
        self._progress.update(task, total=1, completed=1, stage="done" if ok else "FAILED", speed="")
