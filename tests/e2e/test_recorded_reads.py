"""A page is made again when what its rendering read has changed: what it read is recorded as
it reads it (reads.py), whatever the template says and however it says it."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from tests.conftest import NOW, MakeSite, post

from journeyblog.engine.incremental import build
from journeyblog.options import BuildOptions
from journeyblog.reads import Reads


def _digests(out: Path) -> dict[str, str]:
    return {
        path.relative_to(out).as_posix(): hashlib.blake2b(path.read_bytes()).hexdigest()
        for path in out.rglob("*")
        if path.is_file()
    }


def _same_as_scratch(site: Path, out: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    build(BuildOptions(site_dir=site, out_dir=scratch, now=NOW, cache=False))
    built, fresh = _digests(out), _digests(scratch)
    differ = sorted(
        path for path in built.keys() | fresh.keys() if built.get(path) != fresh.get(path)
    )
    assert not differ, f"stale after an incremental build: {differ}"


def _parts(make_site: MakeSite, **files: str) -> Path:
    return make_site(
        {
            "content/posts/cloud/01-start.md": post(
                "Start", series="cloud", part=1, summary="'How we began.'", body="A start.\n"
            ),
            "content/posts/cloud/02-email.md": post(
                "Email",
                date="2016-02-01",
                series="cloud",
                part=2,
                summary="'How we moved email.'",
                body="Short too.\n",
            ),
            **files,
        }
    )


def test_a_reading_time_summed_by_a_filter_follows_the_parts_word_counts(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """The series page sums its parts' reading times (`sum(attribute="reading_minutes")`):
    a part made much longer changes it, though the template names no body."""
    site = _parts(make_site)
    out = tmp_path / "out"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    before = (out / "series/cloud/index.html").read_bytes()
    part = site / "content/posts/cloud/01-start.md"
    # A paragraph of its own: what lists show of the part (title, summary) stays the same.
    longer = part.read_text(encoding="utf-8") + "\n" + "word " * 2000 + "\n"
    part.write_text(longer, encoding="utf-8")

    result = build(BuildOptions(site_dir=site, out_dir=out, now=NOW))

    assert "series/cloud/index.html" in result.made
    assert (out / "series/cloud/index.html").read_bytes() != before
    _same_as_scratch(site, out, tmp_path)


def test_a_template_that_includes_by_a_computed_name_is_made_again_when_that_one_changes(
    make_site: MakeSite, tmp_path: Path
) -> None:
    theme = "themes/default/templates"
    site = _parts(
        make_site,
        **{
            f"{theme}/404.html": (
                '{% set kind = "note" %}{% include "partials/" ~ kind ~ ".html" %}'
            ),
            f"{theme}/partials/note.html": "<p>Lost? {{ site.info.title }}</p>",
        },
    )
    out = tmp_path / "out"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    (site / theme / "partials/note.html").write_text("<p>Not here.</p>", encoding="utf-8")

    result = build(BuildOptions(site_dir=site, out_dir=out, now=NOW))

    assert "404.html" in result.made
    assert (out / "404.html").read_text(encoding="utf-8") == "<p>Not here.</p>"
    assert not any(path.startswith("posts/") for path in result.made)
    _same_as_scratch(site, out, tmp_path)


def test_a_site_value_read_only_in_a_branch_not_taken_is_no_dependency(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """Reads are what the rendering read: a list of posts the page never walks does not
    make it again when a post changes; once the branch is taken, it does."""
    theme = "themes/default/templates"
    template = f"{theme}/404.html"
    site = _parts(
        make_site,
        **{template: "{% if site.info.title == 'Walk' %}{{ site.posts|length }}{% endif %}"},
    )
    out = tmp_path / "out"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    added = site / "content/posts/solo.md"
    added.write_text(post("Solo", date="2016-03-01"), encoding="utf-8")

    result = build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    assert "404.html" not in result.made
    _same_as_scratch(site, out, tmp_path)

    (site / template).write_text(
        "{% if site.info.title %}{{ site.posts|length }}{% endif %}", encoding="utf-8"
    )
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    (site / "content/posts/duo.md").write_text(post("Duo", date="2016-04-01"), encoding="utf-8")
    result = build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    assert "404.html" in result.made
    assert (out / "404.html").read_text(encoding="utf-8") == "4"
    _same_as_scratch(site, out, tmp_path)


def test_what_decides_a_page_is_the_record_of_what_it_read(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """The engine keys a page by the reads it recorded, not by anything it works out from
    the template: a record that lost the site's posts leaves the sitemap stale when a post
    is added (a build from scratch differs). Safety does not rest on the record: the audit
    reads every file (test_reaudit.py)."""
    site = _parts(make_site)
    out = tmp_path / "out"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    with sqlite3.connect(site / ".journeyblog-cache" / "cache.sqlite") as db:
        (reads,) = db.execute("SELECT reads FROM outputs WHERE path = 'sitemap.xml'").fetchone()
        recorded = Reads.from_json(reads)
        assert "posts" in recorded.site
        assert "sitemap.xml" in recorded.templates
    (site / "content/posts/solo.md").write_text(post("Solo", date="2016-03-01"), encoding="utf-8")
    result = build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    assert "sitemap.xml" in result.made
    _same_as_scratch(site, out, tmp_path)

    # The same record, with `site.posts` dropped from what the sitemap read and its key
    # worked out again from what is left (as an engine that lost the read would).
    with sqlite3.connect(site / ".journeyblog-cache" / "cache.sqlite") as db:
        (reads,) = db.execute("SELECT reads FROM outputs WHERE path = 'sitemap.xml'").fetchone()
    dropped = Reads.from_json(reads)
    dropped = Reads(dropped.site - {"posts"}, dropped.templates, dropped.bodies, dropped.counts)
    _record_as(site, out, "sitemap.xml", dropped)
    (site / "content/posts/duo.md").write_text(post("Duo", date="2016-04-01"), encoding="utf-8")
    result = build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    assert "sitemap.xml" not in result.made
    assert b"posts/duo/" not in (out / "sitemap.xml").read_bytes()
    with pytest.raises(AssertionError, match=r"sitemap\.xml"):
        _same_as_scratch(site, out, tmp_path)


def _record_as(site: Path, out: Path, path: str, reads: Reads) -> None:
    """Record `path` in the cache as having read `reads` in the site as it is now."""
    from journeyblog.build import plan_files
    from journeyblog.config import load_config
    from journeyblog.editions import assemble_editions
    from journeyblog.engine.incremental import _read_key
    from journeyblog.render import theme_dirs
    from journeyblog.site import Selection
    from journeyblog.sources import discover

    options = BuildOptions(site_dir=site, out_dir=out, now=NOW)
    config = load_config(site)
    sources, _ = discover(site)
    editions, _ = assemble_editions(config, sources, selection=Selection(now=NOW))
    planned, keys, _ = plan_files(editions, config, options, theme_dirs(site, config.theme), {})
    [(job, key)] = [(job, key) for job, key in zip(planned, keys, strict=True) if job.path == path]
    with sqlite3.connect(site / ".journeyblog-cache" / "cache.sqlite") as db:
        db.execute(
            "UPDATE outputs SET fingerprint = ?, reads = ? WHERE path = ?",
            (_read_key(key, job, reads), reads.to_json(), path),
        )
