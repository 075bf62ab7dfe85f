"""Site -> the search index, for client-side search over published posts.

Owns the index that the search page's script (`assets/search.js`; the page is render.py's)
reads to rank posts in the reader's browser, in one of two forms (docs/search.md):
- whole: `search/index.json`, one entry per published post (url, title, summary, date,
  author, series, part, tags, and the distinct words of its body), fetched at once;
- chunked, for a large site: `search/index.json` names the first word of each word chunk;
  `search/words/N.json` maps each word to the posts it is found in (and in which field),
  `search/posts/N.json` holds what a result shows, POSTS_PER_CHUNK posts a file. A query
  fetches the chunks its words fall in and the posts it shows, a few tens of kilobytes.

Only `site.posts` enter the index: the Site holds nothing this build does not publish, and a
post's html has already lost the level blocks above the audience, so a withheld word cannot
be searched for. The index is an Output like every page, so the leak audit reads it too.
Must not read the site's files or know about levels: the model has decided what is
published. (A large index is put together in a temporary file: see search_index.)
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import math
import operator
import tempfile
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journeyblog.digests import bytes_digest, length_prefixed
from journeyblog.i18n import Language
from journeyblog.model import Post
from journeyblog.searchwords import words

FOLDER = "search/"  # where the page and its index are; a language of its own gets its own
INDEX_PATH = FOLDER + "index.json"
PAGE_PATH = FOLDER + "index.html"
POSTS_PER_CHUNK = 50  # what one result page of 20 fetches stays small: see docs/search.md
POSTS_PER_WORD_CHUNK = 25  # one word chunk for this many posts: small chunks (docs/search.md)
# The fields a word is found in, weighted as search.js ranks them: 2 ** field.
BODY, SUMMARY, LABELS, TITLE = range(4)


def search_index(posts: Sequence[Post], *, language: Language) -> bytes:
    """The index as compact JSON, in the order given (newest first: the order of ties).

    {"version": 1, "posts": [{"url": "/posts/email/", "title": "Moving email", ...,
    "words": "we moved our email"}]}
    """
    # Entry by entry, encoded as it comes into a temporary file and read back whole: the
    # same bytes as dumping the whole document, with one copy of a large index in memory,
    # not every entry's dict and the joined parts as well (bench/LOG.md).
    with tempfile.TemporaryFile() as index:
        index.write(b'{"version":1,"posts":[')
        for number, (post, words) in enumerate(
            zip(posts, (post.search_words for post in posts), strict=True)
        ):
            if number:
                index.write(b",")
            index.write(_json(_entry(post, words, language)).encode())
        index.write(b"]}")
        index.seek(0)
        return index.read()


def _entry(post: Post, words: str, language: Language) -> dict[str, Any]:
    series = post.series
    return {
        "url": post.url,
        "title": post.title,
        "summary": post.summary,
        "date": language.format_date(post.date),
        "iso": post.date.date().isoformat(),
        "author": post.author.name,
        "series": series.series_title if series else "",
        "part": language.say("Part %(part)s of %(total)s")
        % {"part": series.part, "total": series.total}
        if series
        else "",
        "tags": [tag.name for tag in post.tags],
        "words": words,
    }


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def chunked_paths(count: int, folder: str = FOLDER) -> list[str]:
    """Every file of the chunked index of `count` posts, the index first: known before the
    index is made, from the count alone. The page's script reads them relative to itself."""
    return [
        f"{folder}index.json",
        *(f"{folder}words/{number}.json" for number in range(_word_chunks(count))),
        *(f"{folder}posts/{number}.json" for number in range(math.ceil(count / POSTS_PER_CHUNK))),
    ]


def _word_chunks(count: int) -> int:
    return max(1, math.ceil(count / POSTS_PER_WORD_CHUNK))


def posts_chunk(posts: Sequence[Post], number: int, *, language: Language) -> bytes:
    """`search/posts/<number>.json`: what a result shows of each of those posts, in order."""
    chunk = posts[number * POSTS_PER_CHUNK : (number + 1) * POSTS_PER_CHUNK]
    return _json([_shown(post, language) for post in chunk]).encode()


@dataclass(frozen=True, slots=True)
class WordChunks:
    """`search/index.json` and every `search/words/N.json` of the chunked index: the index
    made, each chunk made when asked for (`file`); `key` says what a file is made from,
    in a fraction of the time it takes to make it."""

    index_path: str
    index: bytes
    chunks: Mapping[str, Sequence[str]]  # a chunk's path -> its words, in order
    found: Mapping[str, array[int]]  # a word -> its entries (`word_chunks`)

    def file(self, path: str) -> bytes:
        if path == self.index_path:
            return self.index
        return _json({word: _deltas(self.found[word]) for word in self.chunks[path]}).encode()

    def key(self, path: str) -> str:
        """The same for the same bytes of the file at `path`, and different whenever they
        would differ: a chunk's words and the entries of each."""
        if path == self.index_path:
            return bytes_digest(self.index)
        found = self.found
        return bytes_digest(
            b"".join(
                length_prefixed((word, str(len(found[word])))) + found[word].tobytes()
                for word in self.chunks[path]
            )
        )


