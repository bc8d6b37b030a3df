"""Consent, embargo and redaction: nothing held back reaches anything published.

Fast checks use the fake engine on generated tones; test_redaction_real.py re-transcribes
the published audio of the real sample with the real model.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import make_tone, recording_data
from pipeline import ffmpeg, redact
from pipeline.cli import main
from pipeline.errors import ConfigError
from pipeline.models import Chapter, RecordingMeta, Segment, Transcript, Word

PHRASE = "signed form"  # in the fake engine's script (tests/conftest.py)


def words(text: str, start: float, step: float = 0.4) -> tuple[Word, ...]:
    return tuple(Word(start=start + i * step, end=start + (i + 1) * step, word=" " + w)
                 for i, w in enumerate(text.split()))


def transcript(*texts: str) -> Transcript:
    segs, t = [], 0.0
    for text in texts:
        ws = words(text, t)
        segs.append(Segment(start=t, end=ws[-1].end, text=text, words=ws))
        t = ws[-1].end + 1.0
    return Transcript(language="en", engine="x", model="y", duration=t, segments=tuple(segs),
                      chapters=(Chapter(0, t, "rules", "Breaking the Signed Form rule"),))


# ---------------------------------------------------------------- redact.apply


def test_phrase_matches_whole_words_in_any_case_everywhere():
    t = transcript("We ignored the Signed Form, every signed form.", "A signed formula is fine.")
    applied = redact.apply(t, [redact.Redaction(text="signed form")])
    texts = [s.text for s in applied.transcript.segments]
    assert texts[0] == "We ignored the [redacted] every [redacted]"
    assert texts[1] == "A signed formula is fine."  # whole words only
    assert applied.transcript.chapters[0].title == "Breaking the [redacted] rule"
    assert len(applied.spans) == 2 and applied.count == 1
    a, b = applied.spans[0]
    assert a == pytest.approx(1.2) and b == pytest.approx(2.0)


def test_a_number_cut_in_words_matches_it_in_digits_and_back():
    """Whisper writes "eleven days" as "11 days": the cut must still take it (found in the
    0.1.0 workspace, whose cut of "eleven days" had silently matched nothing)."""
    t = transcript("It took 11 days for an assessment.", "Eleven days, then twenty more.")
    applied = redact.apply(t, [redact.Redaction(text="eleven days"), redact.Redaction(text="20 more")])
    assert [s.text for s in applied.transcript.segments] == [
        "It took [redacted] for an assessment.", "[redacted] then [redacted]"]
    assert applied.unmatched == () and len(applied.spans) == 3
    assert redact.apply(t, [redact.Redaction(text="twelve days")]).unmatched == ("twelve days",)


def test_range_redacts_words_inside_it_only():
    t = transcript("one two three four five six")
    applied = redact.apply(t, [redact.Redaction(start=0.8, end=1.6)])
    assert applied.transcript.segments[0].text == "one two [redacted] five six"
    assert applied.spans == ((0.8, 1.6),)


def test_hand_edited_text_without_matching_words_is_cut_whole():
    t = transcript("nothing to see")
    seg = t.segments[0]
    edited = Transcript(**{**t.__dict__, "segments": (Segment(seg.start, seg.end, "He named Councillor Brown.",
                                                               seg.speaker, seg.words),)})
    applied = redact.apply(edited, [redact.Redaction(text="councillor brown")])
    assert applied.transcript.segments[0].text == "[redacted]"
    assert applied.spans == ((seg.start, seg.end),)


def test_metadata_is_redacted():
    applied = redact.apply(transcript("hello there"), [redact.Redaction(text="Brown")])
    meta = redact.redact_meta(RecordingMeta(title="Mr Brown's story", description="About Brown."), applied)
    assert meta.title == "Mr [redacted]'s story"
    assert "Brown" not in meta.description


def test_file_round_trip_and_errors(tmp_path: Path):
    entries = [redact.Redaction(text="Councillor Brown", reason="named"), redact.Redaction(start=750, end=761.5)]
    redact.save(tmp_path, entries)
    assert redact.load(tmp_path) == entries
    (tmp_path / "redactions.toml").write_text('[[redact]]\nstart = "1:00"\nend = "0:30"\n[[redact]]\nreason = 4\n')
    with pytest.raises(ConfigError) as info:
        redact.load(tmp_path)
    assert info.value.problems == ["entry 1: end must be after start", 'entry 2: "reason" must be a string',
                                   'entry 2: needs "text", or "start" and "end"']


@pytest.mark.parametrize("text,seconds", [("75", 75), ("1:15", 75), ("0:01:15.5", 75.5), (12.5, 12.5)])
def test_times(text, seconds):
    assert redact.parse_time(text) == seconds


# ---------------------------------------------------------------- through the build


pytestmark_build = pytest.mark.usefixtures("fake_engine", "no_speakers")


@pytest.fixture
def ws(workspace: Path) -> Path:
    make_tone(workspace / "media" / "jane.mp3", 12.0)
    make_tone(workspace / "media" / "omar.mp4", 10.0, video=True)
    (workspace / "media" / "omar.toml").write_text('interviewee = "Omar Said"\n')
    return workspace


def site_text_hits(site: Path, phrase: str) -> list[str]:
    """Every file under site/ holding the phrase, in any encoding, gzip included, and
    inside every member of a zip (a DOCX reading pack is one: its text is deflated)."""
    hits = []
    needles = [phrase.lower().encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be")]
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        blobs = [path.read_bytes()]
        try:
            blobs.append(gzip.decompress(blobs[0]))
        except (OSError, EOFError):
            pass
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                blobs += [z.read(name) for name in z.namelist()]
        for blob in blobs:
            low = blob.lower()
            if any(n in low for n in needles):
                hits.append(str(path.relative_to(site)))
                break
    return hits


def test_site_text_hits_looks_inside_zip_members(tmp_path: Path):
    import io

    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:t>We dropped the " + PHRASE.title() + " rule</w:t>" * 50)
    (tmp_path / "pack.docx").write_bytes(data.getvalue())
    assert PHRASE.encode() not in data.getvalue().lower()  # deflated: a plain byte search misses it
    assert site_text_hits(tmp_path, PHRASE) == ["pack.docx"]


@pytest.mark.usefixtures("fake_engine", "no_speakers")
def test_phrase_is_gone_from_everything_published(ws: Path, run, cli):
    run(ws)
    assert site_text_hits(ws / "site", PHRASE)  # the check can find it before redaction
    for slug in ("jane", "omar"):  # the fake engine hears the same words in both
        result = cli("redact", slug, "--phrase", "Signed Form", "--reason", "asked", "-w", str(ws))
        assert result.exit_code == 0, result.output
    report = run(ws)
    assert report.exit_code == 0
    assert site_text_hits(ws / "site", PHRASE) == []
    assert "[redacted]" in (ws / "site" / "episodes" / "jane" / "transcript.vtt").read_text()
    # kept for the team
    assert PHRASE in (ws / "transcripts" / "jane" / "transcript.json").read_text()
    page = (ws / "site" / "episodes" / "jane" / "index.html").read_text()
    assert re.search(r"redactions?\D*1", page) or "1 redaction" in page


def _max_volume(path: Path, start: float, end: float) -> float:
    out = subprocess.run([ffmpeg.ffmpeg_exe(), "-nostdin", "-hide_banner", "-ss", str(start), "-to", str(end),
                          "-i", str(path), "-af", "volumedetect", "-f", "null", "-"],
                         capture_output=True, text=True).stderr
    m = re.search(r"max_volume: (-?[\d.]+|-inf) dB", out)
    return float("-inf") if m.group(1) == "-inf" else float(m.group(1))


def _duration(path: Path) -> float:
    return ffmpeg.probe(path).duration


@pytest.mark.usefixtures("fake_engine", "no_speakers")
def test_range_is_silenced_with_the_duration_kept(ws: Path, run, cli):
    run(ws)
    mp3 = ws / "site" / "episodes" / "jane" / "audio.mp3"
    mp4 = ws / "site" / "episodes" / "omar" / "video.mp4"
    before = {"mp3": _duration(mp3), "mp4": _duration(mp4)}
    assert _max_volume(mp3, 4.2, 5.8) > -30
    cli("redact", "jane", "--range", "4-6", "-w", str(ws))
    cli("redact", "omar", "--range", "0:03-0:05", "-w", str(ws))
    run(ws)
    assert _max_volume(mp3, 4.2, 5.8) < -60
    assert _max_volume(mp3, 7.0, 9.0) > -30  # the rest is untouched
    assert _max_volume(mp4, 3.2, 4.8) < -60
    assert abs(_duration(mp3) - before["mp3"]) < 0.05
    assert abs(_duration(mp4) - before["mp4"]) < 0.05
    # captions after the range keep their times
    import webvtt

    team = webvtt.from_string((ws / "transcripts" / "jane" / "transcript.vtt").read_text())
    public = webvtt.from_string((ws / "site" / "episodes" / "jane" / "transcript.vtt").read_text())
    after = [c.start for c in team if c.start_in_seconds >= 6.5]
    assert after and after == [c.start for c in public if c.start_in_seconds >= 6.5]


@pytest.mark.usefixtures("fake_engine", "no_speakers")
def test_withheld_leaves_no_trace_and_republishing_restores_the_guid(ws: Path, run, cli):
    run(ws)
    feed = (ws / "site" / "feed.xml").read_text()
    guid = re.search(r"<guid[^>]*>([^<]+)</guid>", feed.split("<title>Omar")[0] if "<title>Omar" in feed else feed)
    data = recording_data(ws, "omar")
    assert data["guid"] in feed
    assert cli("consent", "omar", "withheld", "-w", str(ws)).exit_code == 0
    report = run(ws)
    assert report.published == ["jane"]
    feed = (ws / "site" / "feed.xml").read_text()
    assert data["guid"] not in feed and "Omar" not in feed
    assert not (ws / "site" / "episodes" / "omar").exists()
    assert not (ws / "site" / "video.xml").exists()
    assert site_text_hits(ws / "site", "Omar Said") == []
    questions = "".join(p.read_text() for p in (ws / "site" / "questions").rglob("*.html"))
    assert "omar" not in questions.lower()
    assert cli("consent", "omar", "public", "-w", str(ws)).exit_code == 0
    run(ws)
    assert data["guid"] in (ws / "site" / "feed.xml").read_text()
    assert guid is not None


@pytest.mark.usefixtures("fake_engine", "no_speakers")
def test_embargo_with_a_fixed_clock(ws: Path, run, cli):
    (ws / "media" / "jane.toml").write_text("publish_after = 2026-12-01\n")
    before = run(ws, now=dt.datetime(2026, 11, 30, 12, tzinfo=dt.timezone.utc))
    assert "jane" not in before.published
    after = run(ws, now=dt.datetime(2026, 12, 1, 12, tzinfo=dt.timezone.utc))
    assert "jane" in after.published
    cli("consent", "jane", "public", "--until", "2027-01-01", "-w", str(ws))
    cli_wins = run(ws, now=dt.datetime(2026, 12, 2, tzinfo=dt.timezone.utc))
    assert "jane" not in cli_wins.published


@pytest.mark.usefixtures("fake_engine", "no_speakers")
def test_require_consent(ws: Path, run):
    cfg = ws / "learncast.toml"
    cfg.write_text(cfg.read_text().replace("require_consent = false", "require_consent = true"))
    (ws / "media" / "omar.toml").write_text('interviewee = "Omar Said"\nconsent = "public"\n')
    assert run(ws).published == ["omar"]


@pytest.mark.usefixtures("fake_engine", "no_speakers")
def test_redaction_and_consent_survive_rebuilds_edits_and_retranscription(ws: Path, tmp_path: Path, run, cli):
    run(ws)
    cli("redact", "jane", "--phrase", PHRASE, "-w", str(ws))
    cli("consent", "omar", "withheld", "-w", str(ws))  # omar says it too: withheld
    run(ws)
    # a hand edit that moves the phrase into another segment
    path = ws / "transcripts" / "jane" / "transcript.json"
    data = json.loads(path.read_text())
    data["segments"][0]["text"] = "Welcome. We talked about the signed form before recording."
    path.write_text(json.dumps(data))
    run(ws)
    assert site_text_hits(ws / "site", PHRASE) == []
    # a new question set re-chapters; a new model re-transcribes omar's machine transcript
    q = tmp_path / "q.toml"
    q.write_text('[[question]]\nid = "rules"\nquestion = "What rules did you break?"\ntitle = "Rules"\n'
                 'phrasings = ["Which rules did you break?"]\n')
    cfg = ws / "learncast.toml"
    cfg.write_text(cfg.read_text().replace('questions = ""', f'questions = "{q}"'))
    report = run(ws, model="other")
    assert report.exit_code == 0, [r.message for r in report.failed]
    assert site_text_hits(ws / "site", PHRASE) == []
    assert not (ws / "site" / "episodes" / "omar").exists()
    assert (ws / "transcripts" / "jane" / "redactions.toml").is_file()
    assert (ws / "transcripts" / "omar" / "consent.toml").is_file()


@pytest.mark.usefixtures("fake_engine", "no_speakers")
def test_a_cut_that_an_edit_stopped_matching_withholds_the_episode(ws: Path, run, cli):
    """A person rewords what was cut ("signed form" -> "signed forms"): the cut no longer matches,
    so the episode is withheld with one line naming redactions.toml, never published uncut."""
    run(ws)
    cli("redact", "jane", "--phrase", PHRASE, "-w", str(ws))
    path = ws / "transcripts" / "jane" / "transcript.json"
    data = json.loads(path.read_text())
    for seg in data["segments"]:
        seg["text"] = re.sub(PHRASE, "signed forms", seg["text"], flags=re.I)
        for w in seg["words"]:
            w["word"] = re.sub(r"(?i)\bform\b", "forms", w["word"])
    path.write_text(json.dumps(data))
    report = run(ws)
    failed = {r.slug: r.message for r in report.failed}
    assert "jane" in failed and "redactions.toml" in failed["jane"] and "withheld" in failed["jane"]
    assert "\n" not in failed["jane"]
    assert not (ws / "site" / "episodes" / "jane").exists()
    assert "signed forms" not in (ws / "site" / "feed.xml").read_text().lower()
    assert (ws / "site" / "episodes" / "omar").is_dir()  # one recording's problem never stops the others
    cli("redact", "jane", "--remove", "1", "--phrase", "signed forms", "-w", str(ws))
    assert run(ws).exit_code == 0
    assert site_text_hits(ws / "site", "signed forms") == []
    assert (ws / "site" / "episodes" / "jane").is_dir()


@pytest.mark.usefixtures("fake_engine", "no_speakers")
def test_status_shows_withheld_and_embargoed_with_the_date(ws: Path, run, cli):
    run(ws)
    cli("consent", "omar", "withheld", "-w", str(ws))
    cli("consent", "jane", "public", "--until", "2099-01-31", "-w", str(ws))
    out = cli("status", "-w", str(ws)).output
    lines = {ln.split()[0]: ln for ln in out.splitlines() if ln.strip()}
    assert "withheld" in lines["omar"]
    assert "embargoed until 2099-01-31" in lines["jane"]


# ---------------------------------------------------------------- the files a person edits too


CONSENT_BY_HAND = """\
# Jane signed the release form on 3 March; the original is in the team drive.
consent = "withheld"  # until legal has read it
publish_after = 2026-06-01
decided_at = "2026-03-03T10:00:00+00:00"
"""


def test_consent_command_keeps_the_files_comments(ws: Path):
    folder = ws / "transcripts" / "jane"
    folder.mkdir(parents=True)
    (folder / "consent.toml").write_text(CONSENT_BY_HAND, encoding="utf-8")
    result = CliRunner().invoke(main, ["consent", "jane", "public", "--until", "2026-09-01", "-w", str(ws)])
    assert result.exit_code == 0, result.output
    text = (folder / "consent.toml").read_text(encoding="utf-8")
    assert text.startswith("# Jane signed the release form on 3 March; the original is in the team drive.\n")
    assert 'consent = "public"  # until legal has read it\n' in text
    assert "publish_after = 2026-09-01\n" in text and "2026-03-03" not in text
    from pipeline.consent import decision
    from pipeline.models import Recording

    got = decision(folder, Recording(path=ws / "media" / "jane.mp3", slug="jane"))
    assert (got.consent, got.publish_after, got.source) == ("public", dt.date(2026, 9, 1), "cli")
    # No --until lifts the embargo; the comments still stay.
    assert CliRunner().invoke(main, ["consent", "jane", "withheld", "-w", str(ws)]).exit_code == 0
    text = (folder / "consent.toml").read_text(encoding="utf-8")
    assert "publish_after" not in text and 'consent = "withheld"  # until legal has read it\n' in text
    assert text.startswith("# Jane signed the release form")


def test_a_new_consent_file_explains_itself(tmp_path: Path):
    from pipeline.consent import record

    path = record(tmp_path / "jane", "withheld", dt.date(2027, 1, 1))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# The interviewee's consent, recorded with `learncast consent`")
    assert lines[1:3] == ['consent = "withheld"', "publish_after = 2027-01-01"]
    assert re.fullmatch(r'decided_at = "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"', lines[3]) and len(lines) == 4


def _consent_error(folder: Path) -> str:
    from pipeline.consent import decision
    from pipeline.models import Recording

    with pytest.raises(ConfigError) as info:
        decision(folder, Recording(path=folder / "x.mp3", slug="x"))
    line = info.value.one_line()
    assert "\n" not in line and line.startswith(f"{folder / 'consent.toml'}: ")
    return line


def test_a_consent_file_that_cannot_be_read_is_one_line_naming_the_fix(tmp_path: Path, unreadable):
    path = tmp_path / "consent.toml"
    path.write_text('consent = "public"\n', encoding="utf-8")
    unreadable(path)
    line = _consent_error(tmp_path)
    assert "cannot be read (Permission denied); check that the file is there and that you may read it" in line


def test_consent_file_problems_are_one_line_each(tmp_path: Path):
    path = tmp_path / "consent.toml"
    path.write_bytes(b'consent = "public"  # sign\xe9\n')
    assert "is not UTF-8 text; save it as UTF-8" in _consent_error(tmp_path)
    path.write_text('consent = "public\n', encoding="utf-8")
    assert "is not valid TOML" in _consent_error(tmp_path)
    path.write_text('consent = "maybe"\npublish_afer = 2030-01-01\n', encoding="utf-8")
    line = _consent_error(tmp_path)
    assert """key "consent": expected "public" or "withheld", got 'maybe'""" in line
    assert 'unknown key "publish_afer" (did you mean "publish_after"?)' in line  # an embargo is never lost
    path.write_text('publish_after = "next June"\n', encoding="utf-8")
    line = _consent_error(tmp_path)
    assert 'key "consent": expected "public" or "withheld", got None' in line
    assert 'key "publish_after": expected a date written YYYY-MM-DD, got "next June"' in line


REDACTIONS_BY_HAND = """\
# Agreed with Jane on 3 March.

