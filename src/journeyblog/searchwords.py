"""Rendered HTML -> the words a reader can search a post by.

The same folding as `assets/search.js`: accents dropped, case lowered, one-letter words left
out. Computed where the Markdown is rendered (in the workers, kept in the build cache with
the HTML), so the search index only joins what is already there.
"""

from __future__ import annotations

import functools
import html
import re
import string
import unicodedata

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


def search_words(body: str) -> str:
    """The distinct search words of a rendered body, space-separated, in order of appearance.

    >>> search_words("<p>The <em>Cloud</em>,</p><p>the café</p>")
    'the cloud cafe'
    """
    return " ".join(words(body_text(body)))


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


def body_text(body: str) -> str:
    """The text of rendered HTML: two regex passes and one unescape, no HTML parser."""
    return html.unescape(_TAG.sub("", _BREAK.sub(" ", body)))
