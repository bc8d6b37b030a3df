"""The transcription stage: Audio → Transcript (segments, words, speakers).

Its one output is ``transcripts/<slug>/transcript.json``, the canonical transcript, and
this stage is its only writer besides a person: chapters, review marks, guids and
publication dates live in files their own stages own. The file carries a checksum of its
machine-made content (``checksum``: the segments and speakers); when a person edits the
text or the speakers, it no longer matches, and from then on the file is theirs: no
rebuild re-transcribes over it. A person may also add a ``chapters`` list to it: those
chapters then win over the chapter stage's (see :mod:`pipeline.chapters.stage`).

A transcription takes minutes, and a person may save the file meanwhile. The new
transcript is written only if the file is still the version read before transcribing
(checked under the recording's file lock, which the person's tools take too), so a save
made during a build is never overwritten.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterable

from ..config import Config
from ..errors import InputError
from ..fsutil import Stamp, file_stamp, sha256_text, write_json
from ..models import INTERVIEWEE, INTERVIEWER, Audio, Recording, RecordingMeta, Segment, Transcript
from .resources import pin_blas_threads, pin_cpu_kernels

pin_cpu_kernels()  # before anything loads CTranslate2: the same kernels on every x86 machine

from .engines import builtin_engine, describe_model, get_engine  # noqa: E402
from .languages import check_language, engine_languages, model_languages, whisper_code
from .types import Engine, Options, Progress, RawResult, merge_terms

DEFAULT_INTERVIEWER = Config.interviewer  # learncast.toml's placeholder, not a name to prompt with

log = logging.getLogger(__name__)

TRANSCRIPT_NAME = "transcript.json"
FORMAT_VERSION = 2  # 1: chapters, review marks, guid and provenance were kept in it too


@dataclass(frozen=True)
class Settings:
    """Which engine, model and options a workspace transcribes with.

    ``vocabulary`` is the names and terms the model is prompted with: the show's (its
    ``vocabulary`` and interviewer) from :meth:`from_config`, with one recording's own in
    front from :meth:`for_recording`. Empty, it changes nothing, the cache key included.
    """

    engine: str = "faster-whisper"
    model: str = ""
    device: str = "auto"
    language: str | None = "en"
    threads: int | None = None
    vocabulary: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: Config, *, engine: str | None = None, model: str | None = None,
                    threads: int | None = None) -> Settings:
        return cls(
            engine=engine or config.engine,
            model=config.model if model is None else model,
            device=config.device,
            language=whisper_code(config.language),
            threads=threads,
            # the interviewer's name only with a vocabulary written (for_recording: why)
            vocabulary=merge_terms(config.vocabulary, [config.interviewer] if config.vocabulary
                                   and config.interviewer != DEFAULT_INTERVIEWER else []),
        )

    def for_recording(self, meta: RecordingMeta) -> Settings:
        """These settings for one recording: its own terms first (the interviewee's and the
        interviewer's names, the organisation when the sidecar has one, the role, then the
        sidecar's ``vocabulary`` in the order written), then the show's; each term once.
        Applying it twice gives the same settings. When the prompt cannot hold them all,
        the first ones are kept (:func:`.types.vocabulary_prompt`).

        The names and role are added only when the show or the recording has a ``vocabulary``
        of its own: the prompt made the WER a little worse on some eval interviews
        (bench/RESULTS.md, "Vocabulary"), so a workspace that never wrote one keeps its
        options, its cache keys and its transcripts as they were.

        The sidecar's ``language``, when it has one, wins over the show's (it is in the
        cache key, so changing it transcribes the recording again)."""
        settings = self
        if meta.language:
            settings = dataclasses.replace(settings, language=whisper_code(meta.language))
        if not (meta.vocabulary or settings.vocabulary):
            return settings
        own = [meta.interviewee, meta.interviewer, getattr(meta, "organisation", None), meta.role]
        return dataclasses.replace(settings, vocabulary=merge_terms(own, meta.vocabulary, settings.vocabulary))

    @property
    def options(self) -> Options:
        return Options(language=self.language, vocabulary=self.vocabulary)

    def asr_key(self, audio_sha256: str) -> str:
        """Cache key: the audio content plus everything that changes the words."""
        raw = f"{audio_sha256}|{self.engine}|{describe_model(self.model)}|{self.options.key()}"
        return hashlib.sha256(raw.encode()).hexdigest()


# ---------------------------------------------------------------- transcript.json


def content_checksum(data: dict[str, Any]) -> str:
    """Checksum of what a person may edit: the segments and the speaker names."""
    body = {"segments": data.get("segments", []), "speakers": data.get("speakers", {})}
    return sha256_text(json.dumps(body, sort_keys=True, ensure_ascii=False))


def read_transcript_file(path: Path) -> dict[str, Any]:
    return load_transcript_file(path)[0]


def load_transcript_file(path: Path) -> tuple[dict[str, Any], Transcript]:
    """transcript.json as data and as a Transcript; InputError naming the problem and the fix."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                         path=path, fix="correct the edit, or restore the file from your backup or git") from None
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", path=path,
                         fix="save it as UTF-8, or restore the file from your backup or git") from None
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        raise InputError('has no "segments" list', path=path,
                         fix="restore the file's structure (see README, 'Correcting a transcript')")
    try:
        transcript = Transcript.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"has a segment, word or chapter that can't be read ({exc})", path=path,
                         fix="each segment needs start, end, text and speaker; each word start, end and "
                             "word; each chapter start, end and question") from None
    return data, transcript


