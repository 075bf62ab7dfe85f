"""The leak audit: no byte derived from an unpublished post may reach the output.

After every build, and on demand (`journeyblog audit`), every text file of the output is
searched for every canary of every withheld post: its id, its slug (as the path segment it
would have had), its title and its summary, each in the forms they take in HTML, XML, JSON
and URLs. One Aho-Corasick pass over each file's bytes (ahocorasick-rs, overlapping matches,
so no canary hides another) finds them all.

Besides these whole strings, no run of 8 consecutive words of what a withheld post says (its
rendered body, title and summary, a withheld page, or a level block removed from a published
post) may stand in any output, words lower-cased and punctuation dropped however the output
escapes them (`plain_words`). Every window of 5 words of those texts is hashed; an output's
windows starting at every 4th word are looked up (any 8 words hold one); a window found is
checked word by word and stretched as far as it matches. `_words.c` does the reading and
hashing where it was built; Python does the same, more slowly, where it was not. The bytes of
every picture only withheld posts show are looked for too.

A canary that also occurs in what *is* published (a withheld post quoting a public one, a
title that is also a tag) proves nothing: such findings are dropped at the end, and the text
of everything published is only gathered if there is a finding to weigh. Canaries under 4
characters are not searched for. A withheld post's address (its slug under `posts/` or
`cards/`, in a file or in a path) is excused only by a published post of the same slug: a
published text that says it is a link to the withheld post, however it is written.
"""

from __future__ import annotations

import bisect
import copy
import gzip
import hashlib
import html
import io
import json
import re
import zipfile
import zlib
from array import array
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus, urlsplit

import brotli
import xxhash
from ahocorasick_rs import AhoCorasick, BytesAhoCorasick, Implementation

from journeyblog.model import Output, Withheld

try:  # the inner loop in C, where it was built (see _words.c)
    from journeyblog import _words as _native
except ImportError:  # the same words, found more slowly
    _native = None  # type: ignore[assignment]

TEXT_SUFFIXES = (
    *(".html", ".xml", ".json", ".txt", ".css", ".js", ".htm", ".svg", ".md"),
    *(".xhtml", ".opf", ".ncx"),  # inside an EPUB
)
# Files a reader unpacks: the audit reads what is inside (`unpacked`), never the packed bytes.
PACKED_SUFFIXES = (".gz", ".br", ".epub", ".zip")
MIN_CANARY = 4


@dataclass(frozen=True, slots=True)
class Finding:
    output: str  # output path, "/"-separated
    source: Path  # the withheld post the canary comes from
    reason: str  # level, draft or future
    what: str  # "title", "id", "slug", "summary", "sentence", "image"
    canary: str = field(default="", compare=False)  # the string found, as the source has it

    def __str__(self) -> str:
        if self.reason == UNREADABLE:
            return f"{self.output}: cannot be unpacked to be audited (build again, or remove it)"
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
    published_slugs: Collection[str],
    own_url: str = "",
    pictures: Sequence[tuple[bytes, Withheld]] = (),
) -> list[Finding]:
    """Every place an output carries a canary of a withheld post."""
    auditor = Auditor(
        withheld,
        published_text,
        published_slugs=published_slugs,
        own_url=own_url,
        pictures=pictures,
    )
    for output in outputs:
        auditor.scan(output)
    return auditor.findings


