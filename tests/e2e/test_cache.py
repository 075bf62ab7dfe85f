"""The build cache: faster, never wrong. Corrupt or foreign caches are rebuilt, not trusted."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import NOW, MakeSite, assert_spare_shares_only_published_files, post

from journeyblog import sources as sources_module
from journeyblog.config import CACHE_DIR
from journeyblog.engine import incremental as engine_module
from journeyblog.engine import parallel as parallel_module
from journeyblog.engine.cache import BuildCache
from journeyblog.engine.incremental import build
from journeyblog.engine.stamps import up_to_date
from journeyblog.errors import BuildFailed
from journeyblog.options import BuildOptions
from journeyblog.sources import discover

BODY = "\n\n".join(
    f"## Part {n}\n\nThe council moved service {n} to the cloud, with `code`, *emphasis* and a "
    f"[link](/posts/p0/).\n\n```python\nprint({n})\n```"
    for n in range(3)
)


def _tree(folder: Path) -> dict[str, str]:
    """Output path -> hash of its bytes, the publication manifest left out (it has the time)."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "publication-manifest.json"
    }


def _build(site: Path, out: Path, *, jobs: int | None = None, cache: bool = True) -> None:
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW, jobs=jobs, cache=cache))


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    files = {
        f"content/posts/p{n}.md": post(
            f"Post {n}", date=f"2016-02-{n % 27 + 1:02d}", tags=[f"t{n % 4}"], body=BODY
        )
        for n in range(12)
    }
    files |= {
        f"content/posts/cloud/0{n}-part-{n}.md": post(
            f"Part {n}", date=f"2016-03-0{n}", series="cloud", part=n, body=BODY
        )
        for n in range(1, 4)
    }
    return make_site(files)


