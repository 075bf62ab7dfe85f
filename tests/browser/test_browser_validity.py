"""The built HTML judged without a browser: the Nu Html Checker, links and anchors, structure.

Runs over every page of both sites (the test site and the example site).
"""

from __future__ import annotations

import itertools
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag

from tests.browser.conftest import VNU, Served, nu_html_errors

CSS_BUDGET = 20 * 1024


def _pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _is_redirect(soup: BeautifulSoup) -> bool:
    return soup.find("meta", attrs={"http-equiv": "refresh"}) is not None


@pytest.mark.vnu
def test_nu_html_checker_finds_no_errors(test_site: Served, example_site: Served) -> None:
    """One run of vnu.jar over both output folders: HTML and CSS; warnings are allowed."""
    errors, status = nu_html_errors(test_site.out, example_site.out, css=True)
    assert errors == [], "\n".join(errors)
    checked = len(_pages(test_site.out)) + len(_pages(example_site.out))
    assert checked > 40 and status == 0


def test_nu_html_checker_reports_an_invalid_page(tmp_path: Path) -> None:
    """The judge is awake: a page with a stray end tag is an error."""
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html lang="en"><title>x</title><p>x</div>', encoding="utf-8"
    )
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--skip-non-html", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert any(m["type"] == "error" for m in json.loads(run.stderr)["messages"])


def test_every_internal_link_and_anchor_resolves(served: Served) -> None:
    base = urlsplit(served.site.info.base_url)
    ids: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in ids:
            soup = _soup(path)
            found = {str(tag["id"]) for tag in soup.find_all(id=True)}
            found |= {str(tag["name"]) for tag in soup.find_all("a", attrs={"name": True})}
            ids[path] = found
        return ids[path]

    broken = []
    checked = 0
    for page in _pages(served.out):
        # Where the page is served: under the base_url's path, as the site's links expect.
        page_url = base.path + page.relative_to(served.out).as_posix()
        soup = _soup(page)
        for tag in soup.find_all(True):
            assert isinstance(tag, Tag)
            for attribute in ("href", "src", "srcset"):
                value = tag.get(attribute)
                if not isinstance(value, str) or not value.strip():
                    continue
                candidates = (
                    [item.split()[0] for item in value.split(",")]
                    if attribute == "srcset"
                    else [value]
                )
                for reference in candidates:
                    problem = _resolve(reference, page_url, served.out, base, ids_of)
                    checked += 1
                    if problem:
                        broken.append(f"{page_url}: {tag.name} {attribute}={reference}: {problem}")
    assert checked > 100
    assert broken == [], "\n".join(broken)


def _resolve(
    reference: str,
    page_url: str,
    out: Path,
    base: SplitResult,
    ids_of: Callable[[Path], set[str]],
) -> str | None:
    """Why `reference` on `page_url` does not resolve inside `out`, or None if it does."""
    url = urlsplit(urljoin(page_url, reference.strip()))
    if (url.scheme or url.netloc) and (url.scheme, url.netloc) != (base.scheme, base.netloc):
        return None  # another site: not ours to check
    path = unquote(url.path)
    if not path.startswith(base.path):
        return f"outside the base path {base.path}"
    relative = path[len(base.path) :]
    target = out / relative
    if relative == "" or relative.endswith("/"):
        target = target / "index.html"
    if not target.is_file():
        return "no such file"
    if url.fragment:
        if target.suffix != ".html":
            return "fragment on a file that is not a page"
        if unquote(url.fragment) not in ids_of(target):
            return f"no element with id '{unquote(url.fragment)}'"
    return None


def test_every_page_has_landmarks_one_h1_and_headings_in_order(served: Served) -> None:
    problems = []
    pages = _pages(served.out)
    for page in pages:
        soup = _soup(page)
        name = page.relative_to(served.out).as_posix()
        if _is_redirect(soup):
            continue
        for landmark in ("header", "nav", "main", "footer"):
            if soup.find(landmark) is None:
                problems.append(f"{name}: no <{landmark}>")
        if not soup.select_one("a.skip-link[href='#main_content']") or not soup.select_one(
            "main#main_content"
        ):
            problems.append(f"{name}: no skip link to <main id=main_content>")
        levels = [int(h.name[1]) for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
        if levels.count(1) != 1 or levels[0] != 1:
            problems.append(f"{name}: headings {levels} do not start with the only h1")
        for before, after in itertools.pairwise(levels):
            if after > before + 1:
                problems.append(f"{name}: h{after} follows h{before}")
    assert len(pages) > 10
    assert problems == [], "\n".join(problems)


def test_css_is_under_budget_and_nothing_loads_from_elsewhere(served: Served) -> None:
    css = sorted(served.out.rglob("*.css"))
    total = sum(path.stat().st_size for path in css)
    assert css and total < CSS_BUDGET, f"{total} bytes of CSS: {[p.name for p in css]}"
    for path in css:
        assert "@import" not in path.read_text(encoding="utf-8")
        assert "url(http" not in path.read_text(encoding="utf-8").replace(" ", "")
    for page in _pages(served.out):
        soup = _soup(page)
        for tag in soup.find_all(["script", "img", "iframe", "link", "source", "video", "audio"]):
            assert isinstance(tag, Tag)
            if tag.name == "link" and "stylesheet" not in (tag.get("rel") or []):
                continue  # feeds, canonical: not loaded by the browser
            source = str(tag.get("src") or tag.get("href") or "")
            assert not urlsplit(source).netloc, f"{page}: {tag.name} from {source}"
