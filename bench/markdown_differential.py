"""The Markdown fast path against markdown-it-py on Markdown nobody here wrote: every `.md`
file under the folders given, and the long description (a package's README) in the METADATA
of every wheel installed there or in this Python.

    python bench/markdown_differential.py /usr /root tests/tools/node_modules

Each file is compared whole and in runs of twenty blocks (split at blank lines), each as
written, without its last line break and as read from a file saved with CRLF line ends
(tests/unit/test_markdown_spec.py's `_variants`), under two base paths. A text the fast path
takes must come out of it exactly as markdown-it-py renders it, in every part of the
Rendered. Prints each difference; exits 1 if any.
"""

from __future__ import annotations

import argparse
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.unit.test_markdown_spec import BASE_PATHS, _parts, _variants

from journeyblog.markdown import _render_python
from journeyblog.markdown_fast import fast_renders, render_fast

RUN = 20  # blocks a piece


def texts(folders: list[Path]) -> Iterator[tuple[Path, str]]:
    """Each Markdown file under `folders`, and each installed wheel's long description."""
    found = [
        path
        for folder in [*folders, Path(sysconfig.get_paths()["purelib"])]
        for pattern in ("*.md", "METADATA")
        for path in folder.rglob(pattern)
        if path.is_file() and (pattern != "METADATA" or path.parent.suffix == ".dist-info")
    ]
    for path in sorted(set(found)):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if path.name == "METADATA":
            text = text.partition("\n\n")[2]  # the headers, then the description
        if text.strip():
            yield path, text


def pieces(text: str) -> Iterator[str]:
    """The text, and its runs of RUN blocks, each ending as a file does (a line break)."""
    yield text
    blocks = text.split("\n\n")
    if len(blocks) > RUN:
        for start in range(0, len(blocks), RUN):
            yield "\n\n".join(blocks[start : start + RUN]).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", type=Path, nargs="*")
    a = ap.parse_args(argv)
    missing = [folder for folder in a.folders if not folder.is_dir()]
    if missing:
        ap.error(f"no such folder: {missing[0]}")
    files = compared = taken = declined = differ = 0
    for path, text in texts(a.folders):
        files += 1
        for piece in pieces(text):
            for variant in dict.fromkeys(_variants(piece)):
                compared += 1
                if not fast_renders(variant):
                    continue
                taken += 1
                for base_path in BASE_PATHS:
                    fast = render_fast(variant, base_path)
                    if fast is None:  # the build renders it with markdown-it-py, as here
                        declined += 1
                        continue
                    slow = _render_python(variant, base_path=base_path, allow_raw_html=False)
                    if _parts(fast) != _parts(slow):
                        differ += 1
                        print(f"differs: {path} ({len(variant)} characters, base {base_path})")
                        break
    print(
        f"{files} files, {compared} texts, {taken} taken by the fast path "
        f"({declined} renderings of them declined part way), {differ} differ"
    )
    return 1 if differ or not taken else 0


if __name__ == "__main__":
    sys.exit(main())
