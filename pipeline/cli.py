"""The ``learncast`` command line: a thin click layer over the stages.

Heavy modules (Whisper, ffmpeg wrappers, feed and page rendering) are imported inside
the commands, so ``learncast --help`` answers at once. This is the one place where a
LearncastError becomes a message and an exit code.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import ConfigError, LearncastError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class LearncastGroup(click.Group):
    """Turns every LearncastError into clear lines on stderr and the right exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            for line in exc.lines():
                click.secho(f"error: {line}", fg="red", err=True)
            ctx.exit(exc.exit_code)
        except LearncastError as exc:
            click.secho(f"error: {exc.one_line()}", fg="red", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted: outputs written so far are complete; run the command again to finish.",
                       err=True)
            ctx.exit(130)


workspace_option = click.option(
    "--workspace", "-w", "workspace", type=click.Path(file_okay=False, path_type=Path),
    default=Path("."), show_default="current folder", help="The workspace folder (holds learncast.toml).")
engine_option = click.option("--engine", type=click.Choice(["faster-whisper", "openai-whisper"]),
                             default=None, help="Override the engine in learncast.toml.")
model_option = click.option("--model", default=None, metavar="MODEL",
                            help="A CTranslate2 folder, a .pt checkpoint, or a size name such as small.")


