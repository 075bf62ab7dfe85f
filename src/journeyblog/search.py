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

import functools
import html
import json
import re
import string
import unicodedata
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from jinja2 import Environment

from journeyblog.model import Output, Post, Site

INDEX_PATH = "search/index.json"
PAGE_PATH = "search/index.html"

# A "word" is a run of letters and digits; search.js splits text the same way (see `words`).
_WORD = re.compile(r"[^\W_]+")
# Block tags and comments become a space, so "<li>cloud</li><li>email</li>" is two words; any
# other tag becomes nothing, so "<em>re</em>wrote" stays one. Rendered Markdown escapes "<" and
# ">" in text and attribute values, so a tag always ends at the first ">". Case-sensitive:
# markdown-it writes lower-case tags, and IGNORECASE would double the cost of this pass.
_BREAK = re.compile(
    r"<(?:!--.*?--|/?(?:p|li|ul|ol|dl|dt|dd|h[1-6]|table|thead|tbody|tr|td|th|blockquote|pre|"
    r"div|section|figure|figcaption|br|hr)\b[^>]*)>",
    re.DOTALL,
)
_TAG = re.compile(r"<[^>]*>")
# For ASCII text, `_WORD` is "a-z and 0-9 after lower()": a byte table turns every other
# byte into a space and str.split does the rest, several times faster than the regex.
_ASCII_BREAKS = bytes.maketrans(
    bytes(range(128)),
    bytes(
        byte if chr(byte) in string.ascii_lowercase + string.digits else 32 for byte in range(128)
    ),
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
    # Entry by entry, joined once: the same bytes as dumping the whole document, without
    # holding every entry's dict at the same time.
    _BODY_WORDS.begin_index()
    entries = ",".join(_json(_entry(post, format_date)) for post in posts)
    return f'{{"version":1,"posts":[{entries}]}}'.encode()


class _BodyWordsMemo:
    """A body's search words by its HTML, kept from the last index this process made.

    Off unless `remember_between_builds` turned it on: the dev server rebuilds the index
    after every save and most bodies have not changed since (finding the words is most of
    the index's cost), while a one-off build would only pay for a copy of every body. Each
    index keeps only the bodies it used: never more than two versions of the site's bodies.
    """

    def __init__(self) -> None:
        self.enabled = False
        self._last: dict[str, str] = {}
        self._now: dict[str, str] = {}

    def begin_index(self) -> None:
        self._last, self._now = self._now, {}

    def words_of(self, body: str) -> str:
        if not self.enabled:
            return " ".join(words(_body_text(body)))
        found = self._now.get(body)
        if found is None:
            found = self._last.get(body)
        if found is None:
            found = " ".join(words(_body_text(body)))
        self._now[body] = found
        return found


_BODY_WORDS = _BodyWordsMemo()


def remember_between_builds() -> None:
    """Keep each body's search words for the next index this process makes (dev server)."""
    _BODY_WORDS.enabled = True


def words(text: str) -> list[str]:
    """Distinct words of `text`, folded for matching, in order of first appearance.

    Accents are dropped and case is lowered, so "Émile" is found by "emile"; one-letter
    words are left out (they cost bytes and find everything).

    >>> words("Cloud-first: the Cloud, the café.")
    ['cloud', 'first', 'the', 'cafe']
    """
    if text.isascii():
        # ASCII is its own NFKD form and has no marks: most English text takes this path.
        found = text.lower().encode("ascii").translate(_ASCII_BREAKS).decode("ascii").split()
    else:
        text = unicodedata.normalize("NFKD", text)
        marks = {ord(char): None for char in set(text) if _is_mark(char)}
        found = _WORD.findall(text.translate(marks).lower())
    return [word for word in dict.fromkeys(found) if len(word) > 1]


@functools.cache
def _is_mark(char: str) -> bool:
    # Unicode category M, as search.js's \p{M}: both sides must drop the same characters.
    return unicodedata.category(char).startswith("M")


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
        "words": _BODY_WORDS.words_of(str(post.html)),
    }


def _body_text(body: str) -> str:
    """The text of rendered HTML: two regex passes and one unescape, no HTML parser."""
    return html.unescape(_TAG.sub("", _BREAK.sub(" ", body)))


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
