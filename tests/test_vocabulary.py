"""Vocabulary: learncast.toml and sidecar keys, how the list is merged and cut to the prompt
limit, the cache key (unchanged when empty), and how each engine is given the prompt."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from pipeline.config import Config, load_config, load_sidecar
from pipeline.errors import ConfigError
from pipeline.models import RecordingMeta
from pipeline.transcribe import Settings, engines
from pipeline.transcribe.engines import FasterWhisperEngine
from pipeline.transcribe.resources import describe_model
from pipeline.transcribe.types import PROMPT_TOKENS, Options, merge_terms, vocabulary_prompt


def words(text: str) -> list[int]:
    """A stand-in tokenizer: one token per word."""
    return list(range(len(text.split())))


# --- the lists ------------------------------------------------------------------------------


def test_merge_keeps_the_first_spelling_of_each_term_in_order():
    assert merge_terms(["Wales Audit Office", None, "  GovCamp   Cymru "], ["wales audit office", "", "WAO"]) == (
        "Wales Audit Office", "GovCamp Cymru", "WAO")


def test_prompt_takes_terms_in_order_and_stops_before_the_limit():
    terms = ["Wales Audit Office", "GovCamp Cymru", "council leader", "Cardiff"]
    assert vocabulary_prompt(terms, words) == "Wales Audit Office, GovCamp Cymru, council leader, Cardiff."
    assert vocabulary_prompt(terms, words, limit=5) == "Wales Audit Office, GovCamp Cymru."
    assert vocabulary_prompt(terms, words, limit=2) is None  # the first term alone does not fit
    assert vocabulary_prompt([], words) is None


def test_a_long_list_fits_the_real_tokenizer_and_keeps_its_head():
    from tokenizers import Tokenizer as HF

    from pipeline.transcribe.resources import embedded_model_dir

    hf = HF.from_file(str(embedded_model_dir() / "tokenizer.json"))
    encode = lambda text: hf.encode(text, add_special_tokens=False).ids  # noqa: E731
    terms = [f"Programme {i} Llanfairpwllgwyngyll" for i in range(200)]
    prompt = vocabulary_prompt(terms, encode)
    assert prompt and prompt.startswith("Programme 0 ") and len(encode(" " + prompt)) <= PROMPT_TOKENS
    kept = prompt.rstrip(".").split(", ")
    assert kept == terms[:len(kept)] and len(encode(" " + ", ".join(terms[:len(kept) + 1]) + ".")) > PROMPT_TOKENS


def test_recording_terms_come_first_then_the_show_and_twice_is_once(tmp_path):
    show = Settings.from_config(Config(root=tmp_path, vocabulary=("Wales Audit Office", "Priya Nair"),
                                       interviewer="Sam Jones"))
    assert show.vocabulary == ("Wales Audit Office", "Priya Nair", "Sam Jones")
    meta = RecordingMeta(interviewee="Priya Nair", role="Head of Digital, Cardiff Council",
                         vocabulary=("GovCamp Cymru",))
    one = show.for_recording(meta)
    assert one.vocabulary == ("Priya Nair", "Head of Digital, Cardiff Council", "GovCamp Cymru",
                              "Wales Audit Office", "Sam Jones")
    assert one.for_recording(meta) == one
    assert one.options.vocabulary == one.vocabulary and hash(one.options)


def test_the_placeholder_interviewer_is_no_term(tmp_path):
    assert Settings.from_config(Config(root=tmp_path)).vocabulary == ()
    assert Settings.from_config(Config(root=tmp_path, vocabulary=("WAO",))).vocabulary == ("WAO",)


def test_names_are_added_only_with_a_vocabulary_written(tmp_path):
    """No vocabulary key anywhere: the names in a sidecar change nothing (an upgrade redoes nothing)."""
    assert Settings.from_config(Config(root=tmp_path, interviewer="Sam Jones")).vocabulary == ()
    base = Settings.from_config(Config(root=tmp_path))
    meta = RecordingMeta(interviewee="Marcus Bell", role="homelessness prevention, Eastbrook")
    assert base.for_recording(meta) == base and base.for_recording(meta).options == Options()
    own = base.for_recording(dataclasses.replace(meta, vocabulary=("caseworkers",)))
    assert own.vocabulary == ("Marcus Bell", "homelessness prevention, Eastbrook", "caseworkers")
    show = Settings.from_config(Config(root=tmp_path, vocabulary=("Eastbrook",)))
    assert show.for_recording(meta).vocabulary == ("Marcus Bell", "homelessness prevention, Eastbrook", "Eastbrook")


# --- the cache key --------------------------------------------------------------------------


def test_an_empty_vocabulary_leaves_the_cache_key_as_it_was(tmp_path):
    settings = Settings.from_config(Config(root=tmp_path)).for_recording(RecordingMeta(title="Only a title"))
    assert settings.options == Options() and Options().key() == "lang=en;beam=5;vad=1;words=1"
    before = hashlib.sha256(f"abc|faster-whisper|{describe_model('')}|lang=en;beam=5;vad=1;words=1".encode())
    assert settings.asr_key("abc") == before.hexdigest()


def test_the_vocabulary_changes_the_cache_key(tmp_path):
    base = Settings.from_config(Config(root=tmp_path))
    named = base.for_recording(RecordingMeta(interviewee="Marcus Bell"))
    assert named.asr_key("abc") == base.asr_key("abc")  # names alone: no vocabulary, key as before
    other = base.for_recording(RecordingMeta(interviewee="Marcus Bell", vocabulary=("Eastbrook",)))
    assert other.asr_key("abc") != base.asr_key("abc")
    assert "vocabulary=('Marcus Bell', 'Eastbrook')" in other.options.key()
    terms = base.for_recording(RecordingMeta(vocabulary=("Eastbrook",)))
    assert terms.asr_key("abc") not in (base.asr_key("abc"), other.asr_key("abc"))


# --- learncast.toml and sidecars --------------------------------------------------------------


def test_show_vocabulary_is_read_as_a_tuple(workspace: Path):
    path = workspace / "learncast.toml"
    path.write_text(path.read_text().replace("vocabulary = []", 'vocabulary = ["Wales Audit Office", "WAO"]'))
    assert load_config(workspace).vocabulary == ("Wales Audit Office", "WAO")


@pytest.mark.parametrize("value, message", [
    ('"Wales Audit Office"', "expected a list of names and terms"),
    ('["ok", 3]', "item 2 is a number"),
    ('["ok", "  "]', "item 2"),
    (f'["{"x" * 101}"]', "at most 100"),
])
def test_bad_vocabulary_is_reported(workspace: Path, tmp_path: Path, value, message):
    path = workspace / "learncast.toml"
    path.write_text(path.read_text().replace("vocabulary = []", f"vocabulary = {value}"))
    with pytest.raises(ConfigError, match=message):
        load_config(workspace)
    sidecar = tmp_path / "x.toml"
    sidecar.write_text(f"vocabulary = {value}\n")
    with pytest.raises(ConfigError, match=message):
        load_sidecar(sidecar)


def test_sidecar_vocabulary(tmp_path: Path):
    sidecar = tmp_path / "x.toml"
    sidecar.write_text('interviewee = "Marcus Bell"\nvocabulary = ["Eastbrook", "caseworkers"]\n')
    assert load_sidecar(sidecar) == RecordingMeta(interviewee="Marcus Bell", vocabulary=("Eastbrook", "caseworkers"))
    sidecar.write_text('interviewee = "Marcus Bell"\n')
    assert load_sidecar(sidecar).vocabulary == ()


# --- the engines ------------------------------------------------------------------------------


class FakeModel:
    """Stands in for faster-whisper's WhisperModel: records what each batch was given."""

    def __init__(self):
        self.calls: list[dict] = []
        self.hf_tokenizer = SimpleNamespace(encode=lambda text, add_special_tokens=False: SimpleNamespace(
            ids=words(text)))

    def transcribe(self, audio, **kwargs):
        self.calls.append(kwargs)
        return iter(()), SimpleNamespace(language="en")


