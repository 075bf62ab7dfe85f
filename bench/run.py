#!/usr/bin/env python3
"""Time journeyblog side by side with Hugo, Pelican, Eleventy and the Python floor.

    python bench/run.py --posts 1000 10000 [--runs 3] [--peers-dir DIR] [--journeyblog EXE]
                        [--only journeyblog,hugo,...] [--kit DIR] [--work DIR] [--timeout S]

For each size the corpus is generated with the benchmark kit's make_corpus.py (one site per
flavor, reused when already generated with the same size, seed and kit), the peers are
installed with the kit's peers/install.sh (skipped when already installed), and every tool is
timed in interleaved rounds after one unmeasured warm-up of each. Each run is measured with
/usr/bin/time -v (wall, user+sys, largest process RSS) while a thread samples the RSS summed
over the whole process tree every 20 ms, and its PSS (which counts a page shared by forked
processes once, split between them) every 100 ms. The tables go to stdout and to bench/RESULTS.md.
Then, for each size, what a reader downloads from each output (bench/weight.py: the largest
page, the output's size, and the search page's first query, measured in Chromium when
playwright is installed). Not a test, CI does not run it. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import weight

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
DEFAULT_KIT = Path(__file__).resolve().parents[2] / "shared" / "bench"
DEFAULT_WORK = BENCH_DIR / ".work"
RESULTS = BENCH_DIR / "RESULTS.md"
NOW = "2026-11-25T12:00:00+00:00"
TIME_BIN = Path("/usr/bin/time")
SAMPLE_SECONDS = 0.02
PSS_EVERY = 5  # samples: reading smaps_rollup walks the page tables, so less often
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MB = 1_000_000
DASH = "\u2013"  # en dash, as in "min-max" ranges of the tables

JB_COLD, JB_WARM, JB_EDIT = "journeyblog-cold", "journeyblog-warm", "journeyblog-edit"
JB_EDIT_AGAIN = "journeyblog-edit-again"
TOOLS = (JB_COLD, JB_WARM, JB_EDIT, JB_EDIT_AGAIN, "hugo", "pelican", "eleventy", "floor")
JOURNEYBLOG_TOOLS = (JB_COLD, JB_WARM, JB_EDIT, JB_EDIT_AGAIN)
JOURNEYBLOG_REBUILDS = (JB_WARM, JB_EDIT, JB_EDIT_AGAIN)
PEERS = ("hugo", "pelican", "eleventy", "floor")
LABELS = {
    JB_COLD: "journeyblog cold",
    JB_WARM: "journeyblog warm (no change)",
    JB_EDIT: "journeyblog, one post edited",
    JB_EDIT_AGAIN: "journeyblog, edited again",
    "hugo": "Hugo cold",
    "pelican": "Pelican cold",
    "eleventy": "Eleventy cold",
    "floor": "Python floor (1 core)",
}
FLAVOR = {
    JB_COLD: "journeyblog",
    JB_WARM: "journeyblog",
    JB_EDIT: "journeyblog",
    JB_EDIT_AGAIN: "journeyblog",
    "hugo": "hugo",
    "pelican": "pelican",
    "eleventy": "eleventy",
    "floor": "journeyblog",
}
OUTPUT_DIR = {
    JB_COLD: "output",
    JB_WARM: "output",
    JB_EDIT: "output",
    JB_EDIT_AGAIN: "output",
    "hugo": "public",
    "pelican": "output",
    "eleventy": "_site",
}
VERSION_LABELS = {
    JB_COLD: "journeyblog",
    "hugo": "Hugo",
    "pelican": "Pelican",
    "eleventy": "Eleventy",
    "floor": "floor: markdown-it-py",
}
# Files that show a peer is installed (paths under the peers folder).
PEER_FILES = {
    "hugo": ("hugo",),
    "pelican": ("pelican-venv/bin/pelican",),
    "eleventy": (
        "node/node_modules/@11ty/eleventy/cmd.cjs",
        "node/node_modules/@11ty/eleventy-plugin-rss/package.json",
    ),
    "floor": ("floor-venv/bin/python",),
}
# HTML pages a peer writes beyond posts, home pages and series pages (shared/bench/README.md).
PEER_EXTRA_PAGES = {"hugo": 54, "pelican": 52, "eleventy": 50}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- measuring one run -------------------------------------------------------------------


class TreeSampler(threading.Thread):
    """Samples the RSS, and the PSS, summed over every descendant of `root` (root excluded).

    Each tick lists /proc, reads the parent of each process not seen before and the RSS of
    the processes in the tree, so the cost stays small however many processes run. RSS
    counts a page that forked processes share once per process; PSS splits it between them,
    so the tree's PSS is the memory it really holds.
    """

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak = 0
        self.peak_pss = 0
        self._done = threading.Event()
        self._in_tree: dict[int, bool] = {pid: False for pid in _pids()}
        self._in_tree[root] = True

    def run(self) -> None:
        tick = 0
        while not self._done.is_set():
            self.peak = max(self.peak, self._tree_rss())
            if tick % PSS_EVERY == 0:
                self.peak_pss = max(self.peak_pss, self._tree_pss())
            tick += 1
            self._done.wait(SAMPLE_SECONDS)

    def _tree_pss(self) -> int:
        return sum(_pss(pid) for pid, mine in self._in_tree.items() if mine and pid != self.root)

    def stop(self) -> None:
        self._done.set()
        self.join()

    def _tree_rss(self) -> int:
        pids = _pids()
        for gone in self._in_tree.keys() - pids:
            del self._in_tree[gone]
        parents = {pid: _parent(pid) for pid in pids - self._in_tree.keys()}
        changed = True
        while changed:  # a new child may be listed before its new parent is classified
            changed = False
            for pid, parent in list(parents.items()):
                if self._in_tree.get(parent):
                    self._in_tree[pid] = True
                    del parents[pid]
                    changed = True
        self._in_tree.update(dict.fromkeys(parents, False))
        return sum(_rss(pid) for pid, mine in self._in_tree.items() if mine and pid != self.root)


def _pids() -> set[int]:
    return {int(name) for name in os.listdir("/proc") if name.isdigit()}


def _parent(pid: int) -> int:
    """The parent of `pid`; 0 for a process gone meanwhile (its stat read empty or cut)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
        return int(stat[stat.rindex(b")") + 2 :].split(None, 2)[1])
    except (OSError, ValueError, IndexError):
        return 0