def word_chunks(posts: Sequence[Post], folder: str = FOLDER) -> WordChunks:
    """`search/index.json` and every `search/words/N.json` of the chunked index.

    Each word maps to the posts it is found in, as numbers in the order of `posts` (newest
    first) with the weightiest field it is in: ``4 * (post - previous post) + field``, so
    a list of small numbers. Words are sorted as JavaScript compares strings (by UTF-16
    code unit), so the browser finds the chunks a prefix spans by comparing with the first
    word of each; a chunk holds about a share of the entries (or none, before a word found
    in most posts), and where each begins moves little when a post changes (`_firsts`), so
    an edit to a post's text changes a few chunks.
    """
    found: defaultdict[str, array[int]] = defaultdict(functools.partial(array, "I"))
    for number, (post, body) in enumerate(
        zip(posts, (post.search_words for post in posts), strict=True)
    ):
        entry = number * 4 + BODY
        for word in body.split():  # distinct already (searchwords.search_words)
            found[word].append(entry)
        labelled: dict[str, int] = {}
        for field, text in _labelled(post):
            labelled.update(dict.fromkeys(words(text), field))
        for word, field in labelled.items():
            entries = found[word]
            if entries and entries[-1] == entry:  # in the body too: the weightier field
                entries[-1] = entry + field
            else:
                entries.append(entry + field)
    ordered = sorted(found, key=lambda word: word.encode("utf-16-be"))
    chunks = _word_chunks(len(posts))
    starts = _firsts(ordered, [len(found[word]) for word in ordered], chunks)
    words_of: dict[str, Sequence[str]] = {}
    firsts: list[str] = []
    for number, (start, end) in enumerate(
        itertools.zip_longest(starts, starts[1:], fillvalue=len(ordered))
    ):
        firsts.append(ordered[start] if ordered else "\uffff")
        words_of[f"{folder}words/{number}.json"] = ordered[start:end]
    index = {"version": 2, "posts": len(posts), "per": POSTS_PER_CHUNK, "words": firsts}
    return WordChunks(f"{folder}index.json", _json(index).encode(), words_of, dict(found))


def _firsts(ordered: Sequence[str], counts: Sequence[int], chunks: int) -> list[int]:
    """Where each of `chunks` chunks begins in `ordered` (words with `counts` entries), so
    that each holds about a share of them; a chunk that begins where the next does is empty.

    Chunk k begins near k/chunks of all entries: at the word with the lowest CRC-32 of those
    that begin within a quarter of a chunk's share of that point, or, if none does (a word
    found in most posts spans it), at the word that spans it. An edit moves the points by
    the entries it adds or removes, and a chunk's beginning only if a word crosses the edge
    of its window, so the other chunks keep their words and their bytes.
    """
    begins = list(itertools.accumulate(counts, initial=0))  # entries before each word
    share = begins[-1] / chunks
    firsts = [0]
    for number in range(1, chunks):
        point = share * number
        low = bisect.bisect_left(begins, point - share / 4, hi=len(ordered))
        high = bisect.bisect_right(begins, point + share / 4, hi=len(ordered))
        if low < high:
            firsts.append(min(range(low, high), key=lambda at: _rank(ordered[at])))
        else:
            firsts.append(max(0, bisect.bisect_right(begins, point, hi=len(ordered)) - 1))
    return firsts


def _rank(word: str) -> int:
    return zlib.crc32(word.encode("utf-8", "surrogatepass"))


def _labelled(post: Post) -> Iterator[tuple[int, str]]:
    """A post's fields other than its body, least weighty first: a word's weightiest wins."""
    yield SUMMARY, post.summary
    series = post.series
    yield (
        LABELS,
        " ".join(
            [
                series.series_title if series else "",
                post.author.name,
                *(tag.name for tag in post.tags),
            ]
        ),
    )
    yield TITLE, post.title


def _deltas(entries: array[int]) -> list[int]:
    """Post numbers as steps from the previous one, each with its field in the low 2 bits:
    an entry less the previous one's post number times four (its field bits cleared)."""
    posts = map(operator.and_, entries, itertools.repeat(~3, len(entries) - 1))
    return [entries[0], *map(operator.sub, entries[1:], posts)]


def _shown(post: Post, language: Language) -> dict[str, Any]:
    entry = _entry(post, "", language)
    del entry["words"]
    return entry
