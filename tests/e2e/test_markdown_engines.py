"""A whole site comes out the same whichever engine renders its Markdown.

Most bodies are rendered by markdown-it-pyrs (markdown_fast.fast_renders); the rest, and every
body when the fast path is turned off here, by markdown-it-py. Every file of the output
(pages, feeds, the search index, cards) must be byte for byte the same either way, under a
base path and over worker processes too.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from tests.conftest import NOW, REPO, MakeSite, post

from journeyblog import markdown_fast
from journeyblog.engine.incremental import build
from journeyblog.options import BuildOptions


def _tree(folder: Path) -> dict[str, str]:
    """Output path -> hash of its bytes, the publication manifest left out (it has the time)."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "publication-manifest.json"
    }


def _both_ways(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """The output trees built with the fast path, and with markdown-it-py for every body."""
    fast, slow = tmp_path / "fast", tmp_path / "slow"
    build(BuildOptions(site_dir=site, out_dir=fast, now=NOW, cache=False, jobs=jobs))
    with monkeypatch.context() as patch:
        patch.setattr(markdown_fast, "fast_renders", lambda _text: False)
        build(BuildOptions(site_dir=site, out_dir=slow, now=NOW, cache=False, jobs=jobs))
    return _tree(fast), _tree(slow)


def test_the_example_site_is_the_same_whichever_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "example"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "journeyblog.toml", site / "journeyblog.toml")
    fast, slow = _both_ways(site, tmp_path, monkeypatch)
    assert fast == slow
    assert any(path.startswith("posts/") for path in fast)


BODIES = [
    "## Why we moved\n\nCost & risk, with `rsync` and [the plan](/posts/p1/).\n\n"
    "![A map](/images/map.png)\n\n```python\nprint('moved')\n```\n",
    "Intro with **strong** text.\n\n- one\n- two\n\n> A quote\n> from the board.\n\n"
    "| Service | Status |\n|---|:-:|\n| Email | Moved |\n",
    "A footnote[^1] keeps this one on markdown-it-py.\n\n[^1]: The note.\n",
    "### Setext and rules\n\nTitle\n=====\n\n---\n\n1. first\n2. second\n",
]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_site_under_a_base_path_is_the_same_whichever_engine(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    files = {
        f"content/posts/p{n}.md": post(
            f"Post {n}", date=f"2016-02-{n % 27 + 1:02d}", body=BODIES[n % len(BODIES)]
        )
        for n in range(60)  # enough for the workers to be used with jobs=2
    }
    site = make_site(files)
    config = site / "journeyblog.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'base_url = "https://blog.test.example/"', 'base_url = "https://test.example/blog/"'
        ),
        encoding="utf-8",
    )
    assert "test.example/blog/" in config.read_text(encoding="utf-8")
    fast, slow = _both_ways(site, tmp_path, monkeypatch, jobs=jobs)
    assert fast == slow