class Auditor:
    """The audit, one output at a time, so a build never holds the whole site in memory.

    `published_text` is everything a published page may legitimately say (or a function
    that yields it piece by piece, called only if some output carries a canary).
    """

    def __init__(
        self,
        withheld: Sequence[Withheld],
        published_text: str | Callable[[], Iterable[str]],
        *,
        published_slugs: Collection[str],
        own_url: str = "",
        few_outputs: bool = False,
        pictures: Sequence[tuple[bytes, Withheld]] = (),
    ) -> None:
        """`published_slugs`: the slugs of the posts the site publishes, in any language, and
        the names their ids give; `own_url`: the site's base URL.
        `few_outputs`: only a few files will be scanned (a build after an edit), so the
        automaton that is quicker to build is chosen over the one that is quicker to search.
        `pictures`: the bytes of each picture only withheld posts show, with its post.
        """
        self._found: list[Finding] = []
        self._published_text = published_text
        self._published_slugs = frozenset(published_slugs)
        self._own_host = urlsplit(own_url).netloc.lower()
        self._canaries, self._slugs, self._images = _prepare(withheld, few_outputs=few_outputs)
        self._words = _Words(withheld)
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
        kept: dict[tuple[str, Path, str], Finding] = {}
        for finding in self._unexcused(self._found):
            kept.setdefault((finding.output, finding.source, finding.what), finding)
        return list(kept.values())

    def scan(self, output: Output) -> None:
        self._found.extend(self.findings_in(output))

    def excusing(
        self, published_text: str | Callable[[], Iterable[str]], published_slugs: Collection[str]
    ) -> Auditor:
        """The same audit (what it looks for prepared once) of a site that now publishes
        `published_text` and the posts of `published_slugs`, with no findings yet."""
        other = copy.copy(self)
        other._published_text = published_text
        other._published_slugs = frozenset(published_slugs)
        other._found = []
        other._scanned = set()
        return other

    def leaks(self, output: Output) -> list[Finding]:
        """The output's findings, less those whose canary is published text anyway: one
        file audited on its own, recorded nowhere (the dev server's, as it makes each)."""
        found = self.findings_in(output)
        if not found:
            return []
        return self._unexcused(found)

    def _unexcused(self, found: Sequence[Finding]) -> list[Finding]:
        """The findings that what is published does not account for: a withheld post's
        address only by a published post's of the same slug, or by published text that
        says it of another site only (`https://elsewhere.example/posts/x/`)."""
        others = [finding for finding in found if finding.what != ADDRESS]
        addresses = {
            finding.canary
            for finding in found
            if finding.what == ADDRESS and finding.canary not in self._published_slugs
        }
        text = self._published_text
        public: set[str] = set()
        if others:
            public = _published(others, [text] if isinstance(text, str) else text())
        if addresses:
            pieces = [text] if isinstance(text, str) else text()
            public |= _elsewhere_only(addresses, pieces, self._own_host)
        public |= self._published_slugs
        return [finding for finding in found if finding.canary not in public]

    def findings_in(self, output: Output) -> list[Finding]:
        """The output's findings, recorded nowhere: for workers that scan what they make."""
        data = output.data
        if data is None and output.source is not None and self._must_read(output.source):
            data = output.source.read_bytes()  # copied or taken over: it may quote anything
        found = _scan(output.path, None, None, self._slugs, self._images)
        if data is None:
            return found
        try:
            parts = unpacked(output.path, data)
        except UnreadablePack:
            path = output.path
            return [*found, Finding(path, Path(path), UNREADABLE, "packed file", "\0" + path)]
        for path, part in parts:
            found.extend(self._findings_in_bytes(output.path, path, part))
        return found

    def _findings_in_bytes(self, output: str, path: str, data: bytes) -> list[Finding]:
        """The findings in one file's bytes, or one part of a packed file (`path` inside)."""
        found: list[Finding] = []
        if len(data) in self._picture_sizes:
            item = self._pictures.get(hashlib.sha256(data).hexdigest())
            if item is not None:
                found.append(Finding(output, item.source, item.reason, "picture", path))
        if not path.endswith(TEXT_SUFFIXES):
            return found
        for chunk in _chunks(path, data):
            key = xxhash.xxh3_128_intdigest(chunk)
            if key in self._scanned:
                continue  # a feed's entry, met in another feed: it passed, or is reported
            self._scanned.add(key)
            found.extend(_scan(output, chunk, self._canaries, {}, {}))
            found.extend(self._words.findings(output, chunk))
        return found

    def _must_read(self, source: Path) -> bool:
        """Whether a copied file is read: a text or packed file, or one of a withheld
        picture's size."""
        return source.name.endswith((*TEXT_SUFFIXES, *PACKED_SUFFIXES)) or (
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
            if len(canary) < MIN_CANARY or (what != "slug" and _has_a_run(canary, item)):
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
    # All find the same matches; for these few thousand patterns a DFA searches quickest and
    # is built in a moment; for a few files the non-contiguous NFA is quicker still
    # (bench/LOG.md).
    implementation = Implementation.NoncontiguousNFA if few_outputs else Implementation.DFA
    canaries = _Canaries(
        BytesAhoCorasick(patterns, implementation=implementation),
        tuple(tuple(meanings[form]) for form in patterns),
    )
    return canaries, slugs, images


def _has_a_run(canary: str, item: Withheld) -> bool:
    """Whether a canary is one of the texts (HTML-escaped) whose runs of words are looked for,
    with RUN words or more: then those find it, in any form, and its own forms need not be."""
    return html.escape(canary) in item.texts and (
        len(plain_words(canary.encode(), spaced=True).split()) >= RUN
    )


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
    segments = path.split("/")
    for at, segment in enumerate(segments):
        slug = segment if segment in slugs else segment.rsplit(".", 1)[0]
        item_for_slug = slugs.get(slug)
        if item_for_slug is not None:
            # Under posts/ or cards/ it is the post's own address; elsewhere (a tag, a page)
            # perhaps a name that published text gives too.
            what = ADDRESS if at and segments[at - 1] in ("posts", "cards") else "name"
            findings.append(Finding(path, item_for_slug.source, item_for_slug.reason, what, slug))
            break
    if canaries is None or data is None:  # the caller reads only text
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


UNREADABLE = "unreadable"
# What a Finding of a withheld post's slug in its address form is (`_forms`): a link to it.
ADDRESS = "slug"


class UnreadablePack(ValueError):
    """A packed output that does not unpack: what it holds cannot be known, so not published."""


def unpacked(path: str, data: bytes) -> list[tuple[str, bytes]]:
    """What a reader gets out of an output: the decompressed text of a `.gz` or `.br` copy,
    every entry of an EPUB (a zip), each under a path of its own; any other file as it is.

    >>> unpacked("feed.xml.gz", gzip.compress(b"<feed/>"))
    [('feed.xml', b'<feed/>')]
    """
    try:
        if path.endswith(".gz"):
            return [(path[:-3], gzip.decompress(data))]
        if path.endswith(".br"):
            return [(path[:-3], brotli.decompress(data))]
        if path.endswith((".epub", ".zip")):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return [
                    (f"{path}/{entry.filename}", archive.read(entry))
                    for entry in archive.infolist()
                    if not entry.is_dir()
                ]
    except (OSError, EOFError, zlib.error, brotli.error, zipfile.BadZipFile) as error:
        raise UnreadablePack(path) from error
    return [(path, data)]


def _chunks(path: str, data: bytes) -> list[bytes]:
    """A text output in the parts it is audited in: a feed or the search index by its
    entries (a post's entry stands in several feeds, and is read once), else whole."""
    if path.endswith((".xml", ".json")):
        for entry in (b"<entry>", b"<item>", b'{"id":', b'{"url":'):
            if entry in data:
                return data.split(entry)
    return [data]


def _elsewhere_only(slugs: set[str], pieces: Iterable[str], own_host: str) -> set[str]:
    """The slugs whose address ("posts/<slug>") published text gives only in URLs of other
    hosts than `own_host`: a link to another site's post of that name, not to this one."""
    elsewhere: set[str] = set()
    here: set[str] = set()
    address = re.compile(
        "posts/(" + "|".join(re.escape(slug) for slug in sorted(slugs)) + ")", re.IGNORECASE
    )
    for piece in pieces:
        for match in address.finditer(piece):
            before = _URL_START.search(piece, max(0, match.start() - 300), match.start())
            host = before[1].lower().rstrip(".").split(":")[0] if before else ""
            (elsewhere if host and host != own_host.split(":")[0] else here).add(match[1].lower())
    return {slug for slug in slugs if slug.lower() in elsewhere - here}


# The start of an absolute URL that runs without a break to the end of the text searched.
_URL_START = re.compile(r"(?:https?:)?//([^/\s\"'<>]+)[^\s\"'<>]*\Z")


def _published(found: Sequence[Finding], pieces: Iterable[str]) -> set[str]:
    """The canaries of `found` that published text says too, read piece by piece until
    every one is accounted for (a whole string as it stands, a run of words as words)."""
    strings = {finding.canary for finding in found if finding.what != "words"}
    runs = {finding.canary for finding in found if finding.what == "words"}
    patterns = sorted(string for string in strings if string)
    automaton = AhoCorasick(patterns) if patterns else None
    public: set[str] = set()
    for piece in pieces:
        if automaton is not None:
            public.update(
                patterns[index]
                for index, _start, _end in automaton.find_matches_as_indexes(
                    piece, overlapping=True
                )
            )
        waiting = runs - public
        if waiting:
            plain = plain_words(piece.encode("utf-8", "surrogatepass"), spaced=False)
            public.update(run for run in waiting if "".join(run.split()).encode() in plain)
        if strings | runs <= public:
            break
    return public


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
_BLOCK = 5  # words in a window looked up (WINDOW in _words.c): any RUN words hold one
_STRIDE = RUN + 1 - _BLOCK

# The pieces an output may write between two words instead of plain punctuation, each read
# as one space: an entity however often escaped (&amp;lt;), a JSON escape (but \uXXXX of a
# letter or digit, which is that letter), a URL escape, punctuation outside ASCII (U+0080 to
# U+00BF, U+2000 to U+207F). _words.c reads them the same way.
_PIECE = re.compile(
    rb"&(?:amp;)*(?:[#a-z0-9]{1,10};)?|\\(?:u[0-9a-f]{4}|.)|%[0-9a-f]{2}"
    rb"|\xc2[\x80-\xbf]|\xe2[\x80\x81][\x80-\xbf]",
    re.DOTALL,
)
_TRIGGERS = (b"&", b"%", b"\xc2", b"\xe2")
_NOT_WORD = bytes(code for code in range(128) if not chr(code).isalnum())
_TO_SPACE = bytes.maketrans(_NOT_WORD, b" " * len(_NOT_WORD))


def plain_words(data: bytes, *, spaced: bool) -> bytes:
    """The words of a text however it is escaped, lower case, punctuation and markup signs
    dropped: "Cost &amp; <em>risk</em>" -> b"cost em risk em" (`spaced`), or the same
    without the spaces.

    >>> plain_words(b'He said &quot;cost\\u0026risk&quot;', spaced=True)
    b'he said  cost risk '
    """
    text = data.lower()
    if b"\\" in text:
        text = _PIECE.sub(_piece, text)
    elif any(trigger in text for trigger in _TRIGGERS):
        text = _PIECE.sub(b" ", text)
    text = text.translate(_TO_SPACE)
    return text if spaced else text.translate(None, b" ")


def _piece(match: re.Match[bytes]) -> bytes:
    """One piece of _PIECE: the ASCII letter or digit a \\uXXXX stands for, else a space."""
    piece = match[0]
    if piece.startswith(b"\\u") and len(piece) == 6:
        code = int(piece[2:], 16)
        if code < 128 and chr(code).isalnum():
            return chr(code).lower().encode()
    return b" "


class _Words:
    """Every window of 5 words of every withheld text, by hash, and the texts' words.

    An output is read in windows of 5 words starting at every 4th word (any RUN words hold
    one); a window found is then checked word by word and stretched as far as it matches.
    `_words.c` reads the words and hashes the windows where it was built; Python does the
    same, more slowly, where it was not.
    """

    def __init__(self, withheld: Sequence[Withheld]) -> None:
        self.shown: list[list[bytes]] = []  # each text's words, to say which were found
        self.keys: list[Sequence[object]] = []  # what its words are compared by
        self.items: list[Withheld] = []  # each text's post
        hasher = hashlib.sha256()
        texts: list[bytes] = []
        for item in withheld:
            for text in item.texts:
                data = _without_markup(text)
                words = plain_words(data, spaced=True).split()
                if len(words) < RUN:
                    continue  # a short title or summary: its whole-string canary stands
                texts.append(data)
                self.shown.append(words)
                self.keys.append(_keys(data, words))
                self.items.append(item)
                hasher.update(b" ".join(words) + b"\x00")
        self.digest = hasher.hexdigest()
        hashes, owners = (
            _native.catalogue(texts) if _native is not None else _catalogue(texts, self.shown)
        )
        self._hashes = array("Q", hashes)
        self._owners = array("Q", owners)
        # What a window's hash is looked up in: _words.c's own index, else a set.
        self._index = _native.index(self._hashes) if _native is not None else (b"", b"")
        self._set: frozenset[int] = frozenset(self._hashes) if _native is None else frozenset()
        self._unmatched: set[tuple[int, bytes]] = set()  # hits checked and found to be no run

    def findings(self, path: str, data: bytes) -> list[Finding]:
        """Runs of RUN or more words of a withheld text in `data`."""
        if not self.shown:
            return []
        seen: array[int] | list[bytes]
        if _native is not None:
            hits, every = _native.hits(data, *self._index, _STRIDE)
            if not hits:
                return []
            seen = array("Q", every)
        else:
            seen = plain_words(data, spaced=True).split()
            hits = [hit for hit in _grams(data, seen, stride=_STRIDE) if hit[1] in self._set]
        found: dict[Path, Finding] = {}
        for start, hash in hits:
            # The words around it, as the page shows them: a site repeats its lists (a
            # series' parts on each part's page), and what they matched before they match again.
            around = (hash, _context(seen, start))
            if around in self._unmatched:
                continue
            unmatched = True
            at = bisect.bisect_left(self._hashes, hash)
            while at < len(self._hashes) and self._hashes[at] == hash:
                number, first = self._owners[at] >> 24, self._owners[at] & 0xFFFFFF
                at += 1
                item = self.items[number]
                if item.source in found:
                    unmatched = False  # not checked here: it may match elsewhere
                    continue
                low, high = _matching_run(seen, start, self.keys[number], first)
                if high - low >= RUN:
                    run = b" ".join(self.shown[number][low:high]).decode("utf-8", "replace")
                    found[item.source] = Finding(path, item.source, item.reason, "words", run)
                    # Other texts that share these words (boilerplate) would find the same
                    # run; where one goes on with words of its own, the window that holds
                    # them is its own and is looked up by itself.
                    unmatched = False
                    break
            if unmatched and len(self._unmatched) < 100_000:
                self._unmatched.add(around)
        return list(found.values())


def _catalogue(texts: list[bytes], words: list[list[bytes]]) -> tuple[bytes, bytes]:
    """_words.c's catalogue(), with Python's hashes: (hashes, owners) of every window of
    every text, sorted by hash, leaving out a window with the same words around it as one
    already listed."""
    entries: list[tuple[int, int]] = []
    contexts: set[tuple[object, ...]] = set()
    for number, (data, text_words) in enumerate(zip(texts, words, strict=True)):
        for first, hash in _grams(data, text_words, stride=1):
            low = max(0, first - RUN)
            around = (hash, first - low, *text_words[low : first + _BLOCK + RUN])
            if around not in contexts:
                contexts.add(around)
                entries.append((hash, number << 24 | first))
    entries.sort()
    hashes = array("Q", [hash for hash, _ in entries])
    owners = array("Q", [owner for _, owner in entries])
    return hashes.tobytes(), owners.tobytes()


def _context(seen: array[int] | list[bytes], start: int) -> bytes:
    """The words of an output around the window found at word `start`: as many as a run
    can reach."""
    around = seen[max(0, start - RUN) : start + _BLOCK + RUN]
    return around.tobytes() if isinstance(around, array) else b" ".join(around)


def _keys(data: bytes, words: list[bytes]) -> Sequence[object]:
    """What the words of `data` (plain_words of it: `words`) are compared by: _words.c's
    hashes of them where it is built, else the words."""
    return array("Q", _native.words(data)) if _native is not None else words


def _without_markup(html_text: str) -> bytes:
    """A withheld text's words as shown: markup left out, so that they are found wherever
    they stand, not only inside the same markup."""
    text = _TAG.sub(" ", html_text) if "<" in html_text else html_text
    return text.encode("utf-8", "surrogatepass")


_TAG = re.compile(r"<[^<>]*>")
_MASK = (1 << 64) - 1


def _grams(data: bytes, words: Sequence[bytes], *, stride: int) -> list[tuple[int, int]]:
    """(first word, hash) of each window of 5 of `words` (plain_words of `data`) that starts
    at a multiple of `stride`."""
    if _native is not None:
        return list(enumerate(_native.grams(data, 1)))[::stride]
    # The later slices end sooner: a window is made only where all of its words are.
    windows = zip(*(words[offset::stride] for offset in range(_BLOCK)), strict=False)
    return [(index * stride, hash(window) & _MASK) for index, window in enumerate(windows)]


def _matching_run(
    shown: Sequence[object], start: int, words: Sequence[object], first: int
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
