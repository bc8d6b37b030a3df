"""The published media: a loudness-normalised MP3, a web-friendly MP4, ID3 tags and a poster.

Podcast apps play episodes from many shows one after another, so every episode is
brought to the loudness the big platforms use: -16 LUFS integrated, peaks under
-1 dBTP. ffmpeg's ``loudnorm`` runs in two passes: the first measures, the second
applies the measured values with ``linear=true``, one gain change that keeps the
speaker's natural dynamics and lands within 0.1 LU of the target.

Linear gain is only possible when it does not push the peaks over the limit, and
conversation rarely allows it: a laugh or a plosive 22-25 dB above the average
level is normal, and -16 LUFS leaves room for 14. loudnorm's answer, its dynamic
mode, missed by up to 2 LU on real recordings (AMI meeting audio: -18.2 LUFS). So
when linear gain would overshoot, the audio first goes through a look-ahead limiter
(at 192 kHz, so inter-sample peaks count), with the gain applied before it; that
limited signal is measured again (and, if the limiting cost too much loudness for a
linear correction, limited once more with that loss added to the gain), and
loudnorm's linear pass then only has a small correction left to make. Three or four
passes instead of two; the measuring passes are shared by the MP3 and the MP4.

Every function is deterministic: the same inputs give the same bytes, so a caller
can skip work by remembering what an output was made from:

* :func:`encode_audio` – the source file's audio and ``channels`` (and ENCODING_VERSION);
* :func:`encode_video` – the source file and the chapters (start, end, title);
* :func:`tag_mp3` – the encoded MP3 plus every keyword argument (the artwork's bytes);
* :func:`poster_frame` – the source file and ``at_seconds``.

ENCODING_VERSION changes whenever the encoding settings here change, so a caller
that puts it in its cache keys re-encodes exactly then.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import math
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence
from urllib.parse import quote

from ..errors import MediaError
from ..ffmpeg import arg_path, ffprobe_exe, probe, run, run_capture
from ..fsutil import atomic_path
from ..models import Chapter
from .podcast20 import xml_text

log = logging.getLogger(__name__)

ENCODING_VERSION = 1

TARGET_I = -16.0  # LUFS, integrated (Apple, Spotify, Amazon's podcast target)
TARGET_TP = -1.0  # dBTP, the most the published file may peak at
# Lossy encoders overshoot the peaks they are given: AAC 96k went up to 1.1 dB past
# loudnorm's limit on real speech. Limiting 1 dB lower keeps the files under TARGET_TP.
LIMIT_TP = TARGET_TP - 1.0
TARGET_LRA = 11.0  # LU; wide enough that linear mode keeps a conversation's range
# How far under LIMIT_TP the pre-limiter holds peaks, leaving room for the loudness
# the limiting itself takes away (1.1-1.9 LU measured on conversation).
PRELIMIT_MARGIN = 3.0
# LAME 3.100 in CBR (64-160 kbps) plays back 0.4 dB quieter than its input (measured
# on a 1 kHz sine and on speech; VBR and 320k do not), so the MP3 is aimed 0.4 LU up.
MP3_GAIN_COMPENSATION = 0.4

MP3_RATE = 44100
MP3_BITRATE = {1: "64k", 2: "128k"}  # speech: transparent at these rates, small downloads
AAC_RATE = 48000
AAC_BITRATE = {1: "96k", 2: "128k"}
VIDEO_MAX_HEIGHT = 1080
POSTER_SIZE = 1400  # px, Apple's minimum for artwork


# ---------------------------------------------------------------- loudness


@dataclass(frozen=True)
class Loudness:
    """What a loudnorm measuring pass found (its ``input_*`` and ``target_offset``)."""

    i: float
    tp: float
    lra: float
    thresh: float
    offset: float


@dataclass(frozen=True)
class LoudnessPlan:
    """How to bring one recording to the target: optional pre-limiting, then loudnorm.

    ``prefilter`` is empty when linear gain alone keeps the peaks under the limit;
    ``measured`` is of the signal loudnorm will see (after ``prefilter``), or None
    for silence, which gets no gain at all.
    """

    prefilter: str
    measured: Loudness | None

    def audio_filter(self, target_i: float = TARGET_I) -> str:
        """The ``-af`` chain for the encoding pass."""
        m = self.measured
        if m is None:
            return "anull"
        # Values are clamped to the ranges loudnorm accepts; near-silence can fall outside.
        return (f"{self.prefilter}{_loudnorm(target_i)}"
                f":measured_I={_clamp(m.i, -99, 0):.2f}:measured_TP={_clamp(m.tp, -99, 99):.2f}"
                f":measured_LRA={_clamp(m.lra, 0, 99):.2f}:measured_thresh={_clamp(m.thresh, -99, 0):.2f}"
                f":offset={_clamp(m.offset, -99, 99):.2f}:linear=true:print_format=summary")


def _loudnorm(target_i: float) -> str:
    return f"loudnorm=I={target_i:g}:TP={LIMIT_TP:g}:LRA={TARGET_LRA:g}"


def _clamp(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, value))


def plan_loudness(src: Path) -> LoudnessPlan:
    """Measure ``src`` (and, when its peaks need it, its pre-limited version).

    Remembered per (file, size, mtime) in this process, so the MP3 and the MP4 of one
    recording share the measuring passes, which take about as long as an encode.
    """
    src = Path(src).resolve()
    if not src.is_file():
        raise MediaError("file not found", path=src, fix="check the recording is still in media/")
    st = src.stat()
    return _plan(src, st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _plan(src: Path, size: int, mtime_ns: int) -> LoudnessPlan:
    first = measure_loudness(src)
    if first is None:
        log.warning("%s: the audio is silent; encoding it without loudness normalisation", src)
        return LoudnessPlan("", None)
    if _linear_fits(first):
        return LoudnessPlan("", first)
    log.info("%s: peaks too high for a linear gain to %.0f LUFS; pre-limiting them", src, TARGET_I)
    # The limiting takes some loudness away; when the limited signal still can't be
    # raised linearly, limit once more with that loss added to the gain.
    gain, measured = TARGET_I - first.i, first
    for _ in range(2):
        prefilter = _prelimit(gain)
        measured = measure_loudness(src, prefilter) or measured
        if _linear_fits(measured):
            break
        gain += TARGET_I - measured.i
    return LoudnessPlan(prefilter, measured)


def _linear_fits(m: Loudness) -> bool:
    """Whether linear gain to the highest target in use keeps the peaks under the limit."""
    return m.tp + (TARGET_I + MP3_GAIN_COMPENSATION - m.i) <= LIMIT_TP


def _prelimit(gain_db: float) -> str:
    """Gain, then a look-ahead limiter PRELIMIT_MARGIN under the limit, at 192 kHz."""
    ceiling = 10 ** ((LIMIT_TP - PRELIMIT_MARGIN) / 20)
    return (f"volume={gain_db:.2f}dB:precision=float,aresample=192000,"
            f"alimiter=limit={ceiling:.5f}:attack=5:release=50:level=false:latency=true,")


def measure_loudness(src: Path, prefilter: str = "") -> Loudness | None:
    """A loudnorm measuring pass over ``src``'s first audio stream (after ``prefilter``).

    None when the audio is silent (loudnorm reports -inf).
    """
    _, err = run_capture(
        ["-nostats", "-i", arg_path(src), "-map", "0:a:0", "-vn", "-sn", "-dn",
         "-af", f"{prefilter}{_loudnorm(TARGET_I)}:print_format=json", "-f", "null", "-"], what=src)
    data = _loudnorm_json(err, src)
    try:
        m = Loudness(i=float(data["input_i"]), tp=float(data["input_tp"]), lra=float(data["input_lra"]),
                     thresh=float(data["input_thresh"]), offset=float(data["target_offset"]))
    except (KeyError, TypeError, ValueError):
        raise MediaError("could not read loudnorm's measurement", path=src,
                         fix="check the file plays in a media player") from None
    if not (math.isfinite(m.i) and math.isfinite(m.tp) and math.isfinite(m.thresh)):
        return None
    return m


def _loudnorm_json(stderr: str, src: Path) -> dict:
    """The JSON object loudnorm prints after ``[Parsed_loudnorm_...]`` at the end of stderr."""
    at = stderr.rfind("[Parsed_loudnorm")
    start = stderr.find("{", at if at >= 0 else 0)
    end = stderr.find("}", start)
    if start < 0 or end < 0:
        raise MediaError("ffmpeg printed no loudness measurement", path=src,
                         fix="check the file has an audio track that plays")
    return json.loads(stderr[start:end + 1])


# ---------------------------------------------------------------- encoding


def encode_audio(src: Path, dest_mp3: Path, *, channels: int) -> None:
    """Encode ``src``'s first audio stream to a normalised CBR MP3 at ``dest_mp3`` (atomically).

    ``channels`` is the source's channel count: mono stays mono (half the bytes for a
    voice), anything else becomes stereo. Tags are left to :func:`tag_mp3`.
    """
    src, dest_mp3 = Path(src), Path(dest_mp3)
    channels = min(2, max(1, int(channels)))
    plan = plan_loudness(src)
    with atomic_path(dest_mp3) as tmp:
        run(["-y", "-i", arg_path(src), "-map", "0:a:0", "-vn", "-sn", "-dn",
             "-map_metadata", "-1", "-map_chapters", "-1",
             "-af", plan.audio_filter(TARGET_I + MP3_GAIN_COMPENSATION), "-ar", str(MP3_RATE), "-ac", str(channels),
             "-c:a", "libmp3lame", "-b:a", MP3_BITRATE[channels],
             "-fflags", "+bitexact", "-flags:a", "+bitexact", "-id3v2_version", "3",
             "-f", "mp3", arg_path(tmp)], what=src)
    log.info("encoded %s (%s)", dest_mp3, "mono" if channels == 1 else "stereo")


def encode_video(src: Path, dest_mp4: Path, chapters: Sequence[Chapter]) -> None:
    """Make a browser- and app-friendly MP4 (H.264 + AAC, moov first) with chapters.

    H.264 4:2:0 video is copied as it is; anything else is re-encoded (at most 1080
    lines). The audio gets the same loudness as the MP3. ``chapters`` go into the
    file's chapter list, which ffprobe, VLC and Apple's players show.
    """
    src, dest_mp4 = Path(src), Path(dest_mp4)
    info = probe(src)
    if not (info.has_video and info.has_audio):
        raise MediaError("has no video and audio streams to make an MP4 from", path=src,
                         fix="re-export the recording with both picture and sound")
    channels = min(2, max(1, info.channels))
    plan = plan_loudness(src)
    if _h264_420(src):
        video = ["-c:v", "copy"]
    else:
        video = ["-vf", f"scale=-2:'min({VIDEO_MAX_HEIGHT},trunc(ih/2)*2)',format=yuv420p",
                 "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high"]
    with tempfile.TemporaryDirectory(prefix="learncast-chapters-") as td, atomic_path(dest_mp4) as tmp:
        meta = Path(td) / "chapters.ffmeta"
        meta.write_text(ffmetadata(chapters, info.duration), encoding="utf-8")
        run(["-y", "-i", arg_path(src), "-f", "ffmetadata", "-i", arg_path(meta),
             "-map", "0:v:0", "-map", "0:a:0", "-map_metadata", "1", "-map_chapters", "1",
             *video,
             "-af", plan.audio_filter(), "-ar", str(AAC_RATE), "-ac", str(channels),
             "-c:a", "aac", "-b:a", AAC_BITRATE[channels],
             "-movflags", "+faststart", "-fflags", "+bitexact", "-flags:a", "+bitexact",
             "-f", "mp4", arg_path(tmp)], what=src)
    log.info("encoded %s (video %s)", dest_mp4, "copied" if video[1] == "copy" else "re-encoded")


def _h264_420(src: Path) -> bool:
    """Whether the first video stream is H.264 in 4:2:0, which every browser plays as is.

    MediaInfo has no pixel format, so ask ffprobe; without ffprobe, re-encode to be safe.
    """
    exe = ffprobe_exe()
    if not exe:
        return False
    proc = subprocess.run(
        [exe, "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,pix_fmt",
         "-print_format", "json", arg_path(src)],
        stdin=subprocess.DEVNULL, capture_output=True, check=False)
    if proc.returncode != 0:
        return False
    streams = json.loads(proc.stdout or b"{}").get("streams") or [{}]
    return streams[0].get("codec_name") == "h264" and streams[0].get("pix_fmt") in ("yuv420p", "yuvj420p")


# ---------------------------------------------------------------- chapters


def chapter_spans(chapters: Sequence[Chapter], duration: float) -> list[tuple[int, int, str]]:
    """(start ms, end ms, title) per chapter: in order, non-overlapping, each at least 1 ms.

    A chapter ends where the next begins (or at its own end, if earlier); the last one
    at its end, or at ``duration`` when its end is unknown.
    """
    ordered = sorted(chapters, key=lambda c: c.start)
    total_ms = int(round(max(duration, 0.0) * 1000))
    spans = []
    for i, ch in enumerate(ordered):
        start = max(0, int(round(ch.start * 1000)))
        end = int(round(ch.end * 1000))
        if i + 1 < len(ordered):
            nxt = int(round(ordered[i + 1].start * 1000))
            end = min(end, nxt) if end > start else nxt
        elif end <= start:
            end = total_ms
        spans.append((start, max(end, start + 1), xml_text(ch.title, single_line=True) or ch.question))
    return spans


def _ffmeta_escape(text: str) -> str:
    """FFMETADATA escaping: backslash before ``= ; # \\`` and newlines."""
    out = []
    for ch in text:
        if ch in "=;#\\\n":
            out.append("\\")
        out.append(ch)
    return "".join(out)


