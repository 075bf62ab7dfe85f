"""The search index: what readers can find, and that nothing unpublished is in it."""

from __future__ import annotations

import bisect
import json
import random
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from hypothesis import example, given
from hypothesis import strategies as st
from tests.conftest import CONFIG, MakeSite, post

from journeyblog import search
from journeyblog.i18n import english
from journeyblog.search import search_index
from journeyblog.searchwords import words


def test_words_are_folded_distinct_and_in_order() -> None:
    assert words("Cloud-first: the CLOUD, the café. A 4,000-seat move_2") == [
        "cloud",
        "first",
        "the",
        "cafe",
        "000",
        "seat",
        "move",
    ]


def test_ascii_and_unicode_text_are_split_alike() -> None:
    """ASCII text takes a faster path; adding one accented letter must not change its words."""
    text = "Cloud_first: the CLOUD, 4,000-seat (2016) move-2-cloud; x y  TAB\there\n"
    assert (
        words(text + " é")
        == words(text)
        == [
            "cloud",
            "first",
            "the",
            "000",
            "seat",
            "2016",
            "move",
            "tab",
            "here",
        ]
    )


def test_marks_are_dropped_as_search_js_drops_them() -> None:
    """search.js removes \\p{M}; so must Python, or a Hindi word could never be found.

    The expected words are what Chromium's String.normalize("NFKD") + /\\p{M}/gu gives.
    """
    assert words("हिन्दी Ｃａｆé ﬁnance x² İstanbul ΣΟΦΟΣ") == [
        "हनद",
        "cafe",
        "finance",
        "x2",
        "istanbul",
        "σοφος",
    ]


def _index(make_site: MakeSite, build_site: Callable[..., Any], files: dict[str, str]) -> Any:
    site = make_site(files)
    build_site(site)
    return json.loads((site / "output" / "search" / "index.json").read_text(encoding="utf-8"))


def test_index_holds_each_published_post_with_what_readers_search_by(
    make_site: MakeSite, build_site: Callable[..., Any]
) -> None:
    index = _index(
        make_site,
        build_site,
        {
            "content/posts/cloud/01-start.md": post(
                "Starting out",
                series="cloud",
                part=1,
                tags=["Open Data"],
                summary="Why we began.",
                body="- Cloud\n- Email\n\nWe *re*wrote the **plan** &amp; more.\n",
            ),
            "content/posts/solo.md": post("Solo", date="2016-02-01", author="ben"),
        },
    )
    assert [entry["title"] for entry in index["posts"]] == ["Solo", "Starting out"]
    entry = index["posts"][1]
    assert entry["url"] == "/posts/start/"
    assert entry["summary"] == "Why we began."
    assert entry["author"] == "Ann O'Reilly"
    assert entry["series"] == "Journey to the Cloud"
    assert entry["part"] == "Part 1 of 5"
    assert entry["tags"] == ["Open Data"]
    assert entry["date"] == "1 January 2016"
    # List items are separate words; emphasis inside a word is not a break.
    assert entry["words"].split() == ["cloud", "email", "we", "rewrote", "the", "plan", "more"]
    assert index["posts"][0]["series"] == "" and index["posts"][0]["author"] == "Ben Émile"


def test_nothing_withheld_reaches_the_index(
    make_site: MakeSite, build_site: Callable[..., Any]
) -> None:
    index = _index(
        make_site,
        build_site,
        {
            "content/posts/public.md": post(
                "Public",
                body=(
                    "Open words.\n\n<!-- level: internal -->\nSecret budgetline here.\n"
                    "<!-- /level -->\n"
                ),
            ),
            "content/posts/internal.md": post(
                "Staffing plan", security="Internal", body="Quokkaberry.\n"
            ),
            "content/posts/draft.md": post("Draft", draft=True, body="Draftword.\n"),
            "content/posts/future.md": post("Later", date="2099-01-01", body="Futureword.\n"),
        },
    )
    assert [entry["title"] for entry in index["posts"]] == ["Public"]
    text = json.dumps(index).lower()
    for word in ("budgetline", "quokkaberry", "staffing", "draftword", "futureword"):
        assert word not in text