def chapters_checksum(chapters: list[dict[str, Any]] | None) -> str:
    """Checksum of a chapter list as the chapter stage wrote it (format-1 files kept one)."""
    return sha256_text(json.dumps(chapters or [], sort_keys=True, ensure_ascii=False))


def text_edited(data: dict[str, Any]) -> bool:
    """Whether a person changed the segments or the speaker names."""
    return data.get("checksum") != content_checksum(data)


def chapters_edited(data: dict[str, Any]) -> bool:
    """Whether the file holds chapters a person corrected by hand.

    From format 2 on, transcription never writes chapters, so any ``chapters`` list is a
    person's. A format-1 file kept the chapter stage's chapters with their checksum: only
    a list that no longer matches it was corrected by hand.
    """
    if "chapters" not in data:
        return False
    if int(data.get("format") or 1) >= 2:
        return True
    stamp = data.get("chapters_checksum")
    return stamp is not None and stamp != chapters_checksum(data.get("chapters"))


def is_hand_edited(data: dict[str, Any]) -> bool:
    """Whether the file is a person's now: it is never re-transcribed, nor stamped as ours."""
    return text_edited(data) or chapters_edited(data)


def write_transcript_file(path: Path, data: dict[str, Any], *, machine: bool) -> None:
    """Write transcript.json; ``machine=True`` stamps a fresh checksum (the file is ours)."""
    data = dict(data)
    if machine:
        data["checksum"] = content_checksum(data)
    write_json(path, data)


def replace_transcript_file(path: Path, data: dict[str, Any], *, expected: Stamp, machine: bool,
                            lock: ContextManager | None = None) -> bool:
    """Write transcript.json only if it is still the version ``expected`` (its stamp when read).

    Returns False, writing nothing, when someone replaced the file since: a person's save
    always wins over the build that read the file before it.
    """
    with lock or contextlib.nullcontext():
        if file_stamp(path) != expected:
            log.warning("%s changed while it was being transcribed; keeping the saved version", path)
            return False
        write_transcript_file(path, data, machine=machine)
    return True


