"""Incremental builds: after one edit to a 1,000-post site, only what shows the edit is made.

The site is built once for the module; each test builds again (so it starts from an output
that matches the sources), keeps the bytes of every output file, edits one post, builds, and
compares. `BuildResult.made` must be exactly the files whose bytes changed, plus the
publication manifest, which every build writes. The byte comparison is the judge: a file
made again with the same bytes is work the build did not need to do, and a file whose bytes
changed but that was not made would be a stale page.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.conftest import AUTHORS, CONFIG, NOW, REPO, post

from journeyblog.build import BuildResult
from journeyblog.engine.incremental import build
from journeyblog.options import BuildOptions

POSTS = 1000
SERIES_PARTS = 10  # each of the 4 series; their parts are the newest 40 posts
TAGS = ("cloud", "identity", "email", "data", "security")
SERIES = "".join(
    f"s{n}:\n  title: Series {n}\n  description: Take {n}.\n  planned: {SERIES_PARTS}\n"
    for n in range(4)
)
EDITED = 989  # part 8 of series s1: among the newest 20, so in the site's feeds too
EDITED_PAGE = f"posts/post-{EDITED}/index.html"
# What the body edit below does to the edited post's search words: found, and no longer found.
WORDS_EDITED = ("rewritten", "better", "rest")


def post_file(n: int) -> tuple[str, str]:
    """Post number n: the higher n, the newer (one a day from 2014); two tags; ann or ben;
    the newest 40 are the parts of four series. Its first paragraph is its summary."""
    day = f"{2014 + n // 336}-{n % 336 // 28 + 1:02d}-{n % 28 + 1:02d}"
    meta = {
        "date": day,
        "author": "ann" if n % 2 else "ben",
        "body": f"The summary of post {n}.\n\nThe rest of post {n}.\n",
    }
    tags = [TAGS[n % 5], TAGS[(n * 3 + 1) % 5]]
    first_part = POSTS - 4 * SERIES_PARTS
    if n < first_part:
        return f"content/posts/post-{n}.md", post(f"Post {n}", tags=tags, **meta)
    series, part = f"s{n % 4}", (n - first_part) // 4 + 1
    path = f"content/posts/{series}/{part:02d}-post-{n}.md"
    text = post(f"Post {n}", tags=tags, series=series, part=part, **meta)
    return path, text


@dataclass
class Corpus:
    site: Path

    @property
    def out(self) -> Path:
        return self.site / "output"

    def build(self) -> BuildResult:
        return build(BuildOptions(site_dir=self.site, now=NOW))

    def snapshot(self) -> dict[str, str]:
        """Output path -> digest of its bytes."""
        return {
            path.relative_to(self.out).as_posix(): hashlib.blake2b(path.read_bytes()).hexdigest()
            for path in self.out.rglob("*")
            if path.is_file()
        }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    site = tmp_path_factory.mktemp("corpus")
    files = dict(post_file(n) for n in range(POSTS))
    files |= {"journeyblog.toml": CONFIG, "content/authors.yml": AUTHORS}
    files["content/series.yml"] = SERIES
    for relative, text in files.items():
        path = site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    corpus = Corpus(site)
    first = corpus.build()
    assert len(first.site.posts) == POSTS
    return corpus


@pytest.fixture
def edited(corpus: Corpus) -> Iterator[Path]:
    """The source of the post the test edits; put back as it was afterwards."""
    path = corpus.site / post_file(EDITED)[0]
    original = path.read_text(encoding="utf-8")
    yield path
    path.write_text(original, encoding="utf-8")


@dataclass(frozen=True)
class Rebuild:
    made: set[str]
    changed: set[str]  # files whose bytes differ from the previous build's, or that came or went
    total_pages: int

    @property
    def pages(self) -> set[str]:
        return {path for path in self.made if path.endswith(".html")}


def rebuild_after(
    corpus: Corpus, edit: Path | None = None, old: str = "", new: str = ""
) -> Rebuild:
    corpus.build()  # from an output that matches the sources, whatever ran before
    before = corpus.snapshot()
    if edit is not None:
        text = edit.read_text(encoding="utf-8")
        assert old in text
        edit.write_text(text.replace(old, new), encoding="utf-8")
    result = corpus.build()
    after = corpus.snapshot()
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    assert result.rendered == len(result.made)
    return Rebuild(set(result.made), changed, result.pages)


def assert_nothing_stale(rebuild: Rebuild) -> None:
    stale = sorted(rebuild.changed - rebuild.made)
    assert not stale, f"{len(stale)} files changed but were not made again: {stale}"


def assert_made_exactly_what_changed(rebuild: Rebuild, reading_time: Collection[str] = ()) -> None:
    """Nothing stale, and nothing made again with the same bytes but the pages that show a
    reading time (`reading_time`) whose word counts changed."""
    assert_nothing_stale(rebuild)
    needless = sorted(path for path in rebuild.made - rebuild.changed if path not in reading_time)
    assert not needless, (
        f"{len(needless)} files were made again with the same bytes: {needless[:40]}"
    )


def test_an_unchanged_site_makes_nothing_but_the_manifest(corpus: Corpus) -> None:
    rebuild = rebuild_after(corpus)
    assert rebuild.made == set()
    assert rebuild.changed == set()


def test_the_site_folder_named_another_way_makes_nothing(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`journeyblog build` in the site's folder, then `journeyblog build path/to/site` from
    elsewhere: the same site, nothing to make again."""
    corpus.build()
    before = corpus.snapshot()
    out = corpus.out.absolute()
    for cwd, named in ((corpus.site, Path(".")), (corpus.site.parent, Path(corpus.site.name))):
        monkeypatch.chdir(cwd)
        result = build(BuildOptions(site_dir=named, out_dir=out, now=NOW))
        assert set(result.made) == set(), f"{len(result.made)} files made again, named {named}"
    assert corpus.snapshot() == before


