"""What a cache is keyed by besides the input: every library that may change the bytes."""

from __future__ import annotations

import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest
from tests.conftest import REPO

from journeyblog import versions

# Runtime dependencies that never change what a build writes.
NOT_SHAPING = {
    "click": "the command line",
    "rich": "the command line's progress",
    "watchdog": "the dev server's watcher",
    "ahocorasick-rs": "the audit's search: whether a build stops, not what it writes",
    "xxhash": "the keys of the engine, not the bytes of the output",
}


def _dependencies() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    return {
        versions._normalise(re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0])
        for requirement in project["project"]["dependencies"]
    }


def test_every_dependency_is_in_the_versions_or_said_not_to_shape_the_output() -> None:
    shaping = {versions._normalise(name) for name in versions.SHAPING}
    unsaid = _dependencies() - shaping - set(NOT_SHAPING)
    assert not unsaid, f"add to versions.SHAPING or to NOT_SHAPING here: {sorted(unsaid)}"
    assert not shaping & set(NOT_SHAPING)


def test_the_versions_are_the_ones_python_imports() -> None:
    found = versions._installed(versions.SHAPING, sys.path)
    for name in versions.SHAPING:
        version = found.get(name) or versions._metadata_version(name)
        assert version == importlib.metadata.version(name)
        assert f";{name}={importlib.metadata.version(name)}" in versions.VERSIONS


def test_a_library_installed_earlier_on_the_path_is_the_one_that_counts(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    (first / "Jinja2-9.9.9.dist-info").mkdir(parents=True)
    (second / "jinja2-3.1.0.dist-info").mkdir(parents=True)
    (second / "PyYAML-5.4-py3.11.egg-info").mkdir(parents=True)
    (second / "python_frontmatter-1.0.0.dist-info").mkdir(parents=True)
    paths = [str(tmp_path / "missing"), str(first), str(second)]
    found = versions._installed(["jinja2", "pyyaml", "python-frontmatter", "lxml"], paths)
    # An egg's folder is not read for its version: importlib.metadata is asked instead.
    assert found == {"jinja2": "9.9.9", "pyyaml": "", "python-frontmatter": "1.0.0"}


@pytest.mark.parametrize("name", ["jinja2", "babel", "pillow", "ebooklib"])
def test_an_upgraded_library_is_a_new_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    before = versions._versions()
    (tmp_path / f"{name}-99.0.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    after = versions._versions()
    assert after != before and f";{name}=99.0" in after
