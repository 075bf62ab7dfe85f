"""What decides the bytes a build makes besides its input: the versions of journeyblog's own
code and of the libraries that shape its output. Every key and cached value includes it."""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

from journeyblog import __version__


def _versions() -> str:
    names = (
        "markdown-it-py",
        "markdown-it-pyrs",
        "mdit-py-plugins",
        "pygments",
        "jinja2",
        "feedgen",
    )
    found = []
    for name in names:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=?")
    return f"journeyblog={__version__};code={_code_digest()};" + ";".join(found)


def _code_digest(package: Path = Path(__file__).parent) -> str:
    """A hash of journeyblog's own modules: changed code may make different bytes from the
    same input, and a cache written by other code must not be trusted for that, whatever
    the version number says (a checkout between releases, a local patch)."""
    digest = hashlib.sha256()
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode() + b"\0")
        digest.update(module.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


VERSIONS = _versions()
