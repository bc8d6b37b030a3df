"""Speech-to-text engines behind one interface.

* ``faster-whisper`` (default): CTranslate2, int8 on CPU, float16 on CUDA.
* ``openai-whisper``: the reference PyTorch implementation (install extra ``openai``);
  see :mod:`pipeline.transcribe.openai_engine`.

Both take a 16 kHz mono WAV (made by the ingest stage) and return segments with word
timestamps. Both decode speech only, a few minutes at a time (:mod:`.vad`), so there is
no text on silence and memory does not grow with the recording. Models are loaded once
per process and reused for every recording.
"""

from __future__ import annotations

import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import numpy as np

from ..audio import SAMPLE_RATE
from ..errors import ModelError
from ..models import Segment
from . import vad
from .languages import loaded_languages
from .resources import (
    SIZE_NAMES,
    default_threads,
    describe_model,
    embedded_model_dir,
    pick_device,
    pin_blas_threads,
)
from .sampling import SeededWhisper
from .types import Engine, Options, Progress, RawResult, vocabulary_prompt  # noqa: F401 - re-exported

log = logging.getLogger(__name__)

MAX_STREAMS = 4  # batches decoded at once on a CPU
PROGRESS_SECONDS = 0.5  # how often progress is reported while batches decode at once
#: How the vocabulary reaches faster-whisper. "initial_prompt" (the default) is the text before
#: the first 30-s window of each batch only: with no text carried between windows, faster-whisper
#: drops it after that window (as openai-whisper does without ``carry_initial_prompt``).
#: "hotwords" puts it before every window. Either way a window that skipped speech is decoded
#: again without it (:func:`.vad.redo_skips`); so measured on the eval interviews, "hotwords"
#: found more names (42/46 against 38/46) but left one interview 1.9 WER points worse, where
#: "initial_prompt" had the lower WER pooled (8.7% against 8.9%; bench/RESULTS.md, "Vocabulary";
#: ``python -m bench.vocabulary --prompt-as hotwords``).
PROMPT_AS = "initial_prompt"