@click.group(cls=LearncastGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="learncast")
@click.option("-v", "--verbose", count=True, help="Show more detail (-vv for debug).")
def main(verbose: int) -> None:
    """Turn recorded interviews into a podcast feed and a transcript site.

    Put recordings in media/, then run `learncast build`.
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _open(workspace: Path):
    from .workspace import Workspace

    return Workspace.open(workspace)


def _run_stages(workspace: Path, stages: tuple[str, ...], **options: Any) -> None:
    from . import build
    from .progress import CliReporter

    ws = _open(workspace)
    with CliReporter(enabled=sys.stderr.isatty()) as reporter:
        report = build.run(ws, stages, reporter=reporter, **options)
    _summarise(report, stages)
    sys.exit(report.exit_code)


def _summarise(report, stages: tuple[str, ...]) -> None:
    ok = [r for r in report.results if r.ok]
    for r in report.failed:
        click.secho(f"failed: {r.message}", fg="red", err=True)
    noun = "recording" if len(report.results) == 1 else "recordings"
    click.echo(f"{len(ok)} of {len(report.results)} {noun} processed ({', '.join(stages)}).", err=True)
    if "publish" in stages and report.site_dir is not None:
        index = report.site_dir / "index.html"
        if index.is_file():
            click.echo(f"Site: {index}", err=True)
            feeds = [report.site_dir / "feed.xml"] + sorted(report.site_dir.glob("*/feed.xml"))
            for feed in [f for f in feeds if f.is_file()] or feeds[:1]:  # one per language in a bilingual site
                click.echo(f"Feed: {feed}", err=True)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default=None, help="The show's title (defaults to the folder name).")
def init(directory: Path, title: str | None) -> None:
    """Create a new workspace in DIRECTORY with a commented learncast.toml."""
    from .workspace import init_workspace

    cfg = init_workspace(directory, title)
    click.echo(f"Created {cfg}. Copy recordings into {directory / 'media'} and run:")
    click.echo(f"  learncast build --workspace {directory}")


@main.command("build")
@workspace_option
@engine_option
@model_option
@click.option("--require-reviewed", is_flag=True, help="Publish only transcripts a person has reviewed.")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
              help="Recordings to process at once (default: the number of CPU cores).")
@click.option("--scheduler", metavar="tcp://HOST:8786", default=None,
              help="Hand the work to a Dask cluster instead of this machine (see README).")
def build_cmd(workspace: Path, engine: str | None, model: str | None, require_reviewed: bool,
              jobs: int | None, scheduler: str | None) -> None:
    """Run every stage (ingest, transcribe, chapter, publish) over media/."""
    import os

    _run_stages(workspace, ("ingest", "transcribe", "chapter", "publish"), engine=engine, model=model,
                require_reviewed=require_reviewed, jobs=jobs or os.cpu_count() or 1, scheduler=scheduler)


@main.command()
@workspace_option
def ingest(workspace: Path) -> None:
    """Check and decode every recording in media/."""
    _run_stages(workspace, ("ingest",))


@main.command()
@workspace_option
@engine_option
@model_option
def transcribe(workspace: Path, engine: str | None, model: str | None) -> None:
    """Transcribe every recording into transcripts/<slug>/."""
    _run_stages(workspace, ("ingest", "transcribe"), engine=engine, model=model)


@main.command()
@workspace_option
def chapter(workspace: Path) -> None:
    """Split every transcript into chapters by the question set (all recordings).

    To list or correct one recording's chapters, use `learncast chapters SLUG`.
    """
    _run_stages(workspace, ("chapter",))


@main.command()
@workspace_option
@click.option("--require-reviewed", is_flag=True, help="Publish only transcripts a person has reviewed.")
def publish(workspace: Path, require_reviewed: bool) -> None:
    """Encode the media and write the feed and the site into site/."""
    _run_stages(workspace, ("publish",), require_reviewed=require_reviewed)


@main.command()
@workspace_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0 picks a free one).")
def serve(workspace: Path, host: str, port: int) -> None:
    """Preview the built site on localhost (with seeking support)."""
    from .serve import make_server

    site = _open(workspace).site_dir
    if not (site / "index.html").is_file():
        from .errors import UsageError

        raise UsageError("the site has not been built yet", path=site, fix="run `learncast build` first")
    server = make_server(site, host, port)
    click.echo(f"Serving {site} at http://{host}:{server.server_address[1]}/ (Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.group(invoke_without_command=True)
@workspace_option
@click.option("--port", default=0, show_default="a free port", type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on. Any other (0.0.0.0: all) makes a team server, which needs "
                   "team accounts: `learncast studio users add NAME`.")
@click.option("--public-name", "public_names", multiple=True, metavar="NAME[:PORT]",
              help="A name the team reaches the studio by (a TLS proxy's, say); makes a team server. Repeatable.")
@click.option("--no-browser", is_flag=True, help="Print the address without opening a browser.")
@click.pass_context
def studio(ctx: click.Context, workspace: Path, port: int, host: str, public_names: tuple[str, ...],
           no_browser: bool) -> None:
    """Check and correct transcripts in the browser, on http://127.0.0.1 unless --host says otherwise."""
    if ctx.invoked_subcommand is not None:
        return
    from . import studio as st

    ws = _open(workspace)
    team = st.team_for(ws, host, public_names)
    sock = st.bind(port, host)
    app, _, url = st.prepare(ws, sock, team=team)
    if team is not None:
        click.echo(f"Team studio for {ws.root}: the team signs in at {url}  (Ctrl-C to stop). "
                   "Plain http: put it behind a TLS proxy.", err=True)
    else:
        click.echo(f"Learncast studio for {ws.root}: open {url}  (Ctrl-C to stop)", err=True)
    click.echo(url)
    if not no_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        st.serve(app, sock)
    except KeyboardInterrupt:
        pass


users_workspace_option = click.option(
    "--workspace", "-w", "workspace", type=click.Path(file_okay=False, path_type=Path), default=None,
    show_default="as given to `studio`, else the current folder", help="The workspace folder.")


def _users_file(workspace: Path | None) -> Path:
    """The users file of ``workspace``, else of the workspace given to ``studio``."""
    from .studio.accounts import users_path

    ctx: click.Context | None = click.get_current_context()
    while workspace is None and ctx is not None:
        workspace = ctx.params.get("workspace") if ctx.info_name == "studio" else None
        ctx = ctx.parent
    return users_path(_open(workspace or Path(".")).state_dir)


@studio.group("users")
def studio_users() -> None:
    """Team accounts for a studio on another interface (--host): add, remove, list."""


