"""What a Markdown body renders to, whichever of markdown.py's two renderers made it.

Owns the `Rendered` value and the three choices of ours both renderers apply to the HTML in
the same way: heading slugs, Pygments highlighting of fenced code, the site's base path on
root-relative URLs. Renders no Markdown itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from journeyblog.model import Body, Heading


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    body: Body  # the HTML, search words, toc and word count, with the key they were made under
    first_paragraph: str  # plain text, for posts without a summary
    images: tuple[str, ...]  # every image src, as written (after the base path)
    links: tuple[str, ...]  # every link href, as written (after the base path)

    @property
    def html(self) -> Markup:
        return self.body.html

    @property
    def words(self) -> int:
        return self.body.words

    @property
    def search_words(self) -> str:
        """searchwords.search_words(html): made here, in the workers, and cached."""
        return self.body.search_words

    @property
    def toc(self) -> tuple[Heading, ...]:
        """h2 and h3, in order."""
        return self.body.toc

    @property
    def key(self) -> str:
        """The build cache's key of the text and options it was rendered from
        (cache.markdown_key), once the build has given it: all it was made from, so it
        stands for all of it."""
        return self.body.key


_FORMATTER = HtmlFormatter(nowrap=True)


def highlight_code(code: str, language: str, _attrs: Any) -> str:
    """Pygments spans inside markdown-it's <pre><code class="language-x">; "" leaves it plain."""
    if not language:
        return ""
    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        return ""
    return str(highlight(code, lexer, _FORMATTER))


def slug(text: str) -> str:
    """A heading's id, before it is made unique on its page: "Cost & risk" -> "cost-risk"."""
    slug = re.sub(r"[^\w\s-]", "", text.lower()).strip()
    return re.sub(r"[\s_-]+", "-", slug) or "section"


def with_base(url: str, base_path: str) -> str:
    """A root-relative URL under the site's base path: "/x.png" -> "/blog/x.png"."""
    if url.startswith("/") and not url.startswith("//") and base_path != "/":
        return base_path + url[1:]
    return url
