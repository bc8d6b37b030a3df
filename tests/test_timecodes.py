"""The one reader (parse_time) and the one formatter (clock) of times.

Each caller's form of ``clock`` is pinned here on the same values, so a change to one
behaviour cannot slip into another's output.
"""

from __future__ import annotations

import pytest

from pipeline import redact
from pipeline.chapters import edits as ce
from pipeline.pages.views import Timestamp
from pipeline.timecodes import clock, parse_time

VALUES = (0, 0.5, 59.999, 60, 3599.5, 3600, 36000.25)


def forms(**kw) -> list[str]:
    return [clock(v, **kw) for v in VALUES]


def test_whole_seconds_rounded_and_tenths_for_the_redactions_list():
    # Rounded to the nearest second, half to even (3599.5 is 1:00:00); None is 0:00.
    assert forms(none="0:00") == ["0:00", "0:00", "1:00", "1:00", "1:00:00", "1:00:00", "10:00:00"]
    assert clock(None, none="0:00") == "0:00"
    # A cut of a word or two is shorter than a second: the list shows tenths, so it never reads 0:05-0:05.
    assert redact.Redaction(start=3599.5, end=3725.4).describe() == "range 59:59.5-1:02:05.4"
    assert redact.Redaction(start=4.32, end=5.1).describe() == "range 0:04.3-0:05.1"


def test_milliseconds_kept_and_trimmed_for_the_chapter_corrections_file():
    assert forms(places=3) == ["0:00", "0:00.5", "0:59.999", "1:00", "59:59.5", "1:00:00", "10:00:00.25"]
    assert [ce.fmt_time(v) for v in VALUES] == forms(places=3)


def test_tenths_for_chapter_messages():
    # To the tenth first (59.999 is 1:00; 36000.25 is exactly a half, kept even: .2).
    assert forms(places=1) == ["0:00", "0:00.5", "1:00", "1:00", "59:59.5", "1:00:00", "10:00:00.2"]
    assert [ce.clock(v) for v in VALUES] == forms(places=1)


def test_floored_and_padded_for_pages_and_show_notes():
    assert forms(floor=True, pad=True) == ["00:00", "00:00", "00:59", "01:00", "59:59", "1:00:00", "10:00:00"]
    assert [Timestamp.at(v).clock for v in VALUES] == forms(floor=True, pad=True)
    assert clock(-2, floor=True, pad=True) == "00:00"


def test_fixed_milliseconds_and_no_hours_for_the_redactions_file():
    assert forms(places=3, trim=False, hours=False) == [
        "0:00", "0:00.500", "0:59.999", "1:00", "59:59.500", "60:00", "600:00.250"]


def test_none_is_an_error_unless_the_caller_says_what_it_gives():
    with pytest.raises(TypeError):
        clock(None)
    with pytest.raises(ValueError):
        clock(1, places=4)


@pytest.mark.parametrize("kw", [{"places": 3}, {"places": 3, "trim": False, "hours": False}])
def test_what_the_files_keep_reads_back_to_the_millisecond(kw):
    for ms in range(0, 4_000_000, 997):
        assert parse_time(clock(ms / 1000, **kw)) == ms / 1000
