"""The leak audit: no byte derived from an unpublished post may reach the output.

After every build, and on demand (`journeyblog audit`), every text file of the output is
searched for every canary of every withheld post: its id, its slug (as the path segment it
would have had), its title, its summary and its longest sentences, each in the forms they
take in HTML, XML, JSON and URLs. One Aho-Corasick pass over each file's bytes (ahocorasick-rs,
overlapping matches, so no canary hides another) finds them all, so the audit stays linear in
the size of the output however many posts are withheld.

Besides these whole strings, every run of 8 consecutive words of what a withheld post says
(its rendered body, title and summary, or a removed level block) is looked for in the text
of every output, words lower-cased and punctuation dropped, however the output escapes them
(HTML, XML, JSON, URLs): each output's text is reduced to its letters and digits alone
(`plain_words`), and an automaton finds in it every aligned block of 5 words (every 4th
word on), which any run of 8 contains; a block found is extended word by word to see if 8
or more match. The bytes of every picture only withheld posts show are looked for too.

A canary that also occurs in what *is* published (a withheld post quoting a public one, a
title that is also a tag) proves nothing: such findings are dropped at the end, and the text
of everything published is only gathered if there is a finding to weigh. Canaries under 4
characters are not searched for.
"""

from __future__ import annotations

import bisect
import hashlib
import html
import itertools
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

import xxhash
from ahocorasick_rs import AhoCorasick, BytesAhoCorasick, Implementation

from journeyblog.model import Output, Withheld

TEXT_SUFFIXES = (".html", ".xml", ".json", ".txt", ".css", ".js", ".htm", ".svg", ".md")
MIN_CANARY = 4


@dataclass(frozen=True, slots=True)
class Finding:
    output: str  # output path, "/"-separated
    source: Path  # the withheld post the canary comes from
    reason: str  # level, draft or future
    what: str  # "title", "id", "slug", "summary", "sentence", "image"
    canary: str = field(default="", compare=False)  # the string found, as the source has it

    def __str__(self) -> str:
        what = self.what
        if what == "words":
            shown = " ".join(self.canary.split()[:RUN])
            what = f"words ('{shown}…')"
        return (
            f"{self.output}: contains the {what} of {self.source}, which is not published "
            f"to this audience ({self.reason}); nothing was written"
        )


def audit_outputs(
    outputs: Iterable[Output],
    withheld: Sequence[Withheld],
    *,
    published_text: str,
    pictures: Sequence[tuple[bytes, Withheld]] = (),
) -> list[Finding]:
    """Every place an output carries a canary of a withheld post."""
    auditor = Auditor(withheld, published_text, pictures=pictures)
    for output in outputs:
        auditor.scan(output)
    return auditor.findings


