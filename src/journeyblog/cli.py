"""The command line: `journeyblog build` (and the commands later issues add).

Prints errors one a line as `path:line: message`, sorted, then one summary line. Exit 0 on
success, 1 on content errors, 2 on usage errors. Stages never print; only this module does.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import click

from journeyblog import __version__
from journeyblog.build import BuildOptions, audit_output, build, check
from journeyblog.errors import BuildFailed, UnsafePath


def _now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not an ISO 8601 date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="journeyblog")
def cli() -> None:
    """Build static sites for multi-part blog series."""


@cli.command("build")
@click.argument("site_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Output folder (default SITE_DIR/output).",
)
@click.option("--base-url", help="Override base_url from journeyblog.toml.")
@click.option(
    "--audience", help="Publish posts up to this security level (default: the config's audience)."
)
@click.option("--drafts", is_flag=True, help="Publish drafts too.")
@click.option("--future", is_flag=True, help="Publish posts dated after --now too.")
@click.option(
    "--now", "now_text", metavar="DATETIME", help="The cutoff for future posts (default: now)."
)
def build_command(
    site_dir: Path,
    output: Path | None,
    base_url: str | None,
    audience: str | None,
    drafts: bool,
    future: bool,
    now_text: str | None,
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
        now=_now(now_text),
    )
    try:
        result = build(options)
    except BuildFailed as failure:
        _fail(failure)
    except UnsafePath as error:
        click.echo(f"{options.output}: {error} (fix the slug, alias or image path)", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted: nothing was written; the previous output is unchanged.", err=True)
        sys.exit(130)
    click.echo(
        f"Built {result.pages} pages, {result.feeds} feeds in {result.seconds:.2f} s"
        f" ({len(result.site.posts)} posts for audience {result.site.info.audience.name})"
    )


@cli.command("check")
@click.argument("site_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--now", "now_text", metavar="DATETIME", help="Check as of this time (default: now).")
def check_command(site_dir: Path, now_text: str | None) -> None:
    """Run every validation of a build without writing; add warnings."""
    if not site_dir.is_dir():
        raise click.UsageError(f"{site_dir} is not a folder")
    try:
        warnings = check(site_dir, now=_now(now_text))
    except BuildFailed as failure:
        _fail(failure, verb="Check")
    for warning in warnings:
        click.echo(str(warning), err=True)
    count = len(warnings)
    click.echo(f"Checked {site_dir}: no errors, {count} warning{'s' if count != 1 else ''}.")


@cli.command("audit")
@click.argument("output_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--site",
    "site_dir",
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
    help="The site the output was built from (default: the current folder).",
)
@click.option("--audience", help="The audience the output was built for (default: the config's).")
@click.option(
    "--now", "now_text", metavar="DATETIME", help="The build's cutoff (default: the manifest's)."
)
def audit_command(
    output_dir: Path, site_dir: Path, audience: str | None, now_text: str | None
) -> None:
    """Check that OUTPUT_DIR holds nothing of a post its audience may not see."""
    try:
        findings = audit_output(output_dir, site_dir, audience=audience, now=_now(now_text))
    except BuildFailed as failure:
        _fail(failure, verb="Audit")
    for finding in findings:
        click.echo(finding, err=True)
    if findings:
        click.echo(
            f"Audit failed: {len(findings)} leak{'s' if len(findings) != 1 else ''} in {output_dir}.",
            err=True,
        )
        sys.exit(1)
    click.echo(f"Audit passed: nothing in {output_dir} comes from an unpublished post.")


def _fail(failure: BuildFailed, verb: str = "Build") -> NoReturn:
    for error in failure.errors:
        click.echo(str(error), err=True)
    count = len(failure.errors)
    click.echo(
        f"Build failed: {count} error{'s' if count != 1 else ''}; nothing was written.", err=True
    )
    sys.exit(failure.exit_code)


def main() -> None:
    cli(prog_name="journeyblog")
