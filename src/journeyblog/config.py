"""journeyblog.toml -> SiteConfig.

Owns reading and validating the site's configuration file. Unknown keys are errors (a typo
must not silently change what is published). Knows nothing of posts.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from journeyblog.errors import BuildFailed, SiteError, control_character

CONFIG_NAME = "journeyblog.toml"
CACHE_DIR = ".journeyblog-cache"  # the build cache, in the site folder
LOCALES = "locales"  # the folder of catalogs, in a theme and in a site


def default_theme_dir() -> Path:
    """The default theme: inside the installed package, or at the top of a source checkout."""
    packaged = Path(__file__).parent / "themes" / "default"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "themes" / "default"


DEFAULT_LEVELS = ("public", "internal", "restricted")


@dataclass(frozen=True, slots=True, kw_only=True)
class Syndication:
    """One platform the series is syndicated to: `[syndication.<name>]`."""

    name: str
    title: str
    format: Literal["atom", "rss", "json"] = "atom"
    content: Literal["full", "summary"] = "full"
    series: tuple[str, ...] = ()  # empty: every series and standalone post
    footer: str = ""  # "{url}" is replaced by the post's permalink
    utm: tuple[tuple[str, str], ...] = ()  # ("source", "linkedin"), ...; "{series}" allowed
    language: str | None = None  # a bilingual site's profile for one language; None: each


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteConfig:
    title: str
    base_url: str  # absolute, ends with "/"
    description: str = ""
    language: str = "en-GB"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    security_levels: tuple[str, ...] = DEFAULT_LEVELS  # lowest first, lower case
    audience: str = "public"
    theme: str = "default"
    posts_per_page: int = 10
    feed_size: int = 20
    allow_raw_html: bool = False
    excluded_parts: Literal["skip", "placeholder"] = "skip"
    websub_hub: str | None = None
    syndication: tuple[Syndication, ...] = ()
    max_image_pixels: int = 40_000_000  # a larger picture is refused, never decoded
    # Above this many published posts, search reads a chunked index (docs/search.md).
    search_chunks_above: int = 300
    precompress: bool = False  # write .gz and .br beside text files, for hosts that serve them
    # A bilingual site (docs/languages.md): every language, the default first; empty for a
    # site in one language.
    languages: tuple[str, ...] = ()
    default_language_at_root: bool = False
    require_translations: bool = False
    # Set for one language's edition of a bilingual site, never by the author: "en/".
    language_path: str = ""
    # A bilingual site's title and description in each language: (setting, language, text).
    in_languages: tuple[tuple[str, str, str], ...] = ()

    @property
    def root_path(self) -> str:
        """The path part of base_url, "/" or "/blog/": where shared files (assets, images,
        static files) are published."""
        return urlsplit(self.base_url).path or "/"

    @property
    def base_path(self) -> str:
        """Where this site's pages are: the root, or one language's folder ("/blog/en/")."""
        return self.root_path + self.language_path

    @property
    def pages_url(self) -> str:
        """base_path as an absolute URL."""
        return self.base_url + self.language_path

    @property
    def bilingual(self) -> bool:
        return len(self.languages) > 1


_KEYS = {
    "title",
    "base_url",
    "description",
    "language",
    "timezone",
    "security_levels",
    "audience",
    "theme",
    "posts_per_page",
    "feed_size",
    "allow_raw_html",
    "excluded_parts",
    "websub_hub",
    "syndication",
    "max_image_pixels",
    "search_chunks_above",
    "precompress",
    "languages",
    "default_language_at_root",
    "require_translations",
}
_SYNDICATION_KEYS = {"title", "format", "content", "series", "footer", "utm", "language"}


# How open common level names are, 0 the most: a list that names two of them out of this
# order is written the wrong way round, and would publish the most restricted posts.
_KNOWN_RANKS = {
    **dict.fromkeys(("public", "open", "unclassified", "everyone", "cyhoeddus", "agored"), 0),
    **dict.fromkeys(("external", "general", "öffentlich", "publique"), 0),
    **dict.fromkeys(("internal", "official", "staff", "mewnol", "private", "members"), 1),
    **dict.fromkeys(("protected", "preifat", "interne", "intern"), 1),
    # Schemes order these two either way (restricted above confidential, or below).
    **dict.fromkeys(("restricted", "confidential", "cyfyngedig", "cyfrinachol"), 2),
    **dict.fromkeys(("sensitive", "official-sensitive", "confidentiel", "vertraulich"), 2),
    **dict.fromkeys(("secret", "geheim", "cyfrinach"), 3),
    **dict.fromkeys(("top-secret", "top secret", "strictly confidential"), 4),
}


def _out_of_order(levels: Sequence[str]) -> tuple[str, str] | None:
    """(a level, one listed before it) where common names show the list runs the wrong way."""
    known = [(name, _KNOWN_RANKS[name]) for name in levels if name in _KNOWN_RANKS]
    for index, (name, rank) in enumerate(known):
        for earlier, earlier_rank in known[:index]:
            if earlier_rank > rank:
                return name, earlier
    return None


def load_config(site_dir: Path, *, base_url: str | None = None) -> SiteConfig:
    """Read SITE_DIR/journeyblog.toml; raise BuildFailed listing every problem in it."""
    shown = site_dir / CONFIG_NAME
    if shown.is_symlink() and not shown.resolve().is_relative_to(site_dir.resolve()):
        raise BuildFailed(
            [SiteError(shown, None, "a link to a file outside the site (copy the file in)")]
        )
    try:
        text = shown.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise BuildFailed(
            [SiteError(shown, None, f"no {CONFIG_NAME} here (is {site_dir} a journeyblog site?)")]
        ) from None
    except UnicodeDecodeError:
        raise BuildFailed([SiteError(shown, None, "not UTF-8 text (save it as UTF-8)")]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = _toml_error_line(str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        remedy = (
            "a setting given twice: keep one"
            if "overwrite" in message
            else "fix this line: text in quotes, lists in [ ]"
        )
        raise BuildFailed([SiteError(shown, line, f"invalid TOML: {message} ({remedy})")]) from None
    except RecursionError:
        message = "invalid TOML: nested too deeply (close every [ and { you open)"
        raise BuildFailed([SiteError(shown, None, message)]) from None
    if base_url is not None:
        raw["base_url"] = base_url
    return parse_config(raw, text=text, path=shown)


def parse_config(raw: Mapping[str, Any], *, text: str = "", path: Path) -> SiteConfig:
    """Validate a parsed journeyblog.toml; raise BuildFailed listing every problem."""
    errors: list[SiteError] = []

    def fail(key: str, message: str) -> None:
        errors.append(SiteError(path, _key_line(text, key), message))

    for key in sorted(set(raw) - _KEYS):
        fail(key, f"unknown setting '{key}' (known: {', '.join(sorted(_KEYS))})")

    languages = _languages(raw, fail)
    # A bilingual site may title and describe itself in each language: title = {cy = …}.
    title, titles = _per_language(raw, "title", languages, fail)
    description, descriptions = _per_language(raw, "description", languages, fail)
    raw = {
        **raw,
        **{
            key: value
            for key, value in (("title", title), ("description", description))
            if value is not None
        },
    }
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        fail("title", "'title' is required: the site's name, as a string")
        title = ""
    elif (bad := control_character(title)) is not None:
        fail(
            "title",
            f"'title' holds control character {bad[1]}, which no feed can carry (delete it)",
        )

    base_url = raw.get("base_url")
    if not isinstance(base_url, str) or not _is_http_url(base_url):
        fail("base_url", "'base_url' must be an absolute http(s) URL, e.g. https://example.org/")
        base_url = "https://example.invalid/"
    elif "?" in base_url or "#" in base_url:
        fail(
            "base_url",
            "'base_url' is where the site lives, without ?query or #fragment"
            " (write e.g. https://example.org/blog/)",
        )
        base_url = base_url.split("?")[0].split("#")[0]
    elif (problem := _host_problem(base_url)) is not None:
        fail("base_url", f"'base_url' {problem} (write e.g. https://example.org/blog/)")
        base_url = "https://example.invalid/"
    if not base_url.endswith("/"):
        base_url += "/"

    language = _string(raw, "language", "en-GB", fail)
    if not _known_language(language):
        fail("language", f"unknown language '{language}' (use a language tag: en-GB, cy, fr)")
        language = "en-GB"
    if languages:
        if "language" in raw:
            fail(
                "language",
                "set 'languages' or 'language', not both (the first of 'languages' is the default)",
            )
        language = languages[0]
    default_language_at_root = _flag(raw, "default_language_at_root", fail)
    require_translations = _flag(raw, "require_translations", fail)
    description = _string(raw, "description", "", fail)
    # Named apart from `text`, the file's, which `fail` reads for the line.
    for key, said in [
        ("title", title),
        ("description", description),
        *(
            (key, given)
            for key, texts in (("title", titles), ("description", descriptions))
            for _, given in texts
        ),
    ]:
        if "<!--" in said:
            fail(
                key, f"'{key}' holds an HTML comment, which would be published as text (remove it)"
            )
    theme = _string(raw, "theme", "default", fail)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", theme) or theme.startswith("."):
        fail("theme", f"theme '{theme}' is not a folder name under themes/")
    elif theme != "default" and not (path.parent / "themes" / theme).is_dir():
        fail(
            "theme",
            f"theme '{theme}': the site has no folder themes/{theme}/ (create it, or write"
            ' theme = "default")',
        )

    zone_name = _string(raw, "timezone", "Europe/London", fail)
    try:
        timezone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        fail("timezone", f"unknown timezone '{zone_name}' (use an IANA name like Europe/London)")
        timezone = ZoneInfo("Europe/London")

    levels_raw = raw.get("security_levels", list(DEFAULT_LEVELS))
    if (
        not isinstance(levels_raw, list)
        or not levels_raw
        or not all(isinstance(level, str) and level.strip() for level in levels_raw)
    ):
        fail(
            "security_levels",
            "'security_levels' must be a list of names, lowest first"
            ' (e.g. security_levels = ["public", "internal", "restricted"])',
        )
        levels_raw = list(DEFAULT_LEVELS)
    levels = tuple(level.strip().lower() for level in levels_raw)
    if len(set(levels)) != len(levels):
        fail("security_levels", "'security_levels' names a level twice (name each once)")
    backwards = _out_of_order(levels)
    if backwards is not None:
        lower, higher = backwards
        fail(
            "security_levels",
            f"'security_levels' runs from the most open level to the most restricted, but lists"
            f" '{lower}' after '{higher}' (put '{lower}' before '{higher}')",
        )

    audience = _string(raw, "audience", levels[0], fail).strip().lower()
    if audience not in levels:
        fail(
            "audience",
            f"audience '{audience}' is not one of security_levels {list(levels)} (use one of them)",
        )

    posts_per_page = _positive_int(raw, "posts_per_page", 10, fail)
    feed_size = _positive_int(raw, "feed_size", 20, fail)
    max_image_pixels = _positive_int(raw, "max_image_pixels", 40_000_000, fail)
    search_chunks_above = _positive_int(raw, "search_chunks_above", 300, fail)
    allow_raw_html = _flag(raw, "allow_raw_html", fail)
    precompress = _flag(raw, "precompress", fail)

    excluded_parts = raw.get("excluded_parts", "skip")
    if excluded_parts not in ("skip", "placeholder"):
        fail(
            "excluded_parts",
            '\'excluded_parts\' must be "skip" or "placeholder" (write excluded_parts = "skip")',
        )
        excluded_parts = "skip"

    websub_hub = raw.get("websub_hub")
    if websub_hub is not None and (not isinstance(websub_hub, str) or not _is_http_url(websub_hub)):
        fail("websub_hub", "'websub_hub' must be an absolute http(s) URL")
        websub_hub = None

    syndication = _syndication(raw.get("syndication", {}), fail)
    every = languages or (language,)
    for index, profile in enumerate(syndication):
        named = [tag for tag in every if names_language(profile.language or "", tag, every)]
        if named:  # as the site's languages spell it
            syndication = (
                *syndication[:index],
                replace(profile, language=named[0]),
                *syndication[index + 1 :],
            )
        elif profile.language is not None:
            fail(
                f"syndication.{profile.name}",
                f"[syndication.{profile.name}] language '{profile.language}' is not one of the"
                f" site's languages {list(languages or (language,))}",
            )

    if errors:
        raise BuildFailed(errors)
    return SiteConfig(
        title=title,
        base_url=base_url,
        description=description,
        language=language,
        timezone=timezone,
        security_levels=levels,
        audience=audience,
        theme=theme,
        posts_per_page=posts_per_page,
        feed_size=feed_size,
        allow_raw_html=allow_raw_html,
        excluded_parts=excluded_parts,
        websub_hub=websub_hub,
        syndication=syndication,
        max_image_pixels=max_image_pixels,
        search_chunks_above=search_chunks_above,
        precompress=precompress,
        languages=languages if len(languages) > 1 else (),
        default_language_at_root=default_language_at_root,
        require_translations=require_translations,
        in_languages=tuple(
            sorted(
                [("title", tag, text) for tag, text in titles]
                + [("description", tag, text) for tag, text in descriptions]
            )
        ),
    )


def _per_language(
    raw: Mapping[str, Any], key: str, languages: Sequence[str], fail: Any
) -> tuple[object, tuple[tuple[str, str], ...]]:
    """A setting given as text, or as a table of texts by language (a bilingual site's):
    the default language's text, and each language's."""
    value = raw.get(key)
    if not isinstance(value, dict):
        return value, ()
    if not languages:
        fail(key, f"'{key}' by language needs 'languages' (or write '{key}' as one string)")
        return "", ()
    texts = {tag: text for tag, text in value.items() if isinstance(text, str)}
    found, strange = by_language(texts, languages)
    for tag in [*(tag for tag in value if tag not in texts), *strange]:
        fail(key, f"'{key}.{tag}' must be text in one of the site's languages {list(languages)}")
    given = {name: str(text) for name, text in found.items()}
    default = given.get(languages[0], next(iter(given.values()), ""))
    return default, tuple(sorted(given.items()))


def by_language(
    table: Mapping[Any, object], languages: Sequence[str]
) -> tuple[dict[str, object], list[str]]:
    """A table of texts by language (`{cy: …, en: …}`) by the site's own tags ("en-GB" for
    "en"), and the keys that name none of its languages."""
    given: dict[str, object] = {}
    strange: list[str] = []
    for tag, text in table.items():
        named = [name for name in languages if names_language(str(tag), name, languages)]
        if named:
            given[named[0]] = text
        else:
            strange.append(str(tag))
    return given, strange


def language_folder(language: str, languages: Sequence[str]) -> str:
    """The short name of a language in file names, URLs and series.yml: "en" for "en-GB",
    unless another of the site's languages is English too ("en-gb" then)."""
    primary = language.split("-", 1)[0].lower()
    if sum(1 for other in languages if other.split("-", 1)[0].lower() == primary) > 1:
        return language.lower()
    return primary