class Auditor:
    """The audit, one output at a time, so a build never holds the whole site in memory.

    `published_text` is everything a published page may legitimately say (or a function
    that gathers it, called only if some output carries a canary).
    """

    def __init__(
        self,
        withheld: Sequence[Withheld],
        published_text: str | Callable[[], str],
        *,
        few_outputs: bool = False,
        pictures: Sequence[tuple[bytes, Withheld]] = (),
    ) -> None:
        """`few_outputs`: only a few files will be scanned (a build after an edit), so the
        automaton that is quicker to build is chosen over the one that is quicker to search.
        `pictures`: the bytes of each picture only withheld posts show, with its post.
        """
        self._found: list[Finding] = []
        self._published_text = published_text
        self._canaries, self._slugs, self._images = _prepare(withheld, few_outputs=few_outputs)
        self._words = _Words.of(withheld, few_outputs=few_outputs)
        self._pictures = {hashlib.sha256(data).hexdigest(): item for data, item in pictures}
        self._scanned: set[int] = set()  # the digests of the chunks of text scanned here
        self._picture_sizes = {len(data) for data, _ in pictures}

    @property
    def digest(self) -> str:
        """What this audit looks for: a file that passed it passes again while this and the
        file's bytes are unchanged."""
        return self._words.digest + ":" + ",".join(sorted(self._pictures))

    @property
    def findings(self) -> list[Finding]:
        """The findings so far, less those whose canary is published text anyway."""
        if not self._found:
            return []
        text = self._published_text
        published = text if isinstance(text, str) else text()
        public = _occurring({finding.canary for finding in self._found}, published)
        plain = plain_words(published.encode("utf-8", "surrogatepass"), spaced=False)
        kept: dict[tuple[str, Path, str], Finding] = {}
        for finding in self._found:
            if finding.what == "words":
                if "".join(finding.canary.split()).encode() in plain:
                    continue  # quoted from what is published
            elif finding.canary in public:
                continue
            kept.setdefault((finding.output, finding.source, finding.what), finding)
        return list(kept.values())

    def scan(self, output: Output) -> None:
        self._found.extend(self.findings_in(output))

    def findings_in(self, output: Output) -> list[Finding]:
        """The output's findings, recorded nowhere: for workers that scan what they make."""
        data = output.data
        if data is None and output.source is not None and self._must_read(output.source):
            data = output.source.read_bytes()  # copied or taken over: it may quote anything
        found = _scan(output.path, None, None, self._slugs, self._images)
        if data is None:
            return found
        if len(data) in self._picture_sizes:
            item = self._pictures.get(hashlib.sha256(data).hexdigest())
            if item is not None:
                found.append(Finding(output.path, item.source, item.reason, "picture", output.path))
        if not output.path.endswith(TEXT_SUFFIXES):
            return found
        for chunk in _chunks(data):
            key = xxhash.xxh3_128_intdigest(chunk)
            if key in self._scanned:
                continue  # a feed's entry, met in another feed: it passed, or is reported
            self._scanned.add(key)
            found.extend(_scan(output.path, chunk, self._canaries, {}, {}))
            found.extend(self._words.findings(output.path, chunk))
        return found

    def _must_read(self, source: Path) -> bool:
        """Whether a copied file is read: a text file, or one of a withheld picture's size."""
        return source.name.endswith(TEXT_SUFFIXES) or (
            bool(self._picture_sizes) and source.stat().st_size in self._picture_sizes
        )

    def record(self, findings: Iterable[Finding]) -> None:
        self._found.extend(findings)


# What a form found in an output stands for: (what, withheld post, canary) for each canary
# that takes this form (two posts may share a title).
Meaning = tuple[tuple[str, Withheld, str], ...]


@dataclass(frozen=True, slots=True)
class _Canaries:
    automaton: BytesAhoCorasick
    meanings: tuple[Meaning, ...]  # by pattern index


def _prepare(
    withheld: Sequence[Withheld], *, few_outputs: bool = False
) -> tuple[_Canaries | None, dict[str, Withheld], dict[str, Withheld]]:
    meanings: dict[bytes, list[tuple[str, Withheld, str]]] = {}
    slugs: dict[str, Withheld] = {}
    images: dict[str, Withheld] = {}
    for item in withheld:
        for what, canary in item.canaries:
            if len(canary) < MIN_CANARY:
                continue
            if what == "slug":
                slugs[canary] = item
            for form in _forms(canary, what):
                meanings.setdefault(form.encode("utf-8"), []).append((what, item, canary))
        for image in item.image_paths:
            images[image] = item
    if not meanings:
        return None, slugs, images
    patterns = list(meanings)
    # Both find the same matches; the non-contiguous one is quicker to build, the default
    # quicker to search: the first pays for a few files (bench/LOG.md).
    implementation = Implementation.NoncontiguousNFA if few_outputs else None
    canaries = _Canaries(
        BytesAhoCorasick(patterns, implementation=implementation),
        tuple(tuple(meanings[form]) for form in patterns),
    )
    return canaries, slugs, images


def _scan(
    path: str,
    data: bytes | None,
    canaries: _Canaries | None,
    slugs: dict[str, Withheld],
    images: dict[str, Withheld],
) -> list[Finding]:
    """The whole-string canaries in one output (`data` None: a copied file not read)."""
    findings: list[Finding] = []
    if path in images:
        item = images[path]
        findings.append(Finding(path, item.source, item.reason, "image", path))
    for segment in path.split("/"):
        slug = segment if segment in slugs else segment.rsplit(".", 1)[0]
        item_for_slug = slugs.get(slug)
        if item_for_slug is not None:
            findings.append(Finding(path, item_for_slug.source, item_for_slug.reason, "slug", slug))
            break
    if canaries is None or data is None or not path.endswith(TEXT_SUFFIXES):
        return findings
    found = {
        index
        for index, _start, _end in canaries.automaton.find_matches_as_indexes(
            data, overlapping=True
        )
    }
    seen: set[tuple[str, Path, str]] = set()
    for index in sorted(found):
        for what, item, canary in canaries.meanings[index]:
            if (what, item.source, canary) not in seen:
                seen.add((what, item.source, canary))
                findings.append(Finding(path, item.source, item.reason, what, canary))
    return findings


