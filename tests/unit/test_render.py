"""render.py: Site -> pages, through the theme's Jinja templates."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from xml.etree import ElementTree

import jinja2
import pytest
import yaml
from bs4 import BeautifulSoup
from tests.conftest import AUTHORS, NOW, SERIES, post, rendering_once

from journeyblog.config import default_theme_dir, parse_config
from journeyblog.kept import Kept
from journeyblog.model import Body, Job, Output, Site
from journeyblog.reads import Reads, recording
from journeyblog.render import (
    PageSpec,
    format_date,
    make_environment,
    page_jobs,
    page_specs,
    render_page,
    render_pages,
    theme_dirs,
)
from journeyblog.site import Selection, assemble
from journeyblog.sources import DataFile, SiteSources, Source, SourceKind, parse_source


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
        "search/index.html",
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
            inline = [script for script in scripts if not script.get("src")]
            assert all(script.get("type") == "application/ld+json" for script in inline), path
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


def _recorded(site: Site, theme: Path, path: str) -> tuple[Job, bytes, Reads]:
    """The page at `path` made with recording, as the engine makes it."""
    (job,) = [
        job
        for job in page_jobs(site, make_environment([theme, default_theme_dir()]))
        if job.path == path
    ]
    with recording() as reading:
        data = job.make()
    return job, data, reading.reads()


def _keyed(site: Site, theme: Path, path: str, reads: Reads) -> str:
    """The key of the page at `path` in `site`, had its rendering read `reads`."""
    (job,) = [
        job
        for job in page_jobs(site, make_environment([theme, default_theme_dir()]))
        if job.path == path
    ]
    assert job.key_for is not None
    return job.key_for(reads)


def _edited_body(site: Site, slug: str, text: str) -> Site:
    """The site with one post's body replaced, as a save of its file would."""
    posts = tuple(
        dataclasses.replace(
            p,
            body=dataclasses.replace(
                Body.of(text, "", words=len(text.split())), key=f"edited:{text}"
            ),
        )
        if p.slug == slug
        else p
        for p in site.posts
    )
    return dataclasses.replace(site, posts=posts)


def test_a_page_records_what_its_rendering_read_not_what_its_template_mentions(
    tmp_path: Path,
) -> None:
    """The Site's values, the templates and the bodies a rendering read are noted as it reads
    them: a branch not taken reads nothing, a macro's read is the page's."""
    theme = tmp_path / "theme"
    (theme / "templates/partials").mkdir(parents=True)
    (theme / "templates/partials/list.html").write_text(
        "{% macro titles(posts) %}{% for p in posts %}{{ p.title }}{% endfor %}{% endmacro %}",
        encoding="utf-8",
    )
    (theme / "templates/404.html").write_text(
        '{% from "partials/list.html" import titles %}{{ site.info.title }}'
        "{{ titles(site.posts) }}{% if false %}{{ site.tags }}{{ site.posts[0].html }}{% endif %}",
        encoding="utf-8",
    )
    site = _site(SERIES_POSTS)
    job, data, reads = _recorded(site, theme, "404.html")

    assert "Council Notes" in data.decode()
    assert reads.site == {"info", "posts"}
    assert reads.templates == {"404.html", "partials/list.html"}
    assert reads.bodies == frozenset()
    assert job.key_for is not None
    key = job.key_for(reads)
    # A body edit leaves a list of titles as it was; a title edit does not.
    slug = site.posts[0].slug
    assert _keyed(_edited_body(site, slug, "<p>New</p>"), theme, "404.html", reads) == key
    retitled = dataclasses.replace(
        site, posts=(dataclasses.replace(site.posts[0], title="Other"), *site.posts[1:])
    )
    assert _keyed(retitled, theme, "404.html", reads) != key


