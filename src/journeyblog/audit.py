"""The leak audit: no byte derived from an unpublished post may reach the output.

After every build, and on demand (`journeyblog audit`), every text file of the output is
searched for every canary of every withheld post: its id, its slug (as the path segment it
would have had), its title, its summary and its longest sentences, each in the forms they
take in HTML, XML, JSON and URLs. One Aho-Corasick pass over each file finds them all, so the
audit stays linear in the size of the output however many posts are withheld.

A canary that also occurs in what *is* published (a withheld post quoting a public one, a
title that is also a tag) proves nothing and is left out; so are canaries under 4 characters.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

import ahocorasick

from journeyblog.model import Output, Withheld

TEXT_SUFFIXES = (".html", ".xml", ".json", ".txt", ".css", ".js", ".htm", ".svg", ".md")
MIN_CANARY = 4


@dataclass(frozen=True, slots=True)
class Finding:
    output: str  # output path, "/"-separated
    source: Path  # the withheld post the canary comes from
    reason: str  # level, draft or future
    what: str  # "title", "id", "slug", "summary", "sentence", "image"

    def __str__(self) -> str:
        return (
            f"{self.output}: contains the {self.what} of {self.source}, which is not published "
            f"to this audience ({self.reason}); nothing was written"
        )


def audit_outputs(
    outputs: Iterable[Output], withheld: Sequence[Withheld], *, published_text: str
) -> list[Finding]:
    """Every place an output carries a canary of a withheld post."""
    auditor = Auditor(withheld, published_text)
    for output in outputs:
        auditor.scan(output)
    return auditor.findings


class Auditor:
    """The audit, one output at a time, so a build never holds the whole site in memory."""

    def __init__(self, withheld: Sequence[Withheld], published_text: str) -> None:
        self.findings: list[Finding] = []
        self._automaton, self._slugs, self._images = _prepare(withheld, published_text)

    def scan(self, output: Output) -> None:
        self.findings.extend(_scan(output, self._automaton, self._slugs, self._images))


def _prepare(
    withheld: Sequence[Withheld], published_text: str
) -> tuple[ahocorasick.Automaton | None, dict[str, Withheld], dict[str, Withheld]]:
    automaton = ahocorasick.Automaton()
    slugs: dict[str, Withheld] = {}
    images: dict[str, Withheld] = {}
    public = _occurring(
        {canary for item in withheld for _, canary in item.canaries}
        | {image for item in withheld for image in item.image_paths},
        published_text,
    )
    for item in withheld:
        for what, canary in item.canaries:
            if len(canary) < MIN_CANARY or canary in public:
                continue
            if what == "slug":
                slugs[canary] = item
            for form in _forms(canary, what):
                automaton.add_word(form, (what, item))
        for image in item.image_paths:
            if image not in public:
                images[image] = item
    if len(automaton) == 0:
        return None, slugs, images
    automaton.make_automaton()
    return automaton, slugs, images


def _scan(
    output: Output,
    automaton: ahocorasick.Automaton | None,
    slugs: dict[str, Withheld],
    images: dict[str, Withheld],
) -> list[Finding]:
    findings: list[Finding] = []
    if output.path in images:
        item = images[output.path]
        findings.append(Finding(output.path, item.source, item.reason, "image"))
    for segment in output.path.split("/"):
        item_for_slug = slugs.get(segment) or slugs.get(segment.rsplit(".", 1)[0])
        if item_for_slug is not None:
            findings.append(
                Finding(output.path, item_for_slug.source, item_for_slug.reason, "slug")
            )
            break
    if automaton is None or not output.path.endswith(TEXT_SUFFIXES):
        return findings
    text = _text(output)
    seen: set[tuple[str, Path]] = set()
    for _end, (what, item) in automaton.iter(text):
        if (what, item.source) not in seen:
            seen.add((what, item.source))
            findings.append(Finding(output.path, item.source, item.reason, what))
    return findings


def _occurring(needles: set[str], haystack: str) -> set[str]:
    """The needles found in haystack, in one pass however many there are."""
    needles = {needle for needle in needles if needle}
    if not needles:
        return set()
    automaton = ahocorasick.Automaton()
    for needle in needles:
        automaton.add_word(needle, needle)
    automaton.make_automaton()
    return {needle for _end, needle in automaton.iter(haystack)}


def _forms(canary: str, what: str) -> set[str]:
    """The shapes a string takes once written into HTML, XML, JSON or a URL."""
    if what == "slug":
        # A bare slug ("introduction") is often an ordinary word; its paths are not.
        return {f"posts/{canary}/", f'posts/{canary}"', f"cards/{canary}.", f":posts/{canary}"}
    escaped = html.escape(canary, quote=True)
    forms = {
        canary,
        escaped,
        html.escape(canary, quote=False),
        escaped.replace("&#x27;", "&#39;"),
        escaped.replace("&quot;", "&#34;").replace("&#x27;", "&#39;"),
        json.dumps(canary)[1:-1],
        json.dumps(canary, ensure_ascii=False)[1:-1],
        quote(canary, safe=""),
        quote_plus(canary, safe=""),
    }
    return {form for form in forms if form}


def _text(output: Output) -> str:
    # Copied files (output.source) are the site's own static files and images, not posts.
    return output.data.decode("utf-8", errors="replace") if output.data is not None else ""
