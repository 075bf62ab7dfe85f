"""Random author edits on a bench corpus: after each, the incremental build must write what a
build from scratch writes, byte for byte.

    python bench/edit_fuzz.py --posts 300 --edits 60 --seed 1

Makes the corpus (shared/bench/make_corpus.py) in a scratch folder, builds it, then edits
it one save at a time, as an author would: a post's body, title, summary, level, tags,
part, series, author, draft flag, date (into the future too), a block marked for a higher
level, a mistake the build must refuse, a post added or deleted, a series or author record,
a template of the site's own, the config. After each edit the site is built in place (with
its cache and last output) and, copied to a fresh folder, from scratch with no cache; the
two outputs and manifests are compared. An edit the build refuses must be refused by both,
leave the last output as it was, and is then undone. Prints each edit and, for a
difference, the files that differ; exits 1 if any. With --kill, some builds are first
killed part way, and the build after must still write what a scratch build writes.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

NOW = "2026-11-25T12:00:00+00:00"
LEVELS = ("public", "internal", "restricted")
DEFAULT_KIT = Path(__file__).resolve().parents[2] / "shared" / "bench"

Edit = Callable[[Path, random.Random], str]


def posts(site: Path) -> list[Path]:
    return sorted((site / "content" / "posts").rglob("*.md"))


def a_post(site: Path, rng: random.Random) -> Path:
    return rng.choice(posts(site))


def front_line(text: str, name: str) -> str | None:
    head = text.split("\n---\n", 1)[0]
    return next((line for line in head.splitlines() if line.startswith(f"{name}:")), None)


def set_field(path: Path, name: str, value: str | None) -> None:
    """Set (or with None, remove) a front matter field of the post at `path`."""
    text = path.read_text(encoding="utf-8")
    line = front_line(text, name)
    if line is not None:
        new = "" if value is None else f"{name}: {value}\n"
        text = text.replace(line + "\n", new, 1)
    elif value is not None:
        text = text.replace("---\n", f"---\n{name}: {value}\n", 1)
    path.write_text(text, encoding="utf-8")


def rel(site: Path, path: Path) -> str:
    return path.relative_to(site).as_posix()


def body(site: Path, rng: random.Random) -> str:
    path = a_post(site, rng)
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\nA sentence added, number {rng.randrange(10_000)}.\n")
    return f"body of {rel(site, path)}"


def body_word(site: Path, rng: random.Random) -> str:
    path = a_post(site, rng)
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("\n---\n", 1)
    words = re.findall(r"\b[a-z]{5,}\b", rest)
    if not words:
        return body(site, rng)
    word = rng.choice(words)
    path.write_text(head + "\n---\n" + rest.replace(word, "rewritten", 1), encoding="utf-8")
    return f"a word of {rel(site, path)}"


def title(site: Path, rng: random.Random) -> str:
    path = a_post(site, rng)
    set_field(path, "title", f'"Retitled {rng.randrange(10_000)}: a month on"')
    return f"title of {rel(site, path)}"


def summary(site: Path, rng: random.Random) -> str:
    path = a_post(site, rng)
    set_field(path, "summary", f'"A new summary, {rng.randrange(10_000)}."')
    return f"summary of {rel(site, path)}"


def level(site: Path, rng: random.Random) -> str:
    path = a_post(site, rng)
    new = rng.choice(LEVELS)
    set_field(path, "security", new)
    return f"level of {rel(site, path)} to {new}"


def tags(site: Path, rng: random.Random) -> str:
    path = a_post(site, rng)
    chosen = rng.sample(["cloud", "security", "itil", "people", "budget", "newtag"], 2)
    set_field(path, "tags", "[" + ", ".join(chosen) + "]")
    return f"tags of {rel(site, path)}"


def part(site: Path, rng: random.Random) -> str:
    """A part renumbered to one its series does not use, or swapped with another's."""
    path = rng.choice(
        [p for p in posts(site) if p.parent.name.startswith("series-")] or posts(site)
    )
    siblings = [p for p in posts(site) if p.parent == path.parent]
    numbers = {}
    for sibling in siblings:
        line = front_line(sibling.read_text(encoding="utf-8"), "part")
        if line is not None:
            numbers[sibling] = int(line.split(":", 1)[1])
    if path not in numbers:
        return body(site, rng)
    other = rng.choice(siblings)
    if other != path and other in numbers and rng.random() < 0.5:
        set_field(path, "part", str(numbers[other]))
        set_field(other, "part", str(numbers[path]))
        return f"parts of {rel(site, path)} and {rel(site, other)} swapped"
    free = max(numbers.values()) + 1
    set_field(path, "part", str(free))
    return f"part of {rel(site, path)} to {free}"