def fake_engine(monkeypatch) -> tuple[FasterWhisperEngine, FakeModel]:
    engine = FasterWhisperEngine.__new__(FasterWhisperEngine)
    engine.streams, engine._model = 1, FakeModel()
    monkeypatch.setattr(engines.vad, "open_wav", lambda wav: np.zeros(16000, dtype=np.int16))
    monkeypatch.setattr(engines.vad, "speech_chunks", lambda audio, on: [{"start": 0, "end": 16000}])
    return engine, engine._model


def test_faster_whisper_gets_the_prompt_as_measured_best(monkeypatch, tmp_path):
    engine, model = fake_engine(monkeypatch)
    engine.transcribe(tmp_path / "x.wav", 1.0, Options(vocabulary=("Wales Audit Office", "GovCamp Cymru")))
    assert model.calls[0][engines.PROMPT_AS] == "Wales Audit Office, GovCamp Cymru."
    assert engines.PROMPT_AS == "initial_prompt" and model.calls[0]["condition_on_previous_text"] is False


def test_faster_whisper_without_vocabulary_is_called_as_before(monkeypatch, tmp_path):
    engine, model = fake_engine(monkeypatch)
    engine.transcribe(tmp_path / "x.wav", 1.0, Options())
    assert "hotwords" not in model.calls[0] and "initial_prompt" not in model.calls[0]