def names_language(written: str, language: str, languages: Sequence[str]) -> bool:
    """Whether `written` ("en", "en-GB") names `language`, one of the site's `languages`."""
    return written.lower() in (language.lower(), language_folder(language, languages))


def _languages(raw: Mapping[str, Any], fail: Any) -> tuple[str, ...]:
    """`languages = ["cy", "en"]`: language tags Babel knows, each once, the default first."""
    value = raw.get("languages")
    if value is None:
        return ()
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(item, str) and item.strip() for item in value)
    ):
        fail(
            "languages",
            '\'languages\' must be a list of language tags, the default first: ["cy", "en"]',
        )
        return ()
    tags = tuple(item.strip() for item in value)
    for tag in tags:
        if not _known_language(tag) or not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", tag):
            fail("languages", f"unknown language '{tag}' (use a language tag: cy, en, fr)")
            return ()
    if len({tag.lower() for tag in tags}) != len(tags):
        fail("languages", "'languages' names a language twice")
        return ()
    if len(tags) < 2:
        fail(
            "languages", f"'languages' is for two or more (for one, write language = \"{tags[0]}\")"
        )
        return ()
    return tags


def _syndication(raw: object, fail: Any) -> tuple[Syndication, ...]:
    if not isinstance(raw, dict):
        fail("syndication", "'syndication' must be a table of platforms: [syndication.name]")
        return ()
    profiles = []
    for name, table in raw.items():
        where = f"syndication.{name}"
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
            fail(where, f"platform name '{name}' must be lower case letters, digits, - or _")
            continue
        if not isinstance(table, dict):
            fail(where, f"[{where}] must be a table")
            continue
        for key in sorted(set(table) - _SYNDICATION_KEYS):
            fail(where, f"unknown key '{key}' in [{where}] (known: {sorted(_SYNDICATION_KEYS)})")
        fmt = table.get("format", "atom")
        if fmt not in ("atom", "rss", "json"):
            fail(where, f"[{where}] format must be atom, rss or json")
            fmt = "atom"
        content = table.get("content", "full")
        if content not in ("full", "summary"):
            fail(where, f"[{where}] content must be full or summary")
            content = "full"
        series = table.get("series", [])
        if not isinstance(series, list) or not all(isinstance(s, str) for s in series):
            fail(where, f"[{where}] series must be a list of series slugs")
            series = []
        utm = table.get("utm", {})
        if not isinstance(utm, dict) or not all(isinstance(v, str) for v in utm.values()):
            fail(where, f'[{where}] utm must be a table of strings, e.g. {{ source = "x" }}')
            utm = {}
        for key in ("title", "footer"):
            bad = control_character(str(table.get(key, "")))
            if bad is not None:
                fail(where, f"[{where}] {key} holds control character {bad[1]} (delete it)")
                table = {**table, key: ""}
        language = table.get("language")
        if language is not None and not isinstance(language, str):
            fail(where, f'[{where}] language must be a language tag, e.g. "en"')
            language = None
        profiles.append(
            Syndication(
                language=language,
                name=name,
                title=str(table.get("title", name)),
                format=fmt,
                content=content,
                series=tuple(series),
                footer=str(table.get("footer", "")),
                utm=tuple((str(k), v) for k, v in utm.items()),
            )
        )
    return tuple(profiles)