def test_search_page_has_a_labelled_search_form_and_is_in_the_menu(
    make_site: MakeSite, build_site: Callable[..., Any]
) -> None:
    site = make_site({"content/posts/a.md": post("A", series="cloud", part=1)})
    build_site(site)
    html = (site / "output" / "search" / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    form = soup.select_one("form[role=search]")
    assert form is not None and form.get("method") == "get"
    field = form.select_one("input[name=q]")
    assert field is not None
    label = soup.select_one(f"label[for={field['id']}]")
    assert label is not None and label.get_text(strip=True)
    assert soup.select_one("[role=status]") is not None
    # Without JavaScript, every post is still reachable from the page.
    browse = {a["href"] for a in soup.select(".search-browse a")}
    assert {"/archive/", "/series/", "/series/cloud/", "/tags/", "/authors/"} <= browse
    assert soup.select_one("script[src='/assets/search.js']") is not None
    home = BeautifulSoup(
        (site / "output" / "index.html").read_text(encoding="utf-8"), "html.parser"
    )
    assert "/search/" in [a["href"] for a in home.select("nav[aria-label=Main] a")]


def test_the_index_is_the_same_bytes_every_time_and_plain_json(
    make_site: MakeSite, build_site: Callable[..., Any]
) -> None:
    site = make_site(
        {
            "content/posts/a.md": post(
                "Tables & “quotes” 🚀",
                body=(
                    "| a | b |\n|---|---|\n| cell&nbsp;one | two |\n\n"
                    "Line one  \nline two; AT&amp;T and `co<de>`.\n\n```\nprint('x')\n```\n"
                ),
            ),
            "content/posts/b.md": post("B", date="2016-02-01", body="Émile\u2019s café.\n"),
        }
    )
    result = build_site(site)
    first = (site / "output" / "search" / "index.json").read_bytes()
    again = search_index(result.site.posts, language=english())
    assert again == search_index(result.site.posts, language=english()) == first
    document = json.loads(first)
    assert first == json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    entry = document["posts"][1]
    assert entry["title"] == "Tables & “quotes” 🚀"
    # Cells and lines are separate words; entities are decoded, so "&nbsp;" is a space,
    # "&amp;" not a word "amp" and "<de>" in code the word "de".
    assert entry["words"].split() == [
        "cell",
        "one",
        "two",
        "line",
        "at",
        "and",
        "co",
        "de",
        "print",
    ]
    assert document["posts"][0]["words"] == "emile cafe"


def _chunked_site(make_site: MakeSite, edited: str = "") -> Path:
    """150 posts of words drawn as prose draws them (a few in every post, most in a few),
    their index cut into 75 word chunks; post 70 ends with `edited`."""
    draw = random.Random(7)
    vocabulary = [f"w{number}x" for number in range(600)]
    files = {"journeyblog.toml": CONFIG + "search_chunks_above = 1\n"}
    for number in range(150):
        words = draw.choices(vocabulary, weights=[1 / (1 + rank) for rank in range(600)], k=60)
        body = " ".join(words) + (f" {edited}" if number == 70 else "") + ".\n"
        day = f"2016-{1 + number // 28:02d}-{1 + number % 28:02d}"
        files[f"content/posts/p{number}.md"] = post(f"Post {number}", date=day, body=body)
    return make_site(files)


def _word_files(out: Path) -> dict[str, dict[str, list[int]]]:
    return {
        path.name: json.loads(path.read_bytes()) for path in (out / "search" / "words").iterdir()
    }


def test_an_edit_changes_the_word_chunks_of_the_words_it_changed_and_few_others(
    make_site: MakeSite, build_site: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "POSTS_PER_WORD_CHUNK", 2)
    site = _chunked_site(make_site)
    build_site(site, cache=False)
    before = _word_files(site / "output")
    _chunked_site(make_site, edited="newfound wordings")
    build_site(site, cache=False)
    after = _word_files(site / "output")
    assert len(after) == len(before) == 75
    changed = sorted(name for name in after if after[name] != before[name])
    assert 1 <= len(changed) <= 4, changed
    # Each chunk is where the page's script looks for each of its words: the last chunk
    # whose first word sorts at or before it (search-chunks.js, chunksFor).
    firsts = json.loads((site / "output" / "search" / "index.json").read_bytes())["words"]
    assert firsts == sorted(firsts)
    assert sum(1 for name in after if after[name] == {}) > 0  # some empty: a word spans them
    for name, chunk in after.items():
        for word in chunk:
            assert f"{bisect.bisect_right(firsts, word) - 1}.json" == name, word


@given(
    counts=st.lists(st.integers(1, 60), max_size=80),
    chunks=st.integers(1, 40),
)
def test_chunks_begin_in_order_each_where_the_script_looks_for_its_words(
    counts: list[int], chunks: int
) -> None:
    ordered = [f"{number:03d}" for number in range(len(counts))]
    firsts = search._firsts(ordered, counts, chunks)
    assert len(firsts) == chunks and firsts[:1] == [0]
    assert firsts == sorted(firsts) and all(0 <= first < max(1, len(ordered)) for first in firsts)
    # A chunk is empty only where the next begins at the same word: the script never
    # looks for a word in it.
    ends = [*firsts[1:], len(ordered)]
    for number, (first, end) in enumerate(zip(firsts, ends, strict=True)):
        for at in range(first, end):
            looked_in = bisect.bisect_right([ordered[f] for f in firsts], ordered[at]) - 1
            assert looked_in == number


_ENTRIES = st.lists(st.integers(min_value=0, max_value=2**32 - 1), min_size=1, max_size=4)
_CHUNK = st.dictionaries(st.sampled_from(["a", "ab", "b", "é", "1"]), _ENTRIES, max_size=4)


def _entry(data: bytes) -> int:
    return array("I", data)[0]


# Two chunks whose words and entries, laid end to end without their counts, are the same bytes.
_RUN_ON = {"a": [1, _entry(b"1\x00b\x07")], "b": [2]}
_RUN_ON_TOO = {"a": [1], "b": [_entry(b"\x071\x00b"), 2]}


@given(first=_CHUNK, second=_CHUNK)
@example(first=_RUN_ON, second=_RUN_ON_TOO)
def test_a_word_chunk_is_made_again_exactly_when_its_bytes_would_change(
    first: dict[str, list[int]], second: dict[str, list[int]]
) -> None:
    """A chunk's key stands for its bytes (the engine takes over a file whose key is
    unchanged): the same key, the same file; another file, another key."""
    made = [
        search.WordChunks(
            "search/index.json",
            b"{}",
            {"search/words/0.json": sorted(chunk)},
            {word: array("I", entries) for word, entries in chunk.items()},
        )
        for chunk in (first, second)
    ]
    path = "search/words/0.json"
    keys = [chunk.key(path) for chunk in made]
    files = [chunk.file(path) for chunk in made]
    assert (keys[0] == keys[1]) == (files[0] == files[1])
