"""Bytes on disk -> Source records.

Owns discovery of content/ and static/, decoding (UTF-8 with or without a BOM, CRLF or LF),
splitting YAML front matter, and remembering the line of every front-matter key so later
stages can point at it. Knows nothing of series, authors or security levels.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import json
import os
import stat
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Literal, Protocol

import yaml
from frontmatter.default_handlers import YAMLHandler

from journeyblog.errors import SiteError, control_character


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's safe loader (several times faster), with dates left as strings.

    YAML would turn `2016-02-30` into an exception with no line; as a string, the stage that
    reads dates can name the line and say what is wrong.
    """

    yaml_implicit_resolvers: ClassVar[dict[Any, list[Any]]] = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


# python-frontmatter splits the file ('---' lines around YAML); its boundary may swallow blank
# lines, so the line where the YAML starts is counted from where the opening boundary ends,
# not assumed. The YAML itself is read by _Loader, which keeps the line of every key.
_HANDLER = YAMLHandler()

SourceKind = Literal["post", "page"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """One Markdown file, split but not yet interpreted."""

    path: Path  # as shown in messages: SITE_DIR/content/posts/x.md
    kind: SourceKind
    meta: Mapping[str, Any]  # front matter as YAML gives it
    key_lines: Mapping[str, int]  # front-matter key -> line in the file; "tags.2": of an item
    body: str
    body_line: int  # line of the file where the body starts
    digest: str  # sha256 of the file's bytes: changes exactly when the source changes

    def line(self, key: str) -> int | None:
        return self.key_lines.get(key)


@dataclass(frozen=True, slots=True, kw_only=True)
class DataFile:
    """A YAML mapping such as authors.yml, with the line of each top-level key."""

    path: Path
    data: Mapping[str, Any]
    key_lines: Mapping[str, int]
    # (entry, field) -> line: where `role:` of `ann:` is, for errors about one field
    field_lines: Mapping[tuple[str, str], int] = field(default_factory=lambda: MappingProxyType({}))
    readable: bool = True  # False: the file exists but could not be read (already an error)

    def line(self, entry: str, name: str | None = None) -> int | None:
        """The line of an entry, or of its field `name` (else the entry's)."""
        if name is not None and (entry, name) in self.field_lines:
            return self.field_lines[(entry, name)]
        return self.key_lines.get(entry)


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteSources:
    site_dir: Path
    posts: tuple[Source, ...]
    pages: tuple[Source, ...]
    authors: DataFile
    series: DataFile
    images: tuple[Path, ...]  # relative to content/images/
    static: tuple[Path, ...]  # relative to static/
    # Every other file of content/ but Markdown and the two data files (a post folder's
    # pictures), relative to content/: published where a post or page shows or links to it.
    files: tuple[Path, ...] = ()


# Bump when parsing changes what a Source holds, so remembered splits are parsed again.
PARSER_VERSION = "3"


class FrontMatterStore(Protocol):
    """Where discover() may remember split front matter, by the hash of a file's bytes."""

    def front_matter(self, keys: Sequence[str]) -> dict[str, str]: ...

    def store_front_matter(self, items: Mapping[str, str]) -> None: ...


Unsplit = tuple[Path, SourceKind, bytes, str]  # a file's path, kind, bytes and digest
Split = tuple[SiteError | None, str | None]  # its problem, or the record it is rebuilt from
SplitMany = Callable[[Sequence[Unsplit]], list[Split]]


def split_record(item: Unsplit) -> Split:
    """Split one file as discover does, in any process: its problem, or its record.

    A Source holds read-only mappings, which do not cross between processes; its record
    (JSON, see `_record`) does, and discover rebuilds the Source from it.
    """
    path, kind, data, digest = item
    _, problem, record = _parse(path, data, kind, digest, None)
    return problem, record


def discover(
    site_dir: Path,
    *,
    remembered: FrontMatterStore | None = None,
    split_many: SplitMany | None = None,
) -> tuple[SiteSources, list[SiteError]]:
    """Read every source file of the site; return them and every problem found reading them.

    With `remembered`, a file whose bytes were split before is not parsed again: its front
    matter, key lines and body boundary come from the store (YAML is most of the cost of
    reading a large site). Only files that parse without error are remembered.

    `split_many` maps `split_record` over the files not remembered (over processes, on a
    large site); a file it could not split is split again here, for its error.
    """
    content = site_dir / "content"
    errors: list[SiteError] = []
    files: list[tuple[Path, SourceKind, bytes]] = []
    kinds: list[tuple[Path, SourceKind]] = [
        *((path, "post") for path in _files(content / "posts", "*.md", site=site_dir)),
        *(
            (path, "page")
            for path in _files(content / "pages", "*.md", site=site_dir, recursive=False)
        ),
    ]
    for path, kind in kinds:
        try:
            files.append((path, kind, path.read_bytes()))
        except OSError as error:
            errors.append(SiteError(path, None, f"cannot be read: {error.strerror}"))
    digests = [hashlib.sha256(data).hexdigest() for _, _, data in files]
    keys = [f"{PARSER_VERSION}:{digest}" for digest in digests]
    known = remembered.front_matter(keys) if remembered is not None else {}
    fresh: dict[str, str] = {}
    if split_many is not None:
        unknown = [index for index, key in enumerate(keys) if key not in known]
        unsplit = [(*files[index], digests[index]) for index in unknown]
        for index, (_, record) in zip(unknown, split_many(unsplit), strict=True):
            if record is not None:
                known[keys[index]] = fresh[keys[index]] = record
    posts: list[Source] = []
    pages: list[Source] = []
    for (path, kind, data), digest, key in zip(files, digests, keys, strict=True):
        source, problem, record = _parse(path, data, kind, digest, known.get(key))
        if problem is not None:
            errors.append(problem)
        if source is not None:
            (posts if kind == "post" else pages).append(source)
            if record is not None and key not in known:
                fresh[key] = record
    if remembered is not None and fresh:
        remembered.store_front_matter(fresh)
    authors = read_data_file(content / "authors.yml", errors)
    series = read_data_file(content / "series.yml", errors, required=False)
    images = tuple(
        p.relative_to(content / "images") for p in _files(content / "images", "*", site=site_dir)
    )
    static = tuple(
        p.relative_to(site_dir / "static")
        for p in _files(site_dir / "static", "*", site=site_dir, hidden=True)
    )
    data_files = {content / "authors.yml", content / "series.yml"}
    beside = tuple(
        path.relative_to(content)
        for path in _files(content, "*", site=site_dir)
        if path.suffix != ".md"
        and path not in data_files
        and path.parts[len(content.parts)] != "images"
    )
    errors.extend(outside_links(site_dir))
    errors.extend(_habits(content, [path for path, _ in kinds], beside))
    return (
        SiteSources(
            site_dir=site_dir,
            posts=tuple(posts),
            pages=tuple(pages),
            authors=authors,
            series=series,
            images=images,
            static=static,
            files=beside,
        ),
        errors,
    )


def refreshed(
    sources: SiteSources, changed: Collection[Path]
) -> tuple[SiteSources, list[SiteError]] | None:
    """`sources` with the Markdown and data files among `changed` read again (or dropped,
    if gone): what `discover` would now return, without reading the rest of the site.

    The errors are those of the files read again. None if a change is one that only a
    whole `discover` can take in: any other file or folder, a symbolic link, a Markdown
    file where discover would not look for one.
    """
    site_dir = sources.site_dir
    content = site_dir / "content"
    top = site_dir.resolve()
    posts = {source.path: source for source in sources.posts}
    pages = {source.path: source for source in sources.pages}
    authors, series = sources.authors, sources.series
    errors: list[SiteError] = []
    for given in changed:
        try:
            relative = given.absolute().relative_to(site_dir.absolute())
        except ValueError:
            try:
                relative = given.resolve().relative_to(top)
            except ValueError:
                return None
        path = site_dir / relative
        parts = relative.parts
        skipped = (part in _NEVER or part.startswith(".") or part.endswith("~") for part in parts)
        if parts[:1] == ("content",) and any(skipped):
            continue  # a file or folder discover passes over: hidden, or an editor's leftover
        if path.is_symlink() or any(
            (site_dir.joinpath(*parts[:depth])).is_symlink() for depth in range(1, len(parts))
        ):
            return None
        if path.is_dir():
            if any(path.iterdir()):
                return None  # a folder with files in it: discover finds what it holds
            continue
        if parts == ("content", "authors.yml"):
            authors = read_data_file(path, errors)
            continue
        if parts == ("content", "series.yml"):
            series = read_data_file(path, errors, required=False)
            continue
        if path.suffix != ".md":
            return None
        if parts[:2] == ("content", "posts") and len(parts) > 2:
            kind: SourceKind = "post"
            found = posts
        elif parts[:2] == ("content", "pages") and len(parts) == 3:
            kind = "page"
            found = pages
        else:
            return None
        found.pop(path, None)
        try:
            status = path.stat()
        except FileNotFoundError:
            continue  # deleted
        except OSError as error:
            errors.append(SiteError(path, None, f"cannot be read: {error.strerror}"))
            continue
        if not stat.S_ISREG(status.st_mode):
            continue  # not a file (a pipe, a device): discover passes it over
        if status.st_nlink > 1:
            return None  # a hard link: a save under its other name is not reported as this
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue  # deleted
        except OSError as error:
            errors.append(SiteError(path, None, f"cannot be read: {error.strerror}"))
            continue
        source, problem, _ = _parse(path, data, kind, hashlib.sha256(data).hexdigest(), None)
        if problem is not None:
            errors.append(problem)
        if source is not None:
            found[path] = source
    return (
        dataclasses.replace(
            sources,
            posts=_in_order(posts, sources.posts, content / "posts"),
            pages=_in_order(pages, sources.pages, content / "pages"),
            authors=authors,
            series=series,
        ),
        errors,
    )


def _in_order(
    found: Mapping[Path, Source], was: Sequence[Source], folder: Path
) -> tuple[Source, ...]:
    """The sources `found` in the order `_files` lists the files of `folder` in."""
    if len(found) == len(was) and all(source.path in found for source in was):
        return tuple(found[source.path] for source in was)  # the same files: the same order
    return tuple(
        found[path] for path in sorted(found, key=lambda path: path.relative_to(folder).parts)
    )


def parse_source(
    path: Path, data: bytes, kind: SourceKind
) -> tuple[Source | None, SiteError | None]:
    """Split one file's bytes into front matter and body."""
    source, error, _ = _parse(path, data, kind, hashlib.sha256(data).hexdigest(), None)
    return source, error


def _parse(
    path: Path, data: bytes, kind: SourceKind, digest: str, remembered: str | None
) -> tuple[Source | None, SiteError | None, str | None]:
    """(source, error, the record to remember it by): parsed, or rebuilt from `remembered`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, SiteError(path, line, "not UTF-8 text (save the file as UTF-8)"), None
    if "\r" in text:  # most files have none: two copies of every file saved
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if remembered is not None:
        source = _from_record(path, kind, text, digest, remembered)
        if source is not None:
            return source, None, None
    bad = control_character(text)
    if bad is not None:
        line = text.count("\n", 0, bad[0]) + 1
        return None, SiteError(path, line, _control_message(bad[1])), None
    if not text.strip():
        message = (
            "the file is empty (write front matter and a body, as `journeyblog new` does,"
            " or delete the file)"
        )
        return None, SiteError(path, 1, message), None
    opening = _HANDLER.FM_BOUNDARY.match(text)
    if opening is None:
        return (
            None,
            SiteError(
                path,
                1,
                "no front matter (start the file with a line '---', then title:, date:, "
                "author:, security:, then '---')",
            ),
            None,
        )
    try:
        front, body = _HANDLER.split(text)
    except ValueError:
        message = "front matter is not closed (add a line '---' after it)"
        return None, SiteError(path, 1, message), None
    # `front` starts where the opening boundary ends: the rest of that line, so its first
    # YAML line is the boundary's own line.
    first_line = text.count("\n", 0, opening.end()) + 1
    meta, key_lines, _, error_at = _load_yaml(front, first_line=first_line)
    if error_at is not None:
        line, problem = error_at
        return None, SiteError(path, line, f"invalid YAML front matter: {problem}"), None
    if not isinstance(meta, dict):
        return (
            None,
            SiteError(
                path,
                2,
                "front matter must be 'key: value' lines (write title:, date:, author: and the"
                " rest between the --- lines)",
            ),
            None,
        )
    for key, value in meta.items():
        character = _control_in(value)
        if character is not None:
            return None, SiteError(path, key_lines.get(str(key)), _control_message(character)), None
    stripped = body.lstrip("\n")
    body_start = len(text) - len(stripped)
    body_line = text.count("\n", 0, body_start) + 1
    fields = {str(k): v for k, v in meta.items()}
    source = Source(
        path=path,
        kind=kind,
        meta=MappingProxyType(fields),
        key_lines=MappingProxyType(key_lines),
        body=stripped,
        body_line=body_line,
        digest=digest,
    )
    return source, None, _record(fields, key_lines, body_start, body_line)


def _record(
    meta: dict[str, Any], key_lines: dict[str, int], body_start: int, body_line: int
) -> str | None:
    """What to remember of a parse, as JSON; None if JSON cannot carry the values exactly."""
    try:
        record = json.dumps([meta, key_lines, body_start, body_line], ensure_ascii=False)
    except (TypeError, ValueError):
        return None  # a YAML set or binary value
    # An integer key in a nested mapping would come back as a string: then do not remember.
    return record if json.loads(record)[0] == meta else None


def _from_record(
    path: Path, kind: SourceKind, text: str, digest: str, record: str
) -> Source | None:
    try:
        meta, key_lines, body_start, body_line = json.loads(record)
        if not (isinstance(meta, dict) and isinstance(key_lines, dict)):
            return None
        return Source(
            path=path,
            kind=kind,
            meta=MappingProxyType(meta),
            key_lines=MappingProxyType({str(k): int(v) for k, v in key_lines.items()}),
            body=text[int(body_start) :],
            body_line=int(body_line),
            digest=digest,
        )
    except (ValueError, TypeError, RecursionError):
        return None  # not a record of ours: parse the file instead


def read_data_file(path: Path, errors: list[SiteError], *, required: bool = True) -> DataFile:
    """Read a YAML mapping; on any problem record it and return an empty mapping."""
    unreadable = DataFile(
        path=path, data=MappingProxyType({}), key_lines=MappingProxyType({}), readable=False
    )
    if path.is_symlink() and _leads_outside(path, path.parent.parent):
        return unreadable  # reported by outside_links
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if required:
            errors.append(SiteError(path, None, f"missing (create {path.name})"))
            return unreadable
        return DataFile(path=path, data=MappingProxyType({}), key_lines=MappingProxyType({}))
    empty = unreadable
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        errors.append(SiteError(path, line, "not UTF-8 text (save the file as UTF-8)"))
        return empty
    bad = control_character(text)
    if bad is not None:
        errors.append(SiteError(path, text.count("\n", 0, bad[0]) + 1, _control_message(bad[1])))
        return empty
    data, key_lines, field_lines, error_at = _load_yaml(text, first_line=1)
    if error_at is not None:
        errors.append(SiteError(path, error_at[0], f"invalid YAML: {error_at[1]}"))
        return empty
    if data is None:
        return DataFile(path=path, data=MappingProxyType({}), key_lines=MappingProxyType({}))
    if not isinstance(data, dict):
        errors.append(
            SiteError(
                path,
                1,
                "must be a mapping of slug: {…} (write each entry's slug, then its fields"
                " indented under it)",
            )
        )
        return empty
    for key, value in data.items():
        character = _control_in(value)
        if character is not None:
            errors.append(SiteError(path, key_lines.get(str(key)), _control_message(character)))
            return empty
    return DataFile(
        path=path,
        data=MappingProxyType({str(k): v for k, v in data.items()}),
        key_lines=MappingProxyType(key_lines),
        field_lines=MappingProxyType(field_lines),
    )


def read_source(path: Path, kind: SourceKind) -> tuple[Source | None, SiteError | None]:
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, SiteError(path, None, f"cannot be read: {error.strerror}")
    return parse_source(path, data, kind)


def _read_source(path: Path, kind: SourceKind, errors: list[SiteError]) -> Source | None:
    source, error = read_source(path, kind)
    if error is not None:
        errors.append(error)
    return source


def _load_yaml(
    text: str, *, first_line: int
) -> tuple[Any, dict[str, int], dict[tuple[str, str], int], tuple[int, str] | None]:
    """Parse YAML once: (data, line of each top-level key, line of each key one level down,
    the first problem as (line, message)). Lines are counted from first_line.

    A key written twice is a problem (YAML would keep the last silently: `security: internal`
    then `security: public` would publish).
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None and _too_large(node):
            message = (
                "the YAML expands to more than a front matter holds (aliases of aliases:"
                " write the values out)"
            )
            return None, {}, {}, (first_line, message)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        return None, {}, {}, _yaml_problem(error, text, first_line)
    except yaml.YAMLError as error:
        return None, {}, {}, (first_line, str(error).splitlines()[0])
    finally:
        loader.dispose()
    key_lines: dict[str, int] = {}
    nested: dict[tuple[str, str], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_lines.setdefault(str(key_node.value), first_line + key_node.start_mark.line)
            if isinstance(value_node, yaml.MappingNode):
                for inner, _ in value_node.value:
                    where = (str(key_node.value), str(inner.value))
                    nested.setdefault(where, first_line + inner.start_mark.line)
            elif isinstance(value_node, yaml.SequenceNode):
                # "aliases.1": the line of an item, for an error about that item alone
                for index, item in enumerate(value_node.value):
                    where_item = f"{key_node.value}.{index}"
                    key_lines.setdefault(where_item, first_line + item.start_mark.line)
    twice = _first_duplicate(node) if node is not None else None
    if twice is not None:
        key, first, second = twice
        message = (
            f"duplicate key '{key}' (lines {first_line + first} and {first_line + second}):"
            " keep one"
        )
        return None, {}, {}, (first_line + second, message)
    return data, key_lines, nested, None


# The most values a YAML document may stand for once its aliases are expanded: far more than
# any front matter or record holds, and far less than a few nested aliases can make.
_MOST_NODES = 100_000


def _too_large(node: yaml.Node) -> bool:
    """Whether the values `node` stands for, each alias counted as what it repeats, are
    more than _MOST_NODES (a "billion laughs" of aliases)."""
    count = 0
    pending = [node]
    while pending:
        current = pending.pop()
        count += 1
        if count > _MOST_NODES:
            return True
        if isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                pending += (key, value)
    return False


def _yaml_problem(error: yaml.MarkedYAMLError, text: str, first_line: int) -> tuple[int, str]:
    """Where a YAML error is, and what to do about it, in words an author can act on."""
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "cannot be read"
    if error.context_mark is not None and error.context in (
        "while parsing a flow sequence",
        "while parsing a flow mapping",
        "while scanning a quoted scalar",
    ):
        # An unclosed [, { or quote is noticed lines later: the opening is the cause.
        mark = error.context_mark
        closing = {"sequence": "]", "mapping": "}"}.get(error.context.split()[-1], "quote")
        what = "a [ that is never closed" if closing == "]" else f"an unclosed {closing}"
        if closing == "}":
            what = "a { that is never closed"
        line = first_line + mark.line
        return line, f"{what} (close it on this line, or quote the whole value)"
    line = first_line + mark.line if mark is not None else first_line
    if mark is not None and "\t" in _line_of(text, mark.line)[: mark.column + 1]:
        return line, "a tab in the indentation (YAML indents with spaces: replace the tab)"
    return line, f"{problem} (a value with ': ' or a leading quote needs quoting)"


def _line_of(text: str, index: int) -> str:
    lines = text.split("\n")
    return lines[index] if 0 <= index < len(lines) else ""


def _first_duplicate(node: yaml.Node) -> tuple[str, int, int] | None:
    """(key, first line, second line), counted from 0, of the first key a mapping repeats,
    at any depth."""
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in current.value:
                key = str(key_node.value)
                line = key_node.start_mark.line
                if key in seen and key != "<<":
                    return key, seen[key], line
                seen.setdefault(key, line)
                pending.append(value_node)
        elif isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)
    return None


def _control_in(value: object) -> str | None:
    """The first character no feed can carry in a YAML value (written as an escape: "\\x0b")."""
    if isinstance(value, str):
        bad = control_character(value)
        return bad[1] if bad else None
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list):
        for item in value:
            found = _control_in(item)
            if found is not None:
                return found
    return None