def _pss(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return 0
    match = re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE)
    return int(match.group(1)) * 1024 if match else 0


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_bytes().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


@dataclass(slots=True)
class Run:
    """One timed run of one tool. `failure` is None when it succeeded."""

    wall: float = 0.0
    cpu: float = 0.0
    max_rss: int = 0  # bytes, largest single process (time -v)
    tree_rss: int = 0  # bytes, peak of the sum over the process tree (sampled)
    tree_pss: int = 0  # bytes, peak of the PSS summed over the process tree (sampled)
    html: int | None = None
    failure: str | None = None

    @property
    def peak_rss(self) -> int:
        return max(self.max_rss, self.tree_rss)


def _time_value(report: str, label: str) -> str | None:
    match = re.search(rf"^\s*{re.escape(label)}: (.+)$", report, re.MULTILINE)
    return match.group(1).strip() if match else None


def _elapsed(text: str) -> float:
    """`h:mm:ss` or `m:ss.ss` from time -v as seconds."""
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def log_failure(what: str, failure: str, logs: Path) -> None:
    """Say what failed, with the tail of its stderr (or stdout when stderr is empty)."""
    log(f"  {what} FAILED: {failure}")
    detail = tail(logs.with_suffix(".err")) or tail(logs.with_suffix(".out"))
    if detail:
        log("    " + detail.replace("\n", "\n    "))


def measure(cmd: Sequence[str], cwd: Path, timeout: float, logs: Path) -> Run:
    """Run `cmd` in `cwd` under /usr/bin/time -v; stdout/stderr go to logs.{out,err}."""
    time_file = logs.with_suffix(".time")
    out_file, err_file = logs.with_suffix(".out"), logs.with_suffix(".err")
    time_file.unlink(missing_ok=True)
    started = time.perf_counter()
    with out_file.open("wb") as out, err_file.open("wb") as err:
        try:
            proc = subprocess.Popen(
                [str(TIME_BIN), "-v", "-o", str(time_file), *cmd],
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own process group, so a timeout kills the tree
            )
        except OSError as error:
            return Run(failure=f"cannot start: {error}")
        sampler = TreeSampler(proc.pid)
        sampler.start()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return Run(failure=f"timeout after {timeout:g} s")
        except BaseException:
            _kill_group(proc)
            raise
        finally:
            sampler.stop()
    own_wall = time.perf_counter() - started
    report = time_file.read_text(encoding="utf-8", errors="replace") if time_file.exists() else ""
    if proc.returncode != 0:
        return Run(failure=f"exit {proc.returncode}")
    user = float(_time_value(report, "User time (seconds)") or 0)
    system = float(_time_value(report, "System time (seconds)") or 0)
    elapsed = _time_value(report, "Elapsed (wall clock) time (h:mm:ss or m:ss)")
    max_rss_kb = int(_time_value(report, "Maximum resident set size (kbytes)") or 0)
    return Run(
        wall=_elapsed(elapsed) if elapsed else own_wall,
        cpu=user + system,
        max_rss=max_rss_kb * 1024,
        tree_rss=sampler.peak,
        tree_pss=sampler.peak_pss,
    )


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def count_html(folder: Path) -> int:
    return sum(name.endswith(".html") for _, _, names in os.walk(folder) for name in names)


