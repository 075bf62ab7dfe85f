"""Site -> feeds: one loop over (scope x format).

Scopes are the whole site, each series, each author, each tag, and each syndication profile;
formats are Atom 1.0 and RSS 2.0 (through feedgen) and JSON Feed 1.1 (written here: feedgen
has none). Every URL in a feed is absolute, every item keeps its permanent id, and nothing
depends on the build time, so an unchanged site gives byte-identical feeds.
"""

from __future__ import annotations

import functools
import html as html_lib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from journeyblog import __version__
from journeyblog.config import Syndication
from journeyblog.digests import digest
from journeyblog.fingerprint import Fingerprints
from journeyblog.i18n import Language, english
from journeyblog.model import Enclosure, Job, Output, Post, SecurityLevel, Site
from journeyblog.omnibus import says_part

Format = Literal["atom", "rss", "json"]
FILE_NAMES: dict[Format, str] = {"atom": "feed.xml", "rss": "rss.xml", "json": "feed.json"}
ATOM_NS = "http://www.w3.org/2005/Atom"
SECURITY_SCHEME = "urn:journeyblog:security-level"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DASH = " \N{EN DASH} "  # between a feed's subject and the site's title, as typeset


@dataclass(frozen=True, slots=True)
class FeedWords:
    """A feed's own words, in the site's language: a summary item's link to the post, and
    the label of the security level (with "%(level)s")."""

    read_more: str = "Read more"
    security: str = "Security level: %(level)s"
    levels: tuple[tuple[str, str], ...] = ()  # each level's label, as the language says it
    # An item's title with its series and part (item_title).
    series_part: str = "%(series)s, part %(part)s: %(title)s"
    title_part: str = "%(title)s (part %(part)s)"

    def security_label(self, level: SecurityLevel) -> str:
        said = dict(self.levels).get(level.label, level.label)
        return self.security % {"level": said}


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedScope:
    """One set of posts that gets feeds: the site, a series, an author, a tag, a platform."""

    path: str  # output folder, "" for the site root: "series/journey-to-the-cloud/"
    title: str
    description: str
    home_url: str  # absolute URL of the page the feed belongs to
    posts: tuple[Post, ...]  # in feed order
    content: Literal["full", "summary"] = "full"
    footer: str = ""  # appended to each item's content; "{url}" is the post's permalink
    link_query: tuple[tuple[str, str], ...] = ()  # added to item links (UTM tags)
    words: FeedWords = FeedWords()


def feed_scopes(site: Site, feed_size: int, language: Language | None = None) -> list[FeedScope]:
    """The site, every series (all parts, in part order), every author and every tag."""
    info = site.info
    say = (language or english()).say
    words = _words(language, site)
    scopes = [
        FeedScope(
            path="",
            title=info.title,
            description=info.description or info.title,
            home_url=info.base_url,
            posts=site.posts[:feed_size],
            words=words,
        )
    ]
    for series in site.series:
        scopes.append(
            FeedScope(
                path=f"series/{series.slug}/",
                title=f"{series.title}{DASH}{info.title}",
                description=series.description
                or say("Every part of %(series)s") % {"series": series.title},
                home_url=site.absolute(series.url.removeprefix(info.base_path)),
                posts=series.parts,
                words=words,
            )
        )
    for author_listing in site.authors:
        author = author_listing.author
        scopes.append(
            FeedScope(
                path=f"authors/{author.slug}/",
                title=f"{author.name}{DASH}{info.title}",
                description=say("Posts by %(name)s, %(role)s, %(organisation)s")
                % {"name": author.name, "role": author.role, "organisation": author.organisation},
                home_url=site.absolute(author.page_url.removeprefix(info.base_path)),
                posts=author_listing.posts[:feed_size],
                words=words,
            )
        )
    for tag_listing in site.tags:
        tag = tag_listing.tag
        scopes.append(
            FeedScope(
                path=f"tags/{tag.slug}/",
                title=f"{tag.name}{DASH}{info.title}",
                description=say("Posts tagged %(tag)s") % {"tag": tag.name},
                home_url=site.absolute(tag.url.removeprefix(info.base_path)),
                posts=tag_listing.posts[:feed_size],
                words=words,
            )
        )
    return scopes


def _words(language: Language | None, site: Site) -> FeedWords:
    say = (language or english()).say
    labels = sorted({post.level.label for post in site.posts})
    levels = tuple((label, say(label)) for label in labels)
    return FeedWords(
        say("Read more"),
        say("Security level: %(level)s"),
        levels,
        say("%(series)s, part %(part)s: %(title)s"),
        say("%(title)s (part %(part)s)"),
    )


