"""Shared fixtures: small sites written into tmp_path, built with the real pipeline."""

from __future__ import annotations

import signal
import textwrap
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from journeyblog.build import BuildResult
from journeyblog.engine.incremental import build
from journeyblog.markdown import render_markdown
from journeyblog.options import BuildOptions
from journeyblog.rendered import Rendered

REPO = Path(__file__).resolve().parents[1]

# Started in the background by a non-interactive shell, the suite inherits SIGINT ignored, and
# so would every journeyblog it starts; the Ctrl-C tests need it delivered. A handler here is
# reset to the default in a child at exec, where Python turns it into KeyboardInterrupt again.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

CONFIG = """\
title = "Test Council Notes"
base_url = "https://blog.test.example/"
posts_per_page = 5
"""
AUTHORS = """\
ann:
  name: "Ann O'Reilly"
  role: Director of Information Systems
  organisation: Northbridge City Council
  bio: Ann writes about moving the council to the cloud.
ben:
  name: Ben Émile
  role: Head of IT
  organisation: Port Elden Town Hall
"""
SERIES = """\
cloud:
  title: Journey to the Cloud
  description: A council's move to cloud-first services.
  planned: 5
"""

MakeSite = Callable[[Mapping[str, str]], Path]


def rendering_once() -> Callable[[Sequence[str]], list[Rendered]]:
    """Markdown rendered once a text, as the dev server keeps every body it has rendered."""
    bodies: dict[str, Rendered] = {}

    def render(texts: Sequence[str]) -> list[Rendered]:
        for text in texts:
            if text not in bodies:
                bodies[text] = render_markdown(text, base_path="/", allow_raw_html=False)
        return [bodies[text] for text in texts]

    return render


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder: its "/"-separated relative path -> its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def assert_spare_shares_only_published_files(out: Path) -> None:
    """The staging folder kept after a build holds only the live output's own files."""
    spare = out.with_name(f".{out.name}.staging")
    for path in spare.rglob("*"):
        live = out / path.relative_to(spare)
        assert not path.is_symlink()
        if path.is_dir():
            assert live.is_dir(), f"{live} is no folder of the output"
        else:
            assert path.stat().st_ino == live.stat().st_ino, f"{path} is not {live}"


def post(
    title: str,
    *,
    date: str = "2016-01-01",
    author: str = "ann",
    security: str = "Public",
    body: str = "A first paragraph.\n",
    **extra: object,
) -> str:
    """A post's text: front matter from keyword arguments, then the body."""
    lines = [
        "---",
        f"title: {title!r}" if "'" not in title else f'title: "{title}"',
        f"date: {date}",
        f"author: {author}",
        f"security: {security}",
    ]
    for key, value in extra.items():
        if isinstance(value, list):
            value = "[" + ", ".join(str(v) for v in value) + "]"
        elif isinstance(value, bool):
            value = str(value).lower()
        lines.append(f"{key}: {value}")
    return "\n".join([*lines, "---", "", textwrap.dedent(body)])


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """make_site({path: text}) writes a site (config, authors and series by default)."""

    def make(files: Mapping[str, str]) -> Path:
        site = tmp_path / "site"
        defaults = {
            "journeyblog.toml": CONFIG,
            "content/authors.yml": AUTHORS,
            "content/series.yml": SERIES,
        }
        for relative, text in {**defaults, **files}.items():
            path = site / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return site

    return make


@pytest.fixture
def build_site() -> Callable[..., BuildResult]:
    def run(site: Path, **options: object) -> BuildResult:
        options.setdefault("now", NOW)
        return build(BuildOptions(site_dir=site, **options))  # type: ignore[arg-type]

    return run