# She named a colleague twice.
[[redact]]
text = "Councillor Brown"  # also "Cllr Brown" in the notes
reason = "named a colleague"

# A live case: keep it out until it closes.
[[redact]]
start = 750   # 12:30
end = "12:41"
"""


def test_redact_command_keeps_comments_and_the_other_entries(ws: Path):
    folder = ws / "transcripts" / "jane"
    folder.mkdir(parents=True)
    path = folder / "redactions.toml"
    path.write_text(REDACTIONS_BY_HAND, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["redact", "jane", "--phrase", 'the "Blue" estate', "--reason", "asked\nby Jane",
                                  "-w", str(ws)])
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert text.startswith(REDACTIONS_BY_HAND)  # every entry and comment as written
    assert text.endswith('\n\n[[redact]]\ntext = "the \\"Blue\\" estate"\nreason = "asked\\nby Jane"\n')
    assert redact.load(folder)[2] == redact.Redaction(text='the "Blue" estate', reason="asked\nby Jane")
    # Removing an entry takes the comment right above it, and no other.
    result = runner.invoke(main, ["redact", "jane", "--remove", "2", "--range", "1:02:03-1:02:04.5", "-w", str(ws)])
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    first = REDACTIONS_BY_HAND.split("# A live case")[0]
    assert text.startswith(first + '[[redact]]\ntext = "the \\"Blue\\" estate"\n')
    assert "A live case" not in text and "750" not in text
    assert text.endswith('\n\n[[redact]]\nstart = "62:03"\nend = "62:04.500"\n')
    assert [e.describe() for e in redact.load(folder)] == [
        'phrase "Councillor Brown" (named a colleague)', 'phrase "the "Blue" estate" (asked\nby Jane)',
        "range 1:02:03-1:02:04.5"]


def test_a_redactions_file_that_is_not_utf8_says_so_in_one_line(tmp_path: Path):
    (tmp_path / "redactions.toml").write_bytes(b'[[redact]]\ntext = "Caf\xe9"\n')
    with pytest.raises(ConfigError) as info:
        redact.load(tmp_path)
    line = info.value.one_line()
    assert line == f"{tmp_path / 'redactions.toml'}: is not UTF-8 text; save it as UTF-8."
    (tmp_path / "redactions.toml").write_text('[[redact]]\ntxt = "Brown"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        redact.load(tmp_path)
    assert 'entry 1: unknown key "txt" (did you mean "text"?)' in info.value.one_line()
