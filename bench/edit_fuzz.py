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
killed part way, and the build after must still write what a scratch build writes. With
--bilingual, the site is in Welsh and English, half its posts with a twin; an edit to what
twins share changes both, and posts are translated and translations deleted.
"""

from __future__ import annotations

import argparse
import hashlib
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

MARKED: dict[str, str] = {}  # each marked block's sentence written so far -> its level
OPEN_BLOCK = "Never to be shown: a block left open."
MISTAKEN: list[Path] = []  # the post the last mistake was made in


def posts(site: Path) -> list[Path]:
    return sorted((site / "content" / "posts").rglob("*.md"))


def a_post(site: Path, rng: random.Random) -> Path:
    return rng.choice(posts(site))


def front_line(text: str, name: str) -> str | None:
    head = text.split("\n---\n", 1)[0]
    return next((line for line in head.splitlines() if line.startswith(f"{name}:")), None)


def front_value(text: str, name: str) -> str | None:
    """A front matter field's value as written, without its quotes."""
    line = front_line(text, name)
    return line.split(":", 1)[1].strip().strip('"') if line is not None else None


def setting_line(text: str, name: str) -> str | None:
    """The line of journeyblog.toml that sets `name`."""
    return next((line for line in text.splitlines() if line.startswith(f"{name} =")), None)


SHARED = ("date", "series", "part", "author", "security")  # what twins must agree on


def set_field(path: Path, name: str, value: str | None) -> None:
    """Set (or with None, remove) a front matter field of the post at `path`, and of its
    twin in the other language if it is one twins share."""
    for changed in (path, twin(path)) if name in SHARED else (path,):
        if not changed.is_file():
            continue
        text = changed.read_text(encoding="utf-8")
        line = front_line(text, name)
        if line is not None:
            new = "" if value is None else f"{name}: {value}\n"
            text = text.replace(line + "\n", new, 1)
        elif value is not None:
            text = text.replace("---\n", f"---\n{name}: {value}\n", 1)
        changed.write_text(text, encoding="utf-8")


def twin(path: Path) -> Path:
    """The file of a post's twin in a bilingual site: `x.en.md` beside `x.md`."""
    if path.name.endswith(".en.md"):
        return path.with_name(path.name.removesuffix(".en.md") + ".md")
    return path.with_name(path.name.removesuffix(".md") + ".en.md")


def translated(path: Path) -> Path:
    """Write the English twin of the post at `path` (in the default language, Welsh)."""
    text = path.read_text(encoding="utf-8")
    english = twin(path)
    english.write_text(text, encoding="utf-8")
    title, identity = front_value(text, "title"), front_value(text, "id")
    if title is not None:
        set_field(english, "title", f'"In English: {title}"')
    if identity is not None:
        set_field(english, "id", f'"{identity}/en"')
    return english


def make_bilingual(site: Path, rng: random.Random) -> None:
    """Welsh and English: half the posts get an English twin."""
    config = site / "journeyblog.toml"
    text = config.read_text(encoding="utf-8")
    line = setting_line(text, "language")
    assert line is not None, "the corpus names its language"
    config.write_text(text.replace(line, 'languages = ["cy", "en-GB"]'), encoding="utf-8")
    for path in posts(site):
        if rng.random() < 0.5:
            translated(path)


def translate(site: Path, rng: random.Random) -> str:
    """A post translated, or its translation deleted."""
    path = rng.choice([p for p in posts(site) if not p.name.endswith(".en.md")])
    if twin(path).is_file():
        twin(path).unlink()
        return f"English twin of {rel(site, path)} deleted"
    return f"English twin of {rel(site, path)} written: {rel(site, translated(path))}"


def rel(site: Path, path: Path) -> str:
    return path.relative_to(site).as_posix()


def parts_of(site: Path, slug: str) -> dict[Path, int]:
    """The parts of a series by file (twins left out: they follow), as their front matter
    numbers them."""
    found = {}
    for path in posts(site):
        text = path.read_text(encoding="utf-8")
        number = front_value(text, "part")
        if not path.name.endswith(".en.md") and front_value(text, "series") == slug and number:
            found[path] = int(number)
    return found


def series_of(path: Path) -> str | None:
    return front_value(path.read_text(encoding="utf-8"), "series")