# --- setup: time, corpus, peers ----------------------------------------------------------


def ensure_time() -> None:
    if TIME_BIN.exists():
        return
    log("/usr/bin/time is missing: installing the Debian package `time`")
    if os.geteuid() != 0:
        sys.exit("run.py: /usr/bin/time is missing; install it: apt-get install -y time")
    subprocess.run(["apt-get", "update"], check=True)
    subprocess.run(["apt-get", "install", "-y", "time"], check=True)


def _digest(paths: Sequence[Path]) -> str:
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.name.encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def ensure_corpus(kit: Path, corpus: Path, flavor: str, posts: int, seed: int) -> Path:
    """The site for one flavor and size, generated once and reused while the kit is the same."""
    site = corpus / flavor
    marker = corpus / f"{flavor}.json"
    peer_files = sorted(p for p in (kit / "peers" / flavor).rglob("*") if p.is_file())
    args = ["--posts", str(posts), "--flavor", flavor, "--seed", str(seed)]
    if flavor == "journeyblog":
        args += ["--audience", "restricted"]  # every post rendered, as the peers do
    wanted = {"args": args, "kit": _digest([kit / "make_corpus.py", *peer_files])}
    if site.is_dir() and marker.exists():
        try:
            if json.loads(marker.read_text(encoding="utf-8")) == wanted:
                return site
        except ValueError:
            pass
    log(f"generating the {flavor} corpus, {posts} posts -> {site}")
    marker.unlink(missing_ok=True)
    shutil.rmtree(site, ignore_errors=True)
    corpus.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(kit / "make_corpus.py"), *args, "--out", str(site)], check=True
    )
    marker.write_text(json.dumps(wanted), encoding="utf-8")
    return site


def missing_peers(peers_dir: Path, tools: Sequence[str]) -> list[str]:
    return [
        tool
        for tool in tools
        if tool in PEER_FILES and not all((peers_dir / f).exists() for f in PEER_FILES[tool])
    ]


def ensure_peers(kit: Path, peers_dir: Path, tools: Sequence[str]) -> None:
    if not missing_peers(peers_dir, tools):
        return
    log(f"installing the peers into {peers_dir} (a few minutes)")
    done = subprocess.run(["bash", str(kit / "peers" / "install.sh"), str(peers_dir)])
    if done.returncode != 0:
        log("run.py: peers/install.sh failed; the peers it did not install are reported failed")