def test_a_cached_build_is_byte_identical_to_an_uncached_one(site: Path, tmp_path: Path) -> None:
    _build(site, tmp_path / "fresh", cache=False)
    _build(site, tmp_path / "first")  # fills the cache
    _build(site, tmp_path / "second")  # reads it
    assert _tree(tmp_path / "fresh") == _tree(tmp_path / "first") == _tree(tmp_path / "second")


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The front matter of every post parsed from now on (authors.yml and series.yml aside)."""
    parsed: list[str] = []
    load = sources_module._load_yaml

    def counting(text: str, *, first_line: int) -> object:
        if "security:" in text:
            parsed.append(text)
        return load(text, first_line=first_line)

    monkeypatch.setattr(sources_module, "_load_yaml", counting)
    return parsed


def test_an_unchanged_site_renders_no_markdown_and_parses_no_front_matter(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "output"
    _build(site, out)
    before = _tree(out)

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr("journeyblog.engine.incremental.render_markdown", refuse)
    parsed = _count_parses(monkeypatch)
    _build(site, tmp_path / "again")
    assert _tree(tmp_path / "again") == before
    assert parsed == []


def test_an_edit_changes_the_output_and_only_its_post_is_parsed_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "output"
    _build(site, out)
    edited = site / "content/posts/p3.md"
    edited.write_text(post("Post 3", date="2016-02-04", body="Rewritten from scratch."))

    parsed = _count_parses(monkeypatch)
    _build(site, out)
    page = (out / "posts/p3/index.html").read_text(encoding="utf-8")
    assert "Rewritten from scratch." in page
    assert "The council moved service" not in page
    assert len(parsed) == 1 and "Post 3" in parsed[0]


@pytest.mark.parametrize(
    "damage", ["garbage", "truncated", "foreign", "poisoned", "nested", "cards", "toc"]
)
def test_a_damaged_cache_is_rebuilt_not_trusted(site: Path, tmp_path: Path, damage: str) -> None:
    reference = tmp_path / "reference"
    _build(site, reference, cache=False)
    out = tmp_path / "output"
    _build(site, out)
    database = site / CACHE_DIR / "cache.sqlite"
    if damage == "garbage":
        database.write_bytes(b"this is not a database" * 100)
    elif damage == "truncated":
        database.write_bytes(database.read_bytes()[:1000])
    elif damage == "foreign":
        with sqlite3.connect(database) as db:
            db.execute("UPDATE meta SET value = 'someone else 1' WHERE key = 'versions'")
    elif damage == "nested":  # deeper than any JSON parser recurses
        with sqlite3.connect(database) as db:
            db.execute("UPDATE markdown SET rest = ?", ("[" * 200_000,))
            db.execute("UPDATE front_matter SET value = ?", ("[" * 200_000,))
            db.execute("UPDATE stamps SET summary = ?", ("[" * 200_000,))
    elif damage == "cards":  # each kept card cut short, as by a build stopped mid-write
        kept = sorted((site / CACHE_DIR / "cards").glob("*.png"))
        assert kept
        for card in kept:
            card.write_bytes(card.read_bytes()[:-20])
    elif damage == "toc":  # every other field sound: headings of the wrong shape
        with sqlite3.connect(database) as db:
            rows = db.execute("SELECT key, rest FROM markdown").fetchall()
            wrong = ([[2, "id"]], [["2", "id", "Text"]], [[2, "id", None]], {"h2": "id"})
            for (key, rest), toc in zip(rows, wrong * len(rows), strict=False):
                fields = json.loads(rest)
                fields["toc"] = toc
                db.execute("UPDATE markdown SET rest = ? WHERE key = ?", (json.dumps(fields), key))
    else:  # right schema, wrong contents: every cached value replaced by nonsense
        with sqlite3.connect(database) as db:
            db.execute("UPDATE markdown SET html = 42 WHERE rowid % 2 = 0")
            db.execute("UPDATE markdown SET rest = '{\"toc\": 42}' WHERE rowid % 2 = 1")
            db.execute('UPDATE front_matter SET value = \'["not", "a record"]\'')
    if damage == "nested":  # the stamp's summary is unreadable: the output is not up to date
        assert up_to_date(BuildOptions(site_dir=site, out_dir=out, now=NOW)) is None
    _build(site, tmp_path / "after")
    assert _tree(tmp_path / "after") == _tree(reference)
    _build(site, tmp_path / "after-again")  # and the rebuilt cache serves the next build
    assert _tree(tmp_path / "after-again") == _tree(reference)


def test_front_matter_is_remembered_by_the_bytes_of_the_file(site: Path, tmp_path: Path) -> None:
    with BuildCache(tmp_path / "cache") as cache:
        first, errors = discover(site, remembered=cache)
        assert not errors
        again, errors = discover(site, remembered=cache)
    assert not errors
    # Rebuilt from the store, every field as parsing gave it: meta, key lines, body and its line.
    assert again == first


def test_one_worker_and_two_workers_write_identical_trees(
    make_site: MakeSite, tmp_path: Path
) -> None:
    # Enough posts that the work really is spread over processes (parallel.MIN_PARALLEL_ITEMS).
    files = {
        f"content/posts/p{n:03d}.md": post(
            f"Post {n}",
            date=f"2016-{n % 12 + 1:02d}-{n % 27 + 1:02d}",
            tags=[f"t{n % 7}"],
            body=BODY,
        )
        for n in range(260)
    }
    site = make_site(files)
    _build(site, tmp_path / "one", jobs=1, cache=False)
    _build(site, tmp_path / "two", jobs=2, cache=False)
    one, two = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    assert len(one) > 500
    assert one == two


def test_the_cache_forgets_output_folders_that_are_gone(site: Path, tmp_path: Path) -> None:
    # `serve` builds into a new temporary folder each session: those must not pile up.
    gone, kept = tmp_path / "gone", tmp_path / "kept"
    _build(site, gone)
    shutil.rmtree(gone)
    _build(site, kept)
    with sqlite3.connect(site / CACHE_DIR / "cache.sqlite") as db:
        folders = {
            row[0]
            for table in ("stamps", "outputs")
            for row in db.execute(f"SELECT DISTINCT out_dir FROM {table}")
        }
    assert folders == {str(kept)}


def test_the_dev_servers_in_place_writes_end_with_the_same_tree_as_a_fresh_build(
    site: Path, tmp_path: Path
) -> None:
    def in_place() -> None:
        build(BuildOptions(site_dir=site, out_dir=tmp_path / "served", now=NOW, in_place=True))

    in_place()
    posts = site / "content/posts"
    (posts / "p3.md").write_text(post("Post 3 renamed", tags=["fresh"], body="New body.\n"))
    (posts / "p4.md").unlink()  # its page, tag listing and feed entries must go
    (posts / "cloud/04-part-4.md").write_text(post("Part 4", series="cloud", part=4))
    in_place()
    _build(site, tmp_path / "fresh", cache=False)
    served = _tree(tmp_path / "served")
    assert served == _tree(tmp_path / "fresh")
    assert "posts/p4/index.html" not in served and "tags/fresh/index.html" in served


def test_the_keys_recorded_follow_the_output_file_for_file(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _build(site, out)
    (site / "content/posts/p0.md").unlink()
    (site / "content/posts/p1.md").write_text(post("Post 1", body="Edited."), encoding="utf-8")
    _build(site, out)
    with sqlite3.connect(site / CACHE_DIR / "cache.sqlite") as db:
        recorded = {
            path: (size, mtime)
            for path, size, mtime in db.execute(
                "SELECT path, size, mtime FROM outputs WHERE out_dir = ?", (str(out),)
            )
        }
    files = {path.relative_to(out).as_posix(): path.stat() for path in out.rglob("*.*")}
    pages = {path for path in files if path.endswith(".html")}
    assert pages <= recorded.keys() <= files.keys()  # p0's page and feeds gone from both
    assert "posts/p0/index.html" not in recorded
    assert recorded == {path: (files[path].st_size, files[path].st_mtime_ns) for path in recorded}


def test_a_change_to_journeyblogs_own_code_is_a_new_cache(tmp_path: Path) -> None:
    import journeyblog
    from journeyblog import versions

    package = tmp_path / "journeyblog"
    shutil.copytree(Path(journeyblog.__file__).parent, package)
    before = versions._code_digest(package)
    assert before == versions._code_digest(package) and f"code={before}" in versions.VERSIONS
    feeds = package / "feeds.py"
    feeds.write_text(feeds.read_text() + "\n# a local patch\n")
    assert versions._code_digest(package) != before


def test_a_cached_builds_bodies_are_read_back_whole_and_every_page_shows_its_own(
    site: Path, tmp_path: Path
) -> None:
    for run in ("first", "second"):  # the first build renders and stores, the second reads
        result = build(BuildOptions(site_dir=site, out_dir=tmp_path / run, now=NOW, jobs=1))
        for written in result.site.posts:
            page = (tmp_path / run / "posts" / written.slug / "index.html").read_text("utf-8")
            assert str(written.html) in page
            assert "council moved service" in written.search_words
    assert _tree(tmp_path / "first") == _tree(tmp_path / "second")


@pytest.mark.parametrize("damage", ["html", "search_words", "rest"])
def test_a_damaged_body_in_the_cache_is_rendered_again_not_shown(
    site: Path, tmp_path: Path, damage: str
) -> None:
    _build(site, tmp_path / "first")
    with sqlite3.connect(site / CACHE_DIR / "cache.sqlite") as db:
        if damage == "rest":
            db.execute("UPDATE markdown SET rest = '{\"toc\": 3}'")
        else:  # the same length, one byte changed: still unpacks, but is not what was stored
            for key, packed in db.execute(f"SELECT key, {damage} FROM markdown").fetchall():
                changed = bytes([packed[0] ^ 1]) + packed[1:]
                db.execute(f"UPDATE markdown SET {damage} = ? WHERE key = ?", (changed, key))
    _build(site, tmp_path / "second", jobs=1)
    assert _tree(tmp_path / "first") == _tree(tmp_path / "second")


@pytest.mark.parametrize("beside", [True, False], ids=["beside", "here"])
def test_an_edit_builds_few_files_made_beside_the_linking_are_the_files_made_here(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, beside: bool
) -> None:
    """An edit build with thousands of files to reuse makes its few changed ones in a
    process of its own (incremental.MAKE_BESIDE_REUSED; a small site here, the bar lowered):
    the same tree as making them here, and as a fresh build."""
    monkeypatch.setattr(engine_module, "MAKE_BESIDE_REUSED", 1 if beside else 10**9)
    made_beside = []
    real = engine_module.make_beside
    monkeypatch.setattr(
        engine_module, "make_beside", lambda makers: made_beside.append(len(makers)) or real(makers)
    )
    out = tmp_path / "out"
    _build(site, out, jobs=2)
    assert not made_beside  # a cold build: everything is made, over the workers
    (site / "content/posts/p1.md").write_text(post("Post 1", body="Edited."), encoding="utf-8")
    _build(site, out, jobs=2)
    assert bool(made_beside) == beside
    _build(site, tmp_path / "fresh", cache=False)
    assert _tree(out) == _tree(tmp_path / "fresh")
    assert "Edited." in (out / "posts/p1/index.html").read_text(encoding="utf-8")
    assert_spare_shares_only_published_files(out)


def test_a_first_build_forks_its_reading_and_markdown_workers_before_reading(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build with no record of a last one renders every body: its workers are forked
    before the sources are read, so they do not map them (parallel.early_workers); an edit
    build, which may render nothing, forks only if it must. Same trees either way."""
    monkeypatch.setattr(engine_module, "MIN_PARALLEL_ITEMS", 1)
    monkeypatch.setattr(parallel_module, "MIN_PARALLEL_ITEMS", 1)
    read_with_workers_up: list[bool] = []
    real_discover = engine_module.discover

    def discover(*args: Any, **kwargs: Any) -> Any:
        read_with_workers_up.append(parallel_module._early is not None)
        return real_discover(*args, **kwargs)

    monkeypatch.setattr(engine_module, "discover", discover)
    out = tmp_path / "out"
    _build(site, out, jobs=2)
    (site / "content/posts/p1.md").write_text(post("Post 1", body="Edited."), encoding="utf-8")
    _build(site, out, jobs=2)
    _build(site, tmp_path / "uncached", jobs=2, cache=False)  # no record either
    assert read_with_workers_up == [True, False, True]
    _build(site, tmp_path / "one", jobs=1, cache=False)
    assert _tree(out) == _tree(tmp_path / "uncached") == _tree(tmp_path / "one")