@studio_users.command("add")
@click.argument("name")
@users_workspace_option
@click.option("--replace", is_flag=True, help="Give an existing user a new password (ends their sessions).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin (for scripts).")
def studio_users_add(name: str, workspace: Path | None, replace: bool, password_stdin: bool) -> None:
    """Add NAME (the password is asked for twice, hidden; never on the command line)."""
    from .studio.accounts import MIN_PASSWORD, add_user, check_name

    path = _users_file(workspace)
    check_name(name)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(f"Password for {name} (at least {MIN_PASSWORD} characters)", hide_input=True,
                                confirmation_prompt="Type it again", err=True)
    add_user(path, name, password, replace=replace)
    click.echo(f"{name}: {'new password saved' if replace else 'added'} in {path}. "
               "Start the team studio with `learncast studio --host 0.0.0.0`.")


@studio_users.command("remove")
@click.argument("name")
@users_workspace_option
def studio_users_remove(name: str, workspace: Path | None) -> None:
    """Remove NAME (their sessions end at their next request)."""
    from .studio.accounts import remove_user

    path = _users_file(workspace)
    user = remove_user(path, name)
    click.echo(f"{user.name}: removed from {path}.")


@studio_users.command("list")
@users_workspace_option
def studio_users_list(workspace: Path | None) -> None:
    """The team's user names and when each was added (never the password hashes)."""
    from .studio.accounts import load_users

    path = _users_file(workspace)
    users = load_users(path)
    if not users:
        click.echo("No team accounts yet. Add one with `learncast studio users add NAME`.")
    for user in sorted(users.values(), key=lambda u: u.name.casefold()):
        click.echo(f"{user.name}  (added {user.added or 'at an unknown time'})")


@main.command()
@click.argument("slug")
@workspace_option
@click.option("--undo", is_flag=True, help="Mark the transcript as not reviewed again.")
@click.option("--by", default=None, metavar="NAME", help="Who reviewed it (default: your login name).")
def review(slug: str, workspace: Path, undo: bool, by: str | None) -> None:
    """Mark SLUG's transcript as reviewed by a person (shown on its page and in the feed)."""
    from .migrate import try_migrate
    from .review import mark_reviewed

    ws, folder = _slug_folder(workspace, slug)
    try_migrate(ws)
    mark_reviewed(folder, reviewed=not undo, by=by)
    click.echo(f"{slug}: {'not ' if undo else ''}reviewed. Run `learncast build` to publish the change.")


@main.command()
@workspace_option
def status(workspace: Path) -> None:
    """Show each recording's state: new, transcribed, chaptered, reviewed, published or failed."""
    from .migrate import try_migrate
    from .status import recording_states

    ws = _open(workspace)
    try_migrate(ws)
    rows = recording_states(ws)
    if not rows:
        click.echo("No recordings in media/.")
        return
    width = max(len(r.slug) for r in rows)
    for r in rows:
        line = f"{r.slug:<{width}}  {r.state:<11}"
        if r.detail:
            line += f"  {r.detail}"
        click.secho(line, fg="red" if r.state == "failed" else None)


def _slug_folder(workspace: Path, slug: str) -> tuple[Any, Path]:
    ws = _open(workspace)
    recordings, _ = ws.recordings()
    if slug not in {r.slug for r in recordings} and not ws.transcript_dir(slug).is_dir():
        from .errors import UsageError

        raise UsageError(f'no recording with the slug "{slug}"', path=ws.media_dir,
                         fix="check the slug with `learncast status`")
    return ws, ws.transcript_dir(slug)


@main.command()
@click.argument("slug")
@click.argument("state", type=click.Choice(["public", "withheld"]))
@click.option("--until", "until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Embargo: publish only after this date (YYYY-MM-DD).")
@workspace_option
def consent(slug: str, state: str, until: Any, workspace: Path) -> None:
    """Record the interviewee's consent for SLUG: public or withheld (wins over the sidecar)."""
    from .consent import record

    _, folder = _slug_folder(workspace, slug)
    path = record(folder, state, until.date() if until else None)
    when = f", not before {until.date().isoformat()}" if until else ""
    click.echo(f"{slug}: {state}{when}. Recorded in {path}. Run `learncast build` to apply it.")


