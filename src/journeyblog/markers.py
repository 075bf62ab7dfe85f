"""Level markers: `<!-- level: internal -->…<!-- /level -->` blocks inside a body.

One grammar, enforced: every HTML comment that means to mark a block must be a well-formed
marker, or the body is refused on that comment's line. A comment means to when its first word
is `level`, a level name, or within two edits of `level`; and when it opens a block that a
later comment closes, its first word (after `begin`, `start` or `if`) a level above the lowest
or one of `HIDING_WORDS` (`<!-- private -->` … `<!-- /private -->`, `<!-- if internal -->` …
`<!-- endif -->`). A marker typo would otherwise be shown as an escaped comment with the
secret after it. So are two comments that begin with the same such word. Blocks nest only
inward (a `restricted` block in an `internal` one). Markers inside fenced code and code spans
are text, as the renderer reads them; one on a line indented as code is still a marker; a
fence left open that swallows a marker is an error too. So is another generator's way of
hiding a block whose first word is such a word (a Hugo shortcode, a Liquid tag, a `[//]: #`
line, a marker written as entities), and an Obsidian (`%%` at a line's start) or kramdown
(`{::comment}`) comment: journeyblog would publish what they wrap.

Every other HTML comment is a note to the site's authors, never published: removed with the
markers (one never closed is refused, as a marker would be). What is kept as code is checked
against the renderer's parse of the body as published, and a note's removal may not change
the markers: either would otherwise publish what the author meant to keep back.

`strip_level_blocks` removes the blocks above an audience, the markers of the rest and the
notes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from journeyblog.audience import parse_level
from journeyblog.markdown import code_blocks, code_texts
from journeyblog.model import SecurityLevel

Problem = tuple[int, str]  # (line within the body, from 1; message)

_OPEN = re.compile(r"\s*level\s*:\s*(?P<name>[^\s:]+)\s*", re.IGNORECASE)
_CLOSE = re.compile(r"\s*/\s*level\s*(?::\s*(?P<name>[^\s:]+)\s*)?", re.IGNORECASE)
_FIRST_WORD = re.compile(r"\s*/?\s*([^\s:=/>-]+)")
_WORD = re.compile(r"[^\W_]+")
_SHAPE = "write <!-- level: internal --> before the block and <!-- /level --> after it"
# First words that say a comment hides what follows, from front matter keys and other tools.
HIDING_WORDS = frozenset(
    {
        *("security", "visibility", "audience", "classification", "level", "draft"),
        *("private", "hidden", "hide", "secret", "confidential", "sensitive", "staff"),
        *("classified", "redacted", "restrict", "embargo", "embargoed", "unpublished"),
        *("publication", "publish"),
        # Welsh, for bilingual public bodies: level, internal, private, secret, restricted,
        # confidential, hidden, draft.
        *("haen", "mewnol", "preifat", "cyfrinach", "cyfyngedig", "cyfrinachol", "cudd"),
        "drafft",
        # And what other languages' authors write: private, internal, secret, confidential.
        *("privé", "privat", "intern", "interne", "geheim", "confidentiel", "vertraulich"),
    }
)
# What opens a block to hide, before the word that says so; what closes one.
_OPENING_WORDS = frozenset({"begin", "start", "if", "dechrau", "os"})  # Welsh: begin, if
_CLOSING_WORDS = frozenset({"end", "endif", "stop", "fi", "diwedd"})  # Welsh: end
# What may stand before a line's own text: indentation, a quote's ">", a list item's marker.
_WITHIN = r"(?:[ \t]*(?:>|(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$)))*[ \t]*"
# Other generators' ways of hiding a block, and a marker written as entities, outside code.
_FOREIGN = re.compile(
    r"\{\{[<%](?P<shortcode>.*?)[%>]\}\}"
    r"|\{%-?(?P<liquid>.*?)-?%\}"
    rf"|^{_WITHIN}\[(?://|comment)\]:\s*(?:#|<>)\s*(?P<reference>.*)$"
    r"|&lt;!--(?P<entity>.*?)--&gt;"
    rf"|^{_WITHIN}(?P<comment>%%|\{{::comment\}})",  # Obsidian's and kramdown's: always
    re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class _Marker:
    start: int  # offset of "<!--"
    end: int  # offset after "-->", and after the line break of a closing marker
    line: int
    level: SecurityLevel | None  # an opening marker's level; None for a closing one


def strip_level_blocks(
    body: str,
    *,
    audience: SecurityLevel,
    levels: Sequence[SecurityLevel],
    first_line: int = 1,
    raw_html: bool = False,
) -> tuple[str, list[Problem], list[str]]:
    """(the body without the blocks above `audience` and without any marker, every problem
    as (line, message), the texts of the removed blocks). Lines are counted from
    `first_line`, the line of the file where the body starts. `raw_html`: whether the body
    is rendered with its raw HTML (config's allow_raw_html), which decides what is code.

    With a problem the body is not to be published: the build fails on it, and the body
    returned is empty, so that nothing a broken marker meant to hide can reach a page.
    """
    names = {level.name for level in levels}
    above = {level.name for level in levels if level.rank > min(item.rank for item in levels)}
    code = _Code(body, first_line, raw_html)
    problems, as_code = (
        _foreign(body, above, first_line, code) if _may_be_foreign(body) else ([], [])
    )
    if "<!--" not in body:
        if not problems and as_code:
            problems = _shown_outside_code(body, [], as_code, code)
        return ("", sorted(problems), []) if problems else (body, [], [])
    markers, notes, found = _markers(body, names, levels, first_line, code)
    found += _hiding_blocks(body, notes, above, first_line)
    problems += found
    if not problems:
        problems = _nesting(markers)
    if problems:
        return "", sorted(problems), []
    original, kept_spans = body, [(0, len(body))]
    if notes:
        # The notes go first, then the markers are found again: taking a note out must
        # leave the same markers, or it would change what is kept back.
        kept_spans = _between(notes, len(body))
        body = "".join(original[start:end] for start, end in kept_spans)
        code = _Code(body, first_line, raw_html)
        again, others, found = _markers(body, names, levels, first_line, code)
        if others or found or [m.level for m in again] != [m.level for m in markers]:
            line = original.count("\n", 0, notes[0][0]) + first_line
            return "", [(line, _SPLICED)], []
        markers = again
        foreign, as_code = (
            _foreign(body, above, first_line, code) if _may_be_foreign(body) else ([], [])
        )
        if foreign:
            line = original.count("\n", 0, notes[0][0]) + first_line
            return "", [(line, _SPLICED)], []
    kept: list[tuple[int, int]] = []
    removed: list[str] = []
    at = 0
    depth_removed: _Marker | None = None  # the opening marker of the block being removed
    stack: list[_Marker] = []
    for marker in markers:
        if marker.level is not None:
            stack.append(marker)
            if depth_removed is None:
                kept.append((at, marker.start))
                at = marker.end
                if marker.level.rank > audience.rank:
                    depth_removed = marker
            continue
        opening = stack.pop()
        if depth_removed is None:
            kept.append((at, marker.start))
            at = marker.end
        elif opening is depth_removed:
            removed.append(body[opening.end : marker.start])
            depth_removed = None
            at = marker.end
    kept.append((at, len(body)))
    stripped = "".join(body[start:end] for start, end in kept)
    comments = [at for at in _comments(body) if any(start <= at < end for start, end in kept)]
    outside = _shown_outside_code(stripped, comments, as_code, code)
    if outside:
        line, message = outside[0]
        return "", [(_line_before(line, body, kept_spans, original, first_line), message)], []
    return stripped, [], removed


_SPLICED = (
    "a comment here, taken out as a note to authors, would change the level markers around"
    " it: the body's blocks would not be the ones written (take the comment out)"
)


def _shown_outside_code(
    stripped: str, comments: Sequence[int], foreign: Sequence[tuple[int, str]], code: _Code
) -> list[Problem]:
    """A problem if `stripped`, the body as published, would show a comment, or another
    tool's syntax of `foreign` ((offset, text) in code.body), other than as code: on the
    line of the first kept as code (`comments`, offsets in code.body), if any.

    What is code is decided by cheaper means first (_Code.covers): this checks their answer
    against the renderer's own, on the body as it is published."""
    if "<!--" not in stripped and not foreign:
        return []

    def all_as_code(shown: str) -> bool:
        return stripped.count("<!--") <= shown.count("<!--") and all(
            stripped.count(text) <= shown.count(text) for _, text in foreign
        )

    # The code blocks first, which a parse finds without the inline parse, then the spans.
    raw_html = code.raw_html
    if all_as_code("\n".join(code_texts(stripped, allow_raw_html=raw_html, spans=False))):
        return []
    if all_as_code("\n".join(code_texts(stripped, allow_raw_html=raw_html))):
        return []
    kept = sorted([*comments, *(at for at, _ in foreign)])

    def shown_on_its_line(at: int) -> bool:
        """Kept by its backticks, and its line alone shows a comment outside code."""
        if code.block(at) is not None:
            return False
        start = code.body.rfind("\n", 0, at) + 1
        end = code.body.find("\n", at)
        line = code.body[start : end if end >= 0 else len(code.body)]
        spans = "\n".join(code_texts(line, allow_raw_html=raw_html))
        return line.count("<!--") > spans.count("<!--")

    first = next((at for at in kept if shown_on_its_line(at)), kept[0] if kept else 0)
    return [
        (
            code.body.count("\n", 0, first) + code.first_line,
            f"'{_shown(code.body[first:].split(chr(10), 1)[0][:60])}' would be shown on the page,"
            " not as code (write such a comment in a code block or a code span, or take it out)",
        )
    ]


def _comments(body: str) -> list[int]:
    found = []
    at = body.find("<!--")
    while at >= 0:
        found.append(at)
        at = body.find("<!--", at + 4)
    return found


def _line_before(
    line: int, left: str, spans: Sequence[tuple[int, int]], body: str, first_line: int
) -> int:
    """The line of `body` that `line` of `left` (body with only `spans` kept) was."""
    offset = 0
    for _ in range(line - first_line):
        offset = left.find("\n", offset) + 1
    for start, end in spans:
        if offset < end - start:
            return body.count("\n", 0, start + offset) + first_line
        offset -= end - start
    return body.count("\n") + first_line


class _Code:
    """Where a body's code is, as the renderer reads it: its code blocks found by a parse, made
    only when a comment may be in one (a fence in the body, or the comment's line indented or
    in a quote or list), and its code spans by their backticks."""

    def __init__(self, body: str, first_line: int, raw_html: bool) -> None:
        self.body = body
        self.first_line = first_line
        self.raw_html = raw_html
        self._fenced: bool | None = None  # whether a fence may open: looked for when asked
        self._blocks: list[_Block] | None = None

    def block(self, at: int) -> _Block | None:
        """The code block that holds offset `at`, if one does."""
        if self._fenced is None:
            self._fenced = "```" in self.body or "~~~" in self.body
        line_start = self.body.rfind("\n", 0, at) + 1
        if not self._fenced and not self.body.startswith((" ", "\t", ">"), line_start):
            return None
        if self._blocks is None:
            self._blocks = _code_ranges(self.body, self.first_line, self.raw_html)
        return next((item for item in self._blocks if item.start <= at < item.end), None)

    def covers(self, at: int) -> bool:
        """Whether offset `at` is shown as code: in a code block or a code span."""
        return self.block(at) is not None or _in_code_span(self.body, at)


def _may_be_foreign(body: str) -> bool:
    """Whether a body may hold `_FOREIGN` syntax. Searches chosen for speed over every body
    of a large site, most of which hold none of it: a character first, then what follows."""
    return bool(
        ("{" in body and _BRACES.search(body))
        or ("%" in body and "%%" in body)
        or ("&" in body and "&lt;!--" in body)
        or _LINK_COMMENT.search(body)
    )


_BRACES = re.compile(r"\{[{%:]")
_LINK_COMMENT = re.compile(r"\[(?://|comment)\]:")


def _hiding_blocks(
    body: str, notes: Sequence[tuple[int, int]], above: set[str], first_line: int
) -> list[Problem]:
    """Comments that are no marker but open a block a later comment closes: the author meant
    a level block, and the text between them would be published. One opens such a block
    when its first word hides (`_opening`), or when a word of it does and a comment of its
    own name closes it (`<!-- note: internal -->` … `<!-- /note -->`). A comment that
    opens nothing is a note, removed."""
    problems: list[Problem] = []
    opened: list[tuple[int, str, bool, bool, str]] = []  # at, shown, first hides, any, name
    for start, end in notes:
        content = body[start + 4 : body.rfind("-->", start, end)]
        words = _words_of(content)
        if _closing(content):
            if not opened:
                continue
            at, shown, first, anywhere, name = opened.pop()
            if first or (anywhere and words[:1] == [name]):
                problems.append(
                    (
                        body.count("\n", 0, at) + first_line,
                        f"'{shown}' opens a block that a comment closes, but is not a level"
                        f" marker: the block would be published ({_SHAPE})",
                    )
                )
        else:
            opened.append(
                (
                    start,
                    _shown(body[start:end]),
                    _opening(content, above),
                    _hides_anywhere(words, above),
                    words[0] if words else "",
                )
            )
    return problems or _pairs_naming_a_hiding_word(body, notes, above, first_line)


def _pairs_naming_a_hiding_word(
    body: str, notes: Sequence[tuple[int, int]], above: set[str], first_line: int
) -> list[Problem]:
    """Two comments whose first word (after one that opens or closes, `end`, `begin`) is the
    same hiding word or level above the lowest, however the rest is worded
    (`<!-- confidential: begin -->` … `<!-- confidential: end -->`): they read as the two
    ends of a block to keep back, and the text between them would be published."""
    first_named: dict[str, tuple[int, str]] = {}  # a hiding word -> (offset, shown) of the first
    for start, end in notes:
        word = _first_hiding(_words_of(body[start + 4 : body.rfind("-->", start, end)]), above)
        if word is None:
            continue
        if word in first_named:
            at, shown = first_named[word]
            line = body.count("\n", 0, start) + first_line
            return [
                (
                    body.count("\n", 0, at) + first_line,
                    f"'{shown}' and the comment on line {line} both begin with '{word}', as the"
                    " ends of a block to keep back would, but are no level markers: the text"
                    f" between them would be published ({_SHAPE}; or, for notes, reword one)",
                )
            ]
        first_named[word] = (start, _shown(body[start:end]))
    return []


def _first_hiding(words: Sequence[str], above: set[str]) -> str | None:
    """The hiding word or level above the lowest a comment's words begin with, after a word
    that opens or closes a block."""
    if words and words[0] in (_OPENING_WORDS | _CLOSING_WORDS):
        words = words[1:]
    if not words:
        return None
    if words[0] in HIDING_WORDS:
        return words[0]
    for name in above:
        parts = _words_of(name)
        if parts and (words[: len(parts)] == parts or words[0] == "".join(parts)):
            return name
    return None


def _hiding_words(words: Sequence[str], above: set[str]) -> list[str]:
    """The hiding words and the levels above the lowest among `words`."""
    found = [word for word in words if word in HIDING_WORDS]
    joined = " " + " ".join(words) + " "
    found += [name for name in above if name and " " + " ".join(_words_of(name)) + " " in joined]
    return list(dict.fromkeys(found))


def _hides_anywhere(words: Sequence[str], above: set[str]) -> bool:
    """Whether a hiding word, or a level above the lowest, stands anywhere among `words`."""
    return bool(_hiding_words(words, above))


def _words_of(content: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(content)]


def _opening(content: str, above: set[str]) -> bool:
    """Whether a comment's first words say it hides what follows: a hiding word or a level
    above the lowest, after `begin`, `start` or `if` (`<!-- if internal -->`)."""
    words = _words_of(content)
    closes = bool(words) and words[0] in _CLOSING_WORDS
    if closes or content.lstrip().startswith("/"):
        return False
    return _first_hiding(words, above) is not None


def _closing(content: str) -> bool:
    """Whether a comment closes a block: `/private`, `end`, `endif`, `end internal`."""
    words = _words_of(content)
    return content.lstrip().startswith("/") or bool(words and words[0] in _CLOSING_WORDS)


def _between(ranges: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The stretches of 0..length outside `ranges` (in order, not overlapping)."""
    kept = []
    at = 0
    for start, end in ranges:
        kept.append((at, start))
        at = end
    kept.append((at, length))
    return kept


def _foreign(
    body: str, above: set[str], first_line: int, code: _Code
) -> tuple[list[Problem], list[tuple[int, str]]]:
    """Another generator's block syntax, or a marker written as entities, whose first word
    hides (`_opening`, a level above the lowest in `above`), and Obsidian's and kramdown's
    comments: problems outside code; and, for each found in code, (its offset, its text)."""
    problems: list[Problem] = []
    as_code: list[tuple[int, str]] = []
    lines: set[int] = set()
    for match in _FOREIGN.finditer(body):
        at = match.start()
        content = next(group for group in match.groups() if group is not None)
        words = _words_of(content)
        conditional = words[:1] in (["if"], ["unless"]) and _hides_anywhere(words, above)
        if match["comment"] is None and not conditional and not _opening(content, above):
            continue
        line = body.count("\n", 0, at) + first_line
        if code.covers(at):
            # Looked for again in the code as published; a line-start comment (`%%`) with the
            # rest of its line, so that a `%%` elsewhere in the text is not taken for it.
            line_end = body.find("\n", at)
            rest_of_line = body[at : line_end if line_end >= 0 else len(body)]
            text = match[0] if match["comment"] is None else rest_of_line
            as_code.append((at, _PREFIX.sub("", text).strip()))
            continue
        if line in lines:
            continue
        lines.add(line)
        problems.append(
            (
                line,
                f"'{_shown(match[0])}' is not how journeyblog keeps text back, and what it"
                f" wraps would be published ({_SHAPE})",
            )
        )
    return problems, as_code


_PREFIX = re.compile(rf"^{_WITHIN}")


def _in_code_span(body: str, at: int) -> bool:
    """Whether offset `at` is inside a `code span` of its line: after a run of backticks
    that no run of the same length closes before it, and one does after it."""
    start = body.rfind("\n", 0, at) + 1
    end = body.find("\n", at)
    open_run = 0
    for found in re.finditer(r"(\\*)(`+)", body[start:at]):
        escaped, run = found.groups()
        if not open_run:
            # A backslash before the run escapes its first backtick: the rest may open one.
            open_run = len(run) - len(escaped) % 2
        elif len(run) == open_run:  # inside a span, a backslash is itself
            open_run = 0
    after = body[at : end if end >= 0 else len(body)]
    return open_run > 0 and any(len(run) == open_run for run in re.findall(r"`+", after))


def _markers(
    body: str, names: set[str], levels: Sequence[SecurityLevel], first_line: int, code: _Code
) -> tuple[list[_Marker], list[tuple[int, int]], list[Problem]]:
    """Every marker of the body in order, every other comment (a note: its offsets), and
    every comment that is almost a marker or is never closed. Comments in code are text."""
    markers: list[_Marker] = []
    notes: list[tuple[int, int]] = []
    problems: list[Problem] = []
    at = body.find("<!--")
    while at >= 0:
        close = body.find("-->", at + 4)
        end = len(body) if close < 0 else close + 3
        line = body.count("\n", 0, at) + first_line
        block = code.block(at)
        content = body[at + 4 : close if close >= 0 else len(body)]
        looks = _looks_like_marker(content, names)
        # A marker on a line indented as code is still a marker: indenting a block to keep
        # back (in a list item) must not publish it.
        if block is not None and (block.fenced or not looks):
            if not block.closed and looks:
                problems.append(
                    (
                        line,
                        f"a fenced code block opened on line {block.line} is never closed and"
                        " holds this level marker (close the fence with the same ``` or ~~~)",
                    )
                )
            at = body.find("<!--", at + 4)
            continue
        if _in_code_span(body, at):
            pass  # shown as code, as written (checked against the renderer at the end)
        elif looks:
            marker = _marker(body, at, end, line, content, close >= 0, levels, problems)
            if marker is not None:
                markers.append(marker)
        elif close < 0:
            problems.append(
                (line, f"comment '{_shown(body[at:end])}' is never closed with --> (close it)")
            )
        else:
            whole_line = at == body.rfind("\n", 0, at) + 1 and body.startswith("\n", end)
            notes.append((at, end + 1 if whole_line else end))  # a line of its own goes whole
        at = body.find("<!--", end)
    return markers, notes, problems


def _marker(
    body: str,
    at: int,
    end: int,
    line: int,
    content: str,
    closed: bool,
    levels: Sequence[SecurityLevel],
    problems: list[Problem],
) -> _Marker | None:
    shown = _shown(body[at:end])
    if not closed:
        problems.append((line, f"level marker '{shown}' is never closed with --> ({_SHAPE})"))
        return None
    opening = _OPEN.fullmatch(content)
    if opening is not None:
        level = parse_level(opening["name"], levels)
        if level is None:
            known = ", ".join(item.name for item in levels)
            message = f"unknown level '{opening['name']}' in a level marker (use one of: {known})"
            problems.append((line, message))
            return None
        return _Marker(at, end, line, level)
    closing = _CLOSE.fullmatch(content)
    if closing is not None:
        if body.startswith("\n", end):
            end += 1
        return _Marker(at, end, line, None)
    problems.append((line, f"'{shown}' is not a well-formed level marker ({_SHAPE})"))
    return None


def _nesting(markers: Sequence[_Marker]) -> list[Problem]:
    """Each closing marker closes the last block opened; inner blocks are of a higher level."""
    problems: list[Problem] = []
    stack: list[_Marker] = []
    for marker in markers:
        if marker.level is None:
            if not stack:
                problems.append(
                    (marker.line, "closing level marker without an opening one (remove it)")
                )
            else:
                stack.pop()
            continue
        if stack:
            outer = stack[-1].level
            assert outer is not None
            if marker.level.rank <= outer.rank:
                problems.append(
                    (
                        marker.line,
                        f"a '{marker.level.name}' block inside the '{outer.name}' block of line"
                        f" {stack[-1].line}: a block inside another must be of a higher level"
                        " (close the outer block first)",
                    )
                )
        stack.append(marker)
    for opening in stack:
        problems.append(
            (
                opening.line,
                "level marker opened here is never closed (add <!-- /level --> after the block)",
            )
        )
    return problems


def _looks_like_marker(content: str, names: set[str]) -> bool:
    """Whether a comment means to be a marker: its first word, or what stands before its
    colon with the spaces taken out, is a level name or within two edits of 'level'."""
    words = []
    first = _FIRST_WORD.match(content)
    if first is not None:
        words.append(first[1].lower())
    before_colon = content.split(":", 1)[0]
    words.append("".join(before_colon.split()).lstrip("/").lower())
    return any(word in names or _within_two_edits(word, "level") for word in words if word)


def _within_two_edits(word: str, target: str) -> bool:
    if abs(len(word) - len(target)) > 2:
        return False
    previous = list(range(len(target) + 1))
    for i, char in enumerate(word, start=1):
        current = [i]
        for j, other in enumerate(target, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            )
        previous = current
    return previous[-1] <= 2


def _code_ranges(body: str, first_line: int, raw_html: bool) -> list[_Block]:
    """Each code block of the body, fenced or indented, by offsets."""
    starts = [0, *(match.end() for match in re.finditer("\n", body)), len(body) + 1]

    def offset(line: int) -> int:
        return starts[min(line, len(starts) - 1)]

    return [
        _Block(offset(first), offset(last), closed, first + first_line, fenced)
        for first, last, closed, fenced in code_blocks(body, allow_raw_html=raw_html)
    ]


@dataclass(frozen=True, slots=True)
class _Block:
    """A code block of a body: where it starts and ends, whether it is closed, the line it
    starts on, whether it is fenced (else indented)."""

    start: int
    end: int
    closed: bool
    line: int
    fenced: bool


def _shown(comment: str) -> str:
    text = " ".join(comment.split())
    return text if len(text) <= 60 else text[:57] + "…"
