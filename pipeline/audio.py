"""The audio every stage after ingest reads: 16 kHz, 16-bit PCM WAV files.

The ingest stage decodes each recording to a 16 kHz mono WAV (and a 2-channel one for a
stereo source); the engines, the VAD and speaker labelling read those files through the
helpers here. Samples stay 16-bit on disk, as read-only memory maps, and only the stretch
being worked on is turned into floats (:func:`as_float`), so memory depends on that
stretch, not on the recording's length.

A leaf module: it imports only numpy, the standard library and :mod:`pipeline.errors`.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from .errors import MediaError, ModelError

SAMPLE_RATE = 16000  # Hz: what Whisper and Silero VAD expect, and what ingest writes


def wav_layout(path: Path) -> tuple[int, int, int, int]:
    """(data offset, frame count, channels, sample rate) of a 16-bit PCM WAV file."""
    with wave.open(str(path), "rb") as w:
        frames, channels, rate = w.getnframes(), w.getnchannels(), w.getframerate()
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    pos = 12
    while pos + 8 <= len(head):
        chunk, size = head[pos:pos + 4], int.from_bytes(head[pos + 4:pos + 8], "little")
        if chunk == b"data":
            return pos + 8, frames, channels, rate
        pos += 8 + size + (size & 1)
    raise MediaError("WAV has no data chunk", path=path,
                     fix="delete the .learncast cache folder and build again")


def wav_pcm(path: Path) -> np.ndarray:
    """A 16 kHz mono 16-bit WAV's samples as a read-only int16 memory map (nothing read yet)."""
    offset, frames, channels, rate = wav_layout(path)
    if channels != 1 or rate != SAMPLE_RATE:
        raise ModelError("expected a 16 kHz mono WAV", path=path,
                         fix="delete the .learncast cache folder and build again")
    if frames == 0:
        return np.zeros(0, dtype=np.int16)
    return np.memmap(path, dtype="<i2", mode="r", offset=offset, shape=(frames,))


def wav_channels(path: Path, *, purpose: str) -> np.ndarray:
    """The 16-bit samples of a 16 kHz WAV with any number of channels, as a read-only
    memory map shaped (samples, channels). ``purpose`` names the reader in the error
    raised for another sample rate ("speaker labelling")."""
    offset, frames, channels, rate = wav_layout(path)
    if rate != SAMPLE_RATE:
        raise MediaError(f"expected a {SAMPLE_RATE} Hz WAV for {purpose}, got {rate} Hz", path=path,
                         fix="delete the .learncast cache folder and build again")
    if frames == 0:
        return np.zeros((0, channels), dtype="<i2")
    return np.memmap(path, dtype="<i2", mode="r", offset=offset, shape=(frames, channels))


def as_float(pcm: np.ndarray) -> np.ndarray:
    """float32 samples in [-1, 1] from int16 (or float) samples."""
    if pcm.dtype.kind == "i" and pcm.dtype.itemsize == 2:  # int16 in either byte order
        return pcm.astype(np.float32) / 32768.0
    return np.asarray(pcm, dtype=np.float32)


def load_wav(path: Path) -> np.ndarray:
    """Read a 16 kHz mono 16-bit WAV as float32 in [-1, 1] (the whole file: for short ones)."""
    return as_float(wav_pcm(path))
