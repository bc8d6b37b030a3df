"""learncast.toml and sidecar validation: every bad key reported at once, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.config import load_config, load_sidecar
from pipeline.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_init_template_is_valid_and_commented(workspace: Path):
    cfg = load_config(workspace)
    assert cfg.title == "Test Show"
    assert cfg.engine == "faster-whisper"
    assert cfg.require_consent is False
    text = (workspace / "learncast.toml").read_text()
    for key in ("title", "description", "author", "owner_email", "language", "base_url", "artwork",
                "category", "questions", "engine", "model", "require_consent"):
        assert f"\n{key} = " in text or text.startswith(f"{key} = ")
    assert text.count("#") > 10  # it explains itself


def test_every_bad_key_is_reported_at_once(tmp_path: Path):
    write(tmp_path / "learncast.toml", """
title = 5
language = "English please"
base_url = "not a url"
engine = "whisperx"
owner_email = "nobody"
explict = true
category = "Gardening"
require_consent = "yes"
""")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    lines = info.value.lines()
    assert len(lines) == 8
    text = "\n".join(lines)
    assert all(line.startswith(str(tmp_path / "learncast.toml")) for line in lines)
    assert 'key "title": expected a string' in text
    assert 'key "language"' in text and '"English please"' in text
    assert 'key "base_url": expected an http(s) URL' in text
    assert "'faster-whisper', 'openai-whisper'" in text
    assert 'unknown key "explict" (did you mean "explicit"?)' in text
    assert 'key "category"' in text
    assert 'key "require_consent": expected true or false' in text


def test_invalid_toml_is_one_line(tmp_path: Path):
    write(tmp_path / "learncast.toml", 'title = "unclosed\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert len(info.value.lines()) == 1
    assert "is not valid TOML" in info.value.lines()[0]


def test_read_toml_says_what_is_wrong_and_the_fix_in_one_line(tmp_path: Path, monkeypatch):
    from pipeline.config import read_toml
    from pipeline.errors import InputError

    path = tmp_path / "x.toml"
    path.write_bytes(b'title = "Caf\xe9"\n')
    with pytest.raises(ConfigError) as info:
        read_toml(path)
    assert info.value.one_line() == f"{path}: is not UTF-8 text; save it as UTF-8."
    with pytest.raises(ConfigError) as info:
        read_toml(tmp_path / "missing.toml")
    assert info.value.lines() == [f"{tmp_path / 'missing.toml'}: cannot be read (No such file or directory); "
                                  "check that the file is there and that you may read it"]
    # Another kind of error, for a file whose problem fails one recording, not the run.
    path.write_text('title = "unclosed\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_toml(path, error=lambda what, fix: InputError(what, path=path, fix=fix or "correct the syntax"))
    line = err.value.one_line()
    assert line.startswith(f"{path}: is not valid TOML: ") and line.endswith(". Fix: correct the syntax.")


def test_missing_artwork_and_questions_files(tmp_path: Path):
    write(tmp_path / "learncast.toml", 'artwork = "art.png"\nquestions = "q.toml"\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert len(info.value.problems) == 2
    assert 'file "art.png" does not exist' in info.value.problems[0]


def test_base_url_gets_a_trailing_slash_and_urls_are_absolute(tmp_path: Path):
    write(tmp_path / "learncast.toml", 'base_url = "https://example.org/show"\n')
    cfg = load_config(tmp_path)
    assert cfg.base_url == "https://example.org/show/"
    assert cfg.url("episodes", "jane-doe", "audio.mp3") == "https://example.org/show/episodes/jane-doe/audio.mp3"


def test_cli_exits_2_with_one_line_per_bad_key(tmp_path: Path):
    (tmp_path / "media").mkdir()
    write(tmp_path / "learncast.toml", 'title = 5\nbase_url = "ftp://x"\ncolour = "red"\n')
    result = CliRunner().invoke(main, ["build", "--workspace", str(tmp_path)])
    assert result.exit_code == 2
    errors = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
    assert len(errors) == 3
    assert all("learncast.toml" in ln for ln in errors)


def test_cli_without_workspace_says_how_to_make_one(tmp_path: Path):
    result = CliRunner().invoke(main, ["build", "--workspace", str(tmp_path)])
    assert result.exit_code == 2
    assert "learncast init" in result.output


def test_sidecar_validation(tmp_path: Path):
    good = write(tmp_path / "a.toml", 'title = "Jane"\ninterviewee = "Jane Doe"\ndate = 2026-03-01\n'
                 'publish_after = "2026-04-01"\nconsent = "public"\n')
    meta = load_sidecar(good)
    assert meta.interviewee == "Jane Doe"
    assert meta.date.isoformat() == "2026-03-01"
    assert meta.publish_after.isoformat() == "2026-04-01"
    bad = write(tmp_path / "b.toml", 'title = 1\ndate = "March"\nconsent = "maybe"\nmood = "ok"\n')
    with pytest.raises(ConfigError) as info:
        load_sidecar(bad)
    assert len(info.value.problems) == 4