@pytest.mark.parametrize(
    ("shows", "same_length_counts"), [("p.html", True), ("p.reading_minutes", False)]
)
def test_a_page_that_read_a_listed_body_is_keyed_by_every_listed_body(
    tmp_path: Path, shows: str, same_length_counts: bool
) -> None:
    """A list that shows bodies is made again when any changes; one that shows reading
    times, when a word count does."""
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates/404.html").write_text(
        f"{{% for p in site.posts %}}{{{{ {shows} }}}}{{% endfor %}}", encoding="utf-8"
    )
    site = _site(SERIES_POSTS)
    job, _, reads = _recorded(site, theme, "404.html")

    assert reads.bodies or reads.counts
    assert job.key_for is not None
    key = job.key_for(reads)
    last = site.posts[-1]
    longer = _edited_body(site, last.slug, "<p>New</p> " * (last.words + 500))
    assert _keyed(longer, theme, "404.html", reads) != key
    same_length = _edited_body(site, last.slug, " ".join(["<p>other</p>"] * last.words))
    assert (_keyed(same_length, theme, "404.html", reads) != key) == same_length_counts


def test_a_post_page_that_reads_only_its_own_body_is_not_keyed_by_others() -> None:
    site = _site(SERIES_POSTS)
    theme = default_theme_dir()
    own, other = site.posts[0], site.posts[-1]
    path = f"posts/{own.slug}/index.html"
    job, _, reads = _recorded(site, theme, path)

    assert reads.bodies and {"post.html", "base.html"} <= reads.templates
    assert job.key_for is not None
    key = job.key_for(reads)
    assert _keyed(_edited_body(site, other.slug, "<p>New</p>"), theme, path, reads) == key
    assert _keyed(_edited_body(site, own.slug, "<p>New</p>"), theme, path, reads) != key


def test_a_template_edited_changes_the_key_of_the_pages_that_loaded_it(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    template = theme / "templates/404.html"
    template.write_text("{{ site.info.title }}", encoding="utf-8")
    site = _site(SERIES_POSTS)
    job, _, reads = _recorded(site, theme, "404.html")
    assert job.key_for is not None
    key = job.key_for(reads)
    template.write_text("{{ site.info.title }}!", encoding="utf-8")

    assert _keyed(site, theme, "404.html", reads) != key


def test_page_specs_kept_between_saves_are_those_planned_afresh(tmp_path: Path) -> None:
    config = parse_config(
        {"title": "Council Notes", "base_url": "https://example.org/"},
        path=Path("journeyblog.toml"),
    )
    render = rendering_once()
    assembled, planned = Kept(), Kept()
    env = make_environment(theme_dirs(tmp_path, "default"))

    # What the dev server reads again is only what was saved: the other files stay the
    # objects they were.
    read: dict[tuple[str, str], Source] = {}
    authors, series = _data(AUTHORS), _data(SERIES)

    def plan(posts: Mapping[str, str]) -> tuple[list[PageSpec], list[bytes], list[bytes]]:
        parsed = []
        for path, text in posts.items():
            if (path, text) not in read:
                source, error = parse_source(Path(path), text.encode(), "post")
                assert source is not None, error
                read[(path, text)] = source
            parsed.append(read[(path, text)])
        sources = SiteSources(
            site_dir=Path("."),
            posts=tuple(parsed),
            pages=(),
            authors=authors,
            series=series,
            images=(),
            static=(),
        )
        site, errors = assemble(
            config, sources, selection=Selection(now=NOW), kept=assembled, render_bodies=render
        )
        assert errors == []
        kept, fresh = page_specs(site, env, kept=planned), page_specs(site, env)
        assert [spec.path for spec in kept] == [spec.path for spec in fresh]

        def made(specs: list[PageSpec]) -> list[bytes]:
            return [render_page(env.get_template(s.template), site, s) for s in specs]

        return kept, made(kept), made(fresh)

    kept, pages, fresh = plan(SERIES_POSTS)
    assert pages == fresh
    edited = dict(SERIES_POSTS)
    edited["content/posts/02-email.md"] += "\nOne more paragraph.\n"
    again, pages, fresh = plan(edited)
    assert pages == fresh
    before = {spec.path: spec for spec in kept}
    after = {spec.path: spec for spec in again}
    # The standalone post is untouched: its spec is the one planned before. The series'
    # parts list the edited one, so theirs are planned again.
    assert after["posts/solo/index.html"] is before["posts/solo/index.html"]
    assert after["posts/start/index.html"] is not before["posts/start/index.html"]
    assert "One more paragraph." in after["posts/email/index.html"].context["post"].html