@main.command()
@click.argument("slug")
@click.option("--phrase", "phrases", multiple=True, metavar="TEXT",
              help="Cut every occurrence of TEXT (whole words, any case).")
@click.option("--range", "ranges", multiple=True, metavar="START-END",
              help="Cut a time range, in seconds or MM:SS, e.g. 12:30-12:41.")
@click.option("--reason", default="", help="Why (kept for the team, never published).")
@click.option("--list", "list_", is_flag=True, help="List this recording's redactions.")
@click.option("--remove", "remove", type=int, multiple=True, metavar="N", help="Remove entry N (see --list).")
@workspace_option
def redact(slug: str, phrases: tuple[str, ...], ranges: tuple[str, ...], reason: str, list_: bool,
           remove: tuple[int, ...], workspace: Path) -> None:
    """Cut a phrase or a time range of SLUG from everything published, audio included."""
    from . import redact as r
    from .errors import UsageError

    _, folder = _slug_folder(workspace, slug)
    entries = r.load(folder)
    if remove:
        bad = [n for n in remove if not 1 <= n <= len(entries)]
        if bad:
            raise UsageError(f"there is no redaction {bad[0]}", path=folder / r.REDACTIONS_NAME,
                             fix=f"use `learncast redact {slug} --list` to see the numbers")
        entries = [e for i, e in enumerate(entries, 1) if i not in remove]
    for text in phrases:
        if not r.has_words(text):
            raise UsageError(f'"{text}" has no words to match', fix="give a word or phrase")
        entries.append(r.Redaction(text=text.strip(), reason=reason))
    for span in ranges:
        try:
            start, end = r.parse_range(span)
        except ValueError as exc:
            raise UsageError(str(exc), fix="write START-END in seconds or MM:SS, e.g. 12:30-12:41") from None
        entries.append(r.Redaction(start=start, end=end, reason=reason))
    if phrases or ranges or remove:
        folder.mkdir(parents=True, exist_ok=True)
        path = r.save(folder, entries)
        click.echo(f"{slug}: {len(entries)} redaction(s) in {path}. Run `learncast build` to apply them.")
    if list_ or not (phrases or ranges or remove):
        if not entries:
            click.echo(f"{slug}: no redactions.")
        for i, e in enumerate(entries, 1):
            click.echo(f"{i}. {e.describe()}")


@main.command("quote")
@click.argument("slug")
@click.option("--from", "start", metavar="TIME", default=None, help="Where the quote starts (SS, MM:SS or H:MM:SS).")
@click.option("--to", "end", metavar="TIME", default=None, help="Where it ends; both snap to whole words.")
@click.option("--phrase", default=None, metavar="TEXT", help="The exact words instead: the span that says them.")
@click.option("--note", default="", help="Why, for the team (never published).")
@click.option("--list", "list_", is_flag=True, help="List this recording's quotes.")
@click.option("--remove", "remove", type=int, multiple=True, metavar="N", help="Remove quote N (see --list).")
@workspace_option
def quote_cmd(slug: str, start: str | None, end: str | None, phrase: str | None, note: str, list_: bool,
              remove: tuple[int, ...], workspace: Path) -> None:
    """Choose a key quote of SLUG: shown on its pages, with a link that plays just it, and the feed's soundbite."""
    from . import quotes as qt

    ws, folder = _slug_folder(workspace, slug)
    entries = qt.load_quotes(folder)
    transcript, cuts = qt.current_transcript(ws, slug)
    if remove:
        entries = qt.remove(entries, remove, folder / qt.QUOTES_NAME, f"use `learncast quote {slug} --list` to see the numbers")
    adding = phrase is not None or start is not None or end is not None
    if adding:
        a = _when("--from", start) if start is not None else None
        b = _when("--to", end) if end is not None else None
        span = qt.choose_span(transcript, cuts, start=a, end=b, phrase=phrase)
        entries.append(qt.QuoteEntry(span[0], span[1], note.strip()))
    if adding or remove:
        path = qt.save_quotes(folder, entries)
        click.echo(f"{slug}: {len(entries)} quote(s) in {path}. Run `learncast build` to publish them.")
    if list_ or not (adding or remove):
        if not entries:
            click.echo(f"{slug}: no quotes.")
        for i, (e, text) in enumerate(qt.with_text(entries, transcript), 1):
            click.echo(f'{i}. {e.describe()}  "{text}"')


