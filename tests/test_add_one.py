"""Adding one interview to a site gives, file by file, the site a build from scratch gives.

The publish stage's site step (:func:`pipeline.publish.episodes.write_site`: reading packs,
feeds, pages, search index) keeps work between builds (the packs' answers in the cache,
files written only when changed); this builds five episodes, adds a sixth, and compares every
file under site/ with a fresh workspace built with all six at once. Episodes are made
directly (a chaptered transcript, stand-in media), so no ASR or ffmpeg runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import docx

from pipeline.chapters import chapter_transcript, load_questions
from pipeline.models import Episode, MediaFile, Recording, RecordingMeta, Segment, Transcript, Word
from pipeline.publish.episodes import write_site
from pipeline.publish.reading_packs import question_pack_name
from pipeline.workspace import Workspace, init_workspace

LINES = (("interviewer", "Welcome, and thank you for joining us today."),
         ("interviewer", "What rules did you have to break to make this work?"),
         ("interviewee", "We broke the rule that every referral needed a signed form first, number {i}."),
         ("interviewer", "What would you tell someone starting out?"),
         ("interviewee", "Start small and talk to the people who use the service, said person {i}."),
         ("interviewer", "Thank you so much for your time."))


def transcript(i: int, questions) -> Transcript:
    segs = []
    for n, (speaker, text) in enumerate(LINES):
        text = text.format(i=i)
        start = n * 10.0
        words = text.split()
        step = 9.0 / len(words)
        segs.append(Segment(start=start, end=start + 9.0, text=text, speaker=speaker, words=tuple(
            Word(start=start + j * step, end=start + (j + 1) * step, word=" " + w) for j, w in enumerate(words))))
    t = Transcript(language="en", engine="fake", model="fake", duration=60.0, segments=tuple(segs))
    return t.with_chapters(chapter_transcript(t, questions))


def episodes(ws: Workspace, count: int) -> list[Episode]:
    config, questions = ws.config, load_questions(ws.config.questions)
    first = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone.utc)
    out = []
    for i in range(count):
        slug = f"episode-{i}"
        rec = Recording(path=ws.media_dir / f"{slug}.mp3", slug=slug,
                        meta=RecordingMeta(title=f"Interview {i}", interviewee=f"Practitioner {i}"))
        out.append(Episode(slug=slug, guid=f"guid-{i}", title=rec.meta.title, recording=rec,
                           transcript=transcript(i, questions), pub_date=first + dt.timedelta(days=i),
                           audio=MediaFile(path=ws.episode_dir(slug) / "audio.mp3",
                                           url=config.url("episodes", slug, "audio.mp3"),
                                           mime_type="audio/mpeg", length=480000),
                           page_url=config.url("episodes", slug) + "/"))
    return out


def files(site: Path) -> dict[str, bytes]:
    """Every file by its path in the site. Pagefind's filter and metadata files (and the entry
    naming them) are left out: Pagefind itself names and fills them differently from one run to
    the next on the very same pages (seen with pagefind 1.5.2), so only its fragments compare."""
    out = {}
    for p in sorted(site.rglob("*")):
        rel = p.relative_to(site).as_posix()
        if p.is_file() and not rel.endswith((".pf_filter", ".pf_meta")):
            out[rel] = b"" if rel == "pagefind/pagefind-entry.json" else p.read_bytes()
    return out


def workspace(root: Path) -> Workspace:
    init_workspace(root, "Learning from the Frontline")
    return Workspace.open(root)


def test_adding_one_episode_gives_the_site_a_full_build_gives(tmp_path: Path):
    grown, fresh = workspace(tmp_path / "grown"), workspace(tmp_path / "fresh")
    eps = episodes(grown, 6)
    write_site(grown, eps[:5], load_questions(grown.config.questions))
    before = files(grown.site_dir)
    write_site(grown, eps, load_questions(grown.config.questions))
    write_site(fresh, episodes(fresh, 6), load_questions(fresh.config.questions))
    a, b = files(grown.site_dir), files(fresh.site_dir)
    assert sorted(a) == sorted(b) and "pagefind/pagefind-entry.json" in a
    differ = [name for name in a if a[name] != b[name]]
    assert differ == []
    # the sixth episode is really in it, and the packs' answers came from the cache
    pack = grown.site_dir / "questions" / "rules" / question_pack_name("rules")
    text = "\n".join(p.text for p in docx.Document(str(pack)).paragraphs)
    assert "Practitioner 5" in text and "number 5" in text and "number 0" in text
    assert a[f"questions/rules/{question_pack_name('rules')}"] != before[f"questions/rules/{question_pack_name('rules')}"]
    assert len(list((grown.cache_dir / "reading-pack-answers").glob("*.xml.gz"))) >= 6


def test_a_pack_made_from_cached_answers_equals_one_made_afresh(tmp_path: Path):
    ws = workspace(tmp_path / "ws")
    eps = episodes(ws, 3)
    write_site(ws, eps, load_questions(ws.config.questions))
    pack = ws.site_dir / "questions" / "rules" / question_pack_name("rules")
    made = pack.read_bytes()
    pack.unlink()  # made again, from the cached answers this time
    (ws.cache_dir / "reading-packs.json").unlink()
    write_site(ws, eps, load_questions(ws.config.questions))
    assert pack.read_bytes() == made
    # an answer no longer in any pack loses its cached part
    write_site(ws, [dataclasses.replace(eps[0])], load_questions(ws.config.questions))
    assert len(list((ws.cache_dir / "reading-pack-answers").glob("*.xml.gz"))) < 6


def test_an_unchanged_episode_page_is_not_rendered_again_but_a_changed_template_is(tmp_path: Path, monkeypatch):
    from importlib import resources

    from pipeline.pages import render

    ws = workspace(tmp_path / "ws")
    eps = episodes(ws, 2)
    write_site(ws, eps, load_questions(ws.config.questions))
    rendered: list[str] = []
    original = render._Site.render
    monkeypatch.setattr(render._Site, "render", lambda self, template, rel, **kw: (
        rendered.append(rel), original(self, template, rel, **kw))[1])
    write_site(ws, eps, load_questions(ws.config.questions))
    assert not [rel for rel in rendered if rel.endswith("/index.html") and rel.startswith("episodes/")]
    rendered.clear()
    source = resources.files("pipeline.pages").joinpath("templates", "episode.html").read_text(encoding="utf-8")
    (ws.root / "templates").mkdir()
    (ws.root / "templates" / "episode.html").write_text(source + "{# a comment #}")
    write_site(ws, eps, load_questions(ws.config.questions))
    assert "episodes/episode-0/index.html" in rendered
