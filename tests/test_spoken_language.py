"""The language spoken in each recording (issue #20, spoken half).

A sidecar's ``language`` (default: the show's) goes to Whisper and becomes the transcript's
language in every output: transcript.json, the feed's ``podcast:transcript language``, the
captions track's ``srclang`` and the ``lang`` of the transcript on its page. A recording in
a language the model cannot transcribe fails with one line naming the fix, before its audio
is decoded, and the others still build. Fakes stand in for Whisper in most tests (a
multilingual one and an English-only one, registered the way simonw/llm registers fakes);
the last test builds the real sample with the embedded English-only tiny.en.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree, html

from conftest import ROOT, SAMPLE, make_tone, scripted_segments
from pipeline.config import load_sidecar
from pipeline.errors import ConfigError, InputError
from pipeline.ingest import memo_path
from pipeline.models import RecordingMeta
from pipeline.transcribe import Settings, check_spoken_language
from pipeline.transcribe.engines import RawResult, register_engine, unregister_engine
from pipeline.transcribe.languages import (FIX, WHISPER_LANGUAGES, ModelLanguages, check_language,
                                           model_languages, whisper_code)
from pipeline.workspace import Workspace, init_workspace

pytestmark = pytest.mark.build_options(scorer="lexical")

PODCAST = "https://podcastindex.org/namespace/1.0"


class Multilingual:
    """A fake multilingual Whisper: transcribes in the language asked for, and "detects" Welsh."""

    name = "fake-multilingual"
    languages = ModelLanguages("the fake multilingual model", multilingual=True)
    asked: list[str | None] = []

    def __init__(self, model: str = "", *, device: str = "auto", threads: int | None = None):
        self.model_id = "fake-multilingual"

    def transcribe(self, wav, duration, options, progress=None):
        type(self).asked.append(options.language)
        return RawResult(language=options.language or "cy", segments=scripted_segments(duration))


class EnglishOnly(Multilingual):
    name = "fake-english"
    languages = ModelLanguages("the fake English-only model", multilingual=False)
    asked: list[str | None] = []

    def transcribe(self, wav, duration, options, progress=None):
        type(self).asked.append(options.language)
        return RawResult(language="en", segments=scripted_segments(duration))


@pytest.fixture
def fakes():
    Multilingual.asked, EnglishOnly.asked = [], []
    register_engine(Multilingual.name, Multilingual)
    register_engine(EnglishOnly.name, EnglishOnly)
    yield
    unregister_engine(Multilingual.name)
    unregister_engine(EnglishOnly.name)


def three_languages(root: Path) -> Path:
    """A show in English with a Welsh interview (a video), one to detect, and one in English."""
    m = root / "media"
    make_tone(m / "cyfweliad.mp4", 6.0, video=True)
    (m / "cyfweliad.toml").write_text('title = "Cyfweliad"\nlanguage = "cy"\n', encoding="utf-8")
    make_tone(m / "detect.mp3", 5.0)
    (m / "detect.toml").write_text('language = "auto"\n', encoding="utf-8")
    make_tone(m / "english.mp3", 7.0)
    return root


def transcript_language(root: Path, slug: str) -> str:
    return json.loads((root / "transcripts" / slug / "transcript.json").read_text(encoding="utf-8"))["language"]


def feed_transcript_languages(root: Path) -> dict[str, set[str]]:
    """slug -> the languages of its item's podcast:transcript tags."""
    channel = etree.parse(str(root / "site" / "feed.xml")).getroot().find("channel")
    out = {}
    for item in channel.findall("item"):
        slug = item.findtext("link").rstrip("/").rsplit("/", 1)[-1]
        out[slug] = {t.get("language") for t in item.findall(f"{{{PODCAST}}}transcript")}
    return out


def page(root: Path, slug: str):
    return html.fromstring((root / "site" / "episodes" / slug / "index.html").read_bytes())


# ---------------------------------------------------------------- the sidecar