@main.command("takeaway")
@click.argument("slug")
@click.argument("chapter", required=False)
@click.argument("text", required=False)
@click.option("--list", "list_", is_flag=True, help="List this recording's takeaways.")
@click.option("--remove", "remove", type=int, multiple=True, metavar="N", help="Remove takeaway N (see --list).")
@workspace_option
def takeaway_cmd(slug: str, chapter: str | None, text: str | None, list_: bool, remove: tuple[int, ...],
                 workspace: Path) -> None:
    """Write a short takeaway (your words) for CHAPTER (a question id, e.g. rules) of SLUG."""
    from . import quotes as qt
    from .errors import UsageError

    ws, folder = _slug_folder(workspace, slug)
    entries = qt.load_takeaways(folder)
    if remove:
        entries = qt.remove(entries, remove, folder / qt.TAKEAWAYS_NAME,
                            f"use `learncast takeaway {slug} --list` to see the numbers")
    if chapter is not None:
        ids = qt.chapter_ids(qt.current_transcript(ws, slug)[0])
        if text is None:
            raise UsageError("a takeaway needs CHAPTER and TEXT", fix=f'e.g. `learncast takeaway {slug} {chapter} "..."`')
        if chapter not in ids:
            raise UsageError(f'{slug} has no chapter "{chapter}"', fix=f"use one of: {', '.join(ids)}" if ids
                             else "run `learncast build` (or `learncast chapter`) first")
        problem = qt.takeaway_problem(text)
        if problem:
            raise UsageError(problem, fix="write it in a sentence or two")
        entries.append(qt.TakeawayEntry(chapter, " ".join(text.split())))
    if chapter is not None or remove:
        path = qt.save_takeaways(folder, entries)
        click.echo(f"{slug}: {len(entries)} takeaway(s) in {path}. Run `learncast build` to publish them.")
    if list_ or not (chapter is not None or remove):
        if not entries:
            click.echo(f"{slug}: no takeaways.")
        for i, e in enumerate(entries, 1):
            click.echo(f"{i}. {e.describe()}")


@main.command("themes")
@click.argument("slug")
@click.option("--accept", multiple=True, metavar="QUESTION", help="Confirm the suggested themes of QUESTION (a question id, or all).")
@click.option("--set", "set_", nargs=2, multiple=True, metavar="QUESTION THEMES",
              help='Make QUESTION\'s themes these: --set rules "rent debts, landlords" ("" clears them).')
@click.option("--add", nargs=2, multiple=True, metavar="QUESTION THEMES", help="Add themes to QUESTION's.")
@click.option("--remove", nargs=2, multiple=True, metavar="QUESTION THEMES", help="Remove themes from QUESTION's.")
@click.option("--list", "list_", is_flag=True, help="Show the confirmed themes only (no suggestions).")
@click.option("--suggester", type=click.Choice(["yake", "minilm"]), default=None, help="The keyword extractor (default: yake).")
@click.option("--count", type=click.IntRange(1, 20), default=5, show_default=True, help="Suggestions per chapter.")
@workspace_option
def themes_cmd(slug: str, accept: tuple[str, ...], set_: tuple[tuple[str, str], ...], add: tuple[tuple[str, str], ...],
               remove: tuple[tuple[str, str], ...], list_: bool, suggester: str | None, count: int, workspace: Path) -> None:
    """Show SLUG's suggested and confirmed themes per chapter, or confirm and edit them (only confirmed ones are published)."""
    from . import quotes as qt
    from . import themes as th
    from .errors import ModelError

    ws, folder = _slug_folder(workspace, slug)
    confirmed = th.load_themes(folder)
    transcript = qt.current_transcript(ws, slug)[0]
    changing = bool(accept or set_ or add or remove)
    suggested, unavailable = None, ""
    if accept or not (changing or list_):
        try:
            suggested = th.suggest_for(folder, transcript, count, suggester)
        except ModelError as exc:
            if accept:
                raise
            unavailable = exc.one_line()
    if changing:
        confirmed = th.changed(confirmed, chapters=qt.chapter_ids(transcript), suggested=suggested, accept=accept,
                               set_=set_, add=add, remove=remove)
        path = th.save_themes(folder, confirmed)
        click.echo(f"{slug}: {sum(map(len, confirmed.values()))} theme(s) in {path}. Run `learncast build` to publish them.")
    if list_ or not changing:
        for line in th.listing(transcript, confirmed, suggested if not list_ else None, unavailable):
            click.echo(line)


