"""Errors a user can act on.

    SiteError      one problem in one file (path, line, message): data, collected and shown together
    BuildFailed    raised once a stage has collected every SiteError it found; exit code 1
    OptionInvalid  a BuildFailed caused by a command-line option; exit code 2
    UnsafePath     an output path that would land outside the output folder

Imports nothing from journeyblog. Bugs in journeyblog itself are not SiteErrors: they raise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class SiteError:
    """One problem in one file, worded to say what to do about it."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"

    def sort_key(self) -> tuple[str, int]:
        return (str(self.path), self.line or 0)


class BuildFailed(Exception):
    """The build stopped before writing anything; every error it found is kept."""

    exit_code: ClassVar[int] = 1

    def __init__(self, errors: Sequence[SiteError]) -> None:
        self.errors = tuple(sorted(errors, key=SiteError.sort_key))
        super().__init__("\n".join(str(error) for error in self.errors))

    def __reduce__(self) -> tuple[type[BuildFailed], tuple[tuple[SiteError, ...]]]:
        return (type(self), (self.errors,))  # raised in a worker, it crosses back unchanged


class OptionInvalid(BuildFailed):
    """A command-line option the site cannot honour (an unknown --audience): a usage error."""

    exit_code: ClassVar[int] = 2


class UnsafePath(Exception):
    """A path from content (slug, alias, image) that would be written outside the output folder."""

    def __init__(self, path: str, why: str = "refusing to write outside the output folder") -> None:
        self.path = path
        self.why = why
        super().__init__(f"{why}: {path!r}")

    def __reduce__(self) -> tuple[type[UnsafePath], tuple[str, str]]:
        return (UnsafePath, (self.path, self.why))  # raised in a worker, it crosses back unchanged


# Characters no page or feed can carry: XML 1.0 allows no C0 control but tab, newline and
# carriage return, nor U+FFFE and U+FFFF. They arrive pasted from word processors (a vertical
# tab is Word's line break), so the stages that read text report them instead of failing later.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def control_character(text: str) -> tuple[int, str] | None:
    """(offset, "U+000B") of the first character in `text` no feed can carry, else None.

    >>> control_character("line\x0bbreak")
    (4, 'U+000B')
    """
    match = _NOT_TEXT.search(text)
    return None if match is None else (match.start(), f"U+{ord(match.group()):04X}")