def syndication_scope(
    site: Site, profile: Syndication, feed_size: int, language: Language | None = None
) -> FeedScope:
    """One platform's feed: its series (or every post), newest first, as the platform wants it.

    The items are the site feed's items (same ids, same dates); only the selection, the
    content (full or summary), the footer and the link query differ.
    """
    wanted = set(profile.series)
    posts = tuple(
        post
        for post in site.posts
        if not wanted or (post.series is not None and post.series.series_slug in wanted)
    )
    return FeedScope(
        path="syndication/",
        title=f"{site.info.title}{DASH}{profile.title}",
        description=site.info.description or site.info.title,
        home_url=site.info.base_url,
        posts=posts[:feed_size],
        content=profile.content,
        footer=profile.footer,
        link_query=profile.utm,
        words=_words(language, site),
    )


def render_syndication(
    site: Site,
    profiles: Sequence[Syndication],
    feed_size: int,
    websub_hub: str | None = None,
) -> list[Output]:
    """Each profile at syndication/<platform>.xml (.json for JSON Feed)."""
    jobs = syndication_jobs(site, profiles, feed_size, websub_hub)
    return [Output(job.path, job.make()) for job in jobs]


def render_feeds(
    site: Site,
    scopes: Sequence[FeedScope],
    *,
    formats: Sequence[Format] = ("atom", "rss", "json"),
    websub_hub: str | None = None,
    enclosures: Mapping[str, Enclosure] | None = None,
) -> list[Output]:
    """Every scope in every format, at SCOPE_PATH/feed.xml, rss.xml and feed.json."""
    jobs = feed_jobs(site, scopes, formats=formats, websub_hub=websub_hub, enclosures=enclosures)
    return [Output(job.path, job.make()) for job in jobs]


def feed_jobs(
    site: Site,
    scopes: Sequence[FeedScope],
    *,
    formats: Sequence[Format] = ("atom", "rss", "json"),
    websub_hub: str | None = None,
    fingerprints: Fingerprints | None = None,
    enclosures: Mapping[str, Enclosure] | None = None,
) -> list[Job]:
    """render_feeds as Jobs, each keyed by the fingerprint of its scope (posts included).

    `enclosures` maps a scope's path to the file its Atom feed offers whole (a series' EPUB,
    ebook.py), named by a feed-level link with its length."""
    prints = fingerprints or Fingerprints()
    offered = enclosures or {}
    return [
        _feed_job(
            site,
            scope,
            fmt,
            scope.path + FILE_NAMES[fmt],
            websub_hub,
            prints,
            offered.get(scope.path),
        )
        for scope in scopes
        for fmt in formats
    ]


def syndication_jobs(
    site: Site,
    profiles: Sequence[Syndication],
    feed_size: int,
    websub_hub: str | None = None,
    fingerprints: Fingerprints | None = None,
    language: Language | None = None,
) -> list[Job]:
    prints = fingerprints or Fingerprints()
    jobs = []
    for profile in profiles:
        extension = "json" if profile.format == "json" else "xml"
        path = f"syndication/{profile.name}.{extension}"
        scope = syndication_scope(site, profile, feed_size, language)
        jobs.append(_feed_job(site, scope, profile.format, path, websub_hub, prints))
    return jobs


def render_feed(site: Site, scope: FeedScope, fmt: Format, path: str, hub: str | None) -> Output:
    """One scope in one format at `path` (syndication profiles choose their own names)."""
    return Output(path, _WRITERS[fmt](site, scope, path, hub, None))


def _feed_job(
    site: Site,
    scope: FeedScope,
    fmt: Format,
    path: str,
    hub: str | None,
    prints: Fingerprints,
    enclosure: Enclosure | None = None,
) -> Job:
    # A feed shows its scope's posts and the site's info, never a template: an edit elsewhere
    # in the site leaves it alone. Only Atom says what a feed offers whole.
    if fmt != "atom":
        enclosure = None
    offered = enclosure.key if enclosure is not None else ""
    key = digest((path, fmt, hub or "", repr(site.info), prints.of(scope), offered))
    make = functools.partial(_WRITERS[fmt], site, scope, path, hub, enclosure)
    return Job(path, key, make, site_wide=False)


# ---------------------------------------------------------------- item values