def draft(site: Path, rng: random.Random) -> str:
    path = a_post(site, rng)
    drafted = front_line(path.read_text(encoding="utf-8"), "draft") is not None
    set_field(path, "draft", None if drafted else "true")
    return f"draft of {rel(site, path)} {'off' if drafted else 'on'}"


def date(site: Path, rng: random.Random) -> str:
    path = a_post(site, rng)
    year = rng.choice([2016, 2019, 2023, 2026, 2027])
    new = f"{year}-{rng.randrange(1, 13):02}-{rng.randrange(1, 29):02}"
    set_field(path, "date", new)
    return f"date of {rel(site, path)} to {new}"


def marker(site: Path, rng: random.Random) -> str:
    path = a_post(site, rng)
    chosen = rng.choice(LEVELS[1:])
    with path.open("a", encoding="utf-8") as file:
        file.write(
            f"\n<!-- level: {chosen} -->\nThe figures {rng.randrange(10_000)} are for staff."
            "\n<!-- /level -->\n"
        )
    return f"block for {chosen} in {rel(site, path)}"


def author_of(site: Path, rng: random.Random) -> str:
    """A post handed to another author of the records."""
    path = a_post(site, rng)
    records = (site / "content" / "authors.yml").read_text(encoding="utf-8")
    slugs = [line[:-1] for line in records.splitlines() if line and not line[0].isspace()]
    chosen = rng.choice(slugs)
    set_field(path, "author", chosen)
    return f"author of {rel(site, path)} to {chosen}"


def move(site: Path, rng: random.Random) -> str:
    """A post moved into another series, as its last part, or out of every series."""
    path = a_post(site, rng)
    records = (site / "content" / "series.yml").read_text(encoding="utf-8")
    slugs = [line[:-1] for line in records.splitlines() if line and not line[0].isspace()]
    if rng.random() < 0.25:
        set_field(path, "series", None)
        set_field(path, "part", None)
        return f"{rel(site, path)} out of its series"
    chosen = rng.choice(slugs)
    highest = 0
    for other in posts(site):
        text = other.read_text(encoding="utf-8")
        if other != path and front_line(text, "series") == f"series: {chosen}":
            line = front_line(text, "part")
            highest = max(highest, int(line.split(":", 1)[1]) if line else 0)
    set_field(path, "series", chosen)
    set_field(path, "part", str(highest + 1))
    return f"{rel(site, path)} into {chosen} as part {highest + 1}"


def mistake(site: Path, rng: random.Random) -> str:
    """What the build must refuse: a level misspelt, or a marked block left open."""
    path = a_post(site, rng)
    if rng.random() < 0.5:
        set_field(path, "security", "restrictd")
        return f"level of {rel(site, path)} misspelt"
    with path.open("a", encoding="utf-8") as file:
        file.write("\n<!-- level: restricted -->\nNever to be shown if left open.\n")
    return f"a marked block left open in {rel(site, path)}"


def add(site: Path, rng: random.Random) -> str:
    source = a_post(site, rng)
    number = rng.randrange(100_000)
    path = source.parent / f"{number:05}-added-post.md"
    if path.exists():
        return body(site, rng)
    text = source.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    set_field(path, "title", f'"Added post {number}"')
    set_field(path, "id", f'"tag:example.org,2020-01-01:added/{number}"')
    if front_line(text, "part") is not None:
        highest = 0
        for sibling in posts(site):
            if sibling.parent == path.parent and sibling != path:
                line = front_line(sibling.read_text(encoding="utf-8"), "part")
                if line is not None:
                    highest = max(highest, int(line.split(":", 1)[1]))
        set_field(path, "part", str(highest + 1))
    return f"added {rel(site, path)}"


def delete(site: Path, rng: random.Random) -> str:
    path = a_post(site, rng)
    path.unlink()
    return f"deleted {rel(site, path)}"


