"""Reading packs: a Word document (DOCX) per published interview and per question.

A reading pack is the page, for people who read long documents: the title, who was
interviewed, when, how the transcript was made and how to cite it, the contents, then
each chapter under its full question, every turn with its speaker's name and a
timestamp that opens the episode page playing from there (``PAGE#t=SECONDS``, what the
page's player seeks on). A question's pack holds every interviewee's answer to it.

Everything comes from the same views the pages are rendered from (:mod:`pipeline.pages.views`),
and those from the Episodes the publish stage made out of the *redacted* transcript and
metadata, so a pack shows exactly what the page shows, ``[redacted]`` included; nothing
here reads ``transcripts/``. Withheld interviews are never Episodes, so they have no pack
and are in no question's pack.

The files are written only when their bytes change: the zip is rewritten with fixed
member dates, and the document's own dates are the interview's, so a rebuild of the
same input gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import hashlib
import io
import json
import logging
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any, Sequence

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.parser import oxml_parser
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from .. import i18n
from ..config import Config
from ..fsutil import atomic_path, write_bytes_if_changed, write_json
from ..models import Episode
from ..pages import library, themes, views

log = logging.getLogger(__name__)

MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LINK_COLOUR = RGBColor(0x0B, 0x55, 0xB8)  # the site's link colour
MUTED = RGBColor(0x57, 0x57, 0x57)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")


def episode_pack_name(slug: str) -> str:
    """``site/episodes/<slug>/<slug>.docx``: a name that stays clear in a Downloads folder."""
    return f"{slug}.docx"


def question_pack_name(question_id: str) -> str:
    """``site/questions/<id>/<id>-answers.docx``, where the question page looks for it."""
    return views.QUESTION_PACK.format(id=question_id)


def write_reading_packs(config: Config, site_dir: Path, episodes: Sequence[Episode], questions: Any, *,
                        state: Path | None = None) -> list[Episode]:
    """Write every episode's and every question's pack; returns the episodes with the
    pack among their ``files`` (kind ``docx``), for the episode page's downloads.

    A pack is made again only when what it shows changed: ``state`` (a JSON file in the
    build's cache) remembers a key of each pack's content. A question no published
    interview answers has no pack (an old one is removed).
    """
    site = Path(site_dir)
    keys: dict[str, str] = _load(state)
    made: dict[str, str] = {}
    items = list(getattr(questions, "questions", ()) or ())
    by_id = {item.id: item for item in items}
    out: list[Episode] = []
    episode_views = []
    answers = AnswerCache(state.parent / ANSWERS_DIR if state is not None else None)
    theme_names = themes.names(episodes)
    for ep in episodes:
        folder = site / "episodes" / ep.slug
        # with the team's takeaways and themes on each chapter, as the pages show them
        view = library.with_library(views.episode_view(ep, config, by_id, folder=folder), ep)
        view = themes.with_themes(view, ep, theme_names)
        name = episode_pack_name(ep.slug)
        key = _key(config, dataclasses.replace(view, downloads=(), chapters_track=""))
        _write(folder / name, f"episodes/{ep.slug}/{name}", key, keys, made, lambda: episode_pack(view, config))
        out.append(dataclasses.replace(ep, files={**ep.files, "docx": config.url("episodes", ep.slug, name)}))
        episode_views.append(view)
    for qv in views.question_views(items, episode_views):
        name = question_pack_name(qv.id)
        path = site / "questions" / qv.id / name
        if not qv.answers:
            path.unlink(missing_ok=True)
            continue
        key = _key(config, qv.question, [(a.episode.slug, a.episode.title, a.episode.interviewee, a.episode.role,
                                          a.episode.date_label, a.episode.reviewed, a.episode.cite,
                                          a.episode.page_url, a.chapter) for a in qv.answers])
        _write(path, f"questions/{qv.id}/{name}", key, keys, made, lambda: question_pack(qv, config, answers))
    if state is not None and made != keys:
        write_json(state, made)
    answers.prune()
    return out


PACK_VERSION = 3  # raise when the packs' layout changes, so every pack is made again


def _key(config: Config, *content: Any) -> str:
    """What a pack is made from; ``repr`` of the frozen views is stable for the same input."""
    text = repr((PACK_VERSION, config.title, config.author, config.feed_language, content))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write(path: Path, rel: str, key: str, keys: dict[str, str], made: dict[str, str], make) -> None:
    if keys.get(rel) != key or not path.is_file():
        if write_bytes_if_changed(path, make()):
            log.info("wrote %s", path)
    made[rel] = key


def _load(state: Path | None) -> dict[str, str]:
    try:
        data = json.loads(state.read_text(encoding="utf-8")) if state is not None else {}
    except (OSError, ValueError):
        return {}  # no record (or a broken one): every pack is made again
    return data if isinstance(data, dict) else {}


# ---------------------------------------------------------------- the two packs


def episode_pack(view: views.EpisodeView, config: Config) -> bytes:
    """One interview as a DOCX (bytes)."""
    doc = _document(view.title, config, view.language, view.date)
    _add(doc, _t(view.title), "Title")
    if view.interviewee:
        _line(doc, (_label("Interviewee"), True), view.interviewee + (f", {view.role}" if view.role else ""))
    if view.interviewer:
        _line(doc, (_label("Interviewer"), True), view.interviewer)
    _line(doc, (_label("Date"), True), f"{view.date_label} · {view.duration.label}")
    if view.description:
        _add(doc).add_run(_t(view.description)).italic = True
    para = _line(doc, (_label("Listen and read online"), True))
    _link(para, view.page_url, view.page_url)
    if not view.reviewed:
        _notice(doc, i18n.gettext("Automatic transcript, not yet reviewed by a person. It may contain mistakes."))
    _about(doc, view)
    if view.chapters:
        _add(doc, i18n.gettext("Contents"), "Heading 1")
        for ch in view.chapters:
            para = _add(doc, style="List Number")
            _link(para, ch.title, anchor=_bookmark(ch))
            para.add_run("  ")
            _link(para, ch.start.clock, f"{view.page_url}#t={ch.start.seconds}", muted=True)
    for ch in view.chapters:
        heading = _add(doc, _t(ch.heading), "Heading 1")
        _mark(heading, _bookmark(ch), ch.index)
        meta = _add(doc)
        _link(meta, i18n.gettext("Play from %(clock)s", clock=ch.start.clock), f"{view.page_url}#t={ch.start.seconds}")
        if ch.title != ch.heading:
            _run(meta, f" · {ch.title}", muted=True)
        _low_confidence(doc, ch)
        _chapter_picks(doc, ch)
        for p in ch.paragraphs:
            _turn(doc, p, view.page_url)
    if view.paragraphs:
        _add(doc, i18n.gettext("Transcript"), "Heading 1")
        for p in view.paragraphs:
            _turn(doc, p, view.page_url)
    return _save(doc)


def question_pack(qv: views.QuestionView, config: Config, answers: AnswerCache | None = None) -> bytes:
    """Every published interviewee's answer to one question, as a DOCX (bytes).

    Each answer's part of the document is made once and kept (``answers``, in the build's
    cache, by a key of what it shows), so a new interview costs its own answer, not all of them.
    """
    newest = max((a.episode.date for a in qv.answers), default=None)
    doc = _document(qv.question, config, config.feed_language, newest)
    _add(doc, _t(qv.question), "Title")
    count = len(qv.answers)
    _line(doc, i18n.ngettext("%(num)d answer, from %(show)s", "%(num)d answers, from %(show)s", count,
                             show=config.title), muted=True)
    _learned(doc, qv)
    answers = answers if answers is not None else AnswerCache(None)
    for a in qv.answers:
        _append(doc, answers.get(_answer_key(config, a), lambda a=a: _answer_fragment(a, answers.scratch())))
    return _save(doc)


def _answer(doc, a: Any) -> None:
    """One interviewee's answer, as the question pack shows it."""
    ep, ch = a.episode, a.chapter
    who = ep.interviewee or ep.title
    _add(doc, _t(who + (f", {ep.role}" if ep.interviewee and ep.role else "")), "Heading 1")
    facts = _line(doc, i18n.gettext("From") + " ")
    _link(facts, ep.title, f"{ep.page_url}#{ch.anchor}")
    _run(facts, f" · {ep.date_label} · ")
    _link(facts, i18n.gettext("Play from %(clock)s", clock=ch.start.clock), f"{ep.page_url}#t={ch.start.seconds}")
    if not ep.reviewed:
        _notice(doc, i18n.gettext("Automatic transcript, not yet reviewed by a person. It may contain mistakes."))
    _low_confidence(doc, ch)
    for p in ch.paragraphs:
        _turn(doc, p, ep.page_url)
    if ep.cite:
        _line(doc, (i18n.gettext("Cite this interview:") + " ", True), ep.cite, size=9)


