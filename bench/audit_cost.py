"""What the leak audit costs, over a site already built: the CPU seconds to prepare it and
to read every file of the output, in one process, best of a few runs.

    .venv/bin/python bench/audit_cost.py SITE_DIR [--output DIR] [--runs 3]

Compare with the CPU of a cold build of the same site (`/usr/bin/time journeyblog build`);
the build spreads the reading over its workers.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from journeyblog.audit import Auditor
from journeyblog.config import load_config
from journeyblog.model import Output
from journeyblog.site import Selection, assemble
from journeyblog.sources import discover


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--output", type=Path, help="default SITE/output")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    output = options.output or options.site / "output"
    config = load_config(options.site)
    sources, _ = discover(options.site)
    site, errors = assemble(config, sources, selection=Selection(now=datetime.now(UTC)))
    if errors:
        raise SystemExit("\n".join(str(error) for error in errors))
    files = [
        (path.relative_to(output).as_posix(), path.read_bytes())
        for path in sorted(output.rglob("*"))
        if path.is_file()
    ]
    size = sum(len(data) for _, data in files)
    prepared, scanned = [], []
    for _ in range(options.runs):
        started = time.process_time()
        auditor = Auditor(site.withheld, "")
        prepared.append(time.process_time() - started)
        started = time.process_time()
        for path, data in files:
            auditor.scan(Output(path, data))
        scanned.append(time.process_time() - started)
    print(
        f"{len(site.withheld)} withheld; prepared in {min(prepared):.2f} s; read {len(files)}"
        f" files, {size / 1e6:.0f} MB, in {min(scanned):.2f} s (CPU, best of {options.runs})"
    )


if __name__ == "__main__":
    main()
