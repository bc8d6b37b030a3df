"""Shared fixtures: small real media made with ffmpeg, fresh workspaces, a
deterministic fake speech engine registered the way simonw/llm registers its fakes, and
the two ways tests drive the product: ``run`` (a build) and ``cli`` (the command line).

Unit tests use the fake; the end-to-end tests (test_e2e.py) run the real model. The real
recordings (fixtures ``realspeech`` and ``real_recording``) are in the repository root's
conftest.py, which bench/tests/ shares.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest

from pipeline.ffmpeg import ffmpeg_exe
from pipeline.models import Segment, Word
from pipeline.transcribe.engines import RawResult, register_engine, unregister_engine

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "media" / "sample-interview.mp4"


def make_tone(path: Path, seconds: float = 6.0, *, channels: int = 1, video: bool = False,
              rate: int = 44100) -> Path:
    """A short real media file (a tone with pauses), made with ffmpeg."""
    args = [ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error",
            "-f", "lavfi", "-i", f"sine=frequency=220:sample_rate={rate}:duration={seconds}"]
    if video:
        args += ["-f", "lavfi", "-i", f"color=c=navy:s=320x240:d={seconds}:r=5",
                 "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"]
    args += ["-ac", str(channels), str(path)]
    subprocess.run(args, check=True)
    return path


def scripted_segments(duration: float) -> tuple[Segment, ...]:
    """What the fake engine 'hears': an interviewer question and an answer, timed to fit."""
    lines = [
        ("Welcome, and thank you for joining us today.", 0.0),
        ("What rules did you have to break to make this work?", 0.25),
        ("We broke the rule that every referral needed a signed form first.", 0.5),
        ("Thank you so much for your time.", 0.8),
    ]
    segs = []
    for i, (text, frac) in enumerate(lines):
        start = round(duration * frac, 3)
        end = round(min(duration, start + duration * 0.2), 3)
        words = text.split()
        step = (end - start) / len(words)
        segs.append(Segment(start=start, end=end, text=text, words=tuple(
            Word(start=round(start + j * step, 3), end=round(start + (j + 1) * step, 3), word=" " + w)
            for j, w in enumerate(words))))
    return tuple(segs)


class FakeEngine:
    """A deterministic engine: same audio in, same transcript out, no model."""

    name = "fake"
    calls: list[Path] = []

    def __init__(self, model: str = "", *, device: str = "auto", threads: int | None = None):
        self.model_id = model or "fake-model"

    def transcribe(self, wav, duration, options, progress=None):
        FakeEngine.calls.append(Path(wav))
        if progress:
            progress(duration)
        return RawResult(language="en", segments=scripted_segments(duration))


@pytest.fixture
def fake_engine():
    FakeEngine.calls = []
    register_engine("fake", FakeEngine)
    yield FakeEngine
    unregister_engine("fake")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A new, empty workspace made by `learncast init`."""
    from pipeline.workspace import init_workspace

    root = tmp_path / "ws"
    init_workspace(root, "Test Show")
    return root


@pytest.fixture
def no_speakers(monkeypatch):
    """Skip acoustic speaker labelling (tones have no voices); first/odd segments are the interviewer."""
    import dataclasses

    from pipeline import transcribe

    def label(segments, audio, stereo):
        return tuple(dataclasses.replace(s, speaker="interviewer" if "?" in s.text or i == 0 else "interviewee")
                     for i, s in enumerate(segments))

    monkeypatch.setattr(transcribe, "label_speakers", label)


@pytest.fixture(scope="module")
def run(request) -> Callable[..., Any]:
    """``run(root, stages=build.STAGES, **options)``: :func:`pipeline.build.run` on the
    workspace folder ``root`` with the fake engine, returning the BuildReport.

    ``options`` go to the build (``model=``, ``now=``, ``scorer=``, ``jobs=``...). A test
    module sets defaults of its own with a marker, e.g.
    ``pytestmark = pytest.mark.build_options(scorer="lexical")``; a call's options win.
    Module-scoped, so a module's own module-scoped fixtures can build too.
    """
    from pipeline import build
    from pipeline.workspace import Workspace

    marker = request.node.get_closest_marker("build_options")
    defaults = {"engine": "fake", **(marker.kwargs if marker else {})}

    def run_build(root: Path, stages=build.STAGES, **options: Any) -> build.BuildReport:
        return build.run(Workspace.open(root), stages, **{**defaults, **options})

    return run_build


@pytest.fixture(scope="session")
def cli() -> Callable[..., Any]:
    """``cli(*args, **invoke_options)``: ``learncast ARGS`` through click's CliRunner,
    returning its Result (``.exit_code``, ``.output``). Arguments may be paths;
    ``invoke_options`` go to ``CliRunner.invoke`` (``input=``, ``env=``...)."""
    from click.testing import CliRunner, Result

    from pipeline.cli import main

    def invoke(*args: str | Path, **invoke_options: Any) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], **invoke_options)

    return invoke


def have(exe: str) -> bool:
    return shutil.which(exe) is not None


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """The sample interview built once per session with the real model and ffmpeg.

    Tests that change the workspace must copy it first (shutil.copytree).
    """
    import sys

    if not SAMPLE.is_file():
        pytest.fail(f"{SAMPLE} is missing: run scripts/make_sample_interview.py")
    ws = tmp_path_factory.mktemp("sample")
    shutil.copy(ROOT / "learncast.toml", ws / "learncast.toml")
    (ws / "media").mkdir()
    shutil.copy(SAMPLE, ws / "media" / SAMPLE.name)
    shutil.copy(SAMPLE.with_suffix(".toml"), ws / "media" / SAMPLE.with_suffix(".toml").name)
    result = subprocess.run([sys.executable, "-m", "pipeline", "build", "--workspace", str(ws), "-j", "1"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return ws


class Counter:
    """Wraps a module function and counts the calls (tests count work, never assume it)."""

    def __init__(self, monkeypatch, module, name: str):
        self.calls = 0
        original = getattr(module, name)

        def wrapped(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapped)


def recording_data(root: Path, slug: str) -> dict:
    """One recording as the stages left it: transcript.json's fields, plus the chapters,
    review and publication records that other stages own (see stages.recording_view)."""
    from pipeline.stages import recording_view
    from pipeline.workspace import Workspace

    return recording_view(Workspace.open(root), slug)


# ---------------------------------------------------------------- browsers (Debian's chromium)

CHROMIUM = Path(os.environ.get("LEARNCAST_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"  # `npm ci --prefix tests/js`
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--autoplay-policy=no-user-gesture-required"]


def browser_missing() -> str:
    """Why the browser tests cannot run here ("" when they can); never download a browser."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright; never `playwright install`)"
    if not CHROMIUM.is_file():
        return f"chromium is not installed at {CHROMIUM} (apt-get install chromium, or set LEARNCAST_CHROMIUM)"
    return ""


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, through Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def unreadable(monkeypatch):
    """``unreadable(path)``: reading ``path`` as text raises PermissionError from now on."""
    real = Path.read_text
    refused: set[Path] = set()

    def read_text(self, *args, **kwargs):
        if self in refused:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    return refused.add
