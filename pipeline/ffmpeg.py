"""The one place that decides which ffmpeg to use, and how to run it safely.

* ffmpeg: the system ``ffmpeg`` when it is on PATH, otherwise the binary shipped in
  the ``imageio-ffmpeg`` wheel.
* probing: the system ``ffprobe`` when it is on PATH, otherwise PyAV.

ffmpeg is always run with an argument list (never a shell), with ``-nostdin``, and
with input and output files as absolute paths, so no file name can be read as an option.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .audio import SAMPLE_RATE
from .errors import BuildError, MediaError

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=None)
def ffmpeg_exe() -> str:
    """Path to the ffmpeg binary to use."""
    override = os.environ.get("LEARNCAST_FFMPEG")
    if override:
        return override
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError:  # pragma: no cover - imageio-ffmpeg is a dependency
        raise BuildError(
            "no ffmpeg found",
            fix="install ffmpeg (apt-get install ffmpeg) or `pip install imageio-ffmpeg`",
        ) from None
    return imageio_ffmpeg.get_ffmpeg_exe()


@functools.lru_cache(maxsize=None)
def ffprobe_exe() -> str | None:
    """Path to ffprobe, or None when only PyAV can probe."""
    override = os.environ.get("LEARNCAST_FFPROBE")
    if override is not None:
        return override or None
    return shutil.which("ffprobe")


@dataclass(frozen=True)
class MediaInfo:
    duration: float
    has_audio: bool
    has_video: bool
    channels: int = 0
    sample_rate: int = 0
    audio_codec: str | None = None
    video_codec: str | None = None
    width: int = 0
    height: int = 0


def _arg_path(path: Path | str) -> str:
    """A path ffmpeg can't mistake for an option or a protocol."""
    return str(Path(path).resolve())


def run(args: Sequence[str], *, what: Path | str | None = None, timeout: float | None = None) -> str:
    """Run ffmpeg with ``args`` (after the global flags); return stderr text.

    Raises MediaError naming ``what`` when ffmpeg fails.
    """
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", *args]
    log.debug("ffmpeg %s", " ".join(args))
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise MediaError("ffmpeg took too long", path=what, fix="check the file plays in a media player") from None
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        last = _last_line(stderr) or f"ffmpeg exited with {proc.returncode}"
        raise MediaError(f"ffmpeg failed: {last}", path=what,
                         fix="check the file plays in a media player, or re-export it as MP4 or WAV")
    return stderr


def run_capture(args: Sequence[str], *, what: Path | str | None = None) -> tuple[str, str]:
    """Run ffmpeg at info level and return (stdout, stderr); for filters that report (loudnorm)."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "info", *args]
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise MediaError(f"ffmpeg failed: {_last_line(err)}", path=what,
                         fix="check the file plays in a media player")
    return out, err


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:300] if lines else ""


def probe(path: Path) -> MediaInfo:
    """Describe a media file's duration and streams; MediaError when it is not media."""
    path = Path(path)
    if not path.is_file():
        raise MediaError("file not found", path=path, fix="check the path")
    if path.stat().st_size == 0:
        raise MediaError("file is empty (0 bytes)", path=path,
                         fix="copy the recording again from the camera or phone")
    exe = ffprobe_exe()
    if exe:
        return _probe_ffprobe(exe, path)
    return _probe_pyav(path)


def _probe_ffprobe(exe: str, path: Path) -> MediaInfo:
    cmd = [exe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
           _arg_path(path)]
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    if proc.returncode != 0:
        raise MediaError(
            f"not a readable audio or video file ({_last_line(proc.stderr.decode('utf-8', 'replace'))})",
            path=path, fix="check it plays in a media player, or re-export it as MP4 or WAV")
    data = json.loads(proc.stdout or b"{}")
    streams = data.get("streams", [])
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not (s.get("disposition") or {}).get("attached_pic")), None)
    duration = _float(data.get("format", {}).get("duration"))
    if not duration and audio:
        duration = _float(audio.get("duration"))
    return MediaInfo(
        duration=duration,
        has_audio=audio is not None,
        has_video=video is not None,
        channels=int(audio.get("channels") or 0) if audio else 0,
        sample_rate=int(audio.get("sample_rate") or 0) if audio else 0,
        audio_codec=audio.get("codec_name") if audio else None,
        video_codec=video.get("codec_name") if video else None,
        width=int(video.get("width") or 0) if video else 0,
        height=int(video.get("height") or 0) if video else 0,
    )


def _probe_pyav(path: Path) -> MediaInfo:
    import av  # PyAV ships with faster-whisper

    try:
        with av.open(str(path)) as container:
            audio = next(iter(container.streams.audio), None)
            video = next((v for v in container.streams.video
                          if not (v.disposition & av.stream.Disposition.attached_pic)), None)
            duration = container.duration / 1_000_000 if container.duration else 0.0
            if not duration and audio is not None and audio.duration and audio.time_base:
                duration = float(audio.duration * audio.time_base)
            return MediaInfo(
                duration=duration,
                has_audio=audio is not None,
                has_video=video is not None,
                channels=audio.codec_context.channels if audio is not None else 0,
                sample_rate=audio.codec_context.sample_rate if audio is not None else 0,
                audio_codec=audio.codec_context.name if audio is not None else None,
                video_codec=video.codec_context.name if video is not None else None,
                width=video.codec_context.width if video is not None else 0,
                height=video.codec_context.height if video is not None else 0,
            )
    except av.error.FFmpegError as exc:
        raise MediaError(f"not a readable audio or video file ({exc})", path=path,
                         fix="check it plays in a media player, or re-export it as MP4 or WAV") from None


def _float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


def decode_to_wav(src: Path, dest: Path, *, sample_rate: int = SAMPLE_RATE, channels: int = 1) -> None:
    """Decode any input's first audio stream to PCM WAV, streaming (bounded memory)."""
    run(["-y", "-i", _arg_path(src), "-map", "0:a:0", "-vn", "-sn", "-dn",
         "-ac", str(channels), "-ar", str(sample_rate), "-c:a", "pcm_s16le",
         "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
         "-f", "wav", _arg_path(dest)], what=src)


def arg_path(path: Path | str) -> str:
    """Public form of the safe path helper, for other stages building ffmpeg argument lists."""
    return _arg_path(path)