def _chunks(data: bytes) -> list[bytes]:
    """A text output in the parts it is audited in: a feed by its entries (each post's
    stands in a dozen feeds, and is read once), else whole."""
    for entry in (b"<entry>", b"<item>", b'{"id":'):
        if entry in data:
            return data.split(entry)
    return [data]


def _occurring(needles: set[str], haystack: str) -> set[str]:
    """The needles found in haystack, in one pass however many there are."""
    patterns = sorted(needle for needle in needles if needle)
    if not patterns:
        return set()
    automaton = AhoCorasick(patterns)
    return {
        patterns[index]
        for index, _start, _end in automaton.find_matches_as_indexes(haystack, overlapping=True)
    }


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


# ---------------------------------------------------------------- runs of words

RUN = 8  # consecutive words of a withheld text that may appear nowhere
_BLOCK = 5  # words in each pattern looked for: any RUN words hold an aligned block
_STRIDE = RUN + 1 - _BLOCK

_ENTITY = re.compile(rb"&[#a-z0-9]{1,10};")
_ESCAPE = re.compile(rb"\\(?:u[0-9a-f]{4}|.)", re.DOTALL)
_PERCENT = re.compile(rb"%[0-9a-f]{2}")
# Punctuation outside ASCII: U+00A0 to U+00BF, U+2000 to U+207F (quotes, dashes, …).
_WIDE_PUNCTUATION = re.compile(rb"\xc2[\x80-\xbf]|\xe2[\x80\x81][\x80-\xbf]")
_NOT_WORD = bytes(code for code in range(128) if not chr(code).isalnum())
_TO_SPACE = bytes.maketrans(_NOT_WORD, b" " * len(_NOT_WORD))


def plain_words(data: bytes, *, spaced: bool) -> bytes:
    """The words of a text however it is escaped, lower case, punctuation and markup signs
    dropped: "Cost &amp; <em>risk</em>" -> b"cost em risk em" (`spaced`), or the same
    without the spaces (what outputs are searched in: no spacing or line break in between
    can hide a run of words).

    >>> plain_words(b'He said &quot;cost\\u0026risk&quot;', spaced=True)
    b'he said  cost risk '
    """
    # An escape stands for punctuation (a JSON escape may stand for a letter): a space.
    space = b" " if spaced else b""
    text = data.lower()
    if b"&" in text:
        text = _ENTITY.sub(space, text.replace(b"&amp;", b"&"))
    if b"\\" in text:
        text = _ESCAPE.sub(lambda match: _unescape_json(match[0], space), text)
    if b"%" in text:
        text = _PERCENT.sub(space, text)
    if b"\xc2" in text or b"\xe2" in text:
        text = _WIDE_PUNCTUATION.sub(space, text)
    return text.translate(_TO_SPACE) if spaced else text.translate(None, _NOT_WORD)


def _text_words(html_text: str) -> list[bytes]:
    """The words of a withheld text as shown: markup left out, so that its words are found
    wherever they stand, not only inside the same markup."""
    text = _TAG.sub(" ", html_text) if "<" in html_text else html_text
    return plain_words(text.encode("utf-8", "surrogatepass"), spaced=True).split()


_TAG = re.compile(r"<[^<>]*>")


def _unescape_json(escape: bytes, space: bytes) -> bytes:
    """A JSON escape: the letter it stands for, else `space`."""
    if escape.startswith(b"\\u"):
        char = chr(int(escape[2:], 16))
        if char.isalnum():
            return char.lower().encode("utf-8", "surrogatepass")
    return space