def _string(raw: Mapping[str, Any], key: str, default: str, fail: Any) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        fail(key, f"'{key}' must be a string")
        return default
    bad = control_character(value)
    if bad is not None:
        fail(key, f"'{key}' holds control character {bad[1]}, which no feed can carry (delete it)")
        return default
    return value


def _positive_int(raw: Mapping[str, Any], key: str, default: int, fail: Any) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        fail(key, f"'{key}' must be a whole number of 1 or more")
        return default
    return value


def _known_language(tag: str) -> bool:
    try:
        Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def _flag(raw: Mapping[str, Any], key: str, fail: Any) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        fail(key, f"'{key}' must be true or false (write {key} = true or {key} = false)")
        return False
    return value


def _host_problem(url: str) -> str | None:
    """What is wrong with an http(s) URL's host part, as every link of the site repeats it."""
    parts = urlsplit(url)
    if "@" in parts.netloc:
        return "holds a user name or password, which every page and feed would publish"
    try:
        parts.port  # noqa: B018 (a port out of range raises)
    except ValueError:
        return f"has a port that is no port ({parts.netloc})"
    host = parts.hostname or ""
    if not host or re.search(r"[\s/\\]", host):
        return f"has a host that is no host name ({parts.netloc})"
    return None


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _key_line(text: str, key: str) -> int | None:
    """The line that sets `key` (or opens the `[key]` table), for error messages."""
    last = key.rsplit(".", 1)[-1]
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if re.match(rf"{re.escape(last)}\s*=", stripped) or stripped == f"[{key}]":
            return number
    return None


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else None