def transcript_to_file_data(t: Transcript, *, asr_key: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """What transcription writes: the words, speakers and what they were made from."""
    body = t.to_dict()
    body.pop("chapters", None)  # the chapter stage's
    body.pop("reviewed", None)  # a person's decision, in review.toml
    data = {"format": FORMAT_VERSION, **body, "asr_key": asr_key}
    if extra:
        data.update(extra)
    return data


# ---------------------------------------------------------------- the stage


def speaker_names(config: Config, audio: Audio, keys: Iterable[str] = ()) -> dict[str, str]:
    """A display name for the interviewer, the interviewee and every other key in ``keys``:
    the sidecar's (``speakers``, ``interviewer``, ``interviewee``), the show's interviewer,
    else the key in words ("Interviewee 2")."""
    meta = audio.recording.meta
    named = meta.speaker_names()
    out = {
        INTERVIEWER: named.get(INTERVIEWER) or config.interviewer or "Interviewer",
        INTERVIEWEE: named.get(INTERVIEWEE) or "Interviewee",
    }
    for key in keys:
        out.setdefault(key, named.get(key) or key.replace("-", " ").capitalize())
    return out


def check_spoken_language(settings: Settings, rec: Recording, config: Config,
                          engine: Engine | None = None) -> None:
    """Raise InputError (one line: the recording, the fix) when the recording's language,
    its sidecar's ``language`` else the show's, is one the model cannot transcribe.

    Without ``engine``, the model's name or files tell (:func:`.languages.model_languages`:
    nothing is loaded, so it can run before the audio is decoded); with it, the loaded
    model itself. A registered engine (a test's fake) is only checked by what it says.
    With an English-only model, ``"auto"`` means English: logged once, with the engine.
    """
    s = settings.for_recording(rec.meta)
    can = engine_languages(engine) if engine is not None else None
    if can is None and builtin_engine(s.engine):
        can = model_languages(s.model)
    check_language(s.language, can, recording=rec.path, where=rec.sidecar if rec.meta.language else config.path)
    if engine is not None and s.language is None and can is not None and not can.multilingual:
        log.info('%s: %s is English-only, so language "auto" means English', rec.path.name, can.name)


def run_engine(engine: Engine, audio: Audio, settings: Settings, progress: Progress | None) -> RawResult:
    log.info("transcribing %s (%.0f s) with %s", audio.recording.path.name, audio.duration, engine.name)
    raw = engine.transcribe(audio.path, audio.duration, settings.options, progress)
    if settings.language is None:
        log.info("%s: detected the language %s", audio.recording.path.name, raw.language)
    return RawResult(language=raw.language, segments=tuple(_clean(raw.segments, audio.duration)))


def _clean(segments: tuple[Segment, ...], duration: float) -> list[Segment]:
    """Timestamps monotonic and inside the audio; no empty segments; no repetition loops."""
    out: list[Segment] = []
    last_end = 0.0
    previous_texts: list[str] = []
    for seg in segments:
        text = seg.text.strip()
        if not text:
            continue
        norm = " ".join(text.lower().split())
        if previous_texts.count(norm) >= 2 and len(norm) > 0:
            log.debug("dropped a repeated segment %r", text[:40])
            continue
        previous_texts = (previous_texts + [norm])[-6:]
        words = []
        w_last = max(last_end, 0.0)
        for w in seg.words:
            start = min(max(w.start, w_last), duration)
            end = min(max(w.end, start), duration)
            words.append(dataclasses.replace(w, start=start, end=end))
            w_last = end
        first = min(seg.start, words[0].start) if words else seg.start
        start = min(max(first, last_end), duration)
        end = min(max(seg.end, start, words[-1].end if words else start), duration)
        out.append(dataclasses.replace(seg, start=start, end=end, text=text, words=tuple(words)))
        last_end = end
    return out


def label_speakers(segments: tuple[Segment, ...], audio: Audio, stereo_wav: Path | None) -> tuple[Segment, ...]:
    """Give every segment a speaker key, splitting at changes: as many voices as the sidecar's
    ``speakers`` says, else as many as the audio shows (:mod:`.speakers`)."""
    if not segments:
        return segments
    from .speakers import assign_speakers

    meta = audio.recording.meta
    return tuple(assign_speakers(list(segments), audio.path, channels_wav=stereo_wav,
                                 num_speakers=meta.speaker_count, interviewers=meta.interviewer_count))


def transcribe_audio(audio: Audio, config: Config, settings: Settings, *,
                     engine: Engine | None = None, progress: Progress | None = None,
                     stereo_wav: Path | None = None) -> Transcript:
    """Run Whisper on one recording and label the speakers."""
    pin_blas_threads()  # the same words whatever the thread count (resources.pin_blas_threads)
    settings = settings.for_recording(audio.recording.meta)  # no-op when the caller did it
    engine = engine or get_engine(settings.engine, settings.model, device=settings.device,
                                  threads=settings.threads)
    raw = run_engine(engine, audio, settings, progress)
    segments = label_speakers(raw.segments, audio, stereo_wav)
    return Transcript(
        language=raw.language,
        engine=engine.name,
        model=engine.model_id,
        duration=audio.duration,
        segments=segments,
        speakers=speaker_names(config, audio, [s.speaker for s in segments]),
        audio_sha256=audio.sha256,
    )


def require_speech(transcript: Transcript, path: Path) -> Transcript:
    """A transcript with no words is no episode: fail the recording with a clear reason.

    The transcript is kept, so a silent recording is not transcribed again at every build.
    """
    if not any(s.text.strip() for s in transcript.segments):
        raise InputError("no speech found in the recording", path=path,
                         fix="check the right file was copied and the microphone was on; if the "
                             "recording really is silent, remove it from media/")
    return transcript


@dataclass(frozen=True)
class TranscriptionJob:
    """One recording's transcription: where its transcript goes, and how to reach the engine.

    ``engine`` loads the model on first call (a build shares one across recordings);
    ``lock`` is the recording's file lock; ``before_asr`` runs just before Whisper starts
    (the build encodes the media and loads the chapter scorer meanwhile).
    """

    folder: Path
    config: Config
    settings: Settings
    engine: Callable[[], Engine]
    lock: Callable[[], ContextManager]
    now: dt.datetime
    stereo: Path | None = None
    progress: Progress | None = None
    before_asr: Callable[[], None] | None = None
    read: Callable[[Path], tuple[dict[str, Any], Transcript]] | None = None


def transcript_key(settings: Settings, audio: Audio) -> str:
    """The ASR key of the recording's settings, plus the sidecar's ``speakers`` when it has
    them: naming or counting the speakers labels the words again (a sidecar without them
    keeps the key it always had)."""
    meta = audio.recording.meta
    key = settings.for_recording(meta).asr_key(audio.sha256)
    if meta.speaker_count is None:
        return key
    people = ";".join(f"{p.name}|{p.role}" for p in meta.speakers)
    return hashlib.sha256(f"{key}|speakers={meta.speaker_count}|{people}".encode()).hexdigest()


def transcribe_recording(job: TranscriptionJob, audio: Audio) -> tuple[dict[str, Any], Transcript]:
    """The stage: transcript.json for ``audio``, made unless it is current or a person's.

    Returns the file's data and its Transcript (without chapters).
    """
    path = job.folder / TRANSCRIPT_NAME
    read = job.read or load_transcript_file
    stamp = file_stamp(path)
    key = transcript_key(job.settings, audio)
    if stamp is not None:
        data, transcript = read(path)
        if is_hand_edited(data):
            if data.get("audio_sha256") not in (None, audio.sha256):
                raise InputError(
                    "the recording's audio changed, but its transcript.json has a person's edits",
                    path=path,
                    fix="to keep the edits, restore the original recording; to transcribe the new "
                        "audio, move transcript.json aside and build again")
            log.info("%s: keeping the hand-edited transcript", job.folder.name)
            return data, require_speech(transcript, audio.recording.path)
        if data.get("asr_key") == key:
            return data, require_speech(transcript, audio.recording.path)
    check_spoken_language(job.settings, audio.recording, job.config)  # before anything loads
    if job.before_asr:
        job.before_asr()
    engine = job.engine()
    check_spoken_language(job.settings, audio.recording, job.config, engine)
    transcript = transcribe_audio(audio, job.config, job.settings, engine=engine,
                                  stereo_wav=job.stereo, progress=job.progress)
    extra = {"source": audio.recording.path.name,
             "transcribed_at": job.now.astimezone(dt.timezone.utc).isoformat(timespec="seconds")}
    data = transcript_to_file_data(transcript, asr_key=key, extra=extra)
    data["checksum"] = content_checksum(data)  # ours: a person's edit will no longer match it
    # Written even when no speech was found, so a silent recording is not transcribed again.
    if not replace_transcript_file(path, data, expected=stamp, machine=True, lock=job.lock()):
        data, transcript = read(path)  # a person saved it meanwhile: theirs stands
    return data, require_speech(transcript, audio.recording.path)


__all__ = [
    "Settings", "TRANSCRIPT_NAME", "content_checksum", "chapters_checksum", "read_transcript_file",
    "load_transcript_file",
    "is_hand_edited", "text_edited", "chapters_edited",
    "write_transcript_file", "replace_transcript_file", "transcript_to_file_data", "transcribe_audio",
    "get_engine", "speaker_names", "transcript_key", "check_spoken_language", "require_speech", "TranscriptionJob",
    "transcribe_recording",
]
