"""The keys a post, a page, an author and a series may have, and what a wrong one means.

Front matter is a schema, not a bag: an unknown key is an error, because a typo of a key that
keeps text back (`darft: true`) or another generator's habit (`published: false`) would
otherwise publish what its author meant to withhold. Each error names the key meant, or the
one to use instead. Free-form data for themes goes under `extra:`, which nothing here reads.
Knows nothing of levels or series: only names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

POST_KEYS = (
    "title",
    "date",
    "updated",
    "author",
    "security",
    "series",
    "part",
    "tags",
    "summary",
    "draft",
    "slug",
    "id",
    "canonical",
    "image",
    "image_alt",
    "aliases",
    "extra",
    "translation",
)
PAGE_KEYS = ("title", "slug", "summary", "security", "draft", "extra", "translation")
AUTHOR_KEYS = ("name", "role", "organisation", "url", "bio", "avatar", "extra")
SERIES_KEYS = ("title", "description", "planned", "status", "extra")

_AUDIENCE = "a post's audience is its 'security' level: write security: <level>"
_EXTRA = "put data for your theme under 'extra:'"

# Keys other generators use, and what to write here instead.
HABITS: Mapping[str, str] = {
    "published": "'published' is Jekyll's key: write draft: true to keep a post back",
    "publish": "to keep a post back write draft: true",
    "private": f"'private' is not a key here: {_AUDIENCE}",
    "level": f"'level' is not a key here: {_AUDIENCE}",
    "visibility": f"'visibility' is not a key here: {_AUDIENCE}",
    "classification": f"'classification' is not a key here: {_AUDIENCE}",
    "audience": f"'audience' is set for a whole build: {_AUDIENCE}",
    "access": f"'access' is not a key here: {_AUDIENCE}",
    "confidential": f"'confidential' is not a key here: {_AUDIENCE}",
    "protected": f"'protected' is not a key here: {_AUDIENCE}",
    "hidden": "to keep a post back write draft: true, or raise its 'security' level",
    "status": "a post's state is 'draft: true' or 'draft: false'",
    "categories": "use 'tags' (a list)",
    "category": "use 'tags' (a list)",
    "tag": "use 'tags' (a list)",
    "keywords": "use 'tags' (a list)",
    "description": "use 'summary'",
    "excerpt": "use 'summary'",
    "abstract": "use 'summary'",
    "lastmod": "use 'updated'",
    "modified": "use 'updated'",
    "last_modified": "use 'updated'",
    "publishdate": "use 'date'",
    "pubdate": "use 'date'",
    "authors": "one author a post: write author: <slug from content/authors.yml>",
    "permalink": "use 'slug' (and 'aliases' for old addresses)",
    "url": "use 'slug' (and 'aliases' for old addresses)",
    "cover": "use 'image'",
    "thumbnail": "use 'image'",
    "featured_image": "use 'image'",
    "weight": "a series part's place is 'part: <number>'",
    "layout": f"journeyblog chooses the template itself; {_EXTRA}",
    "template": f"journeyblog chooses the template itself; {_EXTRA}",
}


def key_problems(
    keys: Iterable[str], known: tuple[str, ...], *, what: str = "key"
) -> list[tuple[str, str]]:
    """(key, message) for every key that is not one of `known`; other generators' front
    matter keys (HABITS) are named as such when `what` is "key".

    >>> key_problems(["darft", "title"], POST_KEYS)
    [('darft', "unknown key 'darft' (did you mean 'draft'?)")]
    """
    problems = []
    for key in keys:
        if key in known:
            continue
        problems.append((key, _problem(key, known, what)))
    return problems


def _problem(key: str, known: tuple[str, ...], what: str) -> str:
    lowered = key.strip().lower()
    if lowered in known:
        return f"unknown {what} '{key}': keys are lower case (write '{lowered}')"
    habit = HABITS.get(lowered.replace("-", "_")) if what == "key" else None
    if habit is not None:
        return f"unknown {what} '{key}' ({habit})"
    near = difflib.get_close_matches(lowered, known, n=1, cutoff=0.6)
    if near:
        return f"unknown {what} '{key}' (did you mean '{near[0]}'?)"
    return f"unknown {what} '{key}' (known: {', '.join(known)}; {_EXTRA})"


# Keys that keep a post back, met where they do nothing: under `extra:`, or inside a text.
_WITHHOLDING = ("draft", "security", "published")
_KEY_IN_TEXT = re.compile(r"\bdraft\s*:\s*(?:true|yes|on)\b", re.IGNORECASE)


def value_problems(values: Mapping[str, object]) -> list[tuple[str, str]]:
    """(key, message) for every value that would publish what its author meant to hide: an
    HTML comment, which only a body's level markers act on (elsewhere it is shown as text);
    a key that keeps a post back written under `extra:`, or swallowed by a summary (an
    indentation slip), where it does nothing.

    >>> value_problems({"summary": "Plans. <!-- level: internal -->Costs<!-- /level -->"})[0][0]
    'summary'
    """
    problems = []
    for key, value in values.items():
        # Most values are short text: tested directly, not through a generator each.
        commented = (
            _commented(value)
            if isinstance(value, str)
            else isinstance(value, Mapping | list | tuple)
            and any(_commented(text) for text in texts_in(value, keys=True))
        )
        if commented:
            problems.append(
                (
                    key,
                    f"'{key}' holds an HTML comment, which would be published as text (level"
                    " markers work in a body only: remove it, or move the text into the body)",
                )
            )
        if key == "extra" and isinstance(value, Mapping):
            for inner in value:
                if str(inner).strip().lower() in _WITHHOLDING:
                    problems.append(
                        (
                            key,
                            f"'{inner}' under 'extra:' does nothing: extra is data for themes"
                            " (keep a post back with draft: true or security: <level>, at the"
                            " top level of the front matter)",
                        )
                    )
        if key == "summary" and isinstance(value, str):
            found = _KEY_IN_TEXT.search(value)
            if found is not None:
                problems.append(
                    (
                        key,
                        f"the summary says '{found[0]}', which reads as a key indented into it"
                        " (write the key at the top level, or reword the summary)",
                    )
                )
    return problems


def _commented(text: str) -> bool:
    """Whether a text holds an HTML comment, or one written as entities (shown as one)."""
    return "<!--" in text or ("&" in text and "&lt;!--" in text.lower())


def texts_in(value: object, *, scalars: bool = False, keys: bool = False) -> list[str]:
    """The strings of a front-matter or data-file value, at any depth: in mappings' values
    (and their keys, with `keys`) and in lists' and tuples' items. With `scalars`, any
    other value but None too, as str (a number or a date is published as text as well)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        found = [str(key) for key in value] if keys else []
        for item in value.values():
            found += texts_in(item, scalars=scalars, keys=keys)
        return found
    if isinstance(value, list | tuple):
        return [text for item in value for text in texts_in(item, scalars=scalars, keys=keys)]
    return [str(value)] if scalars and value is not None else []


_STRAY = frozenset({"draft", "security", "published", "private", "visibility", "level", "hidden"})
# Blank lines, perhaps a `---` line, then a line that begins "key:".
_LEADING_KEY = re.compile(
    r"(?:[ \t]*\n)*(?:[ \t]*---[ \t]*\n)?[ \t]*([A-Za-z_][\w-]*)[ \t]*:(?:\s|$)"
)


def stray_key(body: str) -> tuple[int, str] | None:
    """(line within the body, from 0; the key) when the body begins with a key that keeps a
    post back (`draft`, `security`, another generator's), alone or under a `---` line:
    written below the closing `---`, it would be published as text and do nothing.

    >>> stray_key("\\ndraft: true\\n\\nText.")
    (1, 'draft')
    """
    # Matched from the body's start, not split into lines: this runs for every post.
    found = _LEADING_KEY.match(body)
    if found is None:
        return None
    key = found[1].lower()
    # Only keys that keep a post back: "Summary: …" may well begin a body.
    if key in _STRAY or key.replace("-", "_") in _STRAY:
        return body.count("\n", 0, found.start(1)), found[1]
    return None
