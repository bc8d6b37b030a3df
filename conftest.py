"""Fixtures shared by every test folder (tests/ and bench/tests/): the real recordings.

The real recordings live beside the checkout, in ../shared/realspeech (one folder per
recording, see its README.md). They are not part of the repository, so a test that needs
one asks for these fixtures and is skipped, with the path in the reason, where they are absent.

This file sits at the repository root so that both test folders see it; tests/conftest.py
holds the fixtures only tests/ uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

REALSPEECH = Path(__file__).resolve().parent.parent / "shared" / "realspeech"


@pytest.fixture(scope="session")
def realspeech() -> Path:
    """The folder of real recordings; skips the test when it is not there."""
    if not REALSPEECH.is_dir():
        pytest.skip(f"real recordings not found at {REALSPEECH} (the shared/ folder beside the checkout)")
    return REALSPEECH


@pytest.fixture(scope="session")
def real_recording(realspeech: Path) -> Callable[..., Path]:
    """``real_recording(name, *files)``: one recording's folder, e.g.
    ``real_recording("01_jfk_inaugural", "jfk.flac")``; skips the test when the folder or
    one of ``files`` (relative to it) is not there."""

    def folder(name: str, *files: str) -> Path:
        path = realspeech / name
        missing = [f for f in files if not (path / f).is_file()]
        if not path.is_dir() or missing:
            what = path if not path.is_dir() else ", ".join(str(path / f) for f in missing)
            pytest.skip(f"{what} is not here (real recordings live beside the checkout)")
        return path

    return folder