def _control_message(character: str) -> str:
    return (
        f"control character {character}, which no page or feed can carry (delete it; "
        "it often comes from pasting from a word processor)"
    )


# Other tools' names for Markdown files: here they would be published as they are, front
# matter and all, by a link to them.
_MARKDOWN_SUFFIXES = (".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtxt", ".mdtext", ".md")


def _habits(content: Path, sources: Sequence[Path], beside: Sequence[Path]) -> list[SiteError]:
    """Files named as other tools name what they leave out or read as posts: a Markdown file
    not named .md, a post under a folder or with a name that begins with "_" (Jekyll's
    _drafts/, which Jekyll and Eleventy never publish and journeyblog would)."""
    errors = []
    for relative in beside:
        name = relative.name.lower()
        if name.endswith(_MARKDOWN_SUFFIXES) or name.endswith(".md.txt"):
            stem = relative.name[:-7] if name.endswith(".md.txt") else relative.stem
            errors.append(
                SiteError(
                    content / relative,
                    None,
                    f"a Markdown file journeyblog does not read as a post, and would publish as"
                    f" it is if linked (rename it to {stem}.md, or move it out of content/)",
                )
            )
    for path in sources:
        if path.name.lower().endswith(".draft.md"):
            errors.append(
                SiteError(
                    path,
                    None,
                    "a name ending .draft.md does not keep a post back here (write draft: true"
                    " in its front matter)",
                )
            )
        named = next(
            (part for part in path.relative_to(content).parts if part.startswith("_")), None
        )
        if named is not None:
            errors.append(
                SiteError(
                    path,
                    None,
                    f"'{named}' begins with _, which Jekyll and Eleventy leave out and journeyblog"
                    " publishes (keep a post back with draft: true, or rename it)",
                )
            )
    return errors