def test_openai_whisper_gets_the_prompt(monkeypatch):
    pytest.importorskip("whisper")
    from pipeline.transcribe.openai_engine import OpenAIWhisperEngine

    seen = {}
    monkeypatch.setattr("whisper.transcribe", lambda model, speech, **kw: seen.update(kw) or {"segments": []})
    engine = OpenAIWhisperEngine.__new__(OpenAIWhisperEngine)
    engine._model, engine.device = SimpleNamespace(is_multilingual=False, num_languages=99), "cpu"
    prompt = engine.prompt(("Wales Audit Office",))
    assert prompt == "Wales Audit Office."
    engine._decode(np.zeros(16000, dtype=np.float32), "en", Options(), prompt)
    assert seen["initial_prompt"] == prompt and "carry_initial_prompt" not in seen
    engine._decode(np.zeros(16000, dtype=np.float32), "en", Options())
    assert seen["initial_prompt"] is None


# --- a window that the prompt made skip speech ------------------------------------------------


def piece(seek: float, start: float, end: float, text: str) -> dict:
    """A segment on the joined speech, its words spread evenly over it; ``seek`` in seconds."""
    said = text.split()
    step = (end - start) / len(said)
    return {"seek": round(seek * 100), "start": start, "end": end, "text": text, "no_speech_prob": 0.1,
            "avg_logprob": -0.2, "words": [{"start": start + i * step, "end": start + (i + 1) * step, "word": w,
                                            "probability": 0.9} for i, w in enumerate(said)]}


SKIPPED = [piece(0, 19.3, 26.0, "Can you hear me? Is the microphone picking me up?"),  # eval-06-youth with the prompt
           piece(26.0, 26.0, 31.0, "centers to one, and we had to work out how"),
           piece(26.0, 31.2, 55.0, " ".join(["word"] * 60))]


def test_a_window_with_seconds_of_speech_and_no_word_is_found():
    from pipeline.transcribe.vad import SKIP_SECONDS, skipped_windows

    assert skipped_windows(SKIPPED, 55 * 16000) == [(0, 26 * 16000)]  # 19 s before its first word
    assert skipped_windows(SKIPPED[1:], 55 * 16000) == [(0, 26 * 16000)]  # no window at all before 26 s
    assert skipped_windows(SKIPPED[1:], 55 * 16000 + int(SKIP_SECONDS * 16000)) == [
        (0, 26 * 16000), (26 * 16000, 60 * 16000)]  # the last window's speech after its last word
    assert skipped_windows(SKIPPED[1:2], 31 * 16000 + 16000) == [(0, 26 * 16000)]  # a pause under 5 s is no skip
    assert skipped_windows([], 4 * 16000) == [] and skipped_windows([], 6 * 16000) == [(0, 6 * 16000)]