def body(site: Path, rng: random.Random) -> str:
    path = a_post(site, rng)
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\nA sentence added, number {rng.randrange(10_000)}.\n")
    return f"body of {rel(site, path)}"


def body_word(site: Path, rng: random.Random) -> str:
    path = a_post(site, rng)
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("\n---\n", 1)
    prose = "\n".join(line for line in rest.splitlines() if not line.startswith("<!--"))
    words = [word for word in re.findall(r"\b[a-z]{5,}\b", prose) if word != "rewritten"]
    if not words:
        return body(site, rng)
    word = rng.choice(words)
    changed = re.sub(rf"(?m)^(?!<!--)(.*?)\b{word}\b", r"\g<1>rewritten", rest, count=1)
    path.write_text(head + "\n---\n" + changed, encoding="utf-8")
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
    was = front_value(path.read_text(encoding="utf-8"), "security")
    new = rng.choice([x for x in LEVELS if x != was])
    set_field(path, "security", new)
    return f"level of {rel(site, path)} to {new}"


def tags(site: Path, rng: random.Random) -> str:
    path = a_post(site, rng)
    chosen = rng.sample(["cloud", "security", "itil", "people", "budget", "newtag"], 2)
    set_field(path, "tags", "[" + ", ".join(chosen) + "]")
    return f"tags of {rel(site, path)}"


def part(site: Path, rng: random.Random) -> str:
    """A part renumbered to one its series does not use, or swapped with another's."""
    written = [p for p in posts(site) if not p.name.endswith(".en.md")]  # twins follow
    slug = series_of(rng.choice(written))
    numbers = parts_of(site, slug) if slug is not None else {}
    if not numbers:
        return body(site, rng)
    path, other = rng.choice(sorted(numbers)), rng.choice(sorted(numbers))
    if other != path and rng.random() < 0.5:
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
    sentence = f"The figures {rng.randrange(10_000)} are for {chosen} eyes."
    MARKED[sentence] = chosen
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\n<!-- level: {chosen} -->\n{sentence}\n<!-- /level -->\n")
    return f"block for {chosen} in {rel(site, path)}"


def author_of(site: Path, rng: random.Random) -> str:
    """A post handed to another author of the records."""
    path = a_post(site, rng)
    chosen = rng.choice(slugs(site, "authors"))
    set_field(path, "author", chosen)
    return f"author of {rel(site, path)} to {chosen}"


def move(site: Path, rng: random.Random) -> str:
    """A post moved into another series, as its last part, or out of every series."""
    path = a_post(site, rng)
    if rng.random() < 0.25:
        set_field(path, "series", None)
        set_field(path, "part", None)
        return f"{rel(site, path)} out of its series"
    chosen = rng.choice(slugs(site, "series"))
    parts = parts_of(site, chosen)
    highest = max((n for p, n in parts.items() if p not in (path, twin(path))), default=0)
    set_field(path, "series", chosen)
    set_field(path, "part", str(highest + 1))
    return f"{rel(site, path)} into {chosen} as part {highest + 1}"


def mistake(site: Path, rng: random.Random) -> str:
    """What the build must refuse: a level misspelt, or a marked block left open (in a post
    this audience reads: one it withholds is left out whole)."""
    path = a_post(site, rng)
    MISTAKEN[:] = [path]
    if rng.random() < 0.5:
        set_field(path, "security", "restrictd")
        return f"level of {rel(site, path)} misspelt"
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\n<!-- level: restricted -->\n{OPEN_BLOCK}\n")
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
    slug = series_of(path)
    if slug is not None and front_line(text, "part") is not None:
        highest = max((n for p, n in parts_of(site, slug).items() if p != path), default=0)
        set_field(path, "part", str(highest + 1))
    return f"added {rel(site, path)}"


def delete(site: Path, rng: random.Random) -> str:
    path = a_post(site, rng)
    path.unlink()
    return f"deleted {rel(site, path)}"


def record(site: Path, records: str, field: str, value: str, rng: random.Random) -> None:
    """Set `field` of one record of content/<records>.yml, chosen at random, to `value`."""
    path = site / "content" / f"{records}.yml"
    text = path.read_text(encoding="utf-8")
    line = rng.choice([x for x in text.splitlines() if x.strip().startswith(f"{field}:")])
    path.write_text(text.replace(line, f'  {field}: "{value}"', 1), encoding="utf-8")


