"""The command line: `journeyblog build` (and the commands later issues add).

Prints errors one a line as `path:line: message`, sorted, then one summary line. Exit 0 on
success, 1 on content errors, 2 on usage errors. Stages never print; only this module does.

The pipeline, the engine and the scaffold are imported by the commands that run them:
`build` on a site where nothing changed answers from the stamps alone, sooner than they
would load.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import click

from journeyblog import __version__
from journeyblog.engine.stamps import input_stamp, up_to_date
from journeyblog.errors import BuildFailed, OptionInvalid, SiteError, UnsafePath
from journeyblog.options import BuildOptions
from journeyblog.recipes import CI_FILES

if TYPE_CHECKING:
    from rich.console import Console

    from journeyblog.serve import Rebuild


def _now_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    """--now as a date-time (a naive one in UTC); click names the option if it is not one."""
    return _now(value)


def _now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not an ISO 8601 date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(slots=True)
class _Run:
    """How this command runs (click's Context.obj)."""

    # -q: errors only; -v: each stage and changed file too; -vv: and the dev server's misses.
    level: int = 0
    # From main(): the process ends with the command, so nothing needs tearing down after it.
    ends_process: bool = False


def _set_verbosity(ctx: click.Context, param: click.Parameter, value: int | bool) -> None:
    setting = ctx.ensure_object(_Run)
    if value:
        setting.level = -1 if param.name == "quiet" else int(value)


_Command = TypeVar("_Command", bound=Callable[..., Any])


def verbosity_options(command: _Command) -> _Command:
    """-q / -v on a command, so both `journeyblog -q build` and `journeyblog build -q` work."""
    command = click.option(
        "-v",
        "--verbose",
        count=True,
        expose_value=False,
        callback=_set_verbosity,
        help="Say more: each stage and changed file (-vv: more still).",
    )(command)
    return click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=_set_verbosity,
        help="Print only errors.",
    )(command)


def _level() -> int:
    found = click.get_current_context().find_object(_Run)
    return found.level if found is not None else 0


def _colour() -> bool | None:
    """False when NO_COLOR is set (https://no-color.org); else click colours terminals only."""
    return False if os.environ.get("NO_COLOR") else None


def _say(message: str, *, fg: str | None = None, err: bool = False) -> None:
    click.secho(message, fg=fg, err=err, color=_colour())


class _StageHandler(logging.Handler):
    """Shows the pipeline's progress records: in the progress bar's text, printed with -v."""

    def __init__(self, console: Console, *, verbose: bool) -> None:
        super().__init__(logging.DEBUG)
        self.console = console
        self.verbose = verbose
        self.show: Callable[[str], None] | None = None
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if self.show is not None:
            self.show(record.getMessage())
        if self.verbose:
            self.console.print(self.format(record), markup=False, highlight=False, soft_wrap=True)


@contextmanager
def _progress(message: str | None) -> Iterator[None]:
    """While the body runs: a progress bar (on a terminal, unless -q) with the elapsed time
    and the `journeyblog` logger's latest record; with -v, every record printed. The bar
    is erased when the body ends, so only the summary stays; piped, nothing extra is shown."""
    from rich.console import Console

    level = _level()
    console = Console(highlight=False)  # rich honours NO_COLOR itself
    logger = logging.getLogger("journeyblog")
    handler = _StageHandler(console, verbose=level > 0)
    previous_level = logger.level
    logger.setLevel(logging.DEBUG if level > 1 else logging.INFO)
    logger.addHandler(handler)
    try:
        if message is not None and level >= 0 and console.is_terminal:
            # Imported here: a piped or quiet build (CI, the bench) never draws a bar.
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            columns = (
                SpinnerColumn(),
                TextColumn("{task.description}", markup=False),
                BarColumn(),  # the build does not say how far it is: the bar pulses
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=console, transient=True) as bar:
                task = bar.add_task(message, total=None)
                handler.show = lambda text: bar.update(task, description=f"{message}: {text}")
                yield
        else:
            yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)