def test_a_skipping_window_is_decoded_again_and_the_fuller_reading_kept():
    from pipeline.transcribe.vad import redo_skips

    asked = []
    again = [piece(0, 0.0, 12.0, "Can you hear me? Is the microphone picking me up? Loud and clear."),
             piece(12.0, 12.0, 25.9, "I'm with Jamal Hughes, who ran the youth service in Ashby.")]

    def decode(start, end):
        asked.append((start, end))
        return [{**p, "words": [dict(w) for w in p["words"]]} for p in again]

    out = redo_skips([dict(p) for p in SKIPPED], 55 * 16000, decode)
    assert asked == [(0, 26 * 16000)]
    assert [p["text"] for p in out] == [p["text"] for p in again + SKIPPED[1:]]
    assert out[1]["seek"] == 1200 and out[2] is not None and out[1]["words"][0]["start"] == 12.0
    # a second reading with no more words than the first changes nothing
    assert redo_skips([dict(p) for p in SKIPPED], 55 * 16000, lambda s, e: [piece(0, 0, 9, "Can you hear me?")]) == SKIPPED


def test_the_redo_is_given_times_from_its_start(monkeypatch):
    from pipeline.transcribe.vad import redo_skips

    pieces = [piece(0, 0.0, 10.0, "one two three four five six seven eight nine ten eleven twelve"),
              piece(10.0, 22.0, 23.0, "late")]  # 12 s of speech with no word: skipped
    out = redo_skips(pieces, 23 * 16000, lambda s, e: [piece(0, 0.0, 12.9, "a b c d e f g h i j k l m n o p q r")])
    assert out[0] is pieces[0] and out[1]["seek"] == 1000 and out[1]["start"] == 10.0
    assert out[1]["words"][-1]["end"] == pytest.approx(22.9) and len(out) == 2


class SkippingModel(FakeModel):
    """With a prompt, writes one sentence and jumps to the end of a 30-s window; without, all of it."""

    def transcribe(self, audio, **kwargs):
        self.calls.append({**kwargs, "samples": len(audio)})
        seconds = len(audio) / 16000
        if "initial_prompt" in kwargs:
            found = [piece(0, 20.0, 26.0, "Can you hear me?"), piece(26.0, 26.0, seconds, "and so on " * 5)]
        else:
            found = [piece(0, 0.0, seconds, "Can you hear me? I'm with Jamal Hughes " * 3)]
        return iter(SimpleNamespace(**{**p, "words": [SimpleNamespace(**w) for w in p["words"]]})
                    for p in found), SimpleNamespace(language="en")


def test_faster_whisper_decodes_a_skipping_window_again_without_the_prompt(monkeypatch, tmp_path):
    engine = FasterWhisperEngine.__new__(FasterWhisperEngine)
    engine.streams, engine._model = 1, SkippingModel()
    monkeypatch.setattr(engines.vad, "open_wav", lambda wav: np.zeros(40 * 16000, dtype=np.int16))
    monkeypatch.setattr(engines.vad, "speech_chunks", lambda audio, on: [{"start": 0, "end": 40 * 16000}])
    raw = engine.transcribe(tmp_path / "x.wav", 40.0, Options(vocabulary=("Jamal Hughes",)))
    calls = engine._model.calls
    assert len(calls) == 2 and "initial_prompt" not in calls[1] and calls[1]["samples"] == 26 * 16000
    assert "Jamal Hughes" in " ".join(s.text for s in raw.segments)
    engine._model.calls.clear()
    engine.transcribe(tmp_path / "x.wav", 40.0, Options())  # no vocabulary: decoded once, as before
    assert len(engine._model.calls) == 1