def test_editing_a_posts_text_remakes_its_page_and_what_shows_its_text(
    corpus: Corpus, edited: Path
) -> None:
    rebuild = rebuild_after(corpus, edited, f"The rest of post {EDITED}.", "Rewritten, and better.")
    # The series' page shows its reading time, which the parts' word counts decide: made
    # again when one changes, whether or not the minutes do.
    assert_made_exactly_what_changed(rebuild, reading_time={"series/s1/index.html"})
    # Its page and its series' page of every part, and nothing that shows only its title and
    # summary: neither its series' other parts nor the lists it is on.
    assert rebuild.pages == {EDITED_PAGE, "series/s1/all/index.html", "series/s1/index.html"}
    # Feeds carry the full text: the site's (it is among the newest) and its series', which
    # offers the series' EPUB, made again too.
    for path in ("feed.xml", "rss.xml", "feed.json", "series/s1/feed.xml", "series/s1/s1.epub"):
        assert path in rebuild.made
    assert not any(path.endswith(".epub") and "/s1/" not in path for path in rebuild.made)
    # The search index's chunks that list the words it gained or lost, and few others: where
    # each chunk begins moves little when one post changes.
    firsts = json.loads((corpus.out / "search" / "index.json").read_bytes())["words"]
    chunks = {f"search/words/{bisect.bisect(firsts, word) - 1}.json" for word in WORDS_EDITED}
    made = {path for path in rebuild.made if path.startswith("search/words/")}
    assert chunks <= made
    assert len(made) <= len(firsts) // 4, f"{len(made)} of {len(firsts)} word chunks changed"


def test_editing_a_posts_title_remakes_its_neighbours_and_lists_not_other_posts(
    corpus: Corpus, edited: Path
) -> None:
    rebuild = rebuild_after(corpus, edited, f"title: 'Post {EDITED}'", "title: 'Moving email'")
    # A title is in every series position of its siblings, so lists that show a sibling (an
    # older home page, a tag) are made again although they print only "Part 3 of 10": work,
    # never a stale page. The bound below keeps that work small.
    assert_nothing_stale(rebuild)
    series_parts = {f"posts/post-{n}/index.html" for n in range(960, POSTS) if n % 4 == EDITED % 4}
    assert len(series_parts) == SERIES_PARTS
    # Every part of its series lists every part by title; lists show it too.
    assert series_parts <= rebuild.pages
    for path in ("series/s1/index.html", "authors/ann/index.html"):
        assert path in rebuild.pages
    # The archive of 1,000 posts is an index of years: the page of the post's year shows it.
    assert any(path.startswith("archive/20") for path in rebuild.pages)
    other_posts = {
        page for page in rebuild.pages if page.startswith("posts/") and page not in series_parts
    }
    assert other_posts == set(), "posts that do not show the edited one were made again"
    assert len(rebuild.pages) < rebuild.total_pages // 10


def test_a_template_change_remakes_the_pages_made_from_it_and_nothing_else(
    corpus: Corpus,
) -> None:
    override = corpus.site / "themes/default/templates/tag.html"
    default = REPO / "themes/default/templates/tag.html"
    corpus.build()
    before = corpus.snapshot()
    override.parent.mkdir(parents=True, exist_ok=True)
    try:
        override.write_text(
            default.read_text(encoding="utf-8").replace(
                "{% block main %}", "{% block main %}<p>Tag page</p>", 1
            ),
            encoding="utf-8",
        )
        result = corpus.build()
        after = corpus.snapshot()
    finally:
        override.unlink()
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    rebuild = Rebuild(set(result.made), changed, result.pages)
    assert_made_exactly_what_changed(rebuild)
    # Every page of every tag (a tag of many posts has several), and nothing else.
    tag_pages = {
        path
        for path in after
        if path.startswith("tags/") and path.endswith(".html") and path != "tags/index.html"
    }
    assert {f"tags/{tag}/index.html" for tag in TAGS} <= tag_pages
    assert rebuild.pages == tag_pages


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("content/authors.yml", "role: Head of IT", "role: Chief Digital Officer"),
        ("content/series.yml", "s1:\n  title: Series 1", "s1:\n  title: The first series"),
        ("content/series.yml", f"planned: {SERIES_PARTS}\n", f"planned: {SERIES_PARTS + 2}\n"),
    ],
    ids=["author role", "series title", "series planned"],
)
def test_editing_an_author_or_a_series_leaves_no_page_stale(
    corpus: Corpus, file: str, old: str, new: str
) -> None:
    """What many posts share (their author, their series) is digested once: a change to it
    must still reach every page that shows it."""
    path = corpus.site / file
    original = path.read_text(encoding="utf-8")
    try:
        rebuild = rebuild_after(corpus, path, old, new)
    finally:
        path.write_text(original, encoding="utf-8")
    assert rebuild.pages, "the edit changed no page"
    assert_nothing_stale(rebuild)