def _files(
    folder: Path, pattern: str, *, site: Path, recursive: bool = True, hidden: bool = False
) -> Iterator[Path]:
    """Files under folder in a stable order, skipping editor leftovers and, unless `hidden`,
    hidden files; `.git` and `.DS_Store` always.

    Links to files inside the site count; a link that leads outside it is never followed
    (`outside_links` reports it), and linked folders are not entered. One scandir per
    folder and no stat per file: on a 10,000-post site this is read on every build.
    """
    if not folder.is_dir() or (folder.is_symlink() and _leads_outside(folder, site)):
        return
    found: list[tuple[str, ...]] = []
    pending: list[tuple[str, ...]] = [()]
    while pending:
        parts = pending.pop()
        with os.scandir(folder.joinpath(*parts)) as entries:
            for entry in entries:
                name = entry.name
                if name in _NEVER or (name.startswith(".") and not hidden) or name.endswith("~"):
                    continue
                if entry.is_symlink() and _leads_outside(Path(entry.path), site):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if recursive:
                        pending.append((*parts, name))
                elif fnmatch.fnmatchcase(name, pattern) and entry.is_file():
                    found.append((*parts, name))
    for parts in sorted(found):
        yield folder.joinpath(*parts)


_NEVER = frozenset({".git", ".DS_Store"})


def outside_links(site_dir: Path) -> list[SiteError]:
    """Every file or folder under content/, static/ or themes/ that is a symbolic link
    leading outside the site folder: nothing outside the site is ever read."""
    errors = []
    for top in ("content", "static", "themes"):
        root = site_dir / top
        if root.is_symlink() and _leads_outside(root, site_dir):
            errors.append(SiteError(root, None, _OUTSIDE))
            continue
        pending = [str(root)]
        while pending:  # one scandir a folder: a link is told by the listing, with no stat
            try:
                with os.scandir(pending.pop()) as listing:
                    entries = sorted(listing, key=lambda entry: entry.name)
            except OSError:
                continue  # an unreadable or missing folder is passed over, as os.walk does
            for entry in entries:
                if entry.is_symlink():
                    if _leads_outside(Path(entry.path), site_dir):
                        errors.append(SiteError(Path(entry.path), None, _OUTSIDE))
                elif entry.is_dir():
                    pending.append(entry.path)
    return errors


_OUTSIDE = "a link to a file outside the site: copy the file in (nothing outside is read)"


def _leads_outside(path: Path, site: Path) -> bool:
    """Whether a symbolic link resolves outside the site folder (a broken one counts)."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return True
    return not target.is_relative_to(site.resolve())