@pytest.mark.parametrize("how", ["beside", "here", "workers"])
def test_a_template_error_names_the_template_and_line_and_writes_nothing(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """Wherever the page is made (an edit build's few files beside the linking or here, or
    a full build's over the workers), the error names the template and line."""
    monkeypatch.setattr(engine_module, "MAKE_BESIDE_REUSED", 1 if how == "beside" else 10**9)
    out = tmp_path / "out"
    _build(site, out, jobs=2)
    before = _tree(out)
    template = site / "themes/broken/templates/post.html"
    template.parent.mkdir(parents=True)
    template.write_text(
        "{% extends 'base.html' %}\n{% block main %}\n<p>{{ no_such.field }}</p>\n{% endblock %}\n"
    )
    config = site / "journeyblog.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\ntheme = "broken"\n', encoding="utf-8")
    if how == "workers":
        monkeypatch.setattr(parallel_module, "MIN_PARALLEL_ITEMS", 1)
    with pytest.raises(BuildFailed) as failed:
        _build(site, out, jobs=2, cache=how != "workers")
    assert [str(error) for error in failed.value.errors] == [
        f"{template}:3: template: 'no_such' is undefined (fix the template)"
    ]
    assert _tree(out) == before
    assert not out.with_name(f".{out.name}.staging").exists()