def author(site: Path, rng: random.Random) -> str:
    path = site / "content" / "authors.yml"
    text = path.read_text(encoding="utf-8")
    field = rng.choice(["role", "name", "organisation"])
    lines = [x for x in text.splitlines() if x.strip().startswith(f"{field}:")]
    line = rng.choice(lines)
    path.write_text(
        text.replace(line, f'  {field}: "Changed {field} {rng.randrange(100)}"', 1),
        encoding="utf-8",
    )
    return f"an author's {field}"


def series(site: Path, rng: random.Random) -> str:
    path = site / "content" / "series.yml"
    text = path.read_text(encoding="utf-8")
    field = rng.choice(["title", "description"])
    lines = [x for x in text.splitlines() if x.strip().startswith(f"{field}:")]
    line = rng.choice(lines)
    path.write_text(
        text.replace(line, f'  {field}: "Journey, take {rng.randrange(100)}"', 1),
        encoding="utf-8",
    )
    return f"a series' {field}"


def template(site: Path, rng: random.Random, *, theme: Path) -> str:
    name = rng.choice(["post.html", "tag.html", "series.html", "base.html"])
    path = site / "themes" / "default" / "templates" / name
    original = theme / "templates" / name
    if not original.is_file():
        return body(site, rng)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(original, path)
    text = path.read_text(encoding="utf-8")
    if "{% block main %}" not in text:
        if rng.random() < 0.5:
            path.unlink()
            return f"site's {name} removed"
        return body(site, rng)
    path.write_text(
        text.replace("{% block main %}", f"{{% block main %}}<p>Note {rng.randrange(100)}</p>", 1),
        encoding="utf-8",
    )
    return f"site's {name}"


def config(site: Path, rng: random.Random) -> str:
    path = site / "journeyblog.toml"
    text = path.read_text(encoding="utf-8")
    choice = rng.choice(
        ["title", "audience", "posts_per_page", "feed_size", "timezone", "base_url"]
    )
    value = {
        "title": f'"Bench blog {rng.randrange(100)}"',
        "timezone": f'"{rng.choice(["Europe/London", "America/New_York", "Asia/Tokyo"])}"',
        "base_url": f'"https://{rng.choice(["example.org", "blog.example.gov.uk"])}/"',
        "audience": f'"{rng.choice(LEVELS)}"',
        "posts_per_page": str(rng.randrange(5, 30)),
        "feed_size": str(rng.randrange(5, 30)),
    }[choice]
    line = next((x for x in text.splitlines() if x.startswith(f"{choice} =")), None)
    new = f"{choice} = {value}"
    text = text.replace(line, new, 1) if line is not None else text + new + "\n"
    path.write_text(text, encoding="utf-8")
    return f"config {new}"


def edits(theme: Path) -> list[tuple[Edit, int]]:
    """Each edit with its weight: bodies and titles are what authors change most."""
    return [
        (body, 6),
        (body_word, 3),
        (title, 3),
        (summary, 2),
        (level, 3),
        (tags, 2),
        (part, 2),
        (draft, 2),
        (date, 2),
        (marker, 2),
        (author_of, 1),
        (move, 1),
        (mistake, 1),
        (add, 2),
        (delete, 2),
        (author, 1),
        (series, 1),
        (lambda site, rng: template(site, rng, theme=theme), 1),
        (config, 1),
    ]


def build(command: list[str], site: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, "build", str(site), "--now", NOW, "-q", *extra],
        capture_output=True,
        text=True,
        check=False,
    )