def ffmetadata(chapters: Sequence[Chapter], duration: float) -> str:
    """An FFMETADATA1 document holding ``chapters`` (times in milliseconds)."""
    lines = [";FFMETADATA1"]
    for start, end, title in chapter_spans(chapters, duration):
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={start}", f"END={end}",
                  f"title={_ffmeta_escape(title)}"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- ID3


def tag_mp3(path: Path, *, title: str, artist: str, album: str, date: str | dt.date | None = None,
            artwork: Path | None = None, chapters: Sequence[Chapter] = (),
            chapter_urls: Sequence[str] | None = None) -> None:
    """Replace the MP3's ID3 tag with an ID3v2.3 one: text, cover and chapters.

    v2.3 because it is what Apple Podcasts, iOS and most car stereos read reliably.
    Chapters are CHAP frames ``chp0..N`` (title, and a WXXX link to the chapter's
    place on the episode page when ``chapter_urls`` is given) under one top-level,
    ordered CTOC. The file is tagged as a copy and renamed over, so a crash never
    leaves a half-written MP3 in ``site/``.
    """
    from mutagen.id3 import APIC, CHAP, CTOC, ID3, TALB, TDRC, TIT2, TPE1, WXXX, CTOCFlags, PictureType
    from mutagen.mp3 import MP3

    path = Path(path)
    urls: list[str | None] = list(chapter_urls) if chapter_urls is not None else [None] * len(chapters)
    if len(urls) != len(chapters):
        raise ValueError(f"{len(chapters)} chapters but {len(urls)} chapter URLs")
    pairs = sorted(zip(chapters, urls), key=lambda p: p[0].start)
    ordered = [c for c, _ in pairs]

    with atomic_path(path) as tmp:
        shutil.copyfile(path, tmp)
        length = MP3(tmp).info.length
        tags = ID3()
        tags.add(TIT2(encoding=3, text=[xml_text(title, single_line=True)]))
        tags.add(TPE1(encoding=3, text=[xml_text(artist, single_line=True)]))
        tags.add(TALB(encoding=3, text=[xml_text(album, single_line=True)]))
        if date:
            tags.add(TDRC(encoding=3, text=[date.isoformat() if isinstance(date, dt.date) else str(date)]))
        if artwork is not None:
            data = Path(artwork).read_bytes()
            mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
            tags.add(APIC(encoding=3, mime=mime, type=PictureType.COVER_FRONT, desc="Cover", data=data))
        ids = []
        for i, ((_, url), (start, end, name)) in enumerate(zip(pairs, chapter_spans(ordered, length))):
            sub = [TIT2(encoding=3, text=[name])]
            if url:
                sub.append(WXXX(encoding=3, desc="", url=_iri_to_uri(url)))
            ids.append(f"chp{i}")
            tags.add(CHAP(element_id=ids[-1], start_time=start, end_time=end,
                          start_offset=0xFFFFFFFF, end_offset=0xFFFFFFFF, sub_frames=sub))
        if ids:
            tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                          child_element_ids=ids, sub_frames=[TIT2(encoding=3, text=["Chapters"])]))
        tags.update_to_v23()  # TDRC becomes TYER + TDAT; mutagen leaves this to the caller
        tags.save(tmp, v2_version=3, v1=0)
    log.debug("tagged %s (%d chapters)", path, len(ids))