def slugs(site: Path, records: str) -> list[str]:
    """The slugs of content/<records>.yml: its lines that are not indented."""
    text = (site / "content" / f"{records}.yml").read_text(encoding="utf-8")
    return [line[:-1] for line in text.splitlines() if line and not line[0].isspace()]


def author(site: Path, rng: random.Random) -> str:
    field = rng.choice(["role", "name", "organisation"])
    record(site, "authors", field, f"Changed {field} {rng.randrange(100)}", rng)
    return f"an author's {field}"


def series(site: Path, rng: random.Random) -> str:
    field = rng.choice(["title", "description"])
    record(site, "series", field, f"Journey, take {rng.randrange(100)}", rng)
    return f"a series' {field}"


def template(site: Path, rng: random.Random, *, theme: Path) -> str:
    name = rng.choice(["post.html", "tag.html", "series.html", "base.html"])
    path = site / "themes" / "default" / "templates" / name
    original = theme / "templates" / name
    if not original.is_file():
        return body(site, rng)
    if path.is_file() and rng.random() < 0.3:
        path.unlink()
        return f"site's {name} removed"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(original, path)
    text = path.read_text(encoding="utf-8")
    if "{% block main %}" not in text:
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
    values = {
        "title": [f'"Bench blog {number}"' for number in range(100)],
        "timezone": ['"Europe/London"', '"America/New_York"', '"Asia/Tokyo"'],
        "base_url": ['"https://example.org"', '"https://blog.example.gov.uk/council"'],
        "audience": [f'"{level}"' for level in LEVELS],
        "posts_per_page": [str(number) for number in range(5, 30)],
        "feed_size": [str(number) for number in range(5, 30)],
    }[choice]
    line = setting_line(text, choice)
    new = f"{choice} = {rng.choice([value for value in values if line != f'{choice} = {value}'])}"
    text = text.replace(line, new, 1) if line is not None else text + new + "\n"
    path.write_text(text, encoding="utf-8")
    return f"config {new}"


def audience(site: Path) -> str:
    """The level the config publishes up to."""
    line = setting_line((site / "journeyblog.toml").read_text(encoding="utf-8"), "audience")
    assert line is not None, "the corpus names its audience"
    return line.split("=", 1)[1].strip().strip('"')


def must_refuse(site: Path, path: Path) -> bool:
    """Whether a mistake in the post at `path` must stop the build: its level is unknown, or
    the build publishes it (at or below the audience, not a draft, not dated after NOW)."""
    text = path.read_text(encoding="utf-8")
    level = front_value(text, "security") or "public"
    date = front_value(text, "date") or "2000-01-01"
    return level not in LEVELS or (
        LEVELS.index(level) <= LEVELS.index(audience(site))
        and front_line(text, "draft") is None
        and date[:10] <= NOW[:10]
    )


def leaks(site: Path) -> list[str]:
    """The sentences of marked blocks above the audience that the output shows."""
    shown = LEVELS[: LEVELS.index(audience(site)) + 1]
    withheld = [OPEN_BLOCK] + [text for text, level in MARKED.items() if level not in shown]
    found: set[str] = set()
    for path in [*(site / "output").rglob("*"), site / "output.manifest.json"]:
        if path.is_file():
            data = path.read_bytes()
            found.update(text for text in withheld if text.encode() in data)
    return [f"withheld text published: {text!r}" for text in sorted(found)]


