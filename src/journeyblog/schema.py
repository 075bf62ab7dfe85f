"""The keys a post, a page, an author and a series may have, and what a wrong one means.

Front matter is a schema, not a bag: an unknown key is an error, because a typo of a key that
keeps text back (`darft: true`) or another generator's habit (`published: false`) would
otherwise publish what its author meant to withhold. Each error names the key meant, or the
one to use instead. Free-form data for themes goes under `extra:`, which nothing here reads.
Knows nothing of levels or series: only names.
"""

from __future__ import annotations

import difflib
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
