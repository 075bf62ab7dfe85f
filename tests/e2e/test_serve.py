"""`journeyblog serve`: what it serves, what it refuses, and how it follows the author's saves.

The server runs in-process on a free port (and once as a real `journeyblog serve` process);
pages are fetched with http.client, which sends a path exactly as written. Reload and error
events are read from the Server-Sent Events stream with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import gc
import http.client
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
from click.testing import CliRunner
from tests.conftest import REPO, MakeSite, post

from journeyblog.build import BuildResult
from journeyblog.cli import cli
from journeyblog.engine.incremental import build
from journeyblog.errors import BuildFailed
from journeyblog.options import BuildOptions
from journeyblog.serve import DevServer, Rebuild, ServeOptions

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
PART_1 = "content/posts/cloud/01-start.md"
FILES = {
    PART_1: post("Start", series="cloud", part=1, body="The original first paragraph.\n"),
    "content/posts/cloud/02-email.md": post("Email", date="2016-02-01", series="cloud", part=2),
    "content/pages/about.md": "---\ntitle: About\n---\nAbout us.\n",
    "static/app.js": "console.log('hello');\n",
    "static/logo.png": "",
}
WAIT = 10.0  # the longest any event may take; tests return as soon as it arrives


@dataclass
class Live:
    """A running DevServer, the site it serves and every build it reported."""

    server: DevServer
    site: Path
    builds: list[Rebuild] = field(default_factory=list)
    calls: list[BuildOptions] = field(default_factory=list)
    results: list[BuildResult] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.server.url.split(":")[2].split("/")[0])


def get(port: int, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One request with the path sent exactly as given (no normalising of ../ or %2e)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


class Events:
    """The Server-Sent Events stream a served page listens to."""

    def __init__(self, port: int, build: str = "", page: str = "") -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        self.connection.request("GET", f"/__journeyblog/events?build={build}&page={page}")
        # The response owns the socket once read (HTTP/1.0, no length): keep it for timeouts.
        assert self.connection.sock is not None
        self.sock = self.connection.sock
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")

    def next(self, timeout: float = WAIT) -> tuple[str, dict[str, object]]:
        """The next named event; fails if none comes within `timeout` seconds."""
        self.sock.settimeout(timeout)
        name = ""
        while True:
            line = self.response.fp.readline().decode()
            if line == "":
                raise EOFError("the server closed the event stream")
            line = line.rstrip("\n")
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: ") and name:
                return name, json.loads(line.removeprefix("data: "))

    def close(self) -> None:
        self.response.close()
        self.connection.close()


@pytest.fixture
def events_of() -> Iterator[list[Events]]:
    """Streams opened by a test, closed after it."""
    opened: list[Events] = []
    yield opened
    for stream in opened:
        stream.close()


def open_events(opened: list[Events], port: int, build: str = "", page: str = "") -> Events:
    stream = Events(port, build, page)
    opened.append(stream)
    return stream


def start(site: Path, **options: object) -> Live:
    live = Live(server=None, site=site)  # type: ignore[arg-type]

    def counting_build(build_options: BuildOptions, **given: Any) -> BuildResult:
        live.calls.append(build_options)
        result = build(build_options, **given)
        live.results.append(result)
        return result

    live.server = DevServer(
        ServeOptions(site_dir=site, port=0, **options),  # type: ignore[arg-type]
        on_build=live.builds.append,
        builder=counting_build,
    )
    live.server.start()
    return live


@pytest.fixture
def serve(make_site: MakeSite) -> Iterator[Live]:
    """A site served on a free port; after the test, stopped with nothing left running."""
    before = set(threading.enumerate())
    files = dict(FILES)
    site = make_site(files)
    (site / "static" / "logo.png").write_bytes(PNG)
    live = start(site)
    yield live
    live.server.stop()
    assert set(threading.enumerate()) <= before, "serve left threads running"
    assert not live.server.out_dir.parent.exists(), "serve left its temporary folder"


def edit(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_serves_the_site_with_the_right_content_types(serve: Live) -> None:
    expected = {
        "/": "text/html; charset=utf-8",
        "/posts/start/": "text/html; charset=utf-8",
        "/feed.xml": "application/xml; charset=utf-8",
        "/sitemap.xml": "application/xml; charset=utf-8",
        "/feed.json": "application/json",
        "/search/index.json": "application/json",
        "/logo.png": "image/png",
        "/assets/site.css": "text/css; charset=utf-8",
        "/app.js": "text/javascript; charset=utf-8",
    }
    for path, kind in expected.items():
        status, headers, body = get(serve.port, path)
        assert (path, status, headers["content-type"]) == (path, 200, kind)
        assert headers["content-length"] == str(len(body))
    assert get(serve.port, "/logo.png")[2] == PNG
    assert b"The original first paragraph." in get(serve.port, "/posts/start/")[2]


def test_the_reload_script_is_in_served_pages_only(serve: Live) -> None:
    status, _, page = get(serve.port, "/posts/start/")
    assert status == 200
    assert re.search(
        rb'<script src="/__journeyblog/live\.js" data-build="1"></script>\s*</body>', page
    )
    for path in ("/feed.xml", "/feed.json", "/app.js"):
        assert b"__journeyblog" not in get(serve.port, path)[2]
    built = [p for p in serve.server.out_dir.rglob("*") if p.is_file()]
    assert built and not [p for p in built if b"__journeyblog" in p.read_bytes()]
    assert not (serve.site / "output").exists(), "serve must never build into SITE_DIR/output"
    status, headers, script = get(serve.port, "/__journeyblog/live.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert b"EventSource" in script


TRAVERSALS = [
    "/../secret.txt",
    "/posts/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/posts/%2e%2e/%2e%2e/secret.txt",
    "/..%2fsecret.txt",
    "/posts%2f..%2f..%2fsecret.txt",
    "/..%5csecret.txt",
    "/..%5Csecret.txt",
    "/..\\secret.txt",
    "/%252e%252e/secret.txt",
    "/.%2e/secret.txt",
    "/%00/secret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "//etc/passwd",
    "/etc/passwd",
    "SECRET_ABSOLUTE",
    "//SECRET_ABSOLUTE",
    "/%2FSECRET_ABSOLUTE",
]


def test_nothing_outside_the_output_folder_is_served(serve: Live) -> None:
    secret = serve.server.out_dir.parent / "secret.txt"  # right beside the served folder
    secret.write_text("do not serve me", encoding="utf-8")
    answers = {}
    for variant in TRAVERSALS:
        path = variant.replace("SECRET_ABSOLUTE", str(secret).lstrip("/"))
        status, headers, body = get(serve.port, path)
        answers[variant] = (
            status,
            headers["content-type"],
            b"Page not found" in body,  # the site's own 404 page
            b"do not serve me" in body,
        )
    assert answers == dict.fromkeys(TRAVERSALS, (404, "text/html; charset=utf-8", True, False))


def test_only_this_machines_names_are_answered(serve: Live) -> None:
    """A page elsewhere whose name points at 127.0.0.1 (DNS rebinding) reads nothing."""

    def with_host(host: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", serve.port, timeout=WAIT)
        try:
            connection.putrequest("GET", "/posts/start/", skip_host=True)
            connection.putheader("Host", host)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    port = serve.port
    for host in (f"attacker.example:{port}", f"127.0.0.1.attacker.example:{port}", "10.0.0.1"):
        status, body = with_host(host)
        assert status == 421 and b"original" not in body, host
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "localhost"):
        assert with_host(host)[0] == 200, host
    assert with_host("")[0] == 421  # no name at all


def test_an_empty_host_is_refused_not_taken_for_every_network() -> None:
    result = CliRunner().invoke(cli, ["serve", ".", "--host", ""])
    assert result.exit_code == 2 and "every network" in result.output


def test_symlinks_out_of_the_output_folder_are_not_followed(serve: Live) -> None:
    outside = serve.server.out_dir.parent / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("do not serve me", encoding="utf-8")
    (serve.server.out_dir / "secret.txt").symlink_to(outside / "secret.txt")
    (serve.server.out_dir / "elsewhere").symlink_to(outside, target_is_directory=True)
    (serve.server.out_dir / "posts" / "up").symlink_to("../..", target_is_directory=True)
    for path in ("/secret.txt", "/elsewhere/secret.txt", "/elsewhere/", "/posts/up/outside/"):
        status, _, body = get(serve.port, path)
        assert (path, status, b"do not serve me" in body) == (path, 404, False)
    # Only the site's own files are served: not one put in the folder by another hand.
    (serve.server.out_dir / "home.html").symlink_to(serve.server.out_dir / "index.html")
    assert get(serve.port, "/home.html")[0] == 404


def test_folders_serve_their_index_and_unknown_paths_the_sites_404(serve: Live) -> None:
    status, headers, _ = get(serve.port, "/posts/start")
    assert (status, headers["location"]) == (302, "/posts/start/")
    assert get(serve.port, "/posts/start/index.html")[0] == 200
    status, _, body = get(serve.port, "/posts/no-such-post/")
    assert status == 404 and b"Page not found" in body and b"/__journeyblog/live.js" in body
    status, _, body = get(serve.port, "/posts/start/", method="HEAD")
    assert (status, body) == (200, b"")


def test_drafts_future_posts_and_higher_levels_show_only_when_asked(
    make_site: MakeSite,
) -> None:
    site = make_site(
        {
            PART_1: post("Start", series="cloud", part=1),
            "content/posts/draft.md": post("Draft", draft=True),
            "content/posts/later.md": post("Later", date="2999-01-01"),
            "content/posts/inside.md": post("Inside", security="Internal"),
        }
    )
    cases: list[tuple[dict[str, Any], dict[str, int]]] = [
        (
            {},
            {
                "/posts/start/": 200,
                "/posts/draft/": 404,
                "/posts/later/": 404,
                "/posts/inside/": 404,
            },
        ),
        ({"drafts": True}, {"/posts/draft/": 200, "/posts/later/": 404}),
        ({"future": True}, {"/posts/later/": 200, "/posts/draft/": 404}),
        ({"audience": "internal"}, {"/posts/inside/": 200, "/posts/draft/": 404}),
    ]
    for options, expected in cases:
        live = start(site, **options)
        try:
            assert live.server.url.startswith("http://127.0.0.1:")  # this machine only
            answers = {path: get(live.port, path)[0] for path in expected}
        finally:
            live.server.stop()
        assert (options, answers) == (options, expected)


def test_builds_leave_the_serving_process_collector_as_they_found_it(
    make_site: MakeSite,
) -> None:
    # The dev server builds in its own process: the build's rarer garbage collections end
    # with it, a failed build's too.
    site = make_site({PART_1: post("Start", series="cloud", part=1)})
    before = gc.get_threshold()
    build(BuildOptions(site_dir=site))
    assert gc.get_threshold() == before
    (site / PART_1).write_text("---\ntitle: [unclosed\n---\n")
    with pytest.raises(BuildFailed):
        build(BuildOptions(site_dir=site))
    assert gc.get_threshold() == before


def test_a_site_under_a_base_path_is_served_there(make_site: MakeSite) -> None:
    site = make_site(
        {
            "journeyblog.toml": 'title = "Sub"\nbase_url = "https://example.org/blog/"\n',
            PART_1: post("Start", series="cloud", part=1),
        }
    )
    live = start(site)
    try:
        assert live.server.url.endswith("/blog/")
        status, headers, _ = get(live.port, "/")
        assert (status, headers["location"]) == (302, "/blog/")
        assert get(live.port, "/blog/posts/start/")[0] == 200
        assert get(live.port, "/posts/start/")[0] == 404
    finally:
        live.server.stop()


def test_a_burst_of_saves_is_one_rebuild_and_one_reload(
    serve: Live, events_of: list[Events]
) -> None:
    events = open_events(events_of, serve.port, build="1")
    source = serve.site / PART_1
    for number in range(5):  # as an editor's "save all", or a save in several writes
        edit(source, post("Start", series="cloud", part=1, body=f"Edited {number}.\n"))
    name, data = events.next()
    assert (name, data) == ("reload", {"build": 2})
    assert len(serve.builds) == 2  # the start-up build and one rebuild
    assert len(serve.calls) == 1  # the save taken in from memory, not by a whole build
    assert b"Edited 4." in get(serve.port, "/posts/start/")[2]
    rebuild = serve.builds[-1]
    assert rebuild.ok and rebuild.number == 2
    assert source in rebuild.changed
    assert all(call.out_dir == serve.server.out_dir for call in serve.calls)
    # Workers for the first build only, before the server's threads run: forking them
    # from a process whose threads may hold locks is not worth its risk.
    assert serve.calls[0].jobs is None


def test_a_save_makes_the_open_page_before_the_reload_and_the_rest_when_asked(
    serve: Live, events_of: list[Events]
) -> None:
    first = serve.results[0]
    assert serve.builds[0].pages == first.pages  # at start-up every page is new
    about = get(serve.port, "/about/")[2]
    events = open_events(events_of, serve.port, build="1", page="/posts/start/")
    # A second paragraph: the summary (the first paragraph) that list pages show is the same.
    body = "The original first paragraph.\n\nA new sentence.\n"
    edit(serve.site / PART_1, post("Start", series="cloud", part=1, body=body))
    assert events.next() == ("reload", {"build": 2})
    assert serve.builds[-1].pages == 1  # the page open in a browser, made before the reload
    assert len(serve.calls) == 1
    assert b"A new sentence." in get(serve.port, "/posts/start/")[2]
    # A page that does not show the post is as it was (but for the build it is served by).
    about_now = get(serve.port, "/about/")[2]
    assert about_now.replace(b'data-build="2"', b'data-build="1"') == about
    # Every other file is made when asked for, as a whole build makes it.
    assert b"A new sentence." in get(serve.port, "/feed.xml")[2]


def test_after_a_fix_the_pages_are_made_again(serve: Live, events_of: list[Events]) -> None:
    source = serve.site / PART_1
    good = source.read_text(encoding="utf-8")
    events = open_events(events_of, serve.port, build="1", page="/posts/start/")
    edit(source, good + "\n<!-- level: nonsense -->\n")
    assert events.next()[0] == "build-error"
    assert serve.builds[-1].errors
    edit(source, good.replace("paragraph", "paragraph, fixed", 1))
    assert events.next() == ("reload", {"build": 2})
    assert not serve.builds[-1].errors
    assert serve.builds[-1].pages == 1
    assert b"paragraph, fixed" in get(serve.port, "/posts/start/")[2]


def test_only_the_first_build_forks_workers(serve: Live, events_of: list[Events]) -> None:
    events = open_events(events_of, serve.port, build="1")
    config = serve.site / "journeyblog.toml"
    edit(config, config.read_text(encoding="utf-8") + "\n")  # taken in by a whole build
    assert events.next() == ("reload", {"build": 2})
    assert [call.jobs for call in serve.calls] == [None, 1]


def _wait_for_builds(serve: Live, count: int) -> None:
    deadline = time.monotonic() + WAIT
    while len(serve.builds) < count:
        assert time.monotonic() < deadline, "no rebuild after a save"
        time.sleep(0.01)


def test_a_broken_save_shows_the_error_serves_nothing_and_recovers(
    serve: Live, events_of: list[Events]
) -> None:
    events = open_events(events_of, serve.port, build="1")
    source = serve.site / PART_1
    edit(source, "---\ntitle: Start\ndate: 2016-01-01\nauthor: [ann\n---\nBroken.\n")
    name, data = events.next()
    assert name == "build-error"
    errors = data["errors"]
    assert isinstance(errors, list) and len(errors) == 1
    assert re.fullmatch(rf"{re.escape(str(source))}:\d+: invalid YAML front matter: .+", errors[0])
    assert serve.builds[-1].errors and not serve.builds[-1].ok

    # Nothing the last good build made is served: the save may have kept it back.
    for path in ("/posts/start/", "/feed.xml", "/search/index.json", "/sitemap.xml"):
        status, _, page = get(serve.port, path)
        assert status == 503 and b"The original first paragraph." not in page, path

    # A page opened now sees the error at once.
    late = open_events(events_of, serve.port, build="1")
    assert late.next()[0] == "build-error"

    edit(source, post("Start", series="cloud", part=1, body="Fixed again.\n"))
    assert events.next() == ("reload", {"build": 2})
    assert b"Fixed again." in get(serve.port, "/posts/start/")[2]


def test_a_page_from_an_older_build_is_told_to_reload_when_it_connects(
    serve: Live, events_of: list[Events]
) -> None:
    events = open_events(events_of, serve.port, build="1")
    edit(serve.site / "content/pages/about.md", "---\ntitle: About\n---\nAbout us, now.\n")
    assert events.next()[0] == "reload"
    assert open_events(events_of, serve.port, build="1").next() == ("reload", {"build": 2})


def test_new_files_templates_and_the_config_are_watched(
    serve: Live, events_of: list[Events]
) -> None:
    events = open_events(events_of, serve.port, build="1")
    edit(serve.site / "content/posts/solo.md", post("Solo", date="2016-03-01"))
    assert events.next()[0] == "reload"
    assert get(serve.port, "/posts/solo/")[0] == 200

    theme = serve.site / "themes" / "default" / "templates"  # a folder created after start
    theme.mkdir(parents=True)
    default_404 = REPO / "themes" / "default" / "templates" / "404.html"
    edit(theme / "404.html", default_404.read_text().replace("Page not found", "Lost"))
    assert events.next()[0] == "reload"
    assert b"Lost" in get(serve.port, "/nowhere/")[2]

    config = serve.site / "journeyblog.toml"
    edit(config, config.read_text().replace("Test Council Notes", "Renamed Notes"))
    assert events.next()[0] == "reload"
    assert b"Renamed Notes" in get(serve.port, "/")[2]


def test_a_source_folder_put_in_the_place_of_the_watched_one_is_watched(
    serve: Live, events_of: list[Events]
) -> None:
    events = open_events(events_of, serve.port, build="1")
    content = serve.site / "content"
    content.rename(serve.site / "content.old")  # restored from a backup
    shutil.copytree(serve.site / "content.old", content)
    assert events.next()[0] == "reload"

    edit(content / PART_1.removeprefix("content/"), post("Start", security="internal"))
    assert events.next()[0] == "reload"
    assert get(serve.port, "/posts/start/")[0] == 404
    assert b"original first paragraph" not in get(serve.port, "/feed.xml")[2]


@pytest.mark.parametrize("link", ["symbolic", "hard"])
def test_a_source_that_links_to_another_file_follows_that_files_saves(
    make_site: MakeSite, events_of: list[Events], link: str
) -> None:
    site = make_site(FILES)
    kept = site / "drafts" / "start.md"  # inside the site, outside every watched folder
    kept.parent.mkdir()
    (site / PART_1).rename(kept)
    if link == "symbolic":
        (site / PART_1).symlink_to(kept)
    else:
        os.link(kept, site / PART_1)
    serve = start(site)
    try:
        events = open_events(events_of, serve.port, build="1")
        assert get(serve.port, "/posts/start/")[0] == 200
        with kept.open("r+", encoding="utf-8") as file:  # saved in place: the same file
            text = file.read().replace("security: Public", "security: internal")
            file.seek(0)
            file.write(text)
            file.truncate()
        assert events.next()[0] == "reload"
        assert get(serve.port, "/posts/start/")[0] == 404
    finally:
        serve.server.stop()


def test_a_site_that_never_built_shows_a_waiting_page_until_it_does(
    make_site: MakeSite, events_of: list[Events]
) -> None:
    site = make_site({PART_1: "no front matter\n"})
    live = start(site)
    try:
        assert live.builds[0].errors
        status, _, page = get(live.port, "/")
        assert status == 503 and b"/__journeyblog/live.js" in page
        events = open_events(events_of, live.port, build="0")
        assert events.next()[0] == "build-error"
        edit(site / PART_1, post("Start", series="cloud", part=1))
        assert events.next() == ("reload", {"build": 1})
        assert get(live.port, "/posts/start/")[0] == 200
    finally:
        live.server.stop()


def test_stop_ends_open_event_streams_and_every_thread(make_site: MakeSite) -> None:
    before = set(threading.enumerate())
    live = start(make_site({PART_1: post("Start", series="cloud", part=1)}))
    streams = [Events(live.port, build="1") for _ in range(3)]
    try:
        started = time.monotonic()
        live.server.stop()
        assert time.monotonic() - started < 3
        for stream in streams:
            with pytest.raises(EOFError):
                stream.next(timeout=2)
    finally:
        for stream in streams:
            stream.close()
    assert set(threading.enumerate()) <= before


class Lines:
    """The lines a process writes to one pipe, read as they come, each awaited with a deadline."""

    def __init__(self, stream: IO[str]) -> None:
        self._lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line)
        self._lines.put("")  # the process closed the pipe

    def next(self) -> str:
        return self._lines.get(timeout=WAIT)

    def rest(self) -> str:
        self._reader.join(timeout=WAIT)
        lines = []
        while not self._lines.empty():
            lines.append(self._lines.get())
        return "".join(lines)


def test_journeyblog_serve_runs_until_ctrl_c(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({PART_1: post("Start", series="cloud", part=1)})
    temp = tmp_path / "temp"  # where serve makes its temporary folder
    temp.mkdir()
    env = {**os.environ, "NO_COLOR": "1", "TMPDIR": str(temp)}
    process = subprocess.Popen(
        [sys.executable, "-m", "journeyblog", "serve", str(site), "--port", "0", "-v"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    out, err = Lines(process.stdout), Lines(process.stderr)
    try:
        built = out.next()
        assert re.fullmatch(r"Built \d+ pages in \d+ ms\n", built), built
        serving = out.next()
        match = re.fullmatch(
            r"Serving .* at http://127\.0\.0\.1:(\d+)/ \(Ctrl-C to stop\)\n", serving
        )
        assert match, serving
        port = int(match.group(1))
        assert get(port, "/posts/start/")[0] == 200
        assert [p.name.startswith("journeyblog-serve-") for p in temp.iterdir()] == [True]

        edit(site / PART_1, post("Start", series="cloud", part=1, body="Saved.\n"))
        assert out.next() == f"Changed {site / PART_1}\n"  # -v
        rebuilt = out.next()
        assert re.fullmatch(r"Rebuilt \d+ pages? in \d+ ms\n", rebuilt), rebuilt

        edit(site / PART_1, "---\ntitle: Start\nauthor: [ann\n---\nHalf-written.\n")
        assert out.next() == f"Changed {site / PART_1}\n"
        assert re.fullmatch(rf"{re.escape(str(site / PART_1))}:\d+: .+\n", err.next())
        failed = err.next()
        assert failed == "Rebuild failed: 1 error; nothing is served until a save builds.\n"
        status, _, body = get(port, "/posts/start/")
        assert status == 503 and b"Saved." not in body and b"did not build" in body
        assert get(port, "/feed.xml")[0] == 503

        edit(site / PART_1, post("Start", series="cloud", part=1, body="Fixed.\n"))
        assert out.next() == f"Changed {site / PART_1}\n"
        assert out.next().startswith("Rebuilt ")
        assert b"Fixed." in get(port, "/posts/start/")[2]
        assert "\x1b[" not in built + serving + rebuilt + failed  # NO_COLOR

        process.send_signal(signal.SIGINT)
        process.wait(timeout=WAIT)
        said, complained = out.rest(), err.rest()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == 0
    assert "Traceback" not in complained and complained == "Stopped.\n"
    assert said == ""
    assert not (site / "output").exists()
    assert list(temp.iterdir()) == [], "serve left its temporary folder"


def test_journeyblog_serve_names_a_port_in_use(make_site: MakeSite) -> None:
    site = make_site({PART_1: post("Start", series="cloud", part=1)})
    live = start(site)
    port = live.port
    try:
        process = subprocess.run(
            [sys.executable, "-m", "journeyblog", "serve", str(site), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=WAIT,
        )
    finally:
        live.server.stop()
    assert process.returncode == 1
    assert re.fullmatch(
        rf"127\.0\.0\.1:{port}: cannot serve here: .+ \(try another --port\)\n", process.stderr
    )


def test_the_watcher_takes_what_the_build_reads_and_not_an_editors_copies() -> None:
    from journeyblog.serve import _is_source

    assert _is_source(Path("content/posts/#1-intro.md"))  # a post, which discover reads
    for leftover in ("#1-intro.md#", ".1-intro.md.swp", "1-intro.md~", "4913"):
        assert not _is_source(Path("content/posts") / leftover)