def edits(theme: Path, *, bilingual: bool) -> list[tuple[Edit, int]]:
    """Each edit with its weight: bodies and titles are what authors change most."""
    return [
        *([(translate, 3)] if bilingual else []),
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


def refused(result: subprocess.CompletedProcess[str]) -> bool:
    """Whether a build stopped as it should on bad input: its own one-line errors, never a
    traceback (a crash is a bug, not a refusal)."""
    return (
        result.returncode == 1
        and "Build failed:" in result.stderr
        and "Traceback" not in result.stderr
    )


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
    """A copy of the site's sources alone: everything but its output, manifest, cache and
    staging folder."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    for source in site.iterdir():
        if source.name in ("output", "output.manifest.json") or source.name.startswith("."):
            continue
        if source.is_dir() and not source.is_symlink():
            shutil.copytree(source, into / source.name, symlinks=True)
        else:
            shutil.copy2(source, into / source.name, follow_symlinks=False)


def authored(site: Path) -> list[Path]:
    """The files an edit may change or add: posts, records and the site's templates."""
    return [
        *(site / "content").rglob("*.md"),
        *(site / "content").rglob("*.yml"),
        *(site / "themes").rglob("*.html"),
    ]


def tree(site: Path) -> dict[str, str]:
    """What the output holds, by path: each file by its bytes' digest, each folder and link
    as such; and the manifest beside it."""
    found = {}
    out = site / "output"
    for root, folders, files in os.walk(out):
        for name in folders + files:
            path = Path(root, name)
            key = path.relative_to(out).as_posix()
            if path.is_symlink():
                found[key] = "link to " + os.readlink(path)
            elif path.is_dir():
                found[key] = "folder"
            else:
                found[key] = hashlib.blake2b(path.read_bytes()).hexdigest()
    manifest = site / "output.manifest.json"
    if manifest.is_file():
        found["../output.manifest.json"] = hashlib.blake2b(manifest.read_bytes()).hexdigest()
    return found


def differences(a: dict[str, str], b: dict[str, str]) -> list[str]:
    """The paths two trees (`tree`) hold differently, or one holds and the other not."""
    return sorted(path for path in a.keys() | b.keys() if a.get(path) != b.get(path))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=300)
    ap.add_argument("--edits", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--kill", type=float, default=0.0, help="share of edits whose build is first killed"
    )
    ap.add_argument(
        "--bilingual", action="store_true", help="Welsh and English, half the posts twinned"
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
    rng = random.Random(a.seed)
    if a.bilingual:
        make_bilingual(site, rng)
    first = build(command, site)
    if first.returncode != 0:
        print(first.stderr, file=sys.stderr)
        return 2
    choices, weights = zip(*edits(theme, bilingual=a.bilingual), strict=True)
    failures = refusals = 0
    took = 1.0  # seconds the last incremental build took
    last = tree(site)  # the output as the last build that succeeded left it
    started = time.perf_counter()
    for step in range(1, a.edits + 1):
        before = {path: path.read_bytes() for path in [*authored(site), site / "journeyblog.toml"]}
        edit = rng.choices(choices, weights)[0]
        said = edit(site, rng)
        sources(site, scratch)
        whole = build(command, scratch, "--no-cache")
        expected = tree(scratch) if whole.returncode == 0 else None
        wrong: list[str] = []
        if a.kill and rng.random() < a.kill:
            seconds = rng.uniform(0.1, 0.95) * took  # part way through a build like the last
            if killed_build(command, site, seconds):
                said += f", its build killed after {seconds:.1f} s"
                # The output is the last one or, if the kill came after it was replaced,
                # the new one whole: never a mixture.
                now = tree(site)
                if now != last and (expected is None or differences(now, expected)):
                    wrong.append("the killed build left an output neither old nor new")
        timed = time.perf_counter()
        incremental = build(command, site)
        outcome = "built"
        if refused(whole) and refused(incremental):
            outcome = "refused: " + whole.stderr.strip().splitlines()[0][:100]
            refusals += 1
            if edit is not mistake:
                wrong.append("refused, though the site is sound")
            if tree(site) != last:
                wrong.append("the refused build changed the last output")
            for path in authored(site):
                if path not in before:
                    path.unlink()
            for path, data in before.items():
                path.write_bytes(data)
        elif whole.returncode == 0 and incremental.returncode == 0:
            took = time.perf_counter() - timed
            if edit is mistake and must_refuse(site, MISTAKEN[0]):
                wrong.append("built, though the edit is a mistake to refuse")
            last = tree(site)
            assert expected is not None
            wrong += differences(last, expected)
            wrong += leaks(site)
        else:
            last = tree(site)
            wrong += [f"incremental exit {incremental.returncode}, scratch {whole.returncode}"]
            wrong += (incremental.stderr + whole.stderr).strip().splitlines()[-6:]
        print(f"{step:3} {said}: {outcome}" + (f"  WRONG: {wrong[:8]}" if wrong else ""))
        failures += bool(wrong)
    seconds = time.perf_counter() - started
    print(f"{a.edits} edits, {refusals} refused, {failures} wrong, in {seconds:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
