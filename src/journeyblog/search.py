"""Site -> the search page and its index, for client-side search over published posts.

Owns `search/index.json` (one entry per published post: url, title, summary, date, author,
series, part, tags, and the distinct words of its body) and `search/index.html`, the page
whose script (`assets/search.js`) fetches the index and ranks posts in the reader's browser.
See docs/search.md for why a word list and not Pagefind.

Only `site.posts` enter the index: the Site holds nothing this build does not publish, and a
post's html has already lost the level blocks above the audience, so a withheld word cannot
be searched for. The index is an Output like every page, so the leak audit reads it too.
Must not read files or know about levels: the model has decided what is published.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from journeyblog.model import Output, Post, Site

INDEX_PATH = "search/index.json"
PAGE_PATH = "search/index.html"

# A "word" is a run of letters and digits; search.js splits text the same way (see `words`).
_WORD = re.compile(r"[^\W_]+")
_BLOCK_TAG = re.compile(
    r"</?(?:p|li|ul|ol|dl|dt|dd|h[1-6]|table|thead|tbody|tr|td|th|blockquote|pre|div|"
    r"section|figure|figcaption|br|hr)\b[^>]*>",
    re.IGNORECASE,
)


def render_search(site: Site, env: Environment) -> list[Output]:
    """The search page and the index it loads."""
    page = env.get_template("search.html").render(
        site=site,
        title="Search",
        canonical_url=site.absolute("search/"),
        page_url=site.url("search/"),
        feeds=(),
    )
    index = search_index(site.posts, format_date=env.filters["date"])
    return [Output(PAGE_PATH, page.encode("utf-8")), Output(INDEX_PATH, index)]


def search_index(posts: Iterable[Post], *, format_date: Callable[[datetime], str]) -> bytes:
    """The index as compact JSON, in the order given (newest first: the order of ties).

    {"version": 1, "posts": [{"url": "/posts/email/", "title": "Moving email", ...,
    "words": "we moved our email"}]}
    """
    entries = [_entry(post, format_date) for post in posts]
    document = {"version": 1, "posts": entries}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def words(text: str) -> list[str]:
    """Distinct words of `text`, folded for matching, in order of first appearance.

    Accents are dropped and case is lowered, so "Émile" is found by "emile"; one-letter
    words are left out (they cost bytes and find everything).

    >>> words("Cloud-first: the Cloud, the café.")
    ['cloud', 'first', 'the', 'cafe']
    """
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return [word for word in dict.fromkeys(_WORD.findall(folded)) if len(word) > 1]


def _entry(post: Post, format_date: Callable[[datetime], str]) -> dict[str, Any]:
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
        "words": " ".join(words(_body_text(post.html))),
    }


def _body_text(html: Markup) -> str:
    # Block tags become spaces first, so "<li>cloud</li><li>email</li>" is two words.
    return Markup(_BLOCK_TAG.sub(" ", str(html))).striptags()