def _time_pair(option: str, value: str, example: str) -> tuple[float, str]:
    """``TIME=VALUE`` from the command line: (seconds, value)."""
    from .chapters.edits import parse_time
    from .errors import UsageError

    when, sep, rest = value.partition("=")
    try:
        if not sep or not rest.strip():
            raise ValueError(f'"{value}" is not TIME=VALUE')
        return parse_time(when), rest.strip()
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}", fix=f"write {option} {example} (times as SS, MM:SS or HH:MM:SS)") from None


@main.command("chapters")
@click.argument("slug", required=False)
@click.option("--set", "sets", multiple=True, metavar="TIME=LABEL",
              help="Relabel the chapter starting at TIME, or start a new one there (a split). LABEL is a "
                   "question id from the question set, intro or closing. E.g. --set 12:30=governance.")
@click.option("--move", "moves", multiple=True, metavar="TIME=NEWTIME",
              help="Move the start of the chapter at TIME (snapped to the nearest word start). E.g. --move 12:30=12:41.")
@click.option("--merge", "merges", multiple=True, metavar="TIME",
              help="Remove the chapter start at TIME: that chapter joins the one before.")
@click.option("--title", "titles", multiple=True, metavar="TIME=TITLE",
              help='Rename the chapter starting at TIME. E.g. --title 12:30="Working with the council".')
@click.option("--remove-edit", "removes", multiple=True, metavar="TIME",
              help="Drop the correction of the chapter at TIME (the automatic chapter comes back).")
@click.option("--clear", is_flag=True, help="Drop every correction (the file's comments stay).")
@click.option("--list", "list_", is_flag=True,
              help="Show the chapters (the default; also shown after a change): times, labels, confidence, "
                   "whether corrected.")
@click.option("--learn", is_flag=True,
              help="Offer the interviewer's words at each corrected chapter (of SLUG, or of every recording) "
                   "as a new phrasing of its question, numbered. Nothing is written without --accept.")
@click.option("--accept", "accepts", multiple=True, metavar="N",
              help="With --learn: add phrasing N (or all) to the workspace's question set, comments kept.")