def _host_option(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """--host: an address, never empty (which would listen on every network)."""
    if not value.strip():
        raise click.BadParameter(
            "an empty address listens on every network (give 127.0.0.1, or 0.0.0.0 to mean it)"
        )
    return value.strip()


def _http_url(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise click.BadParameter(f"'{value}' is not an absolute http(s) URL")
    return value


class _Commands(click.Group):
    """The commands, each of which says a file-system failure in one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as error:
            where = error.filename if error.filename is not None else "journeyblog"
            said = error.strerror or str(error)
            click.echo(
                f"{where}: {said} (check that it exists and may be read and written)", err=True
            )
            ctx.exit(1)


@click.group(
    cls=_Commands,
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=True,
)
@click.version_option(__version__, prog_name="journeyblog")
@verbosity_options
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Build static sites for multi-part blog series.

    Every command takes the site's folder, SITE_DIR (default: the current folder), and -q
    (errors only) or -v (more). `journeyblog COMMAND --help` tells each one's options.
    """
    if ctx.invoked_subcommand is None:  # `journeyblog` alone: what there is to do
        click.echo(ctx.get_help())


def site_argument(command: _Command) -> _Command:
    """The site's folder: the same first argument for every command."""
    return click.argument(
        "site_dir", default=".", type=click.Path(file_okay=False, path_type=Path)
    )(command)


def _usage(failure: BuildFailed) -> NoReturn:
    """An option the site cannot honour (--audience, --security, …), said as click says
    any usage error: exit 2, naming the option."""
    error = failure.errors[0]
    raise click.BadParameter(error.message, param_hint=f"'{error.path}'")


@cli.command("build", short_help="Build the site into its output folder.")
@site_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Output folder (default SITE_DIR/output).",
)
@click.option("--base-url", callback=_http_url, help="Override base_url from journeyblog.toml.")
@click.option(
    "--audience",
    metavar="LEVEL",
    help="Publish posts up to this security level (default: the config's audience).",
)
@click.option("--drafts", is_flag=True, help="Publish drafts too.")
@click.option("--future", is_flag=True, help="Publish posts dated after --now too.")
@click.option(
    "--now",
    "now_text",
    metavar="DATETIME",
    callback=_now_option,
    help="The cutoff for future posts (default: now).",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: the CPU count)."
)
@click.option("--no-cache", is_flag=True, help="Neither read nor update .journeyblog-cache/.")
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the publication manifest (default: OUTPUT.manifest.json, beside the"
    " output folder, never inside it).",
)
@click.option("--strict", is_flag=True, help="Treat every warning as an error (for CI).")
@verbosity_options
def build_command(
    site_dir: Path,
    output: Path | None,
    base_url: str | None,
    audience: str | None,
    drafts: bool,
    future: bool,
    now_text: datetime | None,
    jobs: int | None,
    no_cache: bool,
    manifest: Path | None,
    strict: bool,
) -> None:
    """Build SITE_DIR into its output folder."""
    if not site_dir.is_dir():
        raise click.UsageError(f"{site_dir} is not a folder")
    options = BuildOptions(
        site_dir=site_dir,
        out_dir=output,
        base_url=base_url,
        audience=audience,
        drafts=drafts,
        future=future,
        now=now_text,
        jobs=jobs,
        cache=not no_cache,
        manifest=manifest,
        strict=strict,
    )
    started = time.perf_counter()
    inputs = input_stamp(options)  # once, for both: a directory walk of every input
    current = up_to_date(options, inputs=inputs)
    if current is not None:
        if _level() >= 0:
            click.echo(
                f"Up to date: nothing changed since the last build of {options.output}"
                f" ({_count(current.pages, 'page')}, {_count(current.feeds, 'feed')},"
                f" {_count(current.posts, 'post')} for audience {current.audience};"
                f" checked in {time.perf_counter() - started:.2f} s)"
            )
        return
    from journeyblog.engine.incremental import build  # see the module's docstring

    try:
        with _progress(f"Building {site_dir}"):
            result = build(options, inputs=inputs)
    except OptionInvalid as failure:
        _usage(failure)
    except BuildFailed as failure:
        _fail(failure)
    except UnsafePath as error:
        click.echo(f"{options.output}: {error} (fix the slug, alias or image path)", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted: nothing was written; the previous output is unchanged.", err=True)
        sys.exit(130)
    if _level() < 0:
        _end_process_now()
        return
    if _level() > 0:
        for stage, seconds in result.stages:
            click.echo(f"  {seconds:7.2f} s  {stage}", err=True)
        click.echo(f"Manifest: {result.manifest}", err=True)
    click.echo(
        f"Built {_count(result.pages, 'page')}, {_count(result.feeds, 'feed')}"
        f" in {result.seconds:.2f} s ({_count(result.posts, 'post')} for audience"
        f" {result.site.info.audience.name}; {_count(result.rendered, 'file')} made,"
        f" {result.reused} unchanged since the last build,"
        f" {result.files - result.rendered - result.reused} copied)"
    )
    _print_warnings(result.warnings)
    _end_process_now()


# More than this many warnings after a build are counted, not printed: `check` lists them all.
WARNINGS_SHOWN = 20


def _print_warnings(warnings: Sequence[SiteError]) -> None:
    for warning in warnings[:WARNINGS_SHOWN]:
        click.echo(str(warning), err=True)
    if len(warnings) > WARNINGS_SHOWN:
        rest = len(warnings) - WARNINGS_SHOWN
        click.echo(
            f"… and {_count(rest, 'more warning')} (journeyblog check lists them all)", err=True
        )


def _end_process_now() -> None:
    """After a build run from the command line, exit 0 at once.

    Freeing a large site's model, millions of small objects, takes a noticeable part of an
    edit build, for memory the process is about to hand back anyway. Everything is written
    and the worker pools are joined by now; only the output streams need flushing. Under a
    test runner (no `main()`), a profiler or a coverage tracer (they write their report at
    exit) this does nothing.
    """
    context = click.get_current_context(silent=True)
    run = context.find_object(_Run) if context is not None else None
    if run is not None and run.ends_process and sys.getprofile() is None and sys.gettrace() is None:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def _count(number: int, noun: str) -> str:
    """_count(1, "post") -> "1 post"; _count(3, "post") -> "3 posts"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


@cli.command("check", short_help="Validate the site without writing, and warn.")
@site_argument
@click.option(
    "--audience",
    metavar="LEVEL",
    help="Check links as this audience reads them (default: the config's).",
)
@click.option("--drafts", is_flag=True, help="Check links as a build with --drafts would.")
@click.option("--future", is_flag=True, help="Check links as a build with --future would.")
@click.option(
    "--now",
    "now_text",
    metavar="DATETIME",
    callback=_now_option,
    help="Check as of this time (default: now).",
)
@verbosity_options
def check_command(
    site_dir: Path, audience: str | None, drafts: bool, future: bool, now_text: datetime | None
) -> None:
    """Run every validation of a build without writing, and add warnings.

    Posts of every level, drafts and future posts are validated; links are checked as the
    build with the same options would publish them.
    """
    if not site_dir.is_dir():
        raise click.UsageError(f"{site_dir} is not a folder")
    from journeyblog.build import check

    try:
        warnings = check(site_dir, now=now_text, audience=audience, drafts=drafts, future=future)
    except OptionInvalid as failure:
        _usage(failure)
    except BuildFailed as failure:
        _fail(failure, verb="Check")
    if _level() >= 0:
        for warning in warnings:
            click.echo(str(warning), err=True)
        count = len(warnings)
        click.echo(f"Checked {site_dir}: no errors, {_count(count, 'warning')}.")


@cli.command("audit", short_help="Check an output holds nothing withheld.")
@site_argument
@click.option(
    "-o",
    "--output",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The output folder to audit (default: SITE_DIR/output).",
)
@click.option(
    "--audience",
    metavar="LEVEL",
    help="The audience the output was built for (default: the config's).",
)
@click.option("--drafts", is_flag=True, help="The output was built with --drafts.")
@click.option("--future", is_flag=True, help="The output was built with --future.")
@click.option(
    "--now",
    "now_text",
    metavar="DATETIME",
    callback=_now_option,
    help="The build's cutoff (default: the manifest's).",
)
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The build's manifest, for its cutoff (default: OUTPUT.manifest.json).",
)
@click.option(
    "--site", "old_site", hidden=True, type=click.Path(file_okay=False, path_type=Path)
)  # the form before SITE_DIR came first: `audit OUTPUT --site SITE`
@verbosity_options
def audit_command(
    site_dir: Path,
    output_dir: Path | None,
    audience: str | None,
    drafts: bool,
    future: bool,
    now_text: datetime | None,
    manifest: Path | None,
    old_site: Path | None,
) -> None:
    """Check that the output holds nothing of a post its audience may not see."""
    if old_site is not None:
        site_dir, output_dir = old_site, site_dir
    output = output_dir if output_dir is not None else site_dir / "output"
    from journeyblog.build import audit_output, check_audience

    try:
        check_audience(site_dir, audience)
        if not output.is_dir():
            raise click.BadParameter(f"{output} is not a folder", param_hint="'--output'")
        if output.resolve() == Path(output.resolve().anchor):
            raise click.BadParameter("the root is no site's output", param_hint="'--output'")
        findings = audit_output(
            output,
            site_dir,
            audience=audience,
            now=now_text,
            manifest=manifest,
            drafts=drafts,
            future=future,
        )
    except OptionInvalid as failure:
        _usage(failure)
    except BuildFailed as failure:
        _fail(failure, verb="Audit")
    for finding in findings:
        click.echo(finding, err=True)
    if findings:
        count = _count(len(findings), "leak")
        click.echo(f"Audit failed: {count} in {output}.", err=True)
        sys.exit(1)
    if _level() >= 0:
        click.echo(f"Audit passed: nothing in {output} comes from an unpublished post.")


@cli.command("serve", short_help="Preview the site, rebuilt and reloaded as you save.")
@site_argument
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    callback=_host_option,
    help="Address to listen on (0.0.0.0 shows drafts to your whole network).",
)
@click.option(
    "--audience",
    metavar="LEVEL",
    help="Show posts up to this security level (default: the config's audience).",
)
@click.option("--drafts", is_flag=True, help="Show drafts too.")
@click.option("--future", is_flag=True, help="Show posts dated in the future too.")
@verbosity_options
def serve_command(
    site_dir: Path, port: int, host: str, audience: str | None, drafts: bool, future: bool
) -> None:
    """Preview SITE_DIR in a browser, rebuilt and reloaded each time you save.

    The preview is built in a temporary folder: SITE_DIR/output is never touched.
    """
    # Imported here: the server and its file watcher are a tenth of every other command's
    # start-up time.
    from journeyblog.serve import DevServer, ServeOptions

    if not site_dir.is_dir():
        raise click.UsageError(f"{site_dir} is not a folder")
    level = _level()

    def report(rebuild: Rebuild) -> None:
        if level > 0:
            for path in rebuild.changed:
                click.echo(f"Changed {path}")
        if rebuild.errors:
            for error in rebuild.errors:
                click.echo(str(error), err=True)
            count = len(rebuild.errors)
            what = "Build" if rebuild.number == 1 else "Rebuild"
            _say(
                f"{what} failed: {count} error{'s' if count != 1 else ''}; "
                + (
                    "nothing is served until a save builds."
                    if rebuild.number > 1
                    else "fix and save, and the site appears."
                ),
                fg="red",
                err=True,
            )
        elif level >= 0:
            what = "Built" if rebuild.number == 1 else "Rebuilt"
            pages = _count(rebuild.pages, "page")
            _say(f"{what} {pages} in {rebuild.milliseconds:.0f} ms", fg="green")

    server = DevServer(
        ServeOptions(
            site_dir=site_dir,
            host=host,
            port=port,
            audience=audience,
            drafts=drafts,
            future=future,
        ),
        on_build=report,
    )
    with _progress(None), _interrupt_on_sigterm():
        try:
            server.start()
        except OSError as error:
            reason = error.strerror or str(error)
            remedy = "check --host" if isinstance(error, socket.gaierror) else "try another --port"
            click.echo(f"{host}:{port}: cannot serve here: {reason} ({remedy})", err=True)
            sys.exit(1)
        except OptionInvalid as failure:  # an --audience the site does not have
            _usage(failure)
        except BuildFailed as failure:
            _refuse(failure)
        except KeyboardInterrupt:
            click.echo("Stopped.", err=True)
            return
        try:
            _say(f"Serving {site_dir} at {server.url} (Ctrl-C to stop)", fg="cyan")
            if not server.local:
                _say(
                    f"{host} is reachable from other machines: they see drafts and every level"
                    " this preview shows (use --host 127.0.0.1 to keep it to this one)",
                    fg="yellow",
                    err=True,
                )
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            with _ignoring_sigint():  # a second Ctrl-C must not leave threads running
                server.stop()
    click.echo("Stopped.", err=True)


@cli.command("new", short_help="Start the next part as a draft, or add a series.")
@click.argument(
    "words", nargs=-1, required=True, metavar='[SITE_DIR] "TITLE" | series SLUG "TITLE"'
)
@click.option("--series", "series_slug", metavar="SLUG", help="The series the post is part of.")
@click.option(
    "--author", metavar="SLUG", help="Default: the series' previous part's, or the only author."
)
@click.option(
    "--security", metavar="LEVEL", help="Default: the previous part's level, or the lowest."
)
@click.option(
    "-s", "--site", "old_site", hidden=True, type=click.Path(file_okay=False, path_type=Path)
)  # the form before SITE_DIR came first
@verbosity_options
def new_command(
    words: tuple[str, ...],
    series_slug: str | None,
    author: str | None,
    security: str | None,
    old_site: Path | None,
) -> None:
    """Start the next post as a draft, or add a series.

    \b
    journeyblog new "Moving email" --series cloud
        writes content/posts/cloud/04-moving-email.md: part 4, today's date,
        the previous part's author and level, a permanent id, draft: true
    journeyblog new series cloud "Journey to the Cloud"
        adds the series to content/series.yml
    journeyblog new ~/blog "Moving email" --series cloud
        the same, in the site at ~/blog
    """
    site_dir = old_site or Path(".")
    if old_site is None and len(words) > 1 and Path(words[0]).is_dir():
        site_dir, words = Path(words[0]), words[1:]  # the site's folder comes first
    elif old_site is None and len(words) > 1 and words[0].startswith(("/", "./", "../", "~")):
        raise click.UsageError(f"{words[0]} is not a folder (the site's folder comes first)")
    if not site_dir.is_dir():
        raise click.UsageError(f"{site_dir} is not a folder")
    from journeyblog.scaffold import new_post, new_series  # see the module's docstring

    try:
        if words[0] == "series":
            if len(words) != 3:
                raise click.UsageError('write: journeyblog new series SLUG "Title"')
            if series_slug or author or security:
                raise click.UsageError("--series, --author and --security are for posts")
            path = new_series(site_dir, words[1], words[2])
            if _level() >= 0:
                _say(f"Added series '{words[1]}' to {path}", fg="green")
            return
        made = new_post(
            site_dir, " ".join(words), series=series_slug, author=author, security=security
        )
    except OptionInvalid as failure:
        _usage(failure)
    except BuildFailed as failure:
        _refuse(failure)
    if _level() >= 0:
        part = f"part {made.part} of {made.series}, " if made.series else ""
        _say(f"Created {made.path} ({part}by {made.author}, {made.security}, draft)", fg="green")


@cli.command("init", short_help="Start a new site in a new or empty folder.")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--ci",
    type=click.Choice(sorted(CI_FILES)),
    help="Also write the workflow that publishes the site on GitHub Pages or GitLab Pages.",
)
@verbosity_options
def init_command(directory: Path, ci: str | None) -> None:
    """Create a new site in DIRECTORY (new or empty): settings, an author, a first post, and
    with --ci the workflow that publishes it (see docs/publishing.md)."""
    from journeyblog.scaffold import init_site  # see the module's docstring

    try:
        files = init_site(directory, ci=ci)
    except BuildFailed as failure:
        _refuse(failure)
    if _level() < 0:
        return
    _say(f"Created a new site in {directory} ({len(files)} files). Next:", fg="green")
    if directory != Path("."):
        click.echo(f"  cd {directory}")
    click.echo("  journeyblog serve")


@contextmanager
def _interrupt_on_sigterm() -> Iterator[None]:
    """`kill` stops serve as Ctrl-C does: threads joined, temporary folder removed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _ignoring_sigint() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _refuse(failure: BuildFailed) -> NoReturn:
    """Print why a command wrote nothing, one `path:line: message` a line; exit 1."""
    for error in failure.errors:
        click.echo(str(error), err=True)
    sys.exit(failure.exit_code)


def _fail(failure: BuildFailed, verb: str = "Build") -> NoReturn:
    for error in failure.errors:
        click.echo(str(error), err=True)
    count = len(failure.errors)
    click.echo(
        f"Build failed: {count} error{'s' if count != 1 else ''}; nothing was written.", err=True
    )
    sys.exit(failure.exit_code)


def main() -> None:
    cli(prog_name="journeyblog", obj=_Run(ends_process=True))


def command_help(name: str | None = None) -> str:
    """What `journeyblog [NAME] --help` prints, at 80 columns: docs/commands/ is made of it."""
    settings: dict[str, Any] = {
        "terminal_width": 80,
        "max_content_width": 80,
        "help_option_names": ["-h", "--help"],
    }
    parent = click.Context(cli, info_name="journeyblog", **settings)
    if name is None:
        return cli.get_help(parent)
    command = cli.commands[name]
    return command.get_help(click.Context(command, parent=parent, info_name=name, **settings))
