"""The published media: a loudness-normalised MP3, a web-friendly MP4, ID3 tags and a poster.

Podcast apps play episodes from many shows one after another, so every episode is
brought to the loudness the big platforms use: -16 LUFS integrated, peaks under
-1 dBTP. ffmpeg's EBU R128 meter (``ebur128``, with true peak) measures the source;
when a plain gain to -16 LUFS keeps the peaks under the limit, that gain is all the
processing there is, and it lands on the target exactly.

Conversation rarely allows it: a laugh or a plosive 22-25 dB above the average level
is normal, and -16 LUFS leaves room for 14. Then the gain goes in front of a
look-ahead limiter (at 48 kHz) holding the peaks PRELIMIT_MARGIN under the limit; the
limited signal is measured again, and a final plain gain makes up the loudness the
limiting took away (1-2 LU on conversation). If that make-up gain would push the
peaks past the limit, the limiting is repeated once with the loss added, and a last
limiter at the limit catches whatever is left. (loudnorm, used before, resamples to
192 kHz in every pass, which made publishing many times slower.)

Encoding is one ffmpeg run per recording: one decode and one limiter feed both the
MP3 and the MP4's AAC track. :func:`prepare_media` does it ahead of publishing (a
build runs it while the recording is being transcribed) into a cache folder keyed by
the source file; :func:`encode_audio` and :func:`encode_video` then only copy or remux
(the MP4 gets its chapters in a stream-copy pass, so a chapter change costs seconds).

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

import contextlib
import datetime as dt
import functools
import hashlib
import json
import logging
import math
import re
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

ENCODING_VERSION = 2
CACHE_FOLDER = "media"  # in the workspace cache: what prepare_media made, waiting to be published

TARGET_I = -16.0  # LUFS, integrated (Apple, Spotify, Amazon's podcast target)
TARGET_TP = -1.0  # dBTP, the most the published file may peak at
# Lossy encoders overshoot the peaks they are given: AAC 96k went up to 1.1 dB past
# the limit on real speech. Limiting 1 dB lower keeps the files under TARGET_TP.
LIMIT_TP = TARGET_TP - 1.0
# How far under LIMIT_TP the limiter holds peaks, leaving room for the make-up gain
# that restores the loudness the limiting itself takes away (1.1-1.9 LU on conversation).
PRELIMIT_MARGIN = 3.0
# 48 kHz: the MP4's rate and near the MP3's. The true-peak measurement after the
# limiter (not the limiter's own oversampling) is what keeps the peaks honest, so
# the 192 kHz the limiter used to run at bought nothing but a slower pass.
LIMITER_RATE = 48000
# LAME 3.100 in CBR (64-160 kbps) plays back 0.4 dB quieter than its input (measured
# on a 1 kHz sine and on speech; VBR and 320k do not), so the MP3 is aimed 0.4 LU up.
MP3_GAIN_COMPENSATION = 0.4

MP3_RATE = 44100
MP3_BITRATE = {1: "64k", 2: "128k"}  # speech: transparent at these rates, small downloads
AAC_RATE = 48000
AAC_BITRATE = {1: "96k", 2: "128k"}
# ffmpeg's "fast" AAC coder: much less CPU than the default coder, and no audible
# difference for speech at 96-128 kbps.
AAC_CODER = "fast"
VIDEO_MAX_HEIGHT = 1080
POSTER_SIZE = 1400  # px, Apple's minimum for artwork


# ---------------------------------------------------------------- loudness


@dataclass(frozen=True)
class Loudness:
    """What an EBU R128 measuring pass found: integrated loudness, true peak, range."""

    i: float  # LUFS
    tp: float  # dBTP
    lra: float  # LU
    thresh: float  # LUFS, the relative gate


@dataclass(frozen=True)
class LoudnessPlan:
    """How to bring one recording to the target: optional limiting, then a plain gain.

    ``prefilter`` is empty when a gain alone keeps the peaks under the limit;
    ``measured`` is of the signal after ``prefilter``, or None for silence, which gets
    no gain at all; ``safety`` adds a last limiter at LIMIT_TP (rarely needed, see
    :func:`plan_loudness`).
    """

    prefilter: str
    measured: Loudness | None
    safety: bool = False

    def gain_db(self, target_i: float = TARGET_I) -> float:
        return 0.0 if self.measured is None else _clamp(target_i - self.measured.i, -60.0, 60.0)

    def tail(self, target_i: float = TARGET_I) -> str:
        """The filters after ``prefilter`` for one output: its make-up gain (and the safety limiter)."""
        if self.measured is None:
            return "anull"
        chain = f"volume={self.gain_db(target_i):.2f}dB:precision=float"
        if self.safety:
            chain += "," + _limiter(LIMIT_TP)
        return chain


def _clamp(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, value))


def plan_loudness(src: Path) -> LoudnessPlan:
    """Measure ``src`` (and, when its peaks need it, its limited version).

    Remembered per (file, size, mtime) in this process, so the MP3 and the MP4 of one
    recording share the measuring passes.
    """
    src = Path(src).resolve()
    if not src.is_file():
        raise MediaError("file not found", path=src, fix="check the recording is still in media/")
    st = src.stat()
    return _plan(src, st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _plan(src: Path, size: int, mtime_ns: int) -> LoudnessPlan:
    # Sample peaks first: a fifth of the cost of true peaks, and never above them, so
    # when they already rule out a plain gain (most speech) the true peaks can't help.
    first = measure_loudness(src, true_peak=False)
    if first is None:
        # info, not a warning: a silent recording has no speech, so it is never published
        log.info("%s: the audio is silent; encoding it without loudness normalisation", src)
        return LoudnessPlan("", None)
    if _fits(first):
        first = measure_loudness(src) or first
        if _fits(first):
            return LoudnessPlan("", first)
    log.info("%s: peaks too high for a plain gain to %.0f LUFS; limiting them", src, TARGET_I)
    # The limiting takes some loudness away; when making it up would push the peaks
    # over, limit once more with that loss added to the gain.
    gain, measured, prefilter = TARGET_I - first.i, first, ""
    for _ in range(2):
        prefilter = _prelimit(gain)
        measured = measure_loudness(src, prefilter) or measured
        if _fits(measured):
            return LoudnessPlan(prefilter, measured)
        gain += TARGET_I - measured.i
    log.info("%s: a last limiter holds the peaks at %.0f dBTP", src, LIMIT_TP)
    return LoudnessPlan(prefilter, measured, safety=True)


def _fits(m: Loudness) -> bool:
    """Whether a plain gain to the highest target in use keeps the peaks under the limit."""
    return m.tp + (TARGET_I + MP3_GAIN_COMPENSATION - m.i) <= LIMIT_TP


def _limiter(ceiling_db: float) -> str:
    return (f"alimiter=limit={10 ** (ceiling_db / 20):.5f}:attack=5:release=50"
            ":level=false:latency=true")


def _prelimit(gain_db: float) -> str:
    """Gain, then a look-ahead limiter PRELIMIT_MARGIN under the limit, at LIMITER_RATE."""
    return (f"volume={_clamp(gain_db, -60.0, 60.0):.2f}dB:precision=float,aresample={LIMITER_RATE},"
            f"{_limiter(LIMIT_TP - PRELIMIT_MARGIN)},")


_SUMMARY = {
    "i": re.compile(r"I:\s+(-?[\d.]+|-?inf) LUFS"),
    "thresh": re.compile(r"Threshold:\s+(-?[\d.]+|-?inf) LUFS"),
    "lra": re.compile(r"LRA:\s+(-?[\d.]+|-?inf) LU\b"),
    "tp": re.compile(r"Peak:\s+(-?[\d.]+|-?inf) dBFS"),
}


def measure_loudness(src: Path, prefilter: str = "", *, true_peak: bool = True) -> Loudness | None:
    """An EBU R128 pass over ``src``'s first audio stream, after ``prefilter``.

    ``tp`` is the true peak (the meter oversamples to 192 kHz: 11 s of CPU per hour of
    audio), or with ``true_peak=False`` the sample peak (2.6 s). None when the audio is
    silent (nothing above the meter's -70 LUFS gate).
    """
    peak = "true" if true_peak else "sample"
    _, err = run_capture(
        ["-nostats", "-i", arg_path(src), "-map", "0:a:0", "-vn", "-sn", "-dn",
         "-af", f"{prefilter}ebur128=peak={peak}:framelog=verbose", "-f", "null", "-"], what=src)
    at = err.rfind("Summary:")
    found = {k: rx.search(err, at) for k, rx in _SUMMARY.items()} if at >= 0 else {}
    if not found or not all(found.values()):
        raise MediaError("ffmpeg printed no loudness measurement", path=src,
                         fix="check the file has an audio track that plays")
    m = Loudness(**{k: float(v.group(1)) for k, v in found.items()})
    if not (math.isfinite(m.i) and math.isfinite(m.tp)) or m.i <= -70.0:
        return None
    return m


# ---------------------------------------------------------------- encoding


@dataclass(frozen=True)
class _Outputs:
    """Where one encoding run writes: the MP3, the MP4 without chapters, or both."""

    mp3: Path | None
    mp4: Path | None
    channels: int


def _encode(src: Path, out: _Outputs) -> None:
    """One ffmpeg run: decode once, limit once, encode each asked-for output.

    The MP4 gets no chapters and no faststart here; :func:`encode_video` adds both in a
    stream-copy pass, so the chapterless file can be made before the chapters exist.
    """
    plan = plan_loudness(src)
    branches = []
    if out.mp3 is not None:
        branches.append(("mp3", plan.tail(TARGET_I + MP3_GAIN_COMPENSATION)))
    if out.mp4 is not None:
        branches.append(("aac", plan.tail(TARGET_I)))
    if len(branches) == 1:
        graph = f"[0:a:0]{plan.prefilter}{branches[0][1]}[{branches[0][0]}]"
    else:
        graph = (f"[0:a:0]{plan.prefilter}asplit=2[s0][s1];"
                 + ";".join(f"[s{i}]{chain}[{name}]" for i, (name, chain) in enumerate(branches)))
    args = ["-y", "-i", arg_path(src), "-filter_complex", graph]
    if out.mp3 is not None:
        args += ["-map", "[mp3]", "-map_metadata", "-1", "-map_chapters", "-1",
                 "-ar", str(MP3_RATE), "-ac", str(out.channels), "-c:a", "libmp3lame",
                 "-b:a", MP3_BITRATE[out.channels], "-fflags", "+bitexact", "-flags:a", "+bitexact",
                 "-id3v2_version", "3", "-f", "mp3", arg_path(out.mp3)]
    if out.mp4 is not None:
        if _h264_420(src):
            video = ["-c:v", "copy"]
        else:
            video = ["-vf", f"scale=-2:'min({VIDEO_MAX_HEIGHT},trunc(ih/2)*2)',format=yuv420p",
                     "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high"]
        args += ["-map", "0:v:0", "-map", "[aac]", "-map_metadata", "-1", "-map_chapters", "-1", *video,
                 "-ar", str(AAC_RATE), "-ac", str(out.channels), "-c:a", "aac", "-aac_coder", AAC_CODER,
                 "-b:a", AAC_BITRATE[out.channels], "-fflags", "+bitexact", "-flags:a", "+bitexact",
                 "-flags:v", "+bitexact", "-f", "mp4", arg_path(out.mp4)]
    run(args, what=src)


def _cache_paths(src: Path, cache_dir: Path, channels: int) -> tuple[Path, Path]:
    """(MP3, chapterless MP4) in ``cache_dir`` for this version of ``src``.

    Named by the source's path, size and modification time: checking for them costs a
    stat, not a read, and a changed source gets new names (its old files are removed).
    """
    st = src.stat()
    who = hashlib.sha256(str(src).encode("utf-8")).hexdigest()[:16]
    what = hashlib.sha256(f"{st.st_size}|{st.st_mtime_ns}|{channels}|{ENCODING_VERSION}".encode()).hexdigest()[:16]
    stem = cache_dir / f"{who}-{what}"
    return stem.with_suffix(".mp3"), stem.with_suffix(".mp4")


def prepare_media(src: Path, cache_dir: Path, *, channels: int, video: bool) -> tuple[Path, Path | None]:
    """Make ``src``'s normalised MP3 (and, with ``video``, its chapterless MP4) in ``cache_dir``.

    Both come from one ffmpeg run. Files already there are kept, so this is cheap to call
    again; it is what lets a build encode a recording while the same recording, or the
    next one, is being transcribed. Returns (MP3, MP4 or None).
    """
    src, cache_dir = Path(src).resolve(), Path(cache_dir)
    channels = min(2, max(1, int(channels)))
    if not src.is_file():
        raise MediaError("file not found", path=src, fix="check the recording is still in media/")
    mp3, mp4 = _cache_paths(src, cache_dir, channels)
    need_mp3, need_mp4 = not mp3.is_file(), video and not mp4.is_file()
    if need_mp3 or need_mp4:
        cache_dir.mkdir(parents=True, exist_ok=True)
        who = mp3.stem.split("-")[0]
        for old in [*cache_dir.glob(f"{who}-*"), *cache_dir.glob(f".{who}-*")]:
            if old.stem != mp3.stem:  # an earlier version of this source, or a killed build's temp file
                old.unlink(missing_ok=True)
        with contextlib.ExitStack() as stack:
            _encode(src, _Outputs(stack.enter_context(atomic_path(mp3)) if need_mp3 else None,
                                  stack.enter_context(atomic_path(mp4)) if need_mp4 else None, channels))
        log.info("encoded %s (%s)", src.name, " and ".join(
            n for n, f in (("MP3", need_mp3), ("MP4", need_mp4)) if f))
    return mp3, (mp4 if video else None)


def encode_audio(src: Path, dest_mp3: Path, *, channels: int, cache_dir: Path | None = None) -> None:
    """Write ``src``'s first audio stream as a normalised CBR MP3 at ``dest_mp3`` (atomically).

    ``channels`` is the source's channel count: mono stays mono (half the bytes for a
    voice), anything else becomes stereo. Tags are left to :func:`tag_mp3`. With
    ``cache_dir``, the MP3 made by :func:`prepare_media` is reused (or made there).
    """
    src, dest_mp3 = Path(src), Path(dest_mp3)
    channels = min(2, max(1, int(channels)))
    with atomic_path(dest_mp3) as tmp:
        if cache_dir is not None:
            mp3, _ = prepare_media(src, cache_dir, channels=channels, video=False)
            shutil.copyfile(mp3, tmp)
        else:
            _encode(src, _Outputs(tmp, None, channels))
    log.info("wrote %s (%s)", dest_mp3, "mono" if channels == 1 else "stereo")


def encode_video(src: Path, dest_mp4: Path, chapters: Sequence[Chapter], *,
                 cache_dir: Path | None = None) -> None:
    """Make a browser- and app-friendly MP4 (H.264 + AAC, moov first) with chapters.

    H.264 4:2:0 video is copied as it is; anything else is re-encoded (at most 1080
    lines). The audio gets the same loudness as the MP3. ``chapters`` go into the
    file's chapter list, which ffprobe, VLC and Apple's players show. With
    ``cache_dir``, the chapterless MP4 made by :func:`prepare_media` is reused.
    """
    src, dest_mp4 = Path(src), Path(dest_mp4)
    info = probe(src)
    if not (info.has_video and info.has_audio):
        raise MediaError("has no video and audio streams to make an MP4 from", path=src,
                         fix="re-export the recording with both picture and sound")
    channels = min(2, max(1, info.channels))
    with tempfile.TemporaryDirectory(prefix="learncast-mp4-") as td:
        if cache_dir is not None:
            _, plain = prepare_media(src, cache_dir, channels=channels, video=True)
            assert plain is not None
        else:
            plain = Path(td) / "plain.mp4"
            _encode(src, _Outputs(None, plain, channels))
        meta = Path(td) / "chapters.ffmeta"
        meta.write_text(ffmetadata(chapters, info.duration), encoding="utf-8")
        with atomic_path(dest_mp4) as tmp:
            run(["-y", "-i", arg_path(plain), "-f", "ffmetadata", "-i", arg_path(meta),
                 "-map", "0", "-map_metadata", "1", "-map_chapters", "1", "-c", "copy",
                 "-movflags", "+faststart", "-fflags", "+bitexact", "-f", "mp4", arg_path(tmp)], what=src)
    log.info("wrote %s", dest_mp4)


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
    "CACHE_FOLDER",
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
    "prepare_media",
    "tag_mp3",
]