@workspace_option
def chapters_cmd(slug: str | None, sets: tuple[str, ...], moves: tuple[str, ...], merges: tuple[str, ...],
                 titles: tuple[str, ...], removes: tuple[str, ...], clear: bool, list_: bool,
                 learn: bool, accepts: tuple[str, ...], workspace: Path) -> None:
    """List or correct one recording's chapters (SLUG); corrections are kept in
    transcripts/SLUG/chapters.edit.toml and applied at every build.

    (`learncast chapter`, without the s, chapters every recording.)

    Times are SS, MM:SS or HH:MM:SS (decimals allowed); a time names the chapter starting
    within 3 seconds of it. Changes are checked against the current chapters before anything
    is written. With no option, lists the chapters.

    --learn teaches the question set your team's wording: `learncast chapters --learn`
    lists what your corrections offer, `--learn --accept 2` (or `all`) writes it.
    """
    from .chapters import LOW_CONFIDENCE
    from .chapters import edits as ce
    from .chapters.correct import Changes, correct
    from .errors import UsageError
    from .migrate import try_migrate

    if learn or accepts:
        return _learn(workspace, slug, accepts)
    if slug is None:
        raise UsageError("which recording? `learncast chapters` needs a SLUG",
                         fix="write `learncast chapters SLUG` (see `learncast status`), or --learn")
    ws, _ = _slug_folder(workspace, slug)
    try_migrate(ws)
    changes = Changes(
        sets=tuple(_time_pair("--set", v, "12:30=governance") for v in sets),
        moves=tuple((t, _when("--move", to, "12:30=12:41"))
                    for t, to in (_time_pair("--move", v, "12:30=12:41") for v in moves)),
        merges=tuple(_when("--merge", v) for v in merges),
        titles=tuple(_time_pair("--title", v, '12:30="Working with the council"') for v in titles),
        removes=tuple(_when("--remove-edit", v) for v in removes),
        clear=clear)
    out = correct(ws, slug, changes)
    if out.written:
        click.echo(f"{slug}: {out.corrections} correction(s) in {out.written}. "
                   "Run `learncast build` (or `learncast chapter`) to apply them.")
    if out.by_hand:
        click.secho(f"note: the chapters in {out.transcript_path} were corrected by hand; they win over "
                    f"{ce.EDITS_NAME} until you remove that edit.", fg="yellow", err=True)
    for e in out.applied.unused:
        click.secho(f"note: the correction {e.describe()} changes nothing now.", fg="yellow", err=True)
    pending = "" if out.built or out.by_hand else " (not built yet: run `learncast build` to apply)"
    chapters = out.applied.chapters
    click.echo(f"{slug}: {len(chapters)} chapters, {out.corrections} correction(s){pending}")
    width = max(len(c.question) for c in chapters)
    for c in chapters:
        mark = "corrected" if c.corrected else ("check" if c.confidence < LOW_CONFIDENCE else "")
        click.echo(f"{ce.clock(c.start):>9}  {c.question:<{width}}  {c.confidence:4.2f}  {mark:<9}  {c.title}")


def _learn(workspace: Path, slug: str | None, accepts: tuple[str, ...]) -> None:
    """`learncast chapters [SLUG] --learn [--accept N]`: phrasings from corrected chapters."""
    from .chapters import learn
    from .chapters.edits import clock
    from .migrate import try_migrate

    ws = _slug_folder(workspace, slug)[0] if slug else _open(workspace)
    try_migrate(ws)
    found = learn.candidates(ws, [slug] if slug else None)
    if not found:
        click.echo("No new phrasings: correct a chapter first (`learncast chapters SLUG --set TIME=QUESTION`), "
                   "or the corrected chapters' wording is in the question set already.")
        return
    if accepts:
        chosen = learn.pick(found, accepts)
        path = learn.accept(ws, chosen)
        click.echo(f"Added {len(chosen)} phrasing(s) to {path}. The next `learncast build` chapters every "
                   "recording again with them.")
        return
    for n, c in enumerate(found, 1):
        click.echo(f'{n:>3}. {c.question}: "{c.text}"  ({c.slug} at {clock(c.start)})')
    click.echo("Accept with `learncast chapters --learn --accept N` (several --accept, or --accept all).")


def _when(option: str, value: str, example: str = "") -> float:
    """A time typed on the command line, in seconds."""
    from .errors import UsageError
    from .timecodes import parse_time

    try:
        return parse_time(value)
    except ValueError as exc:
        fix = (f"write {option} {example} (times as SS, MM:SS or HH:MM:SS)" if example
               else f"write {option} TIME, e.g. {option} 12:30")
        raise UsageError(f"{option}: {exc}", fix=fix) from None


@main.command("replace")
@click.argument("old")
@click.argument("new")
@click.argument("slug", required=False)
@click.option("--all", "all_", is_flag=True, help="Every transcribed recording instead of one SLUG.")
@click.option("--apply", "apply_", is_flag=True, help="Write the replacements; without it, only show them.")
@click.option("--match-case", is_flag=True, help="Find OLD only in the case written (default: any case).")
@click.option("--add-to-vocabulary", is_flag=True,
              help="With --apply, also add NEW to the show's vocabulary in learncast.toml.")
