"""markdown-it-pyrs for the bodies it renders as markdown.py's markdown-it-py set-up would.

Owns markdown.py's fast path. `fast_renders` sends to markdown-it-py every text with a
construct the two read apart (found by comparing them on the CommonMark spec's examples and
on generated texts: docs/architecture.md) or that markdown-it-pyrs 0.4 could panic on;
`render_fast` adds to markdown-it-pyrs' HTML what our plugins add (heading ids,
highlighting, the base path), so that its Rendered is markdown-it-py's, to the byte. Raw
HTML is never rendered here.
"""

from __future__ import annotations

import functools
import re
import string

import markdown_it_pyrs
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.anchors.index import unique_slug  # the plugin's own, so ids match it

from journeyblog.model import Body, Heading
from journeyblog.rendered import Rendered, highlight_code, slug, with_base
from journeyblog.searchwords import search_words


def fast_renders(text: str) -> bool:
    """Whether markdown-it-pyrs renders `text` (raw HTML off) as markdown-it-py would."""
    # Each test is a substring or a short regex scan, most only where a rare character stands:
    # together about a tenth of rendering a body. A false alarm only costs speed.
    lined = "\n" + text  # for the patterns of a line's start
    return (
        text.endswith("\n")
        and "[^" not in text
        and "^[" not in text
        and _TASK_ITEM.search(text) is None
        and _DEFINITION.search(lined) is None
        and not _other_space(text)
        and "\x00" not in text
        and not _inline_tildes(text)
        and (("` " not in text and "`\n " not in text) or _BLANK_CODE.search(text) is None)
        and (">" not in text or not _lazy_quote_line(lined))
        and not _fence_after_text_in_item(text)
        and ("\t" not in text or not _tab_in_container(lined))
        and ("|" not in text or _plain_tables(text))
        and (("-:" not in text and ":-" not in text) or _COLON_RULE.search(text) is None)
        and not _may_panic(text)
        and ("![" not in text or not _odd_alt(text))
        and (text.isascii() or _DELIMITER_BY_SYMBOL.search(text) is None)
        and not _definition_over_lines(text)
        and ("][" not in text or _NESTED_LABEL.search(text) is None)
        and ("](" not in text or "]:" not in text or not _odd_inline_links(text))
        and ("&" not in text or _LINE_FEED_REFERENCE.search(text) is None)
    )


# What only the plugins read: a body holding any of it takes markdown-it-py. Footnotes
# ("[^1]", "^[inline]", tested above), task list items "[ ]" / "[x]", definition list lines
# ": definition" or "~ definition". Deliberately wide: a false alarm only costs speed.
# (Each pattern starts with a literal, which the regex engine looks for quickly: a pattern
# for a line's start is matched against "\n" + text.)
_TASK_ITEM = re.compile(r"\[[ xX]\]")
_DEFINITION = re.compile(r"\n[ \t]*[:~]")
# The two differ at the very end of a text without a final line break (a fence left open,
# trailing spaces): a file saved by an editor ends with one, and only such a text is taken.
# markdown-it-py trims Unicode spaces (a no-break space, U+2028) where markdown-it-pyrs keeps
# them, as CommonMark does; and a lone CR, a line break to Markdown, would need its own care
# below (the sources never hold one: sources.py makes every line end LF). NUL, which the two
# read differently, never reaches here from a source either.
_OTHER_SPACE = re.compile(r"[^\S \t\n]")
_ASCII_OTHER_SPACES = ("\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x1f")


def _other_space(text: str) -> bool:
    """Whether text holds a space character other than space, tab and line feed."""
    if text.isascii():  # a few substring searches beat a character class over the text
        return any(space in text for space in _ASCII_OTHER_SPACES)
    return _OTHER_SPACE.search(text) is not None


def _inline_tildes(text: str) -> bool:
    """Whether "~~~" stands inside a line, not at its start as a fence: the two pair
    strikethrough tildes there differently."""
    at = text.find("~~~")
    while at >= 0:
        line_start = text.rfind("\n", 0, at) + 1
        if text[line_start:at].strip(" ") or at - line_start > 3:
            return True
        line_end = text.find("\n", at)
        if line_end < 0:
            return False
        at = text.find("~~~", line_end + 1)
    return False