# ---------------------------------------------------------------- answers, made once each

ANSWERS_DIR = "reading-pack-answers"  # in the build's cache, beside the packs' state
_W_BODY = qn("w:body")
_R_ID = qn("r:id")


def _answer_key(config: Config, a: Any) -> str:
    ep = a.episode
    return _key(config, "answer", i18n.current_language(), ep.slug, ep.title, ep.interviewee, ep.role,
                ep.date_label, ep.reviewed, ep.cite, ep.page_url, a.chapter)


def _answer_fragment(a: Any, doc) -> bytes:
    """The answer's paragraphs as XML (a ``w:body`` of them; hyperlinks' ``r:id`` holds the URL),
    made in ``doc``, a scratch document (emptied first; loading a new one each time is slow)."""
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    _answer(doc, a)
    end = body[-1]
    body.remove(end)  # the section properties stay the pack's own
    rels = doc.part.rels
    for link in body.iter(qn("w:hyperlink")):
        rid = link.get(_R_ID)
        if rid:
            link.set(_R_ID, rels[rid].target_ref)
    data = etree.tostring(body, encoding="utf-8")
    for child in list(body):
        body.remove(child)
    body.append(end)
    return data


def _append(doc, fragment: bytes) -> None:
    """Move an answer's paragraphs into ``doc`` before its section properties, linking its URLs."""
    body = doc.element.body
    part = etree.fromstring(fragment, parser=oxml_parser)
    for link in part.iter(qn("w:hyperlink")):
        url = link.get(_R_ID)
        if url:
            link.set(_R_ID, _rid(doc.part, url))
    end = body[-1] if len(body) and body[-1].tag == qn("w:sectPr") else None
    for child in list(part):
        end.addprevious(child) if end is not None else body.append(child)