@workspace_option
def replace_cmd(old: str, new: str, slug: str | None, all_: bool, apply_: bool, match_case: bool,
                add_to_vocabulary: bool, workspace: Path) -> None:
    """Replace the phrase OLD with NEW (whole words) in SLUG's transcript, or in all with --all.

    Shows every match with its time and context first; --apply writes them as a person's
    edit of transcript.json (words keep their timings; the new words share the time of the
    ones they replace). Run `learncast build` afterwards to publish the change.
    """
    from . import replace as rp
    from .errors import UsageError
    from .timecodes import clock

    if bool(slug) == all_:
        raise UsageError("give one SLUG or --all", fix='e.g. `learncast replace "Jon" "John" --all`')
    ws = _open(workspace)
    found = rp.preview(ws, old, new, slug, match_case=match_case)
    for line in found.unreadable:
        click.secho(f"skipped: {line}", fg="yellow", err=True)
    for rec in found.recordings:
        for m in rec.matches:
            said = " ".join(p for p in (m.before, f"[{m.found} -> {m.replacement}]", m.after) if p)
            click.echo(f"{rec.slug}  {clock(m.start, places=1):>8}  {said}")
    hits = [r for r in found.recordings if r.matches]
    click.echo(f"{found.total} match(es) in {len(hits)} of {len(found.recordings)} transcript(s) searched.", err=True)
    if not apply_:
        if found.total or add_to_vocabulary:
            click.echo("Nothing written. Add --apply to make the change.", err=True)
        return
    if add_to_vocabulary:
        rp.check_vocabulary(ws, found.replace)  # before anything is written
    chosen = {r.slug: rp.Choice(version=r.version) for r in hits}
    done = rp.apply(ws, found.find, found.replace, chosen, match_case=match_case)
    for a in done:
        click.echo(f"{a.slug}: replaced {a.replaced}.")
    if add_to_vocabulary:
        added = rp.add_to_vocabulary(ws, found.replace)
        click.echo(f'"{found.replace}" {"added to" if added else "is already in"} the vocabulary in {ws.config.path}.')
    if done or add_to_vocabulary:
        click.echo("Run `learncast build` to publish the change.", err=True)


@main.command()
@workspace_option
@click.option("--yes", is_flag=True, help="Delete them; without it, only list what would go.")
def prune(workspace: Path, yes: bool) -> None:
    """Remove what deleted recordings left behind: transcripts/ folders and cached audio."""
    from .status import prune as prune_workspace
    from .transcribe import TRANSCRIPT_NAME, is_hand_edited, read_transcript_file

    ws = _open(workspace)
    paths = prune_workspace(ws, yes=yes)
    if not paths:
        click.echo("Nothing to prune.")
        return
    for path in paths:
        note = ""
        if not yes and path.parent == ws.transcripts_dir:
            try:
                if is_hand_edited(read_transcript_file(path / TRANSCRIPT_NAME)):
                    note = "  (has a person's edits)"
            except (LearncastError, OSError):
                pass
        click.echo(f"{'removed' if yes else 'would remove'} {path.relative_to(ws.root)}{note}")
    if not yes:
        click.echo(f"Run `learncast prune --yes --workspace {workspace}` to remove them.")


@main.group()
def models() -> None:
    """Manage speech models."""


@models.command("convert")
@click.argument("src", type=click.Path(exists=True, path_type=Path))
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
def models_convert(src: Path, dest: Path) -> None:
    """Convert a CTranslate2 Whisper model (SRC folder or model.bin) to an openai-whisper DEST.pt."""
    from .transcribe.convert import convert_ct2_to_openai

    out = convert_ct2_to_openai(src, dest)
    click.echo(f"Wrote {out}")


if __name__ == "__main__":  # pragma: no cover
    main()
