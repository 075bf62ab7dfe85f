"""A Welsh site in Chromium: what the scripts say (search results, reading progress) is
Welsh too, with Welsh plural forms chosen by the browser's own plural rules."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from journeyblog.engine.incremental import build
from journeyblog.options import BuildOptions
from tests.browser.conftest import Served, _serve
from tests.conftest import NOW, REPO

pytestmark = pytest.mark.browser
APOS = "\N{RIGHT SINGLE QUOTATION MARK}"  # the apostrophe the catalogs typeset


@pytest.fixture(scope="module")
def welsh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The example site, its language set to Welsh."""
    root = tmp_path_factory.mktemp("welsh")
    site = root / "site"
    site.mkdir()
    shutil.copytree(REPO / "content", site / "content")
    # The example in one language: its English posts, the English of its data files.
    for twin in (site / "content").rglob("*.cy.md"):
        twin.unlink()
    for name in ("series.yml", "authors.yml"):
        path = site / "content" / name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data.values():
            entry.update({k: v["en"] for k, v in entry.items() if isinstance(v, dict)})
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    text = (REPO / "journeyblog.toml").read_text(encoding="utf-8")
    config = tomllib.loads(text)
    for key in ("title", "description"):
        english = json.dumps(config[key]["en"], ensure_ascii=False)
        text = re.sub(rf"(?m)^{key} = .*$", f"{key} = {english}", text)
    text = re.sub(r"(?m)^(languages|default_language_at_root) = .*$", "", text)
    (site / "journeyblog.toml").write_text('language = "cy"\n' + text, encoding="utf-8")
    result = build(BuildOptions(site_dir=site, out_dir=root / "www", now=NOW))
    with _serve(root / "www") as origin:
        yield Served("welsh", root / "www", result.site, origin)


def test_search_says_in_welsh_how_many_posts_match(page: Page, welsh: Served) -> None:
    page.goto(welsh.at("search/"))
    page.wait_for_selector(".search-form[data-ready]")
    status = page.get_by_role("status")
    box = page.get_by_label("Chwilio cofnodion yn ôl teitl, testun, cyfres, tag neu awdur")
    box.fill("trust")
    expect(status).to_have_text(re.compile(r"^\d+ (cofnod|gofnod|chofnod) yn cyfateb i “trust”\.$"))
    counted = int(status.inner_text().split()[0])
    expected = {2: "gofnod", 3: "chofnod", 6: "chofnod"}.get(counted, "cofnod")
    assert status.inner_text().split()[1] == expected
    box.fill("nothingatallhere")
    expect(status).to_have_text(
        "Does dim cofnod yn cyfateb i “nothingatallhere”. "
        "Rhowch gynnig ar lai o eiriau, neu eiriau byrrach."
    )


def test_reading_progress_speaks_welsh(page: Page, welsh: Served) -> None:
    series = max(welsh.site.series, key=lambda s: len(s.parts))
    first, second = series.parts[:2]
    page.goto(welsh.url(first.url))
    page.locator(".read-end").scroll_into_view_if_needed()
    expect(page.locator(".series-parts li.part-current")).to_have_class(re.compile("part-read"))
    page.goto(welsh.url(second.url))
    status = page.locator(".series-block .series-read")
    expect(status).to_contain_text(f"1 o {len(series.parts)} wedi{APOS}u darllen")
    expect(status.get_by_role("button")).to_have_text(f"Anghofio beth rwyf wedi{APOS}i ddarllen")
    expect(page.locator(".series-parts li.part-read .part-read-note")).to_have_text(
        f" (wedi{APOS}i ddarllen)"
    )
    assert Path(welsh.out / "index.html").read_text(encoding="utf-8").count('lang="cy"') == 1
