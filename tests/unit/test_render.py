"""render.py: Site -> pages, through the theme's Jinja templates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from xml.etree import ElementTree

import jinja2
import pytest
import yaml
from bs4 import BeautifulSoup
from tests.conftest import AUTHORS, NOW, SERIES, post

from journeyblog.config import parse_config
from journeyblog.model import Output, Site
from journeyblog.render import (
    default_theme_dir,
    format_date,
    make_environment,
    render_pages,
    template_use,
    theme_dirs,
)
from journeyblog.site import Selection, assemble
from journeyblog.sources import DataFile, SiteSources, SourceKind, parse_source


def _data(text: str) -> DataFile:
    return DataFile(
        path=Path("x.yml"),
        data=MappingProxyType(yaml.safe_load(text)),
        key_lines=MappingProxyType({}),
    )


def _site(
    posts: Mapping[str, str],
    pages: Mapping[str, str] | None = None,
    **config: object,
) -> Site:
    raw: dict[str, object] = {"title": "Council Notes", "base_url": "https://example.org/"}
    raw.update(config)
    parsed = []
    for path, text in {**posts, **(pages or {})}.items():
        kind: SourceKind = "page" if path.startswith("content/pages/") else "post"
        source, error = parse_source(Path(path), text.encode(), kind)
        assert source is not None, error
        parsed.append(source)
    sources = SiteSources(
        site_dir=Path("."),
        posts=tuple(s for s in parsed if s.kind == "post"),
        pages=tuple(s for s in parsed if s.kind == "page"),
        authors=_data(AUTHORS),
        series=_data(SERIES),
        images=(),
        static=(),
    )
    site, errors = assemble(
        parse_config(raw, path=Path("journeyblog.toml")), sources, selection=Selection(now=NOW)
    )
    assert errors == []
    return site


def _render(site: Site, site_dir: Path) -> dict[str, bytes]:
    env = make_environment(theme_dirs(site_dir, "default"))
    outputs = render_pages(site, env)
    paths = [output.path for output in outputs]
    assert len(paths) == len(set(paths)), "two pages at one path"
    return {output.path: output.data or b"" for output in outputs}


def _soup(data: bytes) -> BeautifulSoup:
    return BeautifulSoup(data.decode("utf-8"), "html.parser")


SERIES_POSTS = {
    "content/posts/01-start.md": post("Start", date="2016-01-04", series="cloud", part=1),
    "content/posts/02-email.md": post("Email", date="2016-02-01", series="cloud", part=2),
    "content/posts/04-identity.md": post(
        "Identity", date="2016-07-29", series="cloud", part=4, tags=["Cloud"]
    ),
    "content/posts/solo.md": post("A standalone post", date="2017-03-01", author="ben"),
}


def test_format_date_is_british() -> None:
    assert format_date(datetime(2016, 7, 29, 9, 30)) == "29 July 2016"
    assert format_date(datetime(2017, 1, 1)) == "1 January 2017"


def test_every_page_of_the_site_is_rendered(tmp_path: Path) -> None:
    pages = _render(
        _site(SERIES_POSTS, {"content/pages/about.md": "---\ntitle: About\n---\nUs.\n"}), tmp_path
    )
    assert set(pages) == {
        "index.html",
        "posts/start/index.html",
        "posts/email/index.html",
        "posts/identity/index.html",
        "posts/solo/index.html",
        "series/index.html",
        "series/cloud/index.html",
        "series/cloud/all/index.html",
        "tags/index.html",
        "tags/cloud/index.html",
        "authors/index.html",
        "authors/ann/index.html",
        "authors/ben/index.html",
        "archive/index.html",
        "about/index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
    }


def test_post_page_has_title_date_author_level_and_series_block(tmp_path: Path) -> None:
    soup = _soup(_render(_site(SERIES_POSTS), tmp_path)["posts/identity/index.html"])
    assert soup.h1 is not None and soup.h1.get_text() == "Identity"
    time = soup.find("time")
    assert time is not None and time.get_text() == "29 July 2016"
    assert str(time["datetime"]).startswith("2016-07-29T00:00:00+01:00")
    author = soup.select_one(".author-block")
    assert author is not None
    text = author.get_text(" ", strip=True)
    for part in ("Ann O'Reilly", "Director of Information Systems", "Northbridge City Council"):
        assert part in text
    assert "Security level: Public" in soup.get_text()

    block = soup.select_one(".series-block")
    assert block is not None
    assert "Part 4 of 5 in Journey to the Cloud" in block.get_text(" ", strip=True)
    items = block.select("ol li")
    assert [" ".join(li.get_text(" ", strip=True).split()[:2]) for li in items] == [
        "Part 1",
        "Part 2",
        "Part 4",
        "Part 5",
    ]
    current = block.select('[aria-current="page"]')
    assert len(current) == 1 and "Identity" in current[0].get_text()
    assert current[0].find("a") is None
    assert items[3].find("a") is None and "coming soon" in items[3].get_text()
    previous = block.select_one('a[rel="prev"]')
    assert previous is not None and previous["href"] == "/posts/email/"
    assert block.select_one('a[rel="next"]') is None


def test_standalone_post_has_no_series_block(tmp_path: Path) -> None:
    soup = _soup(_render(_site(SERIES_POSTS), tmp_path)["posts/solo/index.html"])
    assert soup.select_one(".series-block") is None
    assert "Ben Émile" in soup.get_text()


def test_share_links_use_the_canonical_url(tmp_path: Path) -> None:
    soup = _soup(_render(_site(SERIES_POSTS), tmp_path)["posts/start/index.html"])
    hrefs = [str(a["href"]) for a in soup.select(".share a")]
    assert hrefs[0] == (
        "https://www.linkedin.com/sharing/share-offsite/"
        "?url=https%3A%2F%2Fexample.org%2Fposts%2Fstart%2F"
    )
    assert hrefs[1].startswith("mailto:?subject=Start&body=https%3A%2F%2Fexample.org")
    canonical = soup.find("link", rel="canonical")
    assert canonical is not None and canonical["href"] == "https://example.org/posts/start/"


def test_text_is_escaped_in_every_template(tmp_path: Path) -> None:
    title = '<script>alert("x")</script> & “more”'
    site = _site({"content/posts/x.md": post(title, summary="'<b>bold</b> & co'", tags=["<i>"])})
    pages = _render(site, tmp_path)
    for path, data in pages.items():
        if path.endswith(".html"):
            soup = _soup(data)
            scripts = soup.find_all("script")
            assert all(script.get("type") == "application/ld+json" for script in scripts), path
            assert soup.find("b") is None, path
            assert soup.find("i") is None, path
    post_page = _soup(pages["posts/x/index.html"])
    assert post_page.h1 is not None and post_page.h1.get_text() == title


def test_base_path_is_honoured(tmp_path: Path) -> None:
    pages = _render(_site(SERIES_POSTS, base_url="https://example.org/blog/"), tmp_path)
    soup = _soup(pages["posts/identity/index.html"])
    internal = [str(a["href"]) for a in soup.find_all("a") if str(a["href"]).startswith("/")]
    internal += [
        str(link["href"]) for link in soup.find_all("link") if str(link["href"]).startswith("/")
    ]
    assert internal
    assert all(href.startswith("/blog/") for href in internal), internal


def test_home_is_paginated(tmp_path: Path) -> None:
    posts = {
        f"content/posts/p{n}.md": post(f"Post {n}", date=f"2016-01-{n + 1:02d}") for n in range(5)
    }
    pages = _render(_site(posts, posts_per_page=2), tmp_path)
    assert {"index.html", "page/2/index.html", "page/3/index.html"} <= set(pages)
    assert "page/4/index.html" not in pages
    first = _soup(pages["index.html"])
    assert [a.get_text() for a in first.select(".post-card-title a")] == ["Post 4", "Post 3"]
    older = first.select_one('a[rel="next"]')
    assert older is not None and older["href"] == "/page/2/"
    last = _soup(pages["page/3/index.html"])
    assert [a.get_text() for a in last.select(".post-card-title a")] == ["Post 0"]
    newer = last.select_one('a[rel="prev"]')
    assert newer is not None and newer["href"] == "/page/2/"


def test_archive_groups_posts_by_year_newest_first(tmp_path: Path) -> None:
    soup = _soup(_render(_site(SERIES_POSTS), tmp_path)["archive/index.html"])
    years = [h2.get_text() for h2 in soup.select("main h2")]
    assert years == ["2017", "2016"]


def test_series_landing_page_lists_parts_in_order(tmp_path: Path) -> None:
    soup = _soup(_render(_site(SERIES_POSTS), tmp_path)["series/cloud/index.html"])
    assert "A council's move to cloud-first services." in soup.get_text()
    assert [a.get_text() for a in soup.select("main ol h2 a")] == ["Start", "Email", "Identity"]
    assert "Coming soon" in soup.get_text()


def test_sitemap_and_robots(tmp_path: Path) -> None:
    pages = _render(_site(SERIES_POSTS), tmp_path)
    tree = ElementTree.fromstring(pages["sitemap.xml"])
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text or "" for loc in tree.findall("s:url/s:loc", ns)]
    assert "https://example.org/posts/identity/" in locs
    assert all(loc.startswith("https://example.org/") for loc in locs)
    assert b"Sitemap: https://example.org/sitemap.xml" in pages["robots.txt"]


def test_aliases_redirect_to_the_post(tmp_path: Path) -> None:
    site = _site({"content/posts/x.md": post("X", aliases=["/2016/old-x/"])})
    soup = _soup(_render(site, tmp_path)["2016/old-x/index.html"])
    refresh = soup.find("meta", attrs={"http-equiv": "refresh"})
    assert refresh is not None and refresh["content"] == "0; url=/posts/x/"
    canonical = soup.find("link", rel="canonical")
    assert canonical is not None and canonical["href"] == "https://example.org/posts/x/"


def test_a_site_theme_overrides_one_template_and_keeps_the_rest(tmp_path: Path) -> None:
    templates = tmp_path / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<p id="mine">Lost?</p>{% endblock %}',
        encoding="utf-8",
    )
    assert theme_dirs(tmp_path, "default") == (tmp_path / "themes" / "default", default_theme_dir())
    pages = _render(_site(SERIES_POSTS), tmp_path)
    mine = _soup(pages["404.html"]).find(id="mine")
    assert mine is not None and mine.get_text() == "Lost?"
    assert _soup(pages["posts/start/index.html"]).select_one(".series-block") is not None


def test_a_misspelt_field_is_an_error_not_a_blank(tmp_path: Path) -> None:
    templates = tmp_path / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "404.html").write_text("{{ site.info.titel }}", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError):
        _render(_site(SERIES_POSTS), tmp_path)


def test_outputs_are_bytes_at_relative_paths(tmp_path: Path) -> None:
    env = make_environment(theme_dirs(tmp_path, "default"))
    outputs = render_pages(_site(SERIES_POSTS), env)
    assert all(isinstance(output, Output) for output in outputs)
    assert all(not output.path.startswith("/") for output in outputs)
    assert all(isinstance(output.data, bytes) for output in outputs)


def test_what_a_template_reads_follows_its_source_as_it_is_now(tmp_path: Path) -> None:
    """Template sources are parsed once a process, by their text: an edited template (the
    dev server's next rebuild, the next build of a test) is read again."""
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    page = theme / "templates/list.html"
    page.write_text("{% for p in site.posts %}{{ p.title }}{% endfor %}", encoding="utf-8")
    before = template_use(make_environment([theme]), "list.html")
    page.write_text("{% for p in site.posts %}{{ p.html }}{% endfor %}", encoding="utf-8")
    after = template_use(make_environment([theme]), "list.html")
    again = template_use(make_environment([theme]), "list.html")

    assert before.site_lists == after.site_lists == frozenset({"posts"})
    assert not before.listed_bodies
    assert after.listed_bodies
    assert after.digest != before.digest
    assert again == after