def test_the_sidecar_s_language_is_read_and_checked(tmp_path: Path):
    good = tmp_path / "good.toml"
    good.write_text('language = "cy"\n', encoding="utf-8")
    assert load_sidecar(good).language == "cy"
    for value in ('"auto"', '"en-GB"', '"cy-GB"'):
        good.write_text(f"language = {value}\n", encoding="utf-8")
        assert load_sidecar(good).language == json.loads(value)
    bad = tmp_path / "bad.toml"
    for value, shown in (('"Welsh"', '"Welsh"'), ("3", "a number"), ('""', '""'), ('"cy_GB"', '"cy_GB"')):
        bad.write_text(f"language = {value}\n", encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            load_sidecar(bad)
        (line,) = caught.value.lines()
        assert line.startswith(f"{bad}: key \"language\": expected a language code such as") and shown in line
        assert '"cy" (Welsh)' in line and '"auto"' in line


def test_a_bad_language_in_a_sidecar_fails_that_recording_only(workspace: Path, fake_engine, no_speakers, run):
    make_tone(workspace / "media" / "good.mp3", 4.0)
    make_tone(workspace / "media" / "typo.mp3", 5.0)
    (workspace / "media" / "typo.toml").write_text('language = "Cymraeg"\n', encoding="utf-8")
    report = run(workspace, engine="fake")
    failed = {r.slug: r.message for r in report.failed}
    assert list(failed) == ["typo"]
    assert failed["typo"].startswith(f"{workspace / 'media' / 'typo.toml'}: key \"language\"")
    assert "Fix: correct the sidecar" in failed["typo"] and "\n" not in failed["typo"]
    assert (workspace / "site" / "episodes" / "good" / "index.html").is_file()


# ---------------------------------------------------------------- what a model transcribes


def test_whisper_s_languages_are_the_engines_own():
    from faster_whisper.tokenizer import _LANGUAGE_CODES
    from whisper.tokenizer import LANGUAGES

    assert WHISPER_LANGUAGES == tuple(LANGUAGES)  # in token order: a model of N languages knows the first N
    assert sorted(WHISPER_LANGUAGES) == sorted(_LANGUAGE_CODES)
    assert "cy" in WHISPER_LANGUAGES


def test_what_a_model_transcribes_is_known_from_its_name_or_files(tmp_path: Path):
    assert not model_languages("").multilingual  # the embedded tiny.en
    assert not model_languages("small.en").multilingual
    assert not model_languages("distil-large-v3").multilingual  # distilled on English alone
    small = model_languages("small")
    assert small.multilingual and small.knows("cy") and not small.knows("yue")  # 99 languages
    assert model_languages("large-v3").knows("yue")
    assert model_languages("some.pt") is None and model_languages("no-such-model") is None
    for tokens, multilingual, knows_yue in ((51864, False, False), (51865, True, False), (51866, True, True)):
        folder = tmp_path / f"ct2-{tokens}"
        folder.mkdir()
        (folder / "model.bin").write_bytes(b"")
        (folder / "vocabulary.txt").write_text("".join(f"t{i}\n" for i in range(tokens)), encoding="utf-8")
        found = model_languages(str(folder))
        assert (found.multilingual, found.knows("cy"), found.knows("yue")) == (multilingual, multilingual, knows_yue)
        assert model_languages(str(folder / "model.bin")) == found
    as_json = tmp_path / "json-vocabulary"
    as_json.mkdir()
    (as_json / "vocabulary.json").write_text(json.dumps([f"t{i}" for i in range(51866)]), encoding="utf-8")
    assert model_languages(str(as_json)).knows("cy")


def test_the_embedded_model_folder_reads_as_ctranslate2_loads_it():
    """The vocabulary rule against CTranslate2 itself, on the embedded tiny.en (no audio)."""
    import ctranslate2

    from pipeline.transcribe.resources import embedded_model_dir

    folder = embedded_model_dir()
    loaded = ctranslate2.models.Whisper(str(folder), device="cpu")
    read = model_languages(str(folder))
    assert read.multilingual is loaded.is_multilingual is False


def test_a_language_the_model_cannot_transcribe_is_one_line_with_the_fix(tmp_path: Path):
    rec, sidecar = tmp_path / "media" / "cyf.mp3", tmp_path / "media" / "cyf.toml"
    with pytest.raises(InputError) as caught:
        check_language("cy", model_languages(""), recording=rec, where=sidecar)
    line = caught.value.one_line()
    assert line.startswith(f'{rec}: is in language "cy" (set in {sidecar}), but the embedded tiny.en is English-only')
    assert line.endswith(f"Fix: {FIX}.") and 'model = "small"' in line and "techiaith" in line
    assert "ct2-transformers-converter" in line and "\n" not in line
    with pytest.raises(InputError, match='"yue".*does not know it. Fix: set model = "large-v3"'):
        check_language("yue", model_languages("large-v2"), recording=rec)
    with pytest.raises(InputError, match='Fix: write "cy"'):
        check_language("cym", None, recording=rec)  # ISO 639-2: Whisper knows Welsh as "cy"
    for code, can in (("en", model_languages("")), (None, model_languages("")), ("cy", model_languages("small")),
                      ("cy", None)):
        check_language(code, can, recording=rec)  # nothing to say


def test_the_recording_s_language_wins_and_is_in_the_cache_key(tmp_path: Path):
    from pipeline.config import Config

    show = Settings.from_config(Config(root=tmp_path, language="en-GB"))
    assert show.language == "en" and whisper_code("auto") is None and whisper_code("cy-GB") == "cy"
    welsh = show.for_recording(RecordingMeta(language="cy"))
    assert welsh.language == "cy" and welsh.for_recording(RecordingMeta(language="cy")) == welsh
    assert show.for_recording(RecordingMeta(language="auto")).language is None
    assert show.for_recording(RecordingMeta()) == show  # no language of its own: the show's
    assert show.for_recording(RecordingMeta(language="en")).asr_key("abc") == show.asr_key("abc")
    keys = {show.for_recording(RecordingMeta(language=lang)).asr_key("abc") for lang in ("en", "cy", "auto")}
    assert len(keys) == 3


def test_a_registered_engine_is_judged_by_what_it_says(tmp_path: Path, fakes):
    """A fake's model setting means nothing to Learncast: the check asks the engine."""
    ws_root = tmp_path / "ws"
    init_workspace(ws_root, "Show")
    make_tone(ws_root / "media" / "a.mp3", 3.0)
    (ws_root / "media" / "a.toml").write_text('language = "cy"\n', encoding="utf-8")
    rec = Workspace.open(ws_root).recordings()[0][0]
    settings = Settings(engine=Multilingual.name)
    check_spoken_language(settings, rec, Workspace.open(ws_root).config)  # nothing known yet
    check_spoken_language(settings, rec, Workspace.open(ws_root).config, Multilingual())
    with pytest.raises(InputError, match="the fake English-only model is English-only"):
        check_spoken_language(settings, rec, Workspace.open(ws_root).config, EnglishOnly())
    with pytest.raises(InputError, match="the embedded tiny.en is English-only"):
        check_spoken_language(Settings(engine="faster-whisper"), rec, Workspace.open(ws_root).config)


# ---------------------------------------------------------------- builds


def test_the_language_flows_into_every_output(workspace: Path, fakes, no_speakers, run):
    three_languages(workspace)
    report = run(workspace, engine=Multilingual.name)
    assert report.exit_code == 0, [r.message for r in report.failed]
    assert sorted(Multilingual.asked, key=str) == sorted(["cy", None, "en"], key=str)
    assert {slug: transcript_language(workspace, slug) for slug in ("cyfweliad", "detect", "english")} == \
        {"cyfweliad": "cy", "detect": "cy", "english": "en"}  # "auto": what was detected
    assert feed_transcript_languages(workspace) == {"cyfweliad": {"cy"}, "detect": {"cy"}, "english": {"en"}}

    welsh = page(workspace, "cyfweliad")
    assert welsh.get("lang") == "en"  # the page is the show's
    def passage_langs(tree) -> set:
        spans = tree.xpath('//section[contains(@class, "transcript")]//span[@class="text"]')
        assert spans, "the page has its transcript"
        return {p.get("lang") for p in spans}

    assert passage_langs(welsh) == {"cy"}  # each passage is marked with the language spoken
    tracks = {t.get("kind"): t.get("srclang") for t in welsh.xpath("//track")}
    assert tracks["captions"] == "cy"
    assert tracks.get("chapters", "en") == "en"  # chapter titles are the question set's, in the show's language
    assert passage_langs(page(workspace, "english")) == {None}  # the page's own language: no mark
    assert passage_langs(page(workspace, "detect")) == {"cy"}
    vtt = (workspace / "site" / "episodes" / "cyfweliad" / "transcript.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n")  # WebVTT has no language header: srclang carries it
    from docx import Document

    pack = Document(str(workspace / "site" / "episodes" / "cyfweliad" / "cyfweliad.docx"))
    assert pack.core_properties.language == "cy"  # the reading pack

    # Changing the language transcribes that recording again, and only it.
    (workspace / "media" / "cyfweliad.toml").write_text('title = "Cyfweliad"\nlanguage = "en"\n', encoding="utf-8")
    Multilingual.asked.clear()
    assert run(workspace, engine=Multilingual.name).exit_code == 0
    assert Multilingual.asked == ["en"] and transcript_language(workspace, "cyfweliad") == "en"


def test_an_english_only_engine_fails_the_welsh_recording_and_builds_the_others(
        workspace: Path, fakes, no_speakers, run, caplog):
    three_languages(workspace)
    with caplog.at_level(logging.INFO, logger="pipeline.transcribe"):
        report = run(workspace, engine=EnglishOnly.name)
    (failed,) = report.failed
    sidecar = workspace / "media" / "cyfweliad.toml"
    assert failed.slug == "cyfweliad" and failed.message == (
        f'{workspace / "media" / "cyfweliad.mp4"}: is in language "cy" (set in {sidecar}), '
        f"but the fake English-only model is English-only. Fix: {FIX}.")
    assert "cy" not in EnglishOnly.asked  # Whisper never ran on it
    assert not (workspace / "transcripts" / "cyfweliad" / "transcript.json").exists()
    assert not (workspace / "site" / "episodes" / "cyfweliad").exists()
    assert transcript_language(workspace, "detect") == "en"  # "auto" with an English-only model: English
    assert 'detect.mp3: the fake English-only model is English-only, so language "auto" means English' in caplog.text
    assert (workspace / "site" / "episodes" / "english" / "index.html").is_file()


def test_the_embedded_model_fails_a_welsh_recording_before_its_audio_is_read(workspace: Path, fake_engine, run):
    """The real default engine and model: refused from the model's name, so neither the
    model nor the audio is loaded (the recording's ingest memo is never written)."""
    welsh = make_tone(workspace / "media" / "welsh.mp3", 4.0)
    (workspace / "media" / "welsh.toml").write_text('language = "cy"\n', encoding="utf-8")
    report = run(workspace, ("ingest", "transcribe"), engine="faster-whisper")
    (failed,) = report.failed
    assert "the embedded tiny.en is English-only. Fix: " in failed.message and 'model = "small"' in failed.message
    assert not memo_path(Workspace.open(workspace).cache_dir, welsh).exists()


def test_a_person_s_welsh_transcript_publishes_with_an_english_only_model(workspace: Path, fakes, run):
    """No transcription is needed, so no model is asked: the person's file stands, in its language."""
    make_tone(workspace / "media" / "typed.mp3", 6.0)
    (workspace / "media" / "typed.toml").write_text('language = "cy"\n', encoding="utf-8")
    folder = workspace / "transcripts" / "typed"
    folder.mkdir(parents=True)
    segments = [s.to_dict() for s in scripted_segments(6.0)]
    for i, s in enumerate(segments):
        s["speaker"] = "interviewer" if i % 2 == 0 else "interviewee"
    (folder / "transcript.json").write_text(json.dumps({"language": "cy", "segments": segments}), encoding="utf-8")
    report = run(workspace, engine=EnglishOnly.name)
    assert report.exit_code == 0, [r.message for r in report.failed]
    assert EnglishOnly.asked == []
    assert feed_transcript_languages(workspace) == {"typed": {"cy"}}
    spoken = page(workspace, "typed").xpath('//section[contains(@class, "transcript")]//span[@class="text"]')
    assert spoken and {p.get("lang") for p in spoken} == {"cy"}, "each passage is marked with the language spoken"


@pytest.mark.slow
def test_the_real_sample_and_a_welsh_copy_with_the_embedded_model(sample_build: Path, tmp_path: Path):
    """`learncast build` with the embedded English-only tiny.en: the copy whose sidecar says
    Welsh fails with the one-line fix, before its audio is read; the sample publishes."""
    ws = tmp_path / "ws"
    shutil.copytree(sample_build, ws)
    shutil.rmtree(ws / "site")
    copy = ws / "media" / "cyfweliad.mp4"
    shutil.copy(SAMPLE, copy)
    (ws / "media" / "cyfweliad.toml").write_text('title = "Cyfweliad"\nlanguage = "cy"\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pipeline", "build", "-w", str(ws), "-j", "1"], cwd=ROOT,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 1, done.stderr
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("failed: ")]
    assert lines == [f'failed: {copy}: is in language "cy" (set in {copy.with_suffix(".toml")}), '
                     f"but the embedded tiny.en is English-only. Fix: {FIX}."]
    assert not memo_path(ws / ".learncast", copy).exists()  # its audio was never decoded
    assert not (ws / "transcripts" / "cyfweliad").exists()
    assert (ws / "site" / "episodes" / "sample-interview" / "index.html").is_file()
    assert feed_transcript_languages(ws) == {"sample-interview": {"en"}}