class FasterWhisperEngine:
    """faster-whisper (CTranslate2).

    On a CPU the speech batches are independent (no text is carried from one to the next),
    so several are decoded at once, each on one thread: Whisper tiny's matrices are too
    small to keep a second thread inside one decode busy, where a second stream keeps a
    second core busy (measured in bench/RESULTS.md). The model's weights are loaded once
    and shared by the streams (CTranslate2 workers).
    """

    name = "faster-whisper"

    def __init__(self, model: str = "", *, device: str = "auto", threads: int | None = None):
        pin_blas_threads()  # numpy's sums (mel features, VAD) alike in every process
        self.model_id = describe_model(model)
        self.device = pick_device(device, _ctranslate2_sees_gpu)
        self.compute_type = "float16" if self.device == "cuda" else "int8"
        self.threads = threads or default_threads()
        self.streams, per_stream = decoding_streams(self.threads, self.device)
        self._model = _load_faster_whisper(model, self.device, self.compute_type, per_stream, self.streams)
        ct2 = self._model.model
        self.languages = loaded_languages(model, ct2.is_multilingual, ct2.num_languages)

    def transcribe(self, wav: Path, duration: float, options: Options,
                   progress: Progress | None = None) -> RawResult:
        """Speech only, a batch of a few minutes at a time (see :mod:`.vad`): memory stays
        flat however long the recording is; ``self.streams`` batches are decoded at once."""
        audio = vad.open_wav(wav)  # int16 on disk; each batch becomes floats when decoded
        chunks = vad.speech_chunks(audio, options.vad)
        if not chunks:
            log.info("%s: no speech found", wav)
        planned = vad.batches(chunks)
        language = options.language
        segments: list[Segment] = []
        prompt = self.prompt(options.vocabulary)

        def done(batch: list, found: list[dict]) -> None:
            segments.extend(vad.restore_times(found, batch, options))
            if progress:
                progress(min(duration, vad.batch_end_seconds(batch)))

        if planned and language is None:  # detected once, on the first batch, before the others
            found, language = self._decode(audio, planned[0], None, options, prompt, progress)
            done(planned.pop(0), found)
        if self.streams == 1 or len(planned) < 2:
            for batch in planned:
                found, language = self._decode(audio, batch, language, options, prompt, progress)
                done(batch, found)
        else:
            reached = [0.0] * len(planned)  # where each batch's decoding has got to, set by its thread
            pool = ThreadPoolExecutor(self.streams, thread_name_prefix="whisper")
            try:
                futures = [pool.submit(self._decode, audio, batch, language, options, prompt,
                                       functools.partial(reached.__setitem__, i))
                           for i, batch in enumerate(planned)]
                for i, (batch, future) in enumerate(zip(planned, futures)):  # in order: never ahead
                    while True:
                        try:
                            found, _ = future.result(timeout=PROGRESS_SECONDS)
                            break
                        except TimeoutError:  # still decoding: show how far the oldest batch has got
                            if progress and reached[i]:
                                progress(min(duration, reached[i]))
                    done(batch, found)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        if progress:
            progress(duration)
        return RawResult(language=language or "en", segments=vad.tidy(segments, duration))

    def prompt(self, vocabulary: tuple[str, ...]) -> str | None:
        """The vocabulary as the prompt this model is given (see :func:`.types.vocabulary_prompt`)."""
        if not vocabulary:
            return None
        tokenizer = self._model.hf_tokenizer
        return vocabulary_prompt(vocabulary, lambda text: tokenizer.encode(text, add_special_tokens=False).ids)

    def _decode(self, audio: np.ndarray, batch: list, language: str | None, options: Options,
                prompt: str | None, progress: Progress | None) -> tuple[list[dict], str]:
        """One batch of speech: whisper's segments (times on the joined speech) and the language;
        ``prompt`` is the vocabulary's (:meth:`prompt`), passed as PROMPT_AS says. A window
        that skipped speech with the prompt is decoded again without it (:func:`.vad.redo_skips`)."""
        speech = vad.join(audio, batch)
        base, offset = vad.batch_end_seconds(batch), batch[0]["start"] / SAMPLE_RATE
        found, language = self._run(speech, language, options, prompt, progress, base, offset)
        if prompt:
            found = vad.redo_skips(found, len(speech), lambda start, end: self._run(
                speech[start:end], language, options, None, None, base, offset)[0])
        return found, language

    def _run(self, speech: np.ndarray, language: str | None, options: Options, prompt: str | None,
             progress: Progress | None, base: float, offset: float) -> tuple[list[dict], str]:
        pieces, info = self._model.transcribe(
            speech,
            language=language,
            beam_size=options.beam_size,
            word_timestamps=options.word_timestamps,
            vad_filter=False,  # done already, for the whole recording
            condition_on_previous_text=False,  # no text carried between windows: no loops
            best_of=options.best_of,
            temperature=list(options.temperatures),
            no_speech_threshold=options.no_speech_threshold,
            compression_ratio_threshold=options.compression_ratio_threshold,
            log_prob_threshold=options.log_prob_threshold,
            hallucination_silence_threshold=(
                options.hallucination_silence_threshold if options.word_timestamps else None),
            **({PROMPT_AS: prompt} if prompt else {}),
        )
        found = []
        for piece in pieces:  # a generator: the decoding happens here
            found.append({
                "text": piece.text, "start": piece.start, "end": piece.end, "seek": piece.seek,
                "no_speech_prob": piece.no_speech_prob, "avg_logprob": piece.avg_logprob,
                "words": [{"start": w.start, "end": w.end, "word": w.word, "probability": w.probability}
                          for w in (piece.words or ())],
            })
            if progress:  # joined-speech time from the batch's start: never ahead of the truth
                progress(min(base, offset + float(piece.end)))
        return found, language or info.language


