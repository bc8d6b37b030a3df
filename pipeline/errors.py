"""One exception family for Learncast.

Library code raises these; the CLI (``pipeline.cli``) is the one place that turns
them into a one-line message and an exit code. Every message names the file it is
about and says what to do, so a capture team can fix the input without reading code.
"""

from __future__ import annotations

import errno
from pathlib import Path


class LearncastError(Exception):
    """Base of every error Learncast raises on purpose.

    ``path`` is the file the error is about (or None); ``fix`` says what to do.
    ``exit_code`` is what the CLI exits with when this error ends a command.
    """

    exit_code = 1

    def __init__(self, message: str, *, path: Path | str | None = None, fix: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.fix = fix

    def one_line(self) -> str:
        """The message the CLI prints: ``FILE: what is wrong. Fix: what to do.``"""
        parts = []
        if self.path is not None:
            parts.append(f"{self.path}: ")
        parts.append(self.message.rstrip("."))
        if self.fix:
            parts.append(f". Fix: {self.fix.rstrip('.')}")
        return "".join(parts) + "."

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.one_line()

    def __reduce__(self):
        # Errors travel between processes (--jobs, Dask workers): keep path and fix.
        return (_rebuild, (type(self), self.message, self.path, self.fix))


def _rebuild(cls: type, message: str, path: Path | None, fix: str | None) -> LearncastError:
    err = cls.__new__(cls)
    LearncastError.__init__(err, message, path=path, fix=fix)
    if issubclass(cls, ConfigError):
        err.problems = message.split("; ")
    return err


class UsageError(LearncastError):
    """The command line or the workspace layout is wrong (exit 2)."""

    exit_code = 2


class ConfigError(UsageError):
    """``learncast.toml`` (or another settings file) is invalid.

    Carries every problem found, so the user sees them all at once.
    """

    def __init__(self, problems: list[str], *, path: Path | str | None = None):
        self.problems = list(problems)
        super().__init__(
            "; ".join(self.problems) if self.problems else "invalid configuration",
            path=path,
        )

    def lines(self) -> list[str]:
        prefix = f"{self.path}: " if self.path is not None else ""
        return [f"{prefix}{p}" for p in self.problems]


class InputError(LearncastError):
    """One recording (or its sidecar) cannot be processed; the batch goes on."""


class MediaError(InputError):
    """ffmpeg could not read or write a media file."""


class ModelError(LearncastError):
    """A speech model cannot be found or loaded."""


class BuildError(LearncastError):
    """A build step failed in a way that is not the input's fault."""


def as_error(exc: BaseException, path: Path | str | None = None) -> LearncastError:
    """A LearncastError for ``exc``: itself, or a one-line message for an OSError or a bug.

    A full disk or a read-only folder is not the recording's fault, but it is what
    stopped it, so the message names the file that could not be written and the fix.
    This is the one place an OSError becomes a message.
    """
    if isinstance(exc, LearncastError):
        return exc
    if isinstance(exc, OSError):
        where = exc.filename or path
        if exc.errno == errno.ENOSPC:
            return BuildError("the disk is full", path=where,
                              fix="free some disk space, then run the build again")
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return BuildError(f"cannot write here ({exc.strerror})", path=where,
                              fix="make the workspace folder writable, then run the build again")
        return BuildError(f"could not write an output ({exc.strerror or exc})", path=where,
                          fix="check there is free disk space and the folder is writable")
    return BuildError(f"unexpected {type(exc).__name__}: {exc}", path=path,
                      fix="run the build again; if it recurs, report it with `learncast -vv build`")
