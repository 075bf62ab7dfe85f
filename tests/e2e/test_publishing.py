"""The publishing recipes work: `init --ci` writes the workflow docs/publishing.md shows, the
workflow parses, and its build commands build the example site in a fresh virtual environment
with journeyblog installed as a user installs it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tests.conftest import REPO

from journeyblog.recipes import CI_FILES
from journeyblog.scaffold import init_site

DOCS = (REPO / "docs" / "publishing.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", sorted(CI_FILES))
def test_init_writes_the_workflow_the_guide_shows(kind: str, tmp_path: Path) -> None:
    site = tmp_path / "blog"
    written = init_site(site, ci=kind)
    relative, text = CI_FILES[kind]
    assert site / relative in written
    assert (site / relative).read_text(encoding="utf-8") == text
    assert f"```yaml\n{text}```" in DOCS
    yaml.safe_load(text)  # parses


def _commands(kind: str) -> list[str]:
    """The shell commands the workflow runs to build (not the upload)."""
    document = yaml.safe_load(CI_FILES[kind][1])
    if kind == "github":
        steps = document["jobs"]["build"]["steps"]
        return [step["run"] for step in steps if "run" in step]
    return list(document["pages"]["script"])


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """journeyblog as a wheel, where `pip install journeyblog` finds it."""
    folder = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder), str(REPO)],
        check=True,
    )
    return folder


@pytest.mark.parametrize("kind", sorted(CI_FILES))
def test_the_workflows_build_commands_build_the_example_site(
    kind: str, wheels: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "journeyblog.toml", site / "journeyblog.toml")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {
        **os.environ,
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "PIP_FIND_LINKS": str(wheels),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    for command in _commands(kind):
        result = subprocess.run(
            command, shell=True, cwd=site, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    published = site / ("public" if kind == "gitlab" else "output")
    assert (published / "index.html").is_file()
    assert (published / "feed.xml").is_file()
    assert not (published / "publication-manifest.json").exists()


def test_the_upload_recipe_refuses_to_run_after_a_failed_build() -> None:
    [recipe] = re.findall(r"```bash\n(.*?)```", DOCS, re.DOTALL)
    assert recipe.splitlines()[0].startswith("set -e")
    assert "rsync -av --delete output/" in recipe and "aws s3 sync output/" in recipe