def item_title(post: Post, words: FeedWords | None = None) -> str:
    """The title as a feed reader shows it, with the series and part said once.

    "People, Not Platforms" -> "Journey to the Cloud, part 5: People, Not Platforms"; a title
    that says its part already ("Journey to the Cloud - 5: People", "Zero Trust, Part 2:
    …") stays as it is; one that names its series but not its part gets the part.
    """
    place = post.series
    if place is None or says_part(post.title, place.part):
        return post.title
    words = words or FeedWords()
    if _says_series(post.title, place.series_title):
        return words.title_part % {"title": post.title, "part": place.part}
    return words.series_part % {
        "series": place.series_title,
        "part": place.part,
        "title": post.title,
    }


def _says_series(title: str, series_title: str) -> bool:
    """Whether a title names its series, whole or by its first two words."""
    words = series_title.lower().split()
    said = " ".join(title.lower().replace(",", " ").split())
    return " ".join(words) in said or (len(words) > 2 and " ".join(words[:2]) in said)


def author_line(post: Post) -> str:
    """ "Name, Role, Organisation", as the author block reads."""
    author = post.author
    return f"{author.name}, {author.role}, {author.organisation}"


def item_link(post: Post, scope: FeedScope) -> str:
    return _with_query(post.permalink, scope.link_query, post)


def item_html(site: Site, post: Post, scope: FeedScope) -> str:
    """The item's content: full body or summary, every href/src absolute, plus the footer."""
    if scope.content == "full":
        body = absolute_urls(str(post.feed_html), post.permalink)
    else:
        link = html_lib.escape(item_link(post, scope))
        more = html_lib.escape(scope.words.read_more)
        body = f'<p>{html_lib.escape(post.summary)}</p>\n<p><a href="{link}">{more}</a></p>'
    label = html_lib.escape(scope.words.security_label(post.level))
    body += f"\n<p><small>{label}</small></p>"
    if scope.footer:
        link = html_lib.escape(item_link(post, scope))
        pieces = [html_lib.escape(piece) for piece in scope.footer.split("{url}")]
        body += "\n<p>" + f'<a href="{link}">{link}</a>'.join(pieces) + "</p>"
    return body


_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*)(")')


# The three formats of a feed, made one after the other, show the same posts (20 by default):
# 64 bodies kept are enough for them; more cost memory for few hits (bench/LOG.md).
@functools.lru_cache(maxsize=64)
def absolute_urls(html: str, page_url: str) -> str:
    """Make every href and src absolute, resolved against the page they were written for.

    Our Markdown renderer always writes attributes in double quotes, so one pattern finds them.
    """

    scheme = urlsplit(page_url).scheme

    def absolute(match: re.Match[str]) -> str:
        written = match.group(2)
        if _WITH_HOST.match(written):  # resolves alike on every page: worked out once
            return match.group(1) + _with_host(scheme, written) + match.group(3)
        url = html_lib.unescape(written)
        return match.group(1) + html_lib.escape(urljoin(page_url, url)) + match.group(3)

    return _URL_ATTRIBUTE.sub(absolute, html)


# A URL with a scheme and a host ("https://example.org/x") resolves against any page of one
# scheme alike: urljoin returns it as it is, or put together again from its own parts.
_WITH_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/&]")


@functools.lru_cache(maxsize=4096)  # posts of a site link to the same places
def _with_host(page_scheme: str, written: str) -> str:
    """absolute()'s result for a URL `_WITH_HOST` matches, on a page of `page_scheme`."""
    page = f"{page_scheme}://example.invalid/"
    return html_lib.escape(urljoin(page, html_lib.unescape(written)))


def _with_query(url: str, query: Sequence[tuple[str, str]], post: Post) -> str:
    if not query:
        return url
    series = post.series.series_slug if post.series else "standalone"
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query)
    pairs += [(f"utm_{key}", value.replace("{series}", series)) for key, value in query]
    return urlunsplit(parts._replace(query=urlencode(pairs)))


def _categories(post: Post, scope: FeedScope) -> Iterator[tuple[str, str, str | None]]:
    """(term, label, scheme) for each tag, the series and the security level."""
    for tag in post.tags:
        yield tag.slug, tag.name, None
    if post.series:
        yield post.series.series_slug, post.series.series_title, None
    yield post.level.name, scope.words.security_label(post.level), SECURITY_SCHEME


def _updated(scope: FeedScope) -> datetime:
    return max((post.updated for post in scope.posts), default=EPOCH)


# ---------------------------------------------------------------- Atom and RSS


