"""Site -> the search page and its index, for client-side search over published posts.

Owns `search/index.json` (one entry per published post: url, title, summary, date, author,
series, part, tags, and the distinct words of its body) and `search/index.html`, the page
whose script (`assets/search.js`) fetches the index and ranks posts in the reader's browser.
See docs/search.md for why a word list and not Pagefind.

Only `site.posts` enter the index: the Site holds nothing this build does not publish, and a
post's html has already lost the level blocks above the audience, so a withheld word cannot
be searched for. The index is an Output like every page, so the leak audit reads it too.
Must not read the site's files or know about levels: the model has decided what is
published. (A large index is put together in a temporary file: see search_index.)
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from jinja2 import Environment

from journeyblog.model import Post, Site, search_words_of

INDEX_PATH = "search/index.json"
PAGE_PATH = "search/index.html"


def search_page(site: Site, env: Environment) -> bytes:
    """The search page: its script fetches INDEX_PATH, so the page itself lists no post."""
    page = env.get_template("search.html").render(
        site=site,
        title="Search",
        canonical_url=site.absolute("search/"),
        page_url=site.url("search/"),
        feeds=(),
    )
    return page.encode("utf-8")


def search_index(posts: Sequence[Post], *, format_date: Callable[[datetime], str]) -> bytes:
    """The index as compact JSON, in the order given (newest first: the order of ties).

    {"version": 1, "posts": [{"url": "/posts/email/", "title": "Moving email", ...,
    "words": "we moved our email"}]}
    """
    # Entry by entry, encoded as it comes into a temporary file and read back whole: the
    # same bytes as dumping the whole document, with one copy of a large index in memory,
    # not every entry's dict and the joined parts as well (bench/LOG.md).
    with tempfile.TemporaryFile() as index:
        index.write(b'{"version":1,"posts":[')
        for number, (post, words) in enumerate(zip(posts, search_words_of(posts), strict=True)):
            if number:
                index.write(b",")
            index.write(_json(_entry(post, words, format_date)).encode())
        index.write(b"]}")
        index.seek(0)
        return index.read()


def _entry(post: Post, words: str, format_date: Callable[[datetime], str]) -> dict[str, Any]:
    series = post.series
    return {
        "url": post.url,
        "title": post.title,
        "summary": post.summary,
        "date": format_date(post.date),
        "iso": post.date.date().isoformat(),
        "author": post.author.name,
        "series": series.series_title if series else "",
        "part": f"Part {series.part} of {series.total}" if series else "",
        "tags": [tag.name for tag in post.tags],
        "words": words,
    }


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
