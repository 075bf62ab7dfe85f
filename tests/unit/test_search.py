"""The search index: what readers can find, and that nothing unpublished is in it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bs4 import BeautifulSoup
from tests.conftest import MakeSite, post

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