def decoding_streams(threads: int, device: str) -> tuple[int, int]:
    """How many batches to decode at once, and CPU threads for each: on a CPU, one stream
    per thread up to MAX_STREAMS (the rest of the threads shared among them); on a GPU one."""
    if device != "cpu":
        return 1, threads
    streams = max(1, min(threads, MAX_STREAMS))
    return streams, max(1, threads // streams)


def _ctranslate2_sees_gpu() -> bool:
    """Whether CTranslate2 can run on a CUDA GPU here (the probe for :func:`.resources.pick_device`)."""
    try:
        import ctranslate2

        return ctranslate2.get_cuda_device_count() > 0
    except Exception:  # pragma: no cover - ctranslate2 without CUDA support
        return False


@functools.lru_cache(maxsize=4)
def _load_faster_whisper(model: str, device: str, compute_type: str, threads: int, workers: int = 1):
    from faster_whisper import WhisperModel

    if not model:
        source: str = str(embedded_model_dir())
    elif Path(model).expanduser().exists():
        path = Path(model).expanduser()
        if path.suffix == ".pt":
            raise ModelError("a .pt checkpoint is for the openai-whisper engine", path=path,
                             fix='set engine = "openai-whisper", or use a CTranslate2 model folder')
        if not (path / "model.bin").is_file():
            raise ModelError("not a CTranslate2 model folder (no model.bin inside)", path=path,
                             fix="point model at the folder that holds model.bin, or leave it empty for the embedded tiny.en")
        source = str(path)
    elif model in SIZE_NAMES:
        source = model
    else:
        raise ModelError(f'unknown model "{model}"',
                         fix=f"use a CTranslate2 folder, a .pt file, or one of {', '.join(SIZE_NAMES)}")
    log.info("loading faster-whisper model %s on %s (%s, %d stream(s) of %d thread(s))",
             source, device, compute_type, workers, threads)
    try:
        whisper = WhisperModel(source, device=device, compute_type=compute_type, cpu_threads=threads,
                               num_workers=workers)
        if source in SIZE_NAMES:  # where faster-whisper put the downloaded model
            from faster_whisper.utils import download_model

            source = download_model(source, local_files_only=True)
    except Exception as exc:  # hub errors, CUDA errors, corrupt files
        if source in SIZE_NAMES:
            raise ModelError(
                f'cannot download the Whisper model "{source}" (no network?): {type(exc).__name__}',
                fix='leave model empty to use the embedded tiny.en, or set model to a local CTranslate2 folder or .pt file',
            ) from None
        raise ModelError(f"cannot load the model: {exc}", path=source,
                         fix="check the model folder, or leave model empty for the embedded tiny.en") from None
    # Temperature fallback samples; seeded per call, so threads and machines agree (see .sampling).
    whisper.model = SeededWhisper(whisper.model, source, device=device, compute_type=compute_type)
    return whisper


_REGISTRY: dict[str, Callable[..., Engine]] = {}


def register_engine(name: str, factory: Callable[..., Engine]) -> None:
    """Add an engine (tests register deterministic fakes here, as simonw/llm does)."""
    _REGISTRY[name] = factory


def unregister_engine(name: str) -> None:
    _REGISTRY.pop(name, None)


def builtin_engine(name: str) -> bool:
    """Whether ``name`` is one of Learncast's own engines (not a registered one), whose
    ``model`` setting means what :func:`.languages.model_languages` reads."""
    return name in ("faster-whisper", "openai-whisper") and name not in _REGISTRY


def get_engine(name: str, model: str = "", *, device: str = "auto", threads: int | None = None) -> Engine:
    """The engine called ``name``, with its model loaded."""
    if name in _REGISTRY:
        return _REGISTRY[name](model, device=device, threads=threads)
    if name == "faster-whisper":
        return FasterWhisperEngine(model, device=device, threads=threads)
    if name == "openai-whisper":
        from .openai_engine import OpenAIWhisperEngine

        return OpenAIWhisperEngine(model, device=device, threads=threads)
    raise ModelError(f'unknown engine "{name}"', fix='use "faster-whisper" or "openai-whisper"')