# A code span of spaces only, a line break among them or not: markdown-it-pyrs trims it.
_BLANK_CODE = re.compile(r"` +\n? *`|`\n +`")
# A quote's line continued by a line without its ">" markers ("lazy", "> > a\n> b"): the two
# end the quote apart, and keep the line's indent in a code span apart. The next line must
# repeat the quote line's markers, at the same columns (list markers count as spaces).
_QUOTE_AND_NEXT_LINE = re.compile(r"\n([ \t>*+\-.)0-9]*>)[^\n]*(?=\n([ \t>*+\-.)0-9]*)(\S?))")
_LIST_MARKS_AS_SPACES = str.maketrans("*+-.)0123456789", " " * 15)


def _lazy_quote_line(lined: str) -> bool:
    """Whether, in "\n" + text, a quote's line is followed by text without its markers."""
    for quote in _QUOTE_AND_NEXT_LINE.finditer(lined):
        markers, following, rest = quote.groups()
        if (following.strip() or rest) and not following.translate(
            _LIST_MARKS_AS_SPACES
        ).startswith(markers.translate(_LIST_MARKS_AS_SPACES)):
            return True
    return False


# An indented fence: inside a list item, right under its text, markdown-it-py writes no line
# break between a tight item's text and the code.
_INDENTED_FENCE = re.compile(r"\n[ \t]+(?:`{3,}|~{3,})")


def _fence_after_text_in_item(text: str) -> bool:
    for fence in _INDENTED_FENCE.finditer(text):
        above = text[text.rfind("\n", 0, fence.start()) + 1 : fence.start()]
        if above.strip():
            return True
    return False


# A tab among a line's indent and container markers ("> >\t-", "- \tx"), in a text with a
# quote or a list: the two expand it to different columns inside the containers.
_TAB_IN_INDENT = re.compile(r"\n[ >*+\-.)0-9]*\t")
_CONTAINER_LINE = re.compile(r"\n[ \t]*(?:>|(?:[-+*]|[0-9]{1,9}[.)])(?:[ \t]|\n))")


def _tab_in_container(lined: str) -> bool:
    """Whether "\n" + text has a tab in a line's indent and a line that opens a container."""
    return _TAB_IN_INDENT.search(lined) is not None and _CONTAINER_LINE.search(lined) is not None


