"""What a build is asked for: the site, the output folder, the audience and cutoff, how many
processes. Read by the CLI, the pipeline and the engine alike, and light to import: the check
that finds nothing to build loads it without the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    site_dir: Path
    out_dir: Path | None = None  # default SITE_DIR/output
    base_url: str | None = None
    audience: str | None = None
    drafts: bool = False
    future: bool = False
    now: datetime | None = None  # the cutoff for future posts; default the current time
    jobs: int | None = None  # worker processes; default the CPU count
    cache: bool = True  # use and update SITE_DIR/.journeyblog-cache/
    manifest: Path | None = None  # default OUTPUT.manifest.json, beside the output folder
    strict: bool = False  # every warning is an error (for CI)
    # Change only the files that changed instead of swapping in a new tree: for a folder no
    # one publishes from (the dev server's), where the swap's cost buys nothing.
    in_place: bool = False

    @property
    def output(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.site_dir / "output"

    @property
    def manifest_path(self) -> Path:
        return self.manifest if self.manifest is not None else manifest_beside(self.output)


def manifest_beside(out_dir: Path) -> Path:
    """Where the publication manifest of an output folder goes: beside it, never in it, so
    the deployed site says nothing of what it withholds ("output" -> "output.manifest.json")."""
    if out_dir.name in ("", ".", ".."):
        out_dir = out_dir.resolve()  # "-o ." names the folder it is
    if not out_dir.name:
        return out_dir / "output.manifest.json"  # the root: a build refuses it as an output
    return out_dir.with_name(out_dir.name + ".manifest.json")