class AnswerCache:
    """Answers' XML by key, kept in ``folder`` (gzip, one file each); without a folder, in memory.
    :meth:`prune` removes the files this build did not use."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.used: set[str] = set()
        self.memory: dict[str, bytes] = {}
        self._scratch = None

    def scratch(self):
        """The one scratch document answers are made in."""
        if self._scratch is None:
            self._scratch = docx.Document()
        return self._scratch

    def get(self, key: str, make) -> bytes:
        self.used.add(key)
        if key in self.memory:
            return self.memory[key]
        path = self.folder / f"{key}.xml.gz" if self.folder is not None else None
        data = None
        if path is not None:
            try:
                data = gzip.decompress(path.read_bytes())
            except (OSError, EOFError, zlib.error):
                data = None
        if data is None:
            data = make()
            if path is not None:
                with atomic_path(path) as tmp:  # a cache: no fsync, a lost file is made again
                    tmp.write_bytes(gzip.compress(data, compresslevel=1, mtime=0))
        self.memory[key] = data
        return data

    def prune(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.glob("*.xml.gz"):
            if path.name.removesuffix(".xml.gz") not in self.used:
                path.unlink(missing_ok=True)


# ---------------------------------------------------------------- parts


def _about(doc, view: views.EpisodeView) -> None:
    """"About this transcript" and the citation, as the episode page shows them."""
    if not view.provenance:
        return
    _add(doc, i18n.gettext("About this transcript"), "Heading 1")
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in view.provenance:
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(_t(label)).bold = True
        cells[1].paragraphs[0].add_run(_t(value))
    _line(doc, (i18n.gettext("Cite this interview:") + " ", True), view.cite)


def _chapter_picks(doc, ch: views.ChapterView) -> None:
    """The team's themes and takeaways for a chapter, under its heading, as on the page."""
    if ch.themes:
        _line(doc, (i18n.gettext("Themes:") + " ", True), ", ".join(t.name for t in ch.themes), muted=True)
    if ch.takeaways:
        _line(doc, (i18n.gettext("Takeaways"), True))
        for text in ch.takeaways:
            _add(doc, _t(text), "List Bullet")


def _learned(doc, qv: views.QuestionView) -> None:
    """"What people learned about this": every answer's takeaways, as the question page has them."""
    learned = [(a, t) for a in qv.answers for t in a.chapter.takeaways]
    if not learned:
        return
    _add(doc, i18n.gettext("What people learned about this"), "Heading 1")
    for a, text in learned:
        para = _add(doc, _t(text), "List Bullet")
        _run(para, " — " + i18n.gettext("from") + " ", muted=True)
        _link(para, a.episode.interviewee or a.episode.title, f"{a.episode.page_url}#{a.chapter.anchor}", muted=True)


def _add(doc, text: str = "", style: str | None = None) -> Paragraph:
    """``doc.add_paragraph``, less its search of the whole body for the section properties
    on every call (which made a long pack quadratic): they are the body's last element."""
    body = doc.element.body
    p = OxmlElement("w:p")
    body[-1].addprevious(p) if body[-1].tag == qn("w:sectPr") else body.append(p)
    para = Paragraph(p, doc._body)
    if style:
        para.style = style
    if text:
        para.add_run(text)
    return para