def _version(cmd: Sequence[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    found = re.search(r"\d+\.\d+(\.\d+)?", done.stdout or done.stderr)
    return found.group(0) if done.returncode == 0 and found else "?"


# --- the tools ---------------------------------------------------------------------------


@dataclass(slots=True)
class Size:
    """Everything needed to build every tool at one corpus size."""

    posts: int
    sites: dict[str, Path]
    scratch: Path
    edit_target: Path | None = None
    edit_original: bytes = b""
    edits: int = 0
    session: str = field(default_factory=lambda: f"{time.time_ns():x}")


@dataclass(slots=True)
class Tool:
    name: str
    cmd: list[str]
    cwd: Path
    prepare: Callable[[], str | None]  # returns a failure, or None
    output: Path | None


def rm(*paths: Path) -> None:
    for path in paths:
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.exists():
            shutil.rmtree(path)


def make_tool(name: str, size: Size, cfg: Config) -> Tool:
    site = size.sites[FLAVOR[name]]
    peers = cfg.peers_dir
    output = site / OUTPUT_DIR[name] if name in OUTPUT_DIR else None

    def nothing() -> str | None:
        return None

    if name in JOURNEYBLOG_TOOLS:
        cmd = [str(cfg.journeyblog), "build", str(site), "--now", NOW]

        def cold() -> str | None:
            # The spare (.output.staging, the last output's folders kept for reuse) goes too.
            rm(site / "output", site / ".output.staging", site / ".journeyblog-cache")
            return None

        def warm() -> str | None:  # the first of the two builds; the second one is timed
            logs = cfg.logs / f"{size.posts}-{name}-prime"
            primed = measure(cmd, site, cfg.timeout, logs)
            if primed.failure is None:
                return None
            log_failure(f"{size.posts} posts  {name} priming build", primed.failure, logs)
            return f"priming build: {primed.failure}"

        def edit() -> str | None:
            assert size.edit_target is not None
            size.edits += 1
            sentence = f"\nEdited for timing run {size.edits} of session {size.session}.\n"
            size.edit_target.write_bytes(size.edit_original + sentence.encode())
            return None

        def edit_again() -> str | None:
            # An edit and its build first (untimed), then the timed edit: the second save
            # of a session, which finds the spare staging folder the first build left.
            edit()
            failure = warm()
            return failure if failure is not None else edit()

        prepare = {JB_COLD: cold, JB_WARM: warm, JB_EDIT: edit, JB_EDIT_AGAIN: edit_again}[name]
        return Tool(name, cmd, site, prepare, output)
    if name == "hugo":
        cache = size.scratch / "hugocache"

        def hugo() -> str | None:
            rm(site / "public", site / "resources", cache)
            return None

        cmd = [str(peers / "hugo"), "--quiet", "--cacheDir", str(cache)]
        return Tool(name, cmd, site, hugo, output)
    if name == "pelican":

        def pelican() -> str | None:
            rm(site / "output", site / "cache")
            return None

        cmd = [str(peers / "pelican-venv/bin/pelican"), "-q", "-s", "pelicanconf.py", "content"]
        return Tool(name, [*cmd, "-o", "output"], site, pelican, output)
    if name == "eleventy":

        def eleventy() -> str | None:
            link = site / "node_modules"
            if link.is_symlink() or link.exists():
                rm(link)
            link.symlink_to(peers / "node" / "node_modules")
            rm(site / "_site", site / ".cache")
            return None

        cmd = ["node", "node_modules/@11ty/eleventy/cmd.cjs", "--quiet"]
        return Tool(name, cmd, site, eleventy, output)
    cmd = [str(peers / "floor-venv/bin/python"), str(cfg.kit / "floor.py"), str(site)]
    return Tool(name, cmd, site, nothing, None)


def pick_edit_target(size: Size, saved: Path) -> None:
    """The post the edit runs append to: the middle one, restored to its generated bytes."""
    posts = sorted((size.sites["journeyblog"] / "content" / "posts").rglob("*.md"))
    size.edit_target = posts[len(posts) // 2]
    if saved.exists():
        size.edit_original = saved.read_bytes()
        size.edit_target.write_bytes(size.edit_original)
    else:
        size.edit_original = size.edit_target.read_bytes()
        saved.write_bytes(size.edit_original)


def run_once(tool: Tool, size: Size, cfg: Config, label: str) -> Run:
    failure = tool.prepare()
    if failure is not None:
        return Run(failure=failure)
    logs = cfg.logs / f"{size.posts}-{tool.name}"
    result = measure(tool.cmd, tool.cwd, cfg.timeout, logs)
    if result.failure is None:
        if tool.output is not None:
            result.html = count_html(tool.output)
        log(
            f"  {size.posts} posts  {tool.name:<17} {label:<8} {result.wall:8.2f} s"
            f"  {result.peak_rss / MB:7.0f} MB"
        )
    else:
        log_failure(f"{size.posts} posts  {tool.name} {label}", result.failure, logs)
    return result


@dataclass(slots=True)
class Outcome:
    runs: list[Run] = field(default_factory=list)
    failure: str | None = None

    def median(self) -> float | None:
        if self.failure or not self.runs:
            return None
        return statistics.median(r.wall for r in self.runs)


def bench_size(posts: int, cfg: Config) -> dict[str, Outcome]:
    corpus = cfg.work / "corpus" / f"{posts}-s{cfg.seed}"
    flavors = sorted({FLAVOR[t] for t in cfg.tools})
    sites = {f: ensure_corpus(cfg.kit, corpus, f, posts, cfg.seed) for f in flavors}
    size = Size(posts, sites, cfg.work / "scratch" / str(posts))
    size.scratch.mkdir(parents=True, exist_ok=True)
    outcomes = {name: Outcome() for name in cfg.tools}
    unavailable = set(missing_peers(cfg.peers_dir, cfg.tools))
    if any(t in JOURNEYBLOG_TOOLS for t in cfg.tools) and not cfg.journeyblog.is_file():
        unavailable.update(JOURNEYBLOG_TOOLS)
    for name in unavailable & set(cfg.tools):
        outcomes[name].failure = "not installed"
    tools = [make_tool(t, size, cfg) for t in cfg.tools if t not in unavailable]
    if JB_EDIT in cfg.tools or JB_EDIT_AGAIN in cfg.tools:
        pick_edit_target(size, corpus / "edit-original.md")
    try:
        for label in ["warm-up", *(f"run {i}/{cfg.runs}" for i in range(1, cfg.runs + 1))]:
            for tool in tools:
                outcome = outcomes[tool.name]
                if outcome.failure is not None:
                    continue
                result = run_once(tool, size, cfg, label)
                if result.failure is not None:
                    outcome.failure = f"{label}: {result.failure}"
                elif label != "warm-up":
                    outcome.runs.append(result)
    finally:
        if size.edit_target is not None:
            size.edit_target.write_bytes(size.edit_original)
    return outcomes


# --- the report --------------------------------------------------------------------------


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds < 100 else f"{seconds:.0f}"


def fmt_ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return ""
    ratio = a / b
    return f"{ratio:.0f}" if ratio >= 100 else f"{ratio:.3g}"


def expected_html(tool: str, posts: int) -> int | None:
    if tool not in PEER_EXTRA_PAGES:
        return None
    return posts + math.ceil(posts / 20) + round(posts * 0.8 / 8) + PEER_EXTRA_PAGES[tool]


def fmt_mb(amount: int) -> str:
    """Bytes as MB; a dash when nothing was sampled (a run shorter than the sampling)."""
    return f"{amount / MB:.0f}" if amount else DASH


def size_table(posts: int, outcomes: dict[str, Outcome]) -> list[str]:
    cold = outcomes.get(JB_COLD, Outcome()).median()
    hugo = outcomes.get("hugo", Outcome()).median()
    lines = [
        f"### {posts:,} posts",
        "",
        f"| tool | median wall s | min{DASH}max s | user+sys s | peak RSS MB (tree) "
        "| peak PSS MB (tree) | largest process MB | HTML files | journeyblog cold ÷ tool "
        "| tool ÷ Hugo cold | tool ÷ journeyblog cold |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    notes = []
    for name, outcome in outcomes.items():
        median = outcome.median()
        if median is None:
            reason = outcome.failure or "no runs"
            lines.append(f"| {LABELS[name]} | failed ({reason}) |  |  |  |  |  |  |  |  |  |")
            continue
        runs = outcome.runs
        walls = [r.wall for r in runs]
        counts = sorted({r.html for r in runs if r.html is not None})
        html = "/".join(str(c) for c in counts) if counts else DASH
        expected = expected_html(name, posts)
        if expected is not None and counts != [expected]:
            notes.append(f"{LABELS[name]}: {html} HTML files, the kit expects {expected}.")
        versus_cold = fmt_ratio(cold, median) if name in PEERS else ""
        versus_hugo = fmt_ratio(median, hugo) if name in JOURNEYBLOG_TOOLS else ""
        versus_own = fmt_ratio(median, cold) if name in JOURNEYBLOG_REBUILDS else ""
        lines.append(
            f"| {LABELS[name]} | {fmt_s(median)} | {fmt_s(min(walls))}{DASH}{fmt_s(max(walls))} "
            f"| {fmt_s(statistics.median(r.cpu for r in runs))} "
            f"| {max(r.peak_rss for r in runs) / MB:.0f} "
            f"| {fmt_mb(max(r.tree_pss for r in runs))} "
            f"| {max(r.max_rss for r in runs) / MB:.0f} | {html} "
            f"| {versus_cold} | {versus_hugo} | {versus_own} |"
        )
    return [*lines, "", *notes, *([""] if notes else [])]


def targets(posts: int, outcomes: dict[str, Outcome], scale: float | None) -> list[str]:
    """The targets of issue 7 (stated for 10,000 posts), checked on this size."""

    def median(name: str) -> float | None:
        return outcomes[name].median() if name in outcomes else None

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    cold, warm, edit = median(JB_COLD), median(JB_WARM), median(JB_EDIT)
    again = median(JB_EDIT_AGAIN)
    cold_runs = outcomes[JB_COLD].runs if cold is not None else []
    peak = max((r.peak_rss / 1e9 for r in cold_runs), default=None)
    peak_pss = max((r.tree_pss / 1e9 for r in cold_runs if r.tree_pss), default=None)
    checks = [
        ("cold ÷ Pelican cold", ratio(cold, median("pelican")), 0.1),
        ("cold ÷ Python floor", ratio(cold, median("floor")), 1.5),
        ("cold ÷ Hugo cold", ratio(cold, median("hugo")), 1.0),
        ("warm ÷ Hugo cold", ratio(warm, median("hugo")), 0.1),
        ("one post edited ÷ cold", ratio(edit, cold), 0.05),
        ("edited again ÷ cold", ratio(again, cold), 0.05),
        ("cold peak RSS (tree), GB", peak, 0.5),
        ("cold peak PSS (tree), GB", peak_pss, 0.5),
        ("cold at 10,000 ÷ at 1,000 posts", scale, 11.0),
    ]
    lines = [f"Targets of issue 7 (stated for 10,000 posts), at {posts:,} posts:", ""]
    for label, value, limit in checks:
        if value is not None:
            verdict = "met" if value < limit else "not met"
            lines.append(f"- {label}: {value:.3g} (target < {limit:g}): {verdict}")
    return [*lines, ""] if len(lines) > 2 else []


def page_weights(cfg: Config, posts: int) -> list[weight.Weight]:
    """What a reader downloads from each tool's last output at this size (bench/weight.py)."""
    corpus = cfg.work / "corpus" / f"{posts}-s{cfg.seed}"
    found = []
    for name in (JB_COLD, "hugo", "pelican", "eleventy"):
        if name not in cfg.tools:
            continue
        out = corpus / FLAVOR[name] / OUTPUT_DIR[name]
        if out.is_dir():
            label = "journeyblog" if name == JB_COLD else VERSION_LABELS[name]
            found.append(weight.weigh(label, out, search=name == JB_COLD))
    return found


def report(
    cfg: Config,
    results: dict[int, dict[str, Outcome]],
    versions: str,
    done: bool,
    weights: dict[int, list[weight.Weight]] | None = None,
) -> str:
    lines = [
        "# Build benchmark results",
        "",
        f"Command: `{cfg.command}`" + ("" if done else " (still running: partial results)"),
        "",
        f"Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}; machine: "
        f"{os.cpu_count()} CPUs (os.cpu_count()), {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}; {cfg.runs} interleaved run(s) per tool after "
        "one unmeasured warm-up.",
        "",
        f"Versions: {versions}",
        "",
        "Wall and user+sys are medians over the runs; peak RSS is the highest, over the runs, "
        "of the RSS summed over the process tree (sampled every 20 ms; pages shared between "
        "processes count once per process) or of the largest single process, whichever is "
        "higher. Peak PSS is the highest PSS summed over the process tree (sampled every "
        "100 ms; a page shared between processes is split between them, so it counts once "
        "in all): the memory the tree really holds, the fairer figure for a tool that forks "
        "workers. Ratios below 1 in “journeyblog cold ÷ tool” mean journeyblog is faster.",
        "",
    ]
    for posts, outcomes in results.items():
        lines += size_table(posts, outcomes)
        if weights and weights.get(posts):
            lines += weight.table(posts, weights[posts])
    sizes = sorted(results)
    scale = None
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        lines += [f"Cost growth, median wall at {large:,} ÷ {small:,} posts:", ""]
        for name in cfg.tools:
            ratio = fmt_ratio(results[large][name].median(), results[small][name].median())
            lines.append(f"- {LABELS[name]}: {ratio or 'n/a (failed)'}")
            if name == JB_COLD and ratio and (small, large) == (1000, 10000):
                scale = float(ratio)
        lines.append("")
    if JB_COLD in cfg.tools and sizes:
        lines += targets(sizes[-1], results[sizes[-1]], scale)
    return "\n".join(lines)


# --- command line ------------------------------------------------------------------------


@dataclass(slots=True)
class Config:
    posts: list[int]
    runs: int
    seed: int
    timeout: float
    tools: list[str]
    kit: Path
    work: Path
    peers_dir: Path
    journeyblog: Path
    command: str
    logs: Path = field(init=False)

    def __post_init__(self) -> None:
        self.logs = self.work / "logs"


def parse_only(text: str) -> list[str]:
    wanted: set[str] = set()
    for item in (part.strip() for part in text.split(",") if part.strip()):
        if item == "journeyblog":
            wanted.update(JOURNEYBLOG_TOOLS)
        elif item in TOOLS:
            wanted.add(item)
        else:
            choices = ", ".join(("journeyblog", *TOOLS))
            raise argparse.ArgumentTypeError(f"unknown tool {item!r} (choose from {choices})")
    return [t for t in TOOLS if t in wanted]


def default_journeyblog() -> Path:
    beside = Path(sys.executable).parent / "journeyblog"
    found = shutil.which("journeyblog")
    return beside if beside.exists() or found is None else Path(found)


def parse_args(argv: Sequence[str] | None = None) -> Config:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--posts", type=int, nargs="+", required=True, help="corpus sizes")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per tool (default 3)")
    ap.add_argument("--seed", type=int, default=42, help="corpus seed (default 42)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per build (default 900)")
    ap.add_argument(
        "--only",
        type=parse_only,
        default=list(TOOLS),
        help="comma-separated tools: journeyblog (= cold, warm, edit, edit-again), "
        "journeyblog-cold, journeyblog-warm, journeyblog-edit, journeyblog-edit-again, hugo, "
        "pelican, eleventy, floor (default: all)",
    )
    ap.add_argument("--kit", type=Path, default=DEFAULT_KIT, help="benchmark kit folder")
    ap.add_argument("--work", type=Path, default=DEFAULT_WORK, help="corpora, logs, scratch")
    ap.add_argument("--peers-dir", type=Path, help="peers folder (default WORK/peers)")
    ap.add_argument("--journeyblog", type=Path, help="journeyblog executable to time")
    a = ap.parse_args(argv)
    if any(n < 1 for n in a.posts) or a.runs < 1 or a.timeout <= 0:
        ap.error("--posts, --runs and --timeout must be positive")
    if not (a.kit / "make_corpus.py").is_file():
        ap.error(f"{a.kit} has no make_corpus.py (pass --kit)")
    work = a.work.resolve()
    return Config(
        posts=list(dict.fromkeys(a.posts)),
        runs=a.runs,
        seed=a.seed,
        timeout=a.timeout,
        tools=a.only,
        kit=a.kit.resolve(),
        work=work,
        peers_dir=(a.peers_dir or work / "peers").resolve(),
        journeyblog=(a.journeyblog or default_journeyblog()).absolute(),
        command="python " + shlex.join(sys.argv if argv is None else ["bench/run.py", *argv]),
    )


def main(argv: Sequence[str] | None = None) -> int:
    cfg = parse_args(argv)
    ensure_time()
    cfg.logs.mkdir(parents=True, exist_ok=True)
    ensure_peers(cfg.kit, cfg.peers_dir, cfg.tools)
    version_cmds = {
        JB_COLD: [str(cfg.journeyblog), "--version"],
        "hugo": [str(cfg.peers_dir / "hugo"), "version"],
        "pelican": [str(cfg.peers_dir / "pelican-venv/bin/pelican"), "--version"],
        "eleventy": [
            "node",
            str(cfg.peers_dir / "node/node_modules/@11ty/eleventy/cmd.cjs"),
            "--version",
        ],
        "floor": [
            str(cfg.peers_dir / "floor-venv/bin/python"),
            "-c",
            "import markdown_it; print('markdown-it-py', markdown_it.__version__)",
        ],
    }
    versions = "; ".join(
        f"{VERSION_LABELS[name]} {_version(cmd)}"
        for name, cmd in version_cmds.items()
        if name in cfg.tools
    )
    results: dict[int, dict[str, Outcome]] = {}
    weights: dict[int, list[weight.Weight]] = {}
    for posts in cfg.posts:
        log(f"== {posts} posts")
        results[posts] = bench_size(posts, cfg)
        weights[posts] = page_weights(cfg, posts)
        partial = report(cfg, results, versions, done=False, weights=weights)
        RESULTS.write_text(partial + "\n", encoding="utf-8")
    text = report(cfg, results, versions, done=True, weights=weights)
    RESULTS.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
