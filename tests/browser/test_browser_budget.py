"""The pages a large site splits its lists into (made here with small budgets): valid HTML for
the Nu Html Checker, and no serious or critical axe-core violation at 375 and 1280 px."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from journeyblog import render
from journeyblog.engine.incremental import build
from journeyblog.options import BuildOptions
from tests.browser.conftest import AXE, VNU, _serve
from tests.browser.test_browser_axe import RUN_AXE
from tests.conftest import AUTHORS, CONFIG, NOW, post

pytestmark = pytest.mark.browser

SPLIT = ("archive/", "archive/2015/", "archive/2015/page/2/", "tags/everything/page/2/")
SPLIT += ("authors/ann/page/2/", "series/", "series/page/2/", "")


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    site = tmp_path_factory.mktemp("budget") / "site"
    files = {"journeyblog.toml": CONFIG, "content/authors.yml": AUTHORS}
    files["content/series.yml"] = "".join(f"s{n}:\n  title: Series {n}\n" for n in range(10))
    for number in range(1, 31):
        files[f"content/posts/p{number:02d}.md"] = post(
            f"Post {number:02d}",
            date=f"{2014 + number % 3}-{1 + number % 12:02d}-10",
            author="ann" if number % 2 else "ben",
            series=f"s{number % 10}",
            part=number // 10 + 1,
            tags=["everything"],
        )
    for relative, text in files.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(text, encoding="utf-8")
    out = site.parent / "out"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("LIST_PAGE", 4), ("ARCHIVE_PAGE", 6), ("SERIES_PAGE", 4)):
            patch.setattr(render, name, value)
        patch.setattr(render, "HOME_SERIES", 3)
        build(BuildOptions(site_dir=site, out_dir=out, now=NOW, jobs=1))
    for path in SPLIT:
        assert (out / path / "index.html").is_file(), path
    with _serve(out) as origin:
        yield out, origin


@pytest.mark.vnu
def test_the_split_pages_are_valid_html(large: tuple[Path, str]) -> None:
    out, _ = large
    pages = [str(out / path / "index.html") for path in SPLIT]
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", *pages],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(run.stderr)["messages"]
    errors = [m for m in messages if m["type"] in ("error", "non-document-error")]
    assert errors == [] and run.returncode == 0


@pytest.mark.parametrize("width", [375, 1280])
def test_the_split_pages_have_no_serious_accessibility_violation(
    browser: Browser, large: tuple[Path, str], width: int
) -> None:
    _, origin = large
    page = browser.new_page(viewport={"width": width, "height": 900})
    found = []
    for path in SPLIT:
        page.goto(f"{origin}/{path}")
        page.add_script_tag(path=str(AXE))
        found += [v for v in page.evaluate(RUN_AXE) if v["impact"] in ("serious", "critical")]
    page.close()
    assert found == []
