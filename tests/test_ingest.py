"""Ingest with real ffmpeg: good files decode, bad ones get one clear line each."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import make_tone
from pipeline import ffmpeg
from pipeline.audio import wav_layout
from pipeline.errors import MediaError
from pipeline.ingest import ingest
from pipeline.models import Recording


def rec(path: Path) -> Recording:
    return Recording(path=path, slug=path.stem.lower())


def test_decodes_to_16k_mono_and_caches_by_content(tmp_path: Path):
    src = make_tone(tmp_path / "talk.mp3", 4.0, channels=2)
    audio, stereo = ingest(rec(src), tmp_path / "cache")
    offset, frames, channels, rate = wav_layout(audio.path)
    assert (channels, rate) == (1, 16000)
    assert abs(audio.duration - 4.0) < 0.1
    assert audio.channels == 2 and stereo is not None and stereo.is_file()
    assert not audio.has_video
    # A renamed copy is the same content: same decoded file, same audio identity.
    copy = tmp_path / "renamed.mp3"
    copy.write_bytes(src.read_bytes())
    again, _ = ingest(rec(copy), tmp_path / "cache")
    assert again.path == audio.path and again.sha256 == audio.sha256


def test_video_is_recognised(tmp_path: Path):
    src = make_tone(tmp_path / "clip.mp4", 3.0, video=True)
    audio, _ = ingest(rec(src), tmp_path / "cache")
    assert audio.has_video


@pytest.mark.parametrize("name,content,expect", [
    ("empty.mp3", b"", "empty (0 bytes)"),
    ("notes.mp3", b"These are my notes, not audio.\n" * 20, "not a readable audio or video file"),
])
def test_bad_files_get_one_line_naming_the_file_and_the_fix(tmp_path: Path, name, content, expect):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MediaError) as info:
        ingest(rec(path), tmp_path / "cache")
    line = info.value.one_line()
    assert str(path) in line and expect in line and "Fix:" in line
    assert "\n" not in line


def test_video_without_audio(tmp_path: Path):
    path = tmp_path / "silent-film.mp4"
    subprocess.run([ffmpeg.ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                    "color=c=red:s=160x120:d=3:r=5", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                    str(path)], check=True)
    with pytest.raises(MediaError, match="no audio stream"):
        ingest(rec(path), tmp_path / "cache")


def test_leading_dash_file_name_is_not_an_option(tmp_path: Path):
    src = make_tone(tmp_path / "tone.wav", 2.0)
    odd = tmp_path / "-y -i evil.wav"
    odd.write_bytes(src.read_bytes())
    audio, _ = ingest(rec(odd), tmp_path / "cache")
    assert abs(audio.duration - 2.0) < 0.1


def test_falls_back_to_the_wheel_ffmpeg_and_pyav(tmp_path: Path, monkeypatch):
    src = make_tone(tmp_path / "tone.wav", 2.0)
    monkeypatch.setenv("PATH", "/nonexistent")
    ffmpeg.ffmpeg_exe.cache_clear()
    ffmpeg.ffprobe_exe.cache_clear()
    try:
        exe = ffmpeg.ffmpeg_exe()
        assert "imageio_ffmpeg" in exe
        assert ffmpeg.ffprobe_exe() is None
        info = ffmpeg.probe(src)  # PyAV
        assert info.has_audio and abs(info.duration - 2.0) < 0.1
        audio, _ = ingest(rec(src), tmp_path / "cache")
        assert abs(audio.duration - 2.0) < 0.1
    finally:
        ffmpeg.ffmpeg_exe.cache_clear()
        ffmpeg.ffprobe_exe.cache_clear()