class _Hub(BaseExtension):  # type: ignore[misc]
    """WebSub's rel="hub" link, which feedgen writes for Atom but not RSS."""

    def __init__(self) -> None:
        self.href: str | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"atom": ATOM_NS}

    def extend_rss(self, rss_feed: etree._Element) -> etree._Element:
        if self.href:
            channel = rss_feed[0]
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", href=self.href, rel="hub")
        return rss_feed


def _generator(
    site: Site, scope: FeedScope, path: str, hub: str | None, enclosure: Enclosure | None = None
) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(site.absolute(path))
    fg.title(scope.title)
    fg.subtitle(scope.description)
    fg.description(scope.description)
    fg.language(site.info.language)
    fg.link(href=site.absolute(path), rel="self")
    if enclosure is not None:
        fg.link(
            href=enclosure.url,
            rel="enclosure",
            type=enclosure.media_type,
            length=str(enclosure.length()),
        )
    if hub:
        fg.link(href=hub, rel="hub")
        fg.register_extension("websub", _Hub, atom=False, rss=True)
        fg.websub.href = hub
    # feedgen takes RSS's channel <link> from the last link given: the page, not the feed
    # (nor the hub).
    fg.link(href=scope.home_url, rel="alternate")
    fg.generator("journeyblog", __version__)
    fg.updated(_updated(scope))
    fg.load_extension("dc", atom=False, rss=True)
    for post in reversed(scope.posts):  # feedgen prepends each entry
        entry = fg.add_entry()
        entry.id(post.id)
        entry.guid(post.id, permalink=False)
        entry.title(item_title(post, scope.words))
        entry.link(href=item_link(post, scope), rel="alternate")
        entry.published(post.date)
        entry.updated(post.updated)
        entry.author(
            {
                "name": author_line(post),
                "uri": site.absolute(post.author.page_url.removeprefix(site.info.base_path)),
            }
        )
        entry.dc.dc_creator(author_line(post))
        entry.summary(post.summary)
        entry.description(post.summary)
        entry.content(item_html(site, post, scope), type="html")
        for term, label, scheme in _categories(post, scope):
            entry.category(term=term, label=label, scheme=scheme)
    return fg


def _atom(
    site: Site, scope: FeedScope, path: str, hub: str | None, enclosure: Enclosure | None
) -> bytes:
    return bytes(_generator(site, scope, path, hub, enclosure).atom_str(pretty=True))


def _rss(
    site: Site, scope: FeedScope, path: str, hub: str | None, enclosure: Enclosure | None
) -> bytes:
    fg = _generator(site, scope, path, hub)
    for entry in fg.entry():
        # In RSS the HTML goes to content:encoded; CDATA keeps it readable.
        entry.content(entry.content()["content"], type="CDATA")
    return bytes(fg.rss_str(pretty=True))


# ---------------------------------------------------------------- JSON Feed


def _json_feed(
    site: Site, scope: FeedScope, path: str, hub: str | None, enclosure: Enclosure | None
) -> bytes:
    feed: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": scope.title,
        "home_page_url": scope.home_url,
        "feed_url": site.absolute(path),
        "description": scope.description,
        "language": site.info.language,
        "items": [_json_item(site, post, scope) for post in scope.posts],
    }
    if hub:
        feed["hubs"] = [{"type": "WebSub", "url": hub}]
    # Compact: feed readers parse it, and without `indent` json uses its C encoder (several
    # times faster on a site with a feed for every series, author and tag).
    return (json.dumps(feed, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _json_item(site: Site, post: Post, scope: FeedScope) -> dict[str, object]:
    item: dict[str, object] = {
        "id": post.id,
        "url": item_link(post, scope),
        "title": item_title(post, scope.words),
        "content_html": item_html(site, post, scope),
        "summary": post.summary,
        "date_published": post.date.isoformat(),
        "date_modified": post.updated.isoformat(),
        "authors": [
            {
                "name": author_line(post),
                "url": site.absolute(post.author.page_url.removeprefix(site.info.base_path)),
            }
        ],
        "tags": [label for _, label, _ in _categories(post, scope)],
        "_journeyblog": {
            "security_level": post.level.name,
            "series": post.series.series_slug if post.series else None,
            "part": post.series.part if post.series else None,
        },
    }
    if post.image:
        item["image"] = urljoin(post.permalink, post.image)
    return item


_WRITERS: dict[Format, Callable[[Site, FeedScope, str, str | None, Enclosure | None], bytes]] = {
    "atom": _atom,
    "rss": _rss,
    "json": _json_feed,
}
