"""pipeline.tomledit: changing a TOML file a person edits too, keeping what they wrote."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from pipeline import tomledit
from pipeline.config import load_sidecar
from pipeline.errors import ConfigError
from pipeline.models import RecordingMeta

SIDECAR = """\
# Interview recorded at the Leeds hub. Checked with Jane on 3 March.
title = "Changing the front door"   # the working title
interviewee = "Jane O'Neil"

# Her role as she asked for it to be written:
role = "Service manager, Leeds"
date = 2024-03-01
"""


def test_sidecar_update_keeps_comments_and_untouched_keys(tmp_path: Path):
    path = tmp_path / "jane.toml"
    path.write_text(SIDECAR, encoding="utf-8")
    tomledit.update_sidecar(path, {"title": "Opening the front door", "date": "2024-03-02",
                                   "description": "How one team changed the way people first reach it."})
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Interview recorded at the Leeds hub. Checked with Jane on 3 March.\n")
    assert 'title = "Opening the front door"   # the working title\n' in text
    assert "interviewee = \"Jane O'Neil\"\n\n# Her role as she asked for it to be written:\n" in text
    assert "date = 2024-03-02\n" in text  # a TOML date, not a string
    assert text.endswith('date = 2024-03-02\ndescription = "How one team changed the way people first reach it."\n')
    assert tomllib.loads(text)["date"] == dt.date(2024, 3, 2)
    assert load_sidecar(path) == RecordingMeta(
        title="Opening the front door", interviewee="Jane O'Neil", role="Service manager, Leeds",
        date=dt.date(2024, 3, 2), description="How one team changed the way people first reach it.")


def test_sidecar_values_with_quotes_newlines_and_unicode_round_trip(tmp_path: Path):
    path = tmp_path / "new.toml"  # no sidecar yet: one is made
    values = {"title": 'The "front door" \\ back door', "interviewee": "Zoë Ünal – שלום",
              "description": "Line one.\nLine two, with a tab\tand a ''' and a \"\"\".",
              "date": dt.date(2023, 12, 31), "role": ""}
    tomledit.update_sidecar(path, values)
    meta = load_sidecar(path)
    assert (meta.title, meta.interviewee, meta.description, meta.date, meta.role) == tuple(values.values())
    tomledit.update_sidecar(path, {"role": None, "description": None})  # None removes a key
    assert set(tomllib.loads(path.read_text(encoding="utf-8"))) == {"title", "interviewee", "date"}


def test_a_bad_sidecar_value_writes_nothing(tmp_path: Path):
    path = tmp_path / "jane.toml"
    path.write_text(SIDECAR, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        tomledit.update_sidecar(path, {"date": "1 March", "titel": "x"})
    assert 'key "date": expected a date written YYYY-MM-DD, got "1 March"' in info.value.one_line()
    assert 'unknown key "titel" (did you mean "title"?)' in info.value.one_line()
    assert path.read_text(encoding="utf-8") == SIDECAR


def test_a_sidecar_that_is_not_toml_is_never_rewritten(tmp_path: Path):
    path = tmp_path / "jane.toml"
    path.write_text('title = "unclosed\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        tomledit.update_sidecar(path, {"title": "x"})
    assert path.read_text(encoding="utf-8") == 'title = "unclosed\n'


LIST = """\
# The file's own note.
# Still the file's.
[[item]]
name = "a"

# about b
[[item]]  # b's header note
name = "b"
# about c
[[item]]
name = "c"
"""


def test_an_entry_takes_the_comments_right_above_it_and_no_others(tmp_path: Path):
    doc = tomledit.parse(LIST, tmp_path / "x.toml")
    assert tomledit.entries(doc, "item") is not None and tomledit.dumps(doc) == LIST  # nothing moves
    tomledit.remove_entries(doc, "item", {2})
    assert tomledit.dumps(doc) == LIST.split("# about c")[0]
    doc = tomledit.parse(LIST, tmp_path / "x.toml")
    tomledit.remove_entries(doc, "item", {0, 1})
    assert tomledit.dumps(doc) == "# The file's own note.\n# Still the file's.\n# about c\n[[item]]\nname = \"c\"\n"
    tomledit.remove_entries(doc, "item", {0})
    assert tomledit.dumps(doc) == "# The file's own note.\n# Still the file's.\n"


def test_new_keys_go_after_the_last_key_and_new_entries_after_a_blank_line(tmp_path: Path):
    doc = tomledit.parse(LIST, tmp_path / "x.toml")
    tables = tomledit.entries(doc, "item")
    tomledit.set_values(tables[0], {"size": 3, "name": "A"})
    tomledit.add_entry(doc, "item", {"name": "d", "when": dt.date(2024, 1, 2)})
    text = tomledit.dumps(doc)
    assert text.startswith("# The file's own note.\n# Still the file's.\n[[item]]\nname = \"A\"\nsize = 3\n\n"
                           "# about b\n")
    assert text.endswith('name = "c"\n\n[[item]]\nname = "d"\nwhen = 2024-01-02\n')
    doc = tomledit.parse(None, tmp_path / "x.toml", header="# A new file.\n")
    tomledit.add_entry(doc, "item", {"name": "a"})
    assert tomledit.dumps(doc) == '# A new file.\n\n[[item]]\nname = "a"\n'


def test_an_inline_list_of_tables_cannot_be_edited(tmp_path: Path):
    doc = tomledit.parse('item = [{name = "a"}]\n', tmp_path / "x.toml")
    with pytest.raises(tomledit.CannotEdit):
        tomledit.entries(doc, "item")


def test_edit_writes_atomically_and_keeps_a_new_files_header(tmp_path: Path):
    path = tmp_path / "sub" / "x.toml"
    tomledit.edit(path, lambda doc: tomledit.set_values(doc, {"a": 1}), header="# made by a test\n")
    assert path.read_text(encoding="utf-8") == "# made by a test\na = 1\n"
    assert [p.name for p in path.parent.iterdir()] == ["x.toml"]  # no temporary file left behind
