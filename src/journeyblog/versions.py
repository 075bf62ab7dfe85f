"""What decides the bytes a build makes besides its input: the versions of journeyblog's own
code, of the libraries that shape its output, and of Python and zlib. Every key and cached
value includes it."""

from __future__ import annotations

import hashlib
import os
import re
import sys
import zlib
from collections.abc import Iterable
from pathlib import Path

from journeyblog import __version__

# The libraries whose versions may change what a build writes: parsing (front matter, YAML,
# Markdown), rendering (templates, highlighting, dates and plurals), feeds, pictures, books,
# compression and time zones. What runs the command line, the server and the audit's search
# does not change the bytes (tests/unit/test_versions.py holds this list to pyproject.toml).
SHAPING = (
    "babel",
    "brotli",
    "ebooklib",
    "feedgen",
    "jinja2",
    "lxml",
    "markdown-it-py",
    "markdown-it-pyrs",
    "markupsafe",
    "mdit-py-plugins",
    "pillow",
    "pygments",
    "python-frontmatter",
    "pyyaml",
    "tzdata",
)


def _versions() -> str:
    found = _installed(SHAPING, sys.path)
    libraries = ";".join(f"{name}={found.get(name) or _metadata_version(name)}" for name in SHAPING)
    python = ".".join(map(str, sys.version_info[:3]))
    runtime = f"python={python};zlib={zlib.ZLIB_RUNTIME_VERSION}"
    return f"journeyblog={__version__};code={_code_digest()};{runtime};{libraries}"


def _code_digest(package: Path = Path(__file__).parent) -> str:
    """A hash of journeyblog's own modules: changed code may make different bytes from the
    same input, and a cache written by other code must not be trusted for that, whatever
    the version number says (a checkout between releases, a local patch)."""
    digest = hashlib.sha256()
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode() + b"\0")
        digest.update(module.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


_INSTALLED = re.compile(r"(?P<name>[^-]+)-(?P<version>[^-]+)(-py[^-]*)?\.(?P<kind>dist|egg)-info")


def _installed(names: Iterable[str], paths: Iterable[str]) -> dict[str, str]:
    """The version of each of `names` installed as a wheel, from the name of its
    `.dist-info` folder (the wheel format puts the version there), the first found along
    `paths` as Python imports it ("" for one installed otherwise). Reading the folders'
    names costs far less than importing importlib.metadata, which `journeyblog build`
    with nothing changed would wait for."""
    wanted = {_normalise(name): name for name in names}
    found: dict[str, str] = {}
    for path in paths:
        try:
            entries = os.listdir(path or ".")
        except OSError:
            continue
        for entry in sorted(entries):
            match = _INSTALLED.fullmatch(entry)
            name = match and wanted.get(_normalise(match["name"]))
            if match and name and name not in found:
                # An egg's folder may name another version than its metadata: "" asks that.
                found[name] = match["version"] if match["kind"] == "dist" else ""
    return found


def _normalise(name: str) -> str:
    """A distribution's name as PEP 503 compares names."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _metadata_version(name: str) -> str:
    """The version importlib.metadata finds: for a library not installed as a wheel."""
    from importlib import metadata  # rarely needed, slow to import

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


VERSIONS = _versions()
