"""The ingest stage: Recording → Audio.

Checks that a file in ``media/`` is a usable recording, then decodes its audio to a
16 kHz mono WAV in the workspace cache (streamed by ffmpeg, so a long video is never held
in memory). The cache is keyed by the source file's content, so a renamed file or an
unchanged one is never decoded twice. ``media/`` itself is only read.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from . import ffmpeg
from .audio import wav_layout
from .errors import MediaError
from .fsutil import atomic_path, sha256_file, write_json
from .models import Audio, Recording

log = logging.getLogger(__name__)

MIN_DURATION = 1.0  # seconds; shorter clips hold no interview


def source_hash(path: Path) -> str:
    return sha256_file(path)


def check_media(recording: Recording) -> ffmpeg.MediaInfo:
    """Probe a recording; MediaError with a one-line fix for anything unusable."""
    info = ffmpeg.probe(recording.path)
    if not info.has_audio:
        raise MediaError("has no audio stream", path=recording.path,
                         fix="export the recording again with its sound, or remove it from media/")
    if not info.audio_codec:
        raise MediaError("its audio is in a format that can't be decoded (unknown codec)", path=recording.path,
                         fix="export it again as MP4 (AAC audio), MP3 or WAV")
    if info.duration and info.duration < MIN_DURATION:
        raise MediaError(f"is only {info.duration:.1f} s long", path=recording.path,
                         fix="check the file copied completely")
    return info


def ingest(recording: Recording, cache_dir: Path) -> tuple[Audio, Path | None]:
    """Decode one recording; returns its Audio and, for a stereo source, a 2-channel WAV.

    The 2-channel WAV lets the speaker stage use the channels when each voice has its own.
    An unchanged file (same size and modification time) is neither probed nor hashed again.
    """
    audio_dir = cache_dir / "audio"
    audio_dir.mkdir(parents=True, exist_ok=True)
    memo = memo_path(cache_dir, recording.path)
    cached = _recall(memo, recording)
    if cached is not None:
        return cached
    info = check_media(recording)
    src_sha = source_hash(recording.path)
    wav = audio_dir / f"{src_sha}.wav"
    if not wav.is_file():
        log.info("decoding %s", recording.path.name)
        with atomic_path(wav) as tmp:
            ffmpeg.decode_to_wav(recording.path, tmp)
    stereo: Path | None = None
    if info.channels == 2:
        stereo = audio_dir / f"{src_sha}.stereo.wav"
        if not stereo.is_file():
            with atomic_path(stereo) as tmp:
                ffmpeg.decode_to_wav(recording.path, tmp, channels=2)
    offset, frames, _, rate = wav_layout(wav)
    duration = frames / rate
    if duration < MIN_DURATION:
        raise MediaError(f"has only {duration:.1f} s of audio", path=recording.path,
                         fix="check the file copied completely")
    audio = Audio(
        recording=recording,
        path=wav,
        sha256=sha256_file(wav, skip=offset),
        duration=duration,
        channels=info.channels,
        sample_rate=info.sample_rate,
        has_video=info.has_video,
        source_sha256=src_sha,
    )
    st = recording.path.stat()
    write_json(memo, {
        "size": st.st_size, "mtime_ns": st.st_mtime_ns, "wav": wav.name,
        "stereo": stereo.name if stereo else None, "sha256": audio.sha256, "duration": duration,
        "channels": audio.channels, "sample_rate": audio.sample_rate, "has_video": audio.has_video,
        "source_sha256": src_sha,
    })
    return audio, stereo


def memo_path(cache_dir: Path, source: Path) -> Path:
    """Where what ingest learnt about ``source`` (by its path) is remembered."""
    key = hashlib.sha1(str(source.resolve()).encode("utf-8")).hexdigest()
    return cache_dir / "sources" / f"{key}.json"


def _recall(memo: Path, recording: Recording) -> tuple[Audio, Path | None] | None:
    """The cached Audio for an unchanged source file, or None."""
    try:
        data = json.loads(memo.read_text(encoding="utf-8"))
        st = recording.path.stat()
    except (OSError, ValueError):
        return None
    if data.get("size") != st.st_size or data.get("mtime_ns") != st.st_mtime_ns:
        return None
    wav = memo.parent.parent / "audio" / data["wav"]
    stereo = memo.parent.parent / "audio" / data["stereo"] if data.get("stereo") else None
    if not wav.is_file() or (stereo is not None and not stereo.is_file()):
        return None
    audio = Audio(recording=recording, path=wav, sha256=data["sha256"], duration=data["duration"],
                  channels=data["channels"], sample_rate=data["sample_rate"],
                  has_video=data["has_video"], source_sha256=data["source_sha256"])
    return audio, stereo
