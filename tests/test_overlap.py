"""A one-machine build overlaps the work around Whisper with Whisper itself.

While a recording is transcribed, ffmpeg encodes its published media (one run makes
both the MP3 and the MP4's audio) and the chapter scorer loads; publishing then only
copies and remuxes. Real ffmpeg and the deterministic fake engine.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from conftest import make_tone
from pipeline import build, stages
from pipeline.publish import media
from pipeline.workspace import Workspace

pytestmark = pytest.mark.usefixtures("fake_engine", "no_speakers")


class Spy:
    """Records each call of a module function, with the thread it ran on."""

    def __init__(self, monkeypatch, module, name: str):
        self.threads: list[str] = []
        original = getattr(module, name)

        def wrapped(*args, **kwargs):
            self.threads.append(threading.current_thread().name)
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapped)


def test_media_is_encoded_once_beside_transcription_and_reused(workspace: Path, monkeypatch):
    make_tone(workspace / "media" / "talk.mp4", 6.0, video=True)
    make_tone(workspace / "media" / "call.mp3", 5.0)
    encodes = Spy(monkeypatch, media, "_encode")
    warmed = Spy(monkeypatch, stages.Resources, "warm_scorer")

    report = build.run(Workspace.open(workspace), engine="fake", scorer="lexical")

    assert report.exit_code == 0, [r.message for r in report.failed]
    # one ffmpeg encode per recording (MP3 and MP4 audio together), on the media thread
    assert len(encodes.threads) == 2
    assert all(name.startswith("learncast-media") for name in encodes.threads), encodes.threads
    assert len(warmed.threads) == 2  # asked before each transcription; loads once
    for rel in ("episodes/talk/audio.mp3", "episodes/talk/video.mp4", "episodes/call/audio.mp3"):
        assert (workspace / "site" / rel).stat().st_size > 0
    levels = media.measure_loudness(workspace / "site" / "episodes" / "talk" / "video.mp4")
    assert levels is not None and abs(levels.i - media.TARGET_I) <= 1.0

    # nothing changed: no transcription, so neither the encoder nor the scorer starts
    encodes.threads.clear(), warmed.threads.clear()
    again = build.run(Workspace.open(workspace), engine="fake", scorer="lexical")
    assert again.exit_code == 0
    assert encodes.threads == [] and warmed.threads == []


def test_scorer_loads_in_the_background_once(workspace: Path):
    builder = stages.Resources(Workspace.open(workspace), scorer="lexical")
    builder.warm_scorer()
    builder.warm_scorer()  # a second call while (or after) loading starts nothing
    scorer = builder.scorer
    assert scorer is builder.scorer and builder._warming is not None
    builder._warming.join(5)
    assert builder._scorer is scorer