@dataclass(frozen=True, slots=True)
class _Words:
    """The automaton of every withheld text's aligned blocks of words, and the texts."""

    automaton: BytesAhoCorasick | None
    owners: tuple[tuple[int, int], ...]  # per pattern: (text, its first word); see `more`
    more: Mapping[int, tuple[tuple[int, int], ...]]  # patterns several texts share
    texts: tuple[bytes, ...]  # each text's words, spaced
    items: tuple[Withheld, ...]  # each text's post
    digest: str  # of every text: what the audit of a file looked for
    _split: dict[int, list[bytes]] = field(default_factory=dict)

    @classmethod
    def of(cls, withheld: Sequence[Withheld], *, few_outputs: bool = False) -> _Words:
        patterns: dict[bytes, list[tuple[int, int]]] = {}
        texts: list[bytes] = []
        items: list[Withheld] = []
        hasher = hashlib.sha256()
        contexts: set[tuple[bytes, bytes]] = set()
        for item in withheld:
            for text in item.texts:
                words = _text_words(text)
                if len(words) < RUN:
                    continue  # a short title or summary: its whole-string canary stands
                number = len(texts)
                texts.append(b" ".join(words))
                items.append(item)
                hasher.update(texts[-1] + b"\x00")
                for first in range(0, len(words) - _BLOCK + 1, _STRIDE):
                    pattern = b"".join(words[first : first + _BLOCK])
                    # A block with the same words around it (boilerplate many posts share)
                    # can only match as the first did: one owner is enough to find it.
                    around = b" ".join(words[max(0, first - RUN) : first + _BLOCK + RUN])
                    if (pattern, around) in contexts:
                        continue
                    contexts.add((pattern, around))
                    patterns.setdefault(pattern, []).append((number, first))
        if not patterns:
            return cls(None, (), {}, (), (), hasher.hexdigest())
        ordered = list(patterns)
        # Never a DFA: for this many patterns it takes seconds and hundreds of MB to build.
        implementation = (
            Implementation.NoncontiguousNFA if few_outputs else Implementation.ContiguousNFA
        )
        return cls(
            BytesAhoCorasick(ordered, implementation=implementation),
            tuple(patterns[pattern][0] for pattern in ordered),
            {
                index: tuple(patterns[pattern][1:])
                for index, pattern in enumerate(ordered)
                if len(patterns[pattern]) > 1
            },
            tuple(texts),
            tuple(items),
            hasher.hexdigest(),
        )

    def findings(self, path: str, data: bytes) -> list[Finding]:
        """Runs of RUN or more words of a withheld text in `data`. Blocks are found in its
        letters and digits alone (quick, and blind to markup and escaping); each block found
        is then checked word by word, so that "(3) - 7" is never taken for "37"."""
        if self.automaton is None:
            return []
        hits = self.automaton.find_matches_as_indexes(
            plain_words(data, spaced=False), overlapping=True
        )
        if not hits:
            return []
        shown = plain_words(data, spaced=True).split()
        # Where each word starts in the letters the blocks were found in: they are the
        # words run together, so a block that starts mid-word is no match.
        starts = list(itertools.accumulate((len(word) for word in shown), initial=0))
        found: dict[Path, Finding] = {}
        for pattern, offset, _ in hits:
            start = bisect.bisect_left(starts, offset)
            if start >= len(shown) or starts[start] != offset:
                continue
            for number, first in (self.owners[pattern], *self.more.get(pattern, ())):
                item = self.items[number]
                if item.source in found:
                    continue
                words = self._words(number)
                low, high = _matching_run(shown, start, words, first)
                if high - low >= RUN:
                    run = b" ".join(words[low:high]).decode("utf-8", "replace")
                    found[item.source] = Finding(path, item.source, item.reason, "words", run)
        return list(found.values())

    def _words(self, number: int) -> list[bytes]:
        words = self._split.get(number)
        if words is None:
            words = self._split[number] = self.texts[number].split()
        return words


def _matching_run(
    shown: Sequence[bytes], start: int, words: Sequence[bytes], first: int
) -> tuple[int, int]:
    """The words [low, high) of a withheld text, around its word `first`, that the words of
    an output show around its word `start`; at most RUN more on each side."""
    low, high = first, first
    while high < len(words) and high - first < _BLOCK + RUN:
        at = start + high - first
        if at >= len(shown) or shown[at] != words[high]:
            break
        high += 1
    if high - first < _BLOCK:
        return first, first
    while low > 0 and first - low < RUN:
        at = start - (first - low) - 1
        if at < 0 or shown[at] != words[low - 1]:
            break
        low -= 1
    return low, high
