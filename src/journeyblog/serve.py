"""The author's loop: build, serve, watch, rebuild, reload the open tabs.

`DevServer` runs the same `engine.build` as `journeyblog build`, but into a temporary folder
(as MkDocs' `serve` does), never into SITE_DIR/output, so the two cannot disagree and a
preview never overwrites what is about to be published. It serves that folder with
`http.server`, watches content/, static/, themes/ and journeyblog.toml with watchdog, and
rebuilds once per burst of saves. Served HTML pages get one `<script>` tag that listens to
Server-Sent Events at /__journeyblog/events: "reload" after a good build, "build-error"
(shown as an overlay) after a bad one. The files on disk never contain that tag.

A failed rebuild writes nothing (`build()` raises before it writes), and until a save builds
again every page and file is answered with a page that says so: a save may have withheld what
the last good build shows, and a preview shows nothing its sources no longer publish.
Rebuilds change only the files that changed (`BuildOptions.in_place`): the folder is private,
so the atomic swap of a whole new tree would cost time and protect no one.
This module prints nothing; it reports each build to the `on_build` callback it is given.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import mimetypes
import os
import queue
import shutil
import socket
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from journeyblog.build import BuildResult
from journeyblog.config import CONFIG_NAME
from journeyblog.engine.incremental import build
from journeyblog.engine.live import Builder, LiveSite, file_stamp
from journeyblog.engine.stamps import input_stamp
from journeyblog.errors import BuildFailed, OptionInvalid, SiteError, UnsafePath
from journeyblog.options import BuildOptions

log = logging.getLogger(__name__)

RESERVED = "/__journeyblog/"  # no site path starts with "__", so this cannot hide a page
EVENTS_PATH = RESERVED + "events"
SCRIPT_PATH = RESERVED + "live.js"
WATCHED = ("content", "static", "themes", "locales")
# An editor's save is often several events (write a temp file, rename, chmod), and "save
# all" is one per file: wait until the folder has been quiet this long, then build once.
QUIET_SECONDS = 0.03
# ...but never hold a rebuild back longer than this while files keep changing.
LONGEST_WAIT_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0
# How often a source that is a link to another file is looked at: a save of that file is no
# event in a watched folder.
LINK_POLL_SECONDS = 0.5

_CHANGE_EVENTS = frozenset({"created", "modified", "deleted", "moved", "closed"})
_EDITOR_LEFTOVERS = ("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload")

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
    ".ico": "image/vnd.microsoft.icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
}


def content_type(path: Path) -> str:
    """The Content-Type for a served file; the table first, as mimetypes varies by machine."""
    known = CONTENT_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


@dataclass(frozen=True, slots=True, kw_only=True)
class ServeOptions:
    site_dir: Path
    host: str = "127.0.0.1"  # only this machine, unless the author says otherwise
    port: int = 8000  # 0: any free port
    audience: str | None = None
    drafts: bool = False
    future: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Rebuild:
    """What one build of the loop did, for the terminal."""

    number: int  # 1 for the build at start-up
    pages: int  # HTML pages rendered by this build (the rest were unchanged); 0 if it failed
    milliseconds: float
    errors: tuple[SiteError, ...] = ()  # empty when the build succeeded
    changed: tuple[Path, ...] = ()  # the files whose change caused it

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class Target:
    """Where a request path leads: a file to send, a redirect, or nothing (404)."""

    file: Path | None = None
    redirect: str | None = None


NOT_FOUND = Target()


def locate(url_path: str, *, root: Path, base_path: str = "/") -> Target:
    """Map a request path onto a file strictly inside `root`; anything else is NOT_FOUND.

    locate("/posts/cloud/", root=out) -> Target(file=out/"posts/cloud/index.html").
    "/../x", "/%2e%2e/x", "/a%2fb", "/a%5cb", "//etc/passwd" -> NOT_FOUND. The site lives at
    `base_path` ("/blog/" when base_url is https://example.org/blog/), as it will in production.
    """
    if not url_path.startswith("/"):
        return NOT_FOUND
    if base_path != "/" and url_path in ("/", base_path.rstrip("/")):
        return Target(redirect=base_path)
    if not url_path.startswith(base_path):
        return NOT_FOUND
    decoded = _site_path(url_path[len(base_path) :])
    if decoded is None:
        return NOT_FOUND
    top = root.resolve()
    target = (top / decoded).resolve()
    if target != top and not target.is_relative_to(top):
        return NOT_FOUND  # a symlink that points out of the output folder
    if target.is_dir():
        if not url_path.endswith("/"):
            return Target(redirect=url_path + "/")
        target = target / "index.html"
    return Target(file=target) if target.is_file() else NOT_FOUND


def output_path(url_path: str, base_path: str) -> str | None:
    """The output file a request path names ("/blog/posts/x/" -> "posts/x/index.html"), or
    None for one outside the site or not a plain path (locate's rules)."""
    decoded = _site_path(url_path[len(base_path) :]) if url_path.startswith(base_path) else None
    if decoded is None:
        return None
    return decoded + "index.html" if decoded == "" or decoded.endswith("/") else decoded


def _site_path(rest: str) -> str | None:
    """A request path below the site's base, decoded, or None if it is no plain path inside
    the site ("../x", "%2e%2e/x", "a%2fb", "a%5cb", "/etc/passwd")."""
    # A real file name never holds an encoded separator or NUL: only an attack does.
    if any(code in rest.lower() for code in ("%2f", "%5c", "%00")):
        return None
    try:
        decoded = unquote(rest, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\\" in decoded or "\0" in decoded or decoded.startswith("/"):
        return None
    if any(part in (".", "..") for part in decoded.split("/")):
        return None
    return decoded


def inject_script(html: bytes, build_number: int, *, failed: bool = False) -> bytes:
    """Add the live-reload script before </body>: only to served pages, never to files.
    `failed`: the page says the site does not build (a page of the site reloads into it)."""
    mark = ' data-failed="1"' if failed else ""
    tag = f'<script src="{SCRIPT_PATH}" data-build="{build_number}"{mark}></script>\n'.encode()
    at = html.lower().rfind(b"</body>")
    return html[:at] + tag + html[at:] if at >= 0 else html + tag


# The browser side: reload on "reload", show the errors of "build-error" over the page. The
# overlay is built with textContent, so an error message can never become markup.
LIVE_RELOAD_JS = """\
(() => {
  "use strict";
  const script = document.currentScript;
  const build = script ? script.dataset.build || "" : "";
  const failedPage = script ? script.dataset.failed === "1" : true;
  const scrollKey = "journeyblog-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    window.scrollTo(0, Number(saved));
  }
  const source = new EventSource("/__journeyblog/events?build=" + encodeURIComponent(build) +
    "&page=" + encodeURIComponent(location.pathname));
  source.addEventListener("reload", () => {
    source.close();
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    location.reload();
  });
  source.addEventListener("build-error", (event) => {
    if (!failedPage) {  // a page of the site: what it shows may now be kept back
      source.close();
      location.reload();
      return;
    }
    const errors = JSON.parse(event.data).errors;
    let box = document.getElementById("journeyblog-overlay");
    if (!box) {
      box = document.createElement("div");
      box.id = "journeyblog-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0 0 auto 0;z-index:2147483647;max-height:80vh;" +
        "overflow:auto;margin:0;padding:1rem 1.25rem;background:#5c0011;color:#fff;" +
        "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;" +
        "box-shadow:0 2px 12px rgba(0,0,0,.5)";
      document.body.appendChild(box);
    }
    const heading = document.createElement("p");
    heading.style.cssText = "margin:0 0 .5rem;font-weight:bold";
    heading.textContent = "journeyblog: the build failed. Fix the file and save, and the " +
      "page reloads by itself.";
    const list = document.createElement("ul");
    list.style.cssText = "margin:0;padding-left:1.25rem";
    for (const error of errors) {
      const item = document.createElement("li");
      item.textContent = error;
      list.appendChild(item);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    close.style.cssText = "margin-top:.75rem";
    close.addEventListener("click", () => box.remove());
    box.replaceChildren(heading, list, close);
  });
  window.addEventListener("pagehide", () => source.close());
})();
"""

# Shown until the first build succeeds; fixed text, no data: errors arrive over SSE.
WAITING_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Waiting for a good build</title></head>
<body><main><h1>Waiting for a good build</h1>
<p>The site has not built yet. Fix the errors shown in the terminal and save:
this page reloads by itself.</p></main>
</body></html>
"""


# Served for every path while the last save does not build: fixed text, no data.
FAILED_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The last save did not build</title></head>
<body><main><h1>The last save did not build</h1>
<p>Nothing of the site is served until it builds again: the save may keep back what the last
good build showed. Fix the errors shown in the terminal and save: this page reloads by
itself.</p></main>
</body></html>
"""


class _Subscribers:
    """Queues of the open event streams; `publish` puts one event on each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: set[queue.SimpleQueue[tuple[str, str] | None]] = set()
        self._closed = False

    def subscribe(self) -> queue.SimpleQueue[tuple[str, str] | None]:
        stream: queue.SimpleQueue[tuple[str, str] | None] = queue.SimpleQueue()
        with self._lock:
            if self._closed:
                stream.put(None)
            else:
                self._queues.add(stream)
        return stream

    def unsubscribe(self, stream: queue.SimpleQueue[tuple[str, str] | None]) -> None:
        with self._lock:
            self._queues.discard(stream)

    def publish(self, event: str, data: dict[str, Any]) -> None:
        payload = json.dumps(data, ensure_ascii=False)
        with self._lock:
            for stream in self._queues:
                stream.put((event, payload))

    def close(self) -> None:
        """End every stream (None), so their threads return and the server can stop."""
        with self._lock:
            self._closed = True
            for stream in self._queues:
                stream.put(None)
            self._queues.clear()


@dataclass(slots=True)
class _State:
    """The site being served: the last good build's number and the last failure's errors."""

    build: int = 0  # 0: nothing built yet
    base_path: str = "/"
    errors: tuple[SiteError, ...] = ()
    lock: threading.Lock = field(default_factory=threading.Lock)


class DevServer:
    """Build SITE_DIR into a temporary folder, serve it, rebuild on change.

        with DevServer(ServeOptions(site_dir=Path("."), port=0), on_build=print) as server:
            print(server.url)
            server.wait()            # until stop() or Ctrl-C

    `builder` is `engine.build` (tests may wrap it to count calls); each rebuild is one call.
    """

    def __init__(
        self,
        options: ServeOptions,
        *,
        on_build: Callable[[Rebuild], None] | None = None,
        builder: Builder = build,
    ) -> None:
        self.options = options
        self._on_build = on_build or (lambda rebuild: None)
        self._temp = Path(tempfile.mkdtemp(prefix="journeyblog-serve-"))
        self.out_dir = self._temp / "site"
        self.events = _Subscribers()
        self._state = _State()
        self._changes = threading.Lock()
        self._pending: set[Path] = set()
        self._last_change = 0.0
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._rebuilds = 0
        self._watched: dict[str, tuple[tuple[int, int], ObservedWatch]] = {}  # by folder name
        self._observer: Any = None
        self._httpd: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self.live = LiveSite(
            BuildOptions(
                site_dir=options.site_dir,
                out_dir=self.out_dir,
                audience=options.audience,
                drafts=options.drafts,
                future=options.future,
                # One process. Forking workers from a process that runs the HTTP, watcher
                # and event threads can copy a lock another thread holds into the child.
                jobs=1,
                # The folder is ours alone: rewrite what changed rather than swap in a new
                # tree (the hard links and the removal of the old tree cost time here).
                in_place=True,
            ),
            builder=builder,
        )
        self._open: Counter[str] = Counter()  # the pages open in a browser, by URL path

    # ------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Bind the port, build once, then serve and watch in background threads."""
        try:
            self._httpd = _HTTPServer((self.options.host, self.options.port), self)
            # The first build forks workers as `build` does, before any thread of ours runs
            # (a fork copies a lock another thread holds); a file saved meanwhile is seen by
            # the stamp of every input taken before and after, and built again.
            before = input_stamp(self.live.options)
            self._rebuild((), workers=True)
            self._observer = Observer()
            self._watch(initial=True)
            self._observer.start()
            if input_stamp(self.live.options) != before:
                self.notify(self.options.site_dir)
            for name, target in (("serve", self._serve), ("rebuild", self._rebuild_loop)):
                thread = threading.Thread(target=target, name=f"journeyblog-{name}", daemon=True)
                thread.start()
                self._threads.append(thread)
        except BaseException:
            self.stop()
            raise

    def wait(self) -> None:
        """Block until stop() is called (from another thread) or Ctrl-C."""
        while not self._stopping.wait(0.5):
            pass

    def stop(self) -> None:
        """Stop every thread this server started and delete the temporary folder."""
        self._stopping.set()
        self._wake.set()
        self.events.close()
        if self._observer is not None:
            if self._observer.is_alive():
                self._observer.stop()
                self._observer.join()
            self._observer = None
        if self._httpd is not None and any(t.name == "journeyblog-serve" for t in self._threads):
            self._httpd.shutdown()
        for thread in self._threads:
            thread.join()
        self._threads.clear()
        if self._httpd is not None:
            self._httpd.server_close()
            self._httpd = None
        shutil.rmtree(self._temp, ignore_errors=True)

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The address of the site's home page."""
        assert self._httpd is not None, "start() first"
        host, port = self._httpd.socket.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        with self._state.lock:
            base_path = self._state.base_path
        return f"http://{shown}:{port}{base_path}"

    @property
    def local(self) -> bool:
        """Whether it listens on this machine's own address only (loopback)."""
        assert self._httpd is not None, "start() first"
        return ipaddress.ip_address(self._httpd.socket.getsockname()[0]).is_loopback

    # ------------------------------------------------------------ building

    def notify(self, path: Path) -> None:
        """A watched file changed: rebuild once things are quiet."""
        with self._changes:
            self._pending.add(path)
            self._last_change = time.monotonic()
            self._wake.set()

    def _rebuild_loop(self) -> None:
        while True:
            linked = dict(self.live.linked)
            while not self._wake.wait(LINK_POLL_SECONDS if linked else None):
                for path, stamp in linked.items():
                    if file_stamp(path) != stamp:
                        self.notify(path)
            if self._stopping.is_set():
                return
            first = time.monotonic()
            while True:
                with self._changes:
                    quiet_at = self._last_change + QUIET_SECONDS
                now = time.monotonic()
                if now >= quiet_at or now - first >= LONGEST_WAIT_SECONDS:
                    break
                if self._stopping.wait(min(quiet_at - now, LONGEST_WAIT_SECONDS)):
                    return
            with self._changes:
                changed = tuple(sorted(self._pending))
                self._pending.clear()
                self._wake.clear()
            self._watch(initial=False)
            self._rebuild(changed)

    def _rebuild(self, changed: Iterable[Path], *, workers: bool = False) -> Rebuild:
        """Take in the files changed (from memory, or by a whole build); publish the outcome
        to the browsers and the terminal."""
        self._rebuilds += 1
        changed = tuple(changed)
        started = time.perf_counter()
        result: BuildResult | None = None
        made: int | None = None
        try:
            if changed and self.live.ready:
                made = self.live.update(changed, self._open_pages())
            if made is None:
                result = self.live.build(workers=workers)
            errors: tuple[SiteError, ...] = ()
        except BuildFailed as failure:
            if isinstance(failure, OptionInvalid) and self._rebuilds == 1:
                raise  # an unknown --audience at start: a usage error, nothing to wait for
            errors = failure.errors
        except UnsafePath as error:
            errors = (SiteError(self.options.site_dir, None, f"{error} (fix the slug or alias)"),)
        except Exception as error:  # a bug must not stop the loop: show it, keep serving
            log.debug("build raised", exc_info=True)
            errors = (
                SiteError(
                    self.options.site_dir,
                    None,
                    f"the build stopped unexpectedly: {type(error).__name__}: {error} "
                    "(run `journeyblog -vv serve` for details, and please report it)",
                ),
            )
        milliseconds = (time.perf_counter() - started) * 1000
        with self._state.lock:
            if not errors:
                self._state.build += 1
                if result is not None:  # the root, above every language
                    self._state.base_path = result.site.files_path
            self._state.errors = errors
            number = self._state.build
        if not errors:
            self.events.publish("reload", {"build": number})
        else:
            self.events.publish("build-error", {"errors": [str(e) for e in errors]})
        pages = rendered_pages(result) if result is not None else made or 0
        report = Rebuild(
            number=self._rebuilds,
            pages=pages if not errors else 0,
            milliseconds=milliseconds,
            errors=errors,
            changed=changed,
        )
        self._on_build(report)
        return report

    # ------------------------------------------------------------ watching

    def _watch(self, *, initial: bool) -> None:
        """Watch the config and every source folder; pick up a folder created later, or put
        in the place of one watched (restored from a backup, unpacked): a watch follows the
        folder it was made on, not its name."""
        site_dir = self.options.site_dir
        if initial:
            self._observer.schedule(_Changes(self, self._is_site_file), str(site_dir))
        for name in WATCHED:
            folder = site_dir / name
            try:
                stat = folder.stat()
            except OSError:
                continue
            if not folder.is_dir():
                continue
            identity = (stat.st_dev, stat.st_ino)
            watched = self._watched.get(name)
            if watched is not None and watched[0] == identity:
                continue
            if watched is not None:
                self._observer.unschedule(watched[1])
            watch = self._observer.schedule(_Changes(self, _is_source), str(folder), recursive=True)
            self._watched[name] = (identity, watch)

    def _is_site_file(self, path: Path) -> bool:
        return path.name == CONFIG_NAME or path.name in WATCHED

    # ------------------------------------------------------------ serving

    def _serve(self) -> None:
        assert self._httpd is not None
        self._httpd.serve_forever(poll_interval=0.1)

    def page_opened(self, url_path: str, *, open_: bool) -> None:
        """A browser tab opened (or closed) the page at `url_path`: a save makes the open
        pages before it tells them to reload."""
        with self._state.lock:
            self._open[url_path] += 1 if open_ else -1
            self._open += Counter()  # drops the pages no tab shows any more

    def _open_pages(self) -> list[str]:
        with self._state.lock:
            base_path = self._state.base_path
            urls = list(self._open)
        return [path for url in urls if (path := output_path(url, base_path)) is not None]

    def current(self) -> tuple[int, str, tuple[SiteError, ...]]:
        """(last good build number, base path, errors of the last build if it failed)."""
        with self._state.lock:
            return self._state.build, self._state.base_path, self._state.errors


def rendered_pages(result: BuildResult) -> int:
    """How many HTML pages the build really rewrote: new, or with bytes that changed."""
    return result.report.pages


def _is_source(path: Path) -> bool:
    """Not a hidden file or an editor's temporary copy."""
    name = path.name
    autosave = name.startswith("#") and name.endswith("#")  # Emacs's; "#1-intro.md" is a post
    return not (
        name.startswith(".") or autosave or name.endswith(_EDITOR_LEFTOVERS) or name == "4913"
    )


class _Changes(FileSystemEventHandler):
    def __init__(self, server: DevServer, accept: Callable[[Path], bool]) -> None:
        super().__init__()
        self._server = server
        self._accept = accept

    def on_any_event(self, event: FileSystemEvent) -> None:
        # Reads (opened, closed_no_write) are the build's own: reacting would loop forever.
        if event.event_type not in _CHANGE_EVENTS:
            return
        if event.is_directory and event.event_type in ("modified", "closed"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                path = Path(os.fsdecode(raw))
                if self._accept(path):
                    self._server.notify(path)


class _HTTPServer(ThreadingHTTPServer):
    """One thread per request; every thread and socket is closed by `server_close`."""

    def __init__(self, address: tuple[str, int], dev: DevServer) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.dev = dev
        self._lock = threading.Lock()
        self._handlers: list[threading.Thread] = []
        self._connections: set[socket.socket] = set()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # Daemon threads never keep the process alive after Ctrl-C; server_close joins them.
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="journeyblog-request",
            daemon=True,
        )
        with self._lock:
            self._handlers = [t for t in self._handlers if t.is_alive()]
            self._handlers.append(thread)
        thread.start()

    def track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("request from %s failed", client_address, exc_info=True)

    def server_close(self) -> None:
        super().server_close()
        with self._lock:
            # A browser may hold an idle connection open: end it so its thread returns.
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            handlers = list(self._handlers)
        for thread in handlers:
            thread.join()


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "journeyblog"
    timeout = 60  # an idle client gives its thread back

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.track(self.connection, open_=False)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Only misses: a broken link or image is worth seeing (-vv), a page load is not.
        if isinstance(code, int) and code >= 400:
            log.debug("%s %s", code, self.path)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug(format, *args)

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, *, head: bool) -> None:
        # The browser may go away mid-response, as browsers do on reload.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._dispatch(head=head)

    def _dispatch(self, *, head: bool) -> None:
        dev = self.server.dev
        if dev.local and not _local_host(self.headers.get("Host", ""), dev.options.host):
            # A page elsewhere whose name was pointed at this machine (DNS rebinding) must
            # not read the preview: only this machine's own names are answered.
            self._send(HTTPStatus.MISDIRECTED_REQUEST, CONTENT_TYPES[".txt"], b"Not here\n", head)
            return
        parts = urlsplit(self.path)
        if parts.path == EVENTS_PATH and not head:
            query = parse_qs(parts.query)
            self._stream(query.get("build", [""])[0], query.get("page", [""])[0])
            return
        if parts.path == SCRIPT_PATH:
            self._send(
                HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_RELOAD_JS.encode(), head
            )
            return
        build_number, base_path, errors = dev.current()
        if build_number == 0 or errors:
            page = FAILED_PAGE if build_number else WAITING_PAGE
            page = inject_script(page, build_number, failed=True)
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, CONTENT_TYPES[".html"], page, head)
            return
        if parts.path.startswith(RESERVED):
            self._not_found(head, build_number)
            return
        if self._from_memory(parts.path, base_path, build_number, head):
            return
        target = locate(parts.path, root=dev.out_dir, base_path=base_path)
        if target.redirect is not None:
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", target.redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = HTTPStatus.OK
        file = target.file
        data = _read(file) if file is not None else None
        if data is None:
            status, file = HTTPStatus.NOT_FOUND, dev.out_dir / "404.html"
            data = _read(file)
            if data is None:
                self._send(status, CONTENT_TYPES[".txt"], b"Not found\n", head)
                return
        assert file is not None
        kind = content_type(file)
        if kind.startswith("text/html"):
            data = inject_script(data, build_number)
        self._send(status, kind, data, head)

    def _from_memory(self, url_path: str, base_path: str, build_number: int, head: bool) -> bool:
        """Answer from the site in memory (LiveSite); False: the folder's file, if any."""
        live = self.server.dev.live
        path = output_path(url_path, base_path)
        if path is None:
            return False
        answer = live.answer(path)
        if answer.folder:
            return False
        if answer.data is None and not answer.errors and "." not in path.rsplit("/", 1)[-1]:
            folder = live.answer(path + "/index.html")  # "/posts/x": the page is at "/posts/x/"
            if folder.data is not None or folder.folder:
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", url_path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True
        if answer.errors:
            text = "\n".join(str(error) for error in answer.errors) + "\n"
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, CONTENT_TYPES[".txt"], text.encode(), head)
        elif answer.data is None:
            self._not_found(head, build_number)
        else:
            kind = content_type(Path(path))
            data = answer.data
            if kind.startswith("text/html"):
                data = inject_script(data, build_number)
            self._send(HTTPStatus.OK, kind, data, head)
        return True

    def _not_found(self, head: bool, build_number: int) -> None:
        answer = self.server.dev.live.answer("404.html")
        page = answer.data
        if page is None and answer.folder:
            page = _read(self.server.dev.out_dir / "404.html")
        if page is None:
            self._send(HTTPStatus.NOT_FOUND, CONTENT_TYPES[".txt"], b"Not found\n", head)
            return
        self._send(
            HTTPStatus.NOT_FOUND, CONTENT_TYPES[".html"], inject_script(page, build_number), head
        )

    def _send(self, status: HTTPStatus, kind: str, data: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # a reload must show the new build
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _stream(self, since: str, page: str) -> None:
        """Server-Sent Events until the server stops or the page goes away."""
        dev = self.server.dev
        stream = dev.events.subscribe()  # before reading the state: no event slips between
        if page:
            dev.page_opened(page, open_=True)
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b"retry: 500\n\n")  # reconnect quickly when serve restarts
            build_number, _, errors = dev.current()
            # The page was served by an older build than the current one: it missed a reload.
            if since and since != str(build_number) and build_number > 0:
                self._event("reload", json.dumps({"build": build_number}))
            if errors:
                self._event("build-error", json.dumps({"errors": [str(e) for e in errors]}))
            self.wfile.flush()
            while True:
                try:
                    item = stream.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")  # also finds pages closed long ago
                    self.wfile.flush()
                    continue
                if item is None:
                    return
                self._event(*item)
                self.wfile.flush()
        finally:
            dev.events.unsubscribe(stream)
            if page:
                dev.page_opened(page, open_=False)

    def _event(self, name: str, data: str) -> None:
        self.wfile.write(f"event: {name}\ndata: {data}\n\n".encode())


def _local_host(host: str, listening: str = "") -> bool:
    """Whether a request's Host header names this machine: localhost, a loopback address, or
    the name it was told to listen on (`listening`, a loopback one), with any port."""
    name = host[1 : host.find("]")] if host.startswith("[") else host.split(":", 1)[0]
    name = name.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    if listening and name == listening.lower().rstrip("."):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _read(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:  # gone between lookup and read: a rebuild swapped the folder
        return None