def _turn(doc, p: views.Paragraph, page_url: str) -> None:
    """One speaker turn: the name, the time (a link to the page playing from it), the words."""
    para = _add(doc)
    para.paragraph_format.space_after = Pt(6)
    para.add_run(_t(p.name)).bold = True
    para.add_run(" ")
    _link(para, p.start.clock, f"{page_url}#t={p.start.seconds}", muted=True)
    text = para.add_run(" " + _t(p.text))
    text.italic = p.is_interviewer  # the page sets the interviewer's questions in italics


def _low_confidence(doc, ch: views.ChapterView) -> None:
    if ch.low_confidence:
        percent = "%.0f" % (ch.confidence * 100)
        _notice(doc, i18n.gettext("Low confidence: Learncast is not sure this is where the question was asked "
                                  "(confidence %(percent)s%%).", percent=percent))


def _label(word: str) -> str:
    """"Interviewee: ": a field's name (from the catalogue, in the pack's language) and a colon."""
    return i18n.gettext(word) + ": "


_LABELS = (i18n.N_("Interviewee"), i18n.N_("Interviewer"), i18n.N_("Date"), i18n.N_("Listen and read online"))


def _notice(doc, text: str) -> None:
    run = _add(doc).add_run(_t(text))
    run.italic = True
    run.font.color.rgb = MUTED


def _line(doc, *parts, muted: bool = False, size: float | None = None):
    """A paragraph of runs; a part is text, or (text, bold)."""
    para = _add(doc)
    for part in parts:
        text, bold = part if isinstance(part, tuple) else (part, False)
        run = _run(para, text, muted=muted)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
    return para


def _run(para, text: str, *, muted: bool = False):
    run = para.add_run(_t(text))
    if muted:
        run.font.color.rgb = MUTED
    return run


def _link(para, text: str, url: str | None = None, *, anchor: str | None = None, muted: bool = False) -> None:
    """A hyperlink run: to ``url`` (outside the document) or to a bookmark (``anchor``)."""
    link = OxmlElement("w:hyperlink")
    if url:
        link.set(qn("r:id"), _rid(para.part, url))
    else:
        link.set(qn("w:anchor"), anchor or "")
    link.set(qn("w:history"), "1")
    run = Run(OxmlElement("w:r"), para)
    run.text = _t(text)
    run.font.underline = True
    run.font.color.rgb = MUTED if muted else LINK_COLOUR
    link.append(run._r)
    para._p.append(link)


def _rid(part, url: str) -> str:
    """The relationship id of a link target, one per URL. python-docx's ``relate_to`` looks
    through every relationship for each link, which made a 300-answer pack take a minute."""
    ids = part.__dict__.setdefault("_learncast_link_ids", {})
    if url not in ids:
        ids[url] = part.rels.add_relationship(RT.HYPERLINK, url, f"rLink{len(ids) + 1}", is_external=True).rId
    return ids[url]


def _bookmark(ch: views.ChapterView) -> str:
    return f"chapter_{ch.index + 1}"  # Word's bookmark names: a letter first, no spaces, 40 at most


def _mark(para, name: str, number: int) -> None:
    """Make ``para`` a bookmark target, so the contents can link to it."""
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(number))
    para._p.insert(1 if para._p.pPr is not None else 0, start)
    para._p.append(end)


def _document(title: str, config: Config, language: str, day: dt.date | None):
    doc = docx.Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    props = doc.core_properties
    props.title = _t(title)[:255]
    props.author = props.last_modified_by = _t(config.author)[:255]
    props.subject = _t(config.title)[:255]
    props.language = language
    props.comments = i18n.gettext("A reading pack from %(show)s, made by Learncast.", show=_t(config.title))
    props.keywords = ""
    props.revision = 1
    when = dt.datetime.combine(day or dt.date(2000, 1, 1), dt.time(9, 0))
    props.created = props.modified = when
    props.last_printed = when
    return doc


def _save(doc) -> bytes:
    """The DOCX bytes, the zip rewritten with fixed member dates (the same input, the same bytes)."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()


def _t(text: Any) -> str:
    """Text Word (and lxml) accepts: no control characters or lone surrogates, runs of
    whitespace as one space (kept at the ends: runs are joined into one line)."""
    return _SPACES.sub(" ", _ILLEGAL.sub("", str(text or "")))


__all__ = ["MIME", "episode_pack", "episode_pack_name", "question_pack", "question_pack_name",
           "write_reading_packs"]