def killed_build(command: list[str], site: Path, seconds: float) -> bool:
    """Start a build and kill it, with its workers, after `seconds`, as a power cut or a
    Ctrl-C twice would: whether it was still running then."""
    process = subprocess.Popen(
        [*command, "build", str(site), "--now", NOW, "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return True
    return False


def sources(site: Path, into: Path) -> None:
    """A copy of the site's sources alone: no output, cache or staging folder."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    for name in ("content", "themes", "journeyblog.toml"):
        source = site / name
        if source.is_dir():
            shutil.copytree(source, into / name)
        elif source.is_file():
            shutil.copyfile(source, into / name)


def differences(a: Path, b: Path) -> list[str]:
    """The paths under two folders whose presence or bytes differ."""
    found: list[str] = []

    def walk(compared: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + name for name in compared.left_only + compared.right_only)
        found.extend(prefix + name for name in compared.funny_files)
        _, mismatch, errors = filecmp.cmpfiles(
            compared.left, compared.right, compared.common_files, shallow=False
        )
        found.extend(prefix + name for name in mismatch + errors)
        for name, sub in compared.subdirs.items():
            walk(sub, prefix + name + "/")

    walk(filecmp.dircmp(a, b), "")
    return sorted(found)


def authored(site: Path) -> list[Path]:
    """The files an edit may change or add: posts, records and the site's templates."""
    return [
        *(site / "content").rglob("*.md"),
        *(site / "content").rglob("*.yml"),
        *(site / "themes").rglob("*.html"),
    ]


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file under `folder` with its size and modification time."""
    return {
        path.relative_to(folder).as_posix(): (stat.st_size, stat.st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file() and (stat := path.stat())
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=300)
    ap.add_argument("--edits", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--kill", type=float, default=0.0, help="share of edits whose build is first killed"
    )
    ap.add_argument("--kit", type=Path, default=DEFAULT_KIT)
    ap.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    ap.add_argument("--journeyblog", default=str(Path(sys.executable).parent / "journeyblog"))
    a = ap.parse_args(argv)
    work = a.work or Path(tempfile.mkdtemp(prefix="edit-fuzz-"))
    site, scratch = work / "site", work / "scratch"
    if site.exists():
        shutil.rmtree(site)
    subprocess.run(
        [
            *(sys.executable, str(a.kit / "make_corpus.py"), "--posts", str(a.posts)),
            *("--flavor", "journeyblog", "--out", str(site), "--seed", str(a.seed)),
        ],
        check=True,
        capture_output=True,
    )
    command = [a.journeyblog]
    theme = Path(__file__).resolve().parents[1] / "themes" / "default"
    first = build(command, site)
    if first.returncode != 0:
        print(first.stderr, file=sys.stderr)
        return 2
    rng = random.Random(a.seed)
    choices, weights = zip(*edits(theme), strict=True)
    failures = refused = 0
    took = 1.0  # seconds the last incremental build took
    started = time.perf_counter()
    for step in range(1, a.edits + 1):
        before = {path: path.read_bytes() for path in [*authored(site), site / "journeyblog.toml"]}
        output = listing(site / "output")
        said = rng.choices(choices, weights)[0](site, rng)
        sources(site, scratch)
        whole = build(command, scratch, "--no-cache")
        wrong: list[str] = []
        if a.kill and rng.random() < a.kill:
            seconds = rng.uniform(0.1, 0.95) * took  # part way through a build like the last
            if killed_build(command, site, seconds):
                said += f", its build killed after {seconds:.1f} s"
                # The output is the last one or, if the kill came after it was replaced,
                # the new one whole: never a mixture.
                if listing(site / "output") != output and (
                    whole.returncode != 0 or differences(site / "output", scratch / "output")
                ):
                    wrong.append("the killed build left an output neither old nor new")
        timed = time.perf_counter()
        incremental = build(command, site)
        took = time.perf_counter() - timed
        outcome = "built"
        if (incremental.returncode == 0) != (whole.returncode == 0):
            wrong += [f"incremental exit {incremental.returncode}, scratch {whole.returncode}"]
            wrong += (incremental.stderr + whole.stderr).strip().splitlines()[:6]
        elif whole.returncode != 0:
            outcome = "refused: " + whole.stderr.strip().splitlines()[0][:100]
            refused += 1
            if listing(site / "output") != output:
                wrong.append("the refused build changed the last output")
            for path in authored(site):
                if path not in before:
                    path.unlink()
            for path, data in before.items():
                path.write_bytes(data)
        else:
            wrong += differences(site / "output", scratch / "output")
            manifest = site / "output.manifest.json", scratch / "output.manifest.json"
            if manifest[0].read_bytes() != manifest[1].read_bytes():
                wrong.append("output.manifest.json")
        print(f"{step:3} {said}: {outcome}" + (f"  DIFFERS: {wrong[:8]}" if wrong else ""))
        failures += bool(wrong)
    seconds = time.perf_counter() - started
    print(f"{a.edits} edits, {refused} refused, {failures} differed, in {seconds:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