def _iri_to_uri(url: str) -> str:
    """WXXX links are Latin-1: percent-encode anything else, keep URL syntax as is."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


# ---------------------------------------------------------------- poster


def poster_frame(video_src: Path, dest_jpg: Path, at_seconds: float) -> None:
    """Episode artwork from the video: the frame at ``at_seconds``, fitted into a
    1400 px square (padded, so two people side by side both stay in the picture),
    as an RGB-colour JPEG. Falls back to the first frame when the time is past the end.
    """
    video_src, dest_jpg = Path(video_src), Path(dest_jpg)
    s = POSTER_SIZE
    vf = (f"scale={s}:{s}:force_original_aspect_ratio=decrease,"
          f"pad={s}:{s}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuvj420p")
    failure: MediaError | None = None
    for at in dict.fromkeys((max(0.0, float(at_seconds)), 0.0)):
        try:
            with atomic_path(dest_jpg) as tmp:
                run(["-y", "-ss", f"{at:.3f}", "-i", arg_path(video_src), "-map", "0:v:0", "-frames:v", "1",
                     "-vf", vf, "-c:v", "mjpeg", "-q:v", "2", "-fflags", "+bitexact", "-flags:v", "+bitexact",
                     "-f", "image2", "-update", "1", arg_path(tmp)], what=video_src)
                if tmp.stat().st_size == 0:  # raising here keeps the empty file out of site/
                    raise MediaError(f"no video frame at {at:.1f} s for the episode artwork", path=video_src,
                                     fix="check the video plays in a media player")
            return
        except MediaError as exc:
            failure = exc
    assert failure is not None
    raise failure


__all__ = [
    "ENCODING_VERSION",
    "Loudness",
    "LoudnessPlan",
    "TARGET_I",
    "TARGET_TP",
    "chapter_spans",
    "encode_audio",
    "encode_video",
    "ffmetadata",
    "measure_loudness",
    "plan_loudness",
    "poster_frame",
    "tag_mp3",
]