# A table's delimiter row; tables are taken only in their plain form (`_plain_tables`).
_DELIMITER_ROW = re.compile(r"^[ \t>]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
# A header row with a pipe over "---" is a one-column table to markdown-it-py and a heading to
# markdown-it-pyrs.
_PIPELESS_DELIMITER_ROW = re.compile(r"\|[^\n]*\n[ \t>]*:?-+:?[ \t]*$", re.MULTILINE)


# "---:" under a line of text: a one-column table to markdown-it-pyrs, not to markdown-it-py.
_COLON_RULE = re.compile(r"\n[ \t>]*(?::-+:?|-+:)[ \t]*\n")


def _plain_tables(text: str) -> bool:
    """Whether every table starts after a blank line and all its rows start with "|": the two
    end a table at a list or a quote, or continue one lazily, in different places."""
    if _PIPELESS_DELIMITER_ROW.search(text) is not None:
        return False
    if "-" not in text:
        return True
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if "|" not in line or "-" not in line or not _DELIMITER_ROW.match(line):
            continue
        header = number - 1
        if header < 0 or not lines[header].lstrip(" ").startswith("|"):
            return False
        if header > 0 and lines[header - 1].strip():
            return False
        for row in lines[number + 1 :]:
            if not row.strip():
                break
            if not row.lstrip(" ").startswith("|"):
                return False
    return True


# markdown-it-pyrs 0.4 (markdown-it.rs 0.6) panics on a "[" followed in its inline block by a
# run of backticks that no run of the same length closes ("[a`"), and a panic prints to
# stderr before Python can catch it. So a body is left to markdown-it-py unless, in every
# blank-line-separated chunk holding a "[", each line's backtick runs pair up on that line
# (then they pair up alike in whatever block holds the line), with no escaped backtick and
# no table row or "<" (an autolink may hold a backtick: "[<ab:`>`") among them. A fence's
# own lines are not parsed inline, so they are left out (the code between them is checked
# like text: at worst a needless fall-back).
_FENCE_LINE = re.compile(r" {0,3}(?:`{3,}[^`]*|~{3,}.*)")
_CHUNKS = re.compile(r"\n[ \t]*\n")
_BACKTICKS = re.compile(r"`+")


def _may_panic(text: str) -> bool:
    if "[" not in text or "`" not in text:
        return False
    for chunk in _CHUNKS.split(text):
        if "[" not in chunk or "`" not in chunk:
            continue
        if "\\`" in chunk:
            return True
        for line in chunk.split("\n"):
            if "`" not in line or _FENCE_LINE.fullmatch(line):
                continue
            if "|" in line or "<" in line or not _backticks_pair(line):
                return True
    return False


def _backticks_pair(line: str) -> bool:
    """Whether each backtick run opens a code span that a later run of its length closes."""
    runs = [len(run) for run in _BACKTICKS.findall(line)]
    at = 0
    while at < len(runs):
        try:
            at = runs.index(runs[at], at + 1) + 1
        except ValueError:
            return False
    return True


_NOT_IN_ALT = ("&", "\\", "<", "  \n")


# A bracket or a code span in an image's description, which may hold an image: its alt text
# is flattened into the outer one, whose words then cannot be told apart ("![a![ b ](x)c](y)"
# reads "abc" to _inline_text).
_NESTED_IN_ALT = re.compile(r"!\[[^\]\[`]*[\[`]")


def _odd_alt(text: str) -> bool:
    """Whether an image's alt text may hold an entity, a backslash escape, an autolink or a
    hard line break, which markdown-it-pyrs leaves out of the alt attribute (any "&", "\\",
    "<" or two spaces before a line break after a "![" in its blank-line-separated chunk),
    or an image or code span (`_NESTED_IN_ALT`)."""
    if _NESTED_IN_ALT.search(text) is not None:
        return True
    for chunk in _CHUNKS.split(text):
        start = chunk.find("![")
        if start >= 0 and any(mark in chunk[start:] for mark in _NOT_IN_ALT):
            return True
    return False


# A delimiter of emphasis or strikethrough beside a character neither ASCII nor a letter or
# digit: markdown-it-py counts Unicode symbols ("£", "€") as punctuation, as CommonMark 0.31
# does, and markdown-it-pyrs does not, so the two open and close emphasis apart ("*£*b").
_DELIMITER_BY_SYMBOL = re.compile(r"[*_~][^\w\x00-\x7f]|[^\w\x00-\x7f][*_~]")


# markdown-it-py reads a link reference definition's further lines without their indent
# ('[a]: /u "x\n  y"' has the title "x\ny"), and the two differ on a backslash before a line
# break in one (its last character, "[a]: /u\\"). So, in a blank-line-separated chunk where
# a line starts with "[" (after any indent or container markers, as a definition does) and a
# "]:" follows, the lines after that "]:" must each start a definition of their own at the
# line's start ("[b]: /v"), and no line from the "[" on may end with a backslash (spaces
# after it aside).
_LABEL_AT_LINE_START = re.compile(r"^[ \t>*+\-.)0-9]*\[", re.MULTILINE)
_DEFINITION_START = re.compile(r"\[[^\[\]\n]*\]:")
_BACKSLASH_AT_LINE_END = re.compile(r"\\[ \t]*$", re.MULTILINE)


def _definition_over_lines(text: str) -> bool:
    """Whether a link reference definition may run over more than one line."""
    if "]:" not in text:
        return False
    for chunk in _CHUNKS.split(text):
        if "]:" not in chunk:
            continue
        label = _LABEL_AT_LINE_START.search(chunk)
        rest = chunk[label.start() :] if label else ""
        if "]:" not in rest:
            continue
        if "\\" in rest and _BACKSLASH_AT_LINE_END.search(rest) is not None:
            return True
        after = rest.find("\n", rest.find("]:")) + 1
        if after and any(
            line and _DEFINITION_START.match(line) is None for line in rest[after:].split("\n")
        ):
            return True
    return False


# A full reference link whose second label holds a "[" ("[foo][ref[bar]]"), or what
# markdown-it-py skips over in a label (a backslash escape, a code span, an autolink): the
# two disagree on whether "[foo]" is then a link of its own.
_NESTED_LABEL = re.compile(r"\]\[[^\]\[\\`<]*[\[\\`<]")


# When "[b](" opens no inline link, markdown-it-py looks for a reference's label one character
# past where ")" was due ("[b](z [[a]" links "b" to [a]); markdown-it-pyrs looks right after
# "[b]". Only a text with a definition ("]:") can tell, and there every "](" must open a
# plain inline link, which both read alike: a destination, a title without escapes, ")".
_SPACES = r"[ \t]*\n?[ \t]*"  # at most one line break: a blank line would end the paragraph
_PLAIN_INLINE_LINK = re.compile(
    rf"""\]\({_SPACES}(?:(?:<[^<>\n\\]*>|[^\x00-\x20\x7f()<>\\]+)"""
    rf"""(?:(?:[ \t]+\n?|\n)[ \t]*(?:"[^"\n\\]*"|'[^'\n\\]*'|\([^()\n\\]*\)))?{_SPACES})?\)"""
)


def _odd_inline_links(text: str) -> bool:
    """Whether some "](" may open no inline link (each plain one is counted once)."""
    return text.count("](") != len(_PLAIN_INLINE_LINK.findall(text))


# A line feed written as a character reference: in a heading's HTML it cannot be told from a
# line break, which the anchors plugin leaves out of the id and keeps the reference's ("a-b").
_LINE_FEED_REFERENCE = re.compile(r"&(?:#0*10|#[xX]0*[aA]|NewLine);")


@functools.cache
def _fast_markdown() -> markdown_it_pyrs.MarkdownIt:
    # "zero" and the CommonMark rules but the two raw HTML ones, so "<b>" stays text.
    return markdown_it_pyrs.MarkdownIt("zero").enable_many(
        [
            *("blockquote", "code", "fence", "heading", "hr", "lheading", "list"),
            *("paragraph", "reference", "autolink", "backticks", "emphasis", "entity"),
            *("escape", "image", "link", "newline", "table", "strikethrough"),
        ]
    )


# In the HTML both renderers write, with raw HTML off: every tag below comes from Markdown
# (text and attribute values have "<", ">", '"' and "&" escaped), so the patterns can match
# tags without a parser.
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_FENCE = re.compile(r'<pre><code class="language-([^"]*)">(.*?)</code></pre>', re.DOTALL)
_URL_ATTRIBUTE = re.compile(r'(<a href="|<img src=")([^"]*)"')
_IMAGE_SRC = re.compile(r'<img src="([^"]*)"')
_LINK_HREF = re.compile(r'<a href="([^"]*)"')
_IMAGE_ALT = re.compile(r'<img src="[^"]*" alt="([^"]*)"[^>]*>')
_ANY_TAG = re.compile(r"<[^>]*>")
_TOP_PARAGRAPH = re.compile(r"<(/?)(?:blockquote|ul|ol)\b[^>]*>|<p>(.*?)</p>", re.DOTALL)


def _unescape(html: str) -> str:
    """The text markdown-it escaped (escapeHtml: & < > " only), exactly as it was."""
    if "&" not in html:
        return html
    return (
        html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )


def render_fast(text: str, base_path: str) -> Rendered | None:
    """render_markdown for a body `fast_renders` accepts: the same Rendered, to the byte, or
    None if markdown-it-pyrs' HTML shows that it may have paired emphasis differently."""
    html = _fast_markdown().render(text, xhtml=False)
    if _may_pair_apart(text, html):
        return None
    if "<blockquote>\n</blockquote>" in html:  # an empty quote, as markdown-it-py writes it
        html = html.replace("<blockquote>\n</blockquote>", "<blockquote></blockquote>")
    if base_path != "/" and ("<a " in html or "<img " in html):
        html = _URL_ATTRIBUTE.sub(functools.partial(_based, base_path), html)
    if "<pre><code class=" in html:
        html = _FENCE.sub(_highlighted, html)
    toc: list[Heading] = []
    if "<h" in html:
        html = _HEADING.sub(functools.partial(_with_id, set[str](), toc), html)
    return Rendered(
        body=Body.of(html, search_words(html), toc, words=len(text.split())),
        first_paragraph=_first_top_paragraph(html),
        images=tuple(_unescape(src) for src in _IMAGE_SRC.findall(html)),
        links=tuple(_unescape(href) for href in _LINK_HREF.findall(html)),
    )


# markdown-it-pyrs 0.4 pairs emphasis as it reads. A closing delimiter that finds no opener
# notes how far back later ones of its marker need look, as a place in a list that a later
# pair then shortens, so they may miss an opener ("_a* b* c_ *d*" leaves "*d*" unpaired).
# Such a closer stays text in the HTML, unless it could open too (between two letters or two
# punctuation marks, "_" between two punctuation marks only). So where a marker stands three
# times or more (a failed closer, an opener and a closer), its HTML outside code and URLs
# must hold none of it, and none of its runs may both open and close.
_CODE = re.compile(r"<code[^>]*>.*?</code>", re.DOTALL)
_URLS = (re.compile(r'href="[^"]*"'), re.compile(r'src="[^"]*"'))  # one literal each: fast
_PUNCTUATION = frozenset(string.punctuation)


def _may_pair_apart(text: str, html: str) -> bool:
    shown = ""
    for marker in "*_~":
        if text.count(marker) < 3 or (marker == "~" and "~~" not in text):
            continue
        if marker in html:
            shown = shown or _shown(html)
            if marker in shown:
                return True
        if _opens_and_closes(marker, text):
            return True
    return False


def _shown(html: str) -> str:
    """The HTML but its code and URLs: its text, and the alt and title attributes."""
    shown = _CODE.sub("", html)
    for url in _URLS:
        shown = url.sub("", shown)
    return shown


def _opens_and_closes(marker: str, text: str) -> bool:
    """Whether a run of `marker` in `text` may both open and close emphasis."""
    # str.find and a loop: a regex for the runs costs more, having no literal to look for.
    at = text.find(marker)
    while at >= 0:
        end = at + 1
        while end < len(text) and text[end] == marker:
            end += 1
        before = text[at - 1] if at else " "
        after = text[end] if end < len(text) else " "
        if not before.isspace() and not after.isspace():
            punctuation = (before in _PUNCTUATION) + (after in _PUNCTUATION)
            if punctuation == 2 or (punctuation == 0 and marker != "_"):
                return True
        at = text.find(marker, end)
    return False


def _based(base_path: str, match: re.Match[str]) -> str:
    return f'{match[1]}{escapeHtml(with_base(_unescape(match[2]), base_path))}"'


def _highlighted(match: re.Match[str]) -> str:
    # markdown-it-py calls the highlighter with the fence's code and the first word of its
    # info string, and keeps the escaped code where it returns "".
    code = highlight_code(_unescape(match[2]), _unescape(match[1]), "")
    return f'<pre><code class="language-{match[1]}">{code or match[2]}</code></pre>'


def _with_id(slugs: set[str], toc: list[Heading], match: re.Match[str]) -> str:
    """A heading as the anchors plugin leaves it (h2-h4 get an id), noted in `toc` if h2/h3."""
    level, inner = int(match[1]), match[2]
    if not 2 <= level <= 4:
        return match[0]
    # The anchors plugin's title: the text and inline code, not images or line breaks.
    title = _unescape(_ANY_TAG.sub("", inner).replace("\n", ""))
    unique = unique_slug(slug(title), slugs)
    if level <= 3:
        toc.append(Heading(level=level, id=unique, text=_html_text(inner)))
    return f'<h{level} id="{escapeHtml(unique)}">{inner}</h{level}>'


def _html_text(inner: str) -> str:
    """_inline_text of the tokens that rendered as `inner`: images by their alt text."""
    # An image's words as _inline_text gives them: on their own, spaces at the ends dropped.
    text = _IMAGE_ALT.sub(lambda image: " ".join(image[1].split()), inner)
    return " ".join(_unescape(_ANY_TAG.sub("", text)).split())


def _first_top_paragraph(html: str) -> str:
    """_first_paragraph: the first paragraph outside quotes and lists with any text."""
    depth = 0
    for match in _TOP_PARAGRAPH.finditer(html):
        if match[2] is not None:
            if depth == 0:
                text = _html_text(match[2])
                if text:
                    return text
        elif match[1]:
            depth -= 1
        else:
            depth += 1
    return ""
