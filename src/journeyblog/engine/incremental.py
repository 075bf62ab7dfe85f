"""`build`: the pipeline (build.build) run by an engine that remembers the last build.

`Incremental` is the Engine the pipeline is handed. What it adds, stage by stage:

- read: front matter split once per file's bytes, kept in the cache (sources.discover);
  pictures measured once per file (pictures.measure_all's memo);
- Markdown: each body rendered once per text and options, kept in the cache; the rest over
  worker processes, forked early on a first build, while this process is small;
- make: each file's key (build.plan_files) compared with the key the last build recorded
  for it in this folder; a file whose key and bytes are unchanged is taken over, the rest
  made over the workers, each audited where it is made;
- write: into a staging folder readied beside the build (write.StagingFolder), swapped in;
- record: each file's key, digest and audit, and the stamps `up_to_date` compares.

None of it decides what is published: the pipeline's audit sees every file, taken over or not.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import itertools
import os
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import jinja2

from journeyblog.audit import Auditor, Finding
from journeyblog.build import AuditedOutputs, BuildResult, template_error
from journeyblog.build import (
    build as run_pipeline,
)
from journeyblog.compress import SUFFIXES, compressed, compressible
from journeyblog.config import CACHE_DIR, SiteConfig
from journeyblog.digests import bytes_digest, digest
from journeyblog.engine.cache import BuildCache, Recorded, markdown_key, packed_together_in_runs
from journeyblog.engine.parallel import (
    MIN_PARALLEL_ITEMS,
    default_jobs,
    early_workers,
    in_process,
    make_all,
    make_beside,
    parallel_map,
    parallel_results,
    return_free_memory,
)
from journeyblog.engine.stamps import (
    LastBuild,
    UpToDate,
    input_stamp,
    last_build,
    output_stats,
    recorded_stamp,
)
from journeyblog.engine.write import (
    StagingFolder,
    check_relative,
    stage_file,
    update_in_place,
    write_site,
)
from journeyblog.errors import BuildFailed, SiteError
from journeyblog.figures import Measured
from journeyblog.markdown import render_markdown
from journeyblog.model import Job, Output, WriteReport
from journeyblog.options import BuildOptions
from journeyblog.pictures import measure_all
from journeyblog.reads import Reads, recording
from journeyblog.rendered import Rendered
from journeyblog.sources import SiteSources, discover, split_record


def build(
    options: BuildOptions,
    *,
    inputs: str | None = None,
    sources: SiteSources | None = None,
    render_bodies: Callable[[Sequence[str]], list[Rendered]] | None = None,
) -> BuildResult:
    """Build the site into options.output; raise BuildFailed (nothing written) on any error.

    `inputs` is `input_stamp(options)` if the caller has just taken it (to ask `up_to_date`):
    it must have been taken before anything was read, so that a file saved since makes the
    recorded output stale. `sources`: the site's files, if the caller has read them
    (`discover`); `render_bodies`: how Markdown is rendered, if not from the build cache.
    """
    with collecting_rarely():
        stamp = inputs if inputs is not None else input_stamp(options)
        with Incremental(options, sources=sources, render_bodies=render_bodies) as engine:
            return engine.record(run_pipeline(options, engine), stamp)


# The collector's first threshold during a build (Python's default is 700). A build makes
# millions of long-lived objects (the sources, the site model, the keys) and almost no cycles
# of garbage, so the default's frequent collections, each older generation's walking all of
# them, cost much of an edit build for nothing freed (bench/LOG.md).
_BUILD_COLLECTION_THRESHOLD = 100_000


@contextlib.contextmanager
def collecting_rarely() -> Iterator[None]:
    """Run the garbage collector less often for the build, as it was again afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(_BUILD_COLLECTION_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


# From how many files in the last output a second process readies the staging folder
# beside the build (write.StagingFolder): forking costs about as much as walking or linking
# a thousand files.
READY_BESIDE_FILES = 1_000


@contextlib.contextmanager
def _staging_for(
    options: BuildOptions, jobs: int, last: LastBuild | None
) -> Iterator[StagingFolder | None]:
    """The staging folder, readied beside the build from its start (write.StagingFolder)
    when the last output (`last`, as last_build gives it) was large; None for a build in
    place. Removed if the build fails before writing, as it would be if it failed while
    writing."""
    if options.in_place:
        yield None
        return
    beside = jobs > 1 and last is not None and last.summary.files >= READY_BESIDE_FILES
    staging = StagingFolder(options.output, beside=beside)
    try:
        yield staging
    except BaseException:
        staging.discard()
        raise


def _has_files(folder: Path, count: int) -> bool:
    """Whether folder holds at least `count` files, at any depth; stops listing there."""
    for _, _, names in os.walk(folder):  # an unreadable folder is passed over
        count -= len(names)
        if count <= 0:
            return True
    return False


class Incremental:
    """The pipeline's Engine (build.Engine), its methods called in the pipeline's order,
    once each: read, measure, markdown; current, make, copied, write; then `record`.

    It starts when first asked to read: after the pipeline has checked the config and the
    options, so that nothing is made beside the output or in the site folder before."""

    def __init__(
        self,
        options: BuildOptions,
        *,
        sources: SiteSources | None = None,
        render_bodies: Callable[[Sequence[str]], list[Rendered]] | None = None,
    ) -> None:
        self.options = options
        self.jobs = options.jobs or default_jobs()
        self.cache_dir = options.site_dir / CACHE_DIR if options.cache else None
        self._given = sources
        self._render_bodies = render_bodies
        self._early = False
        self._stack = contextlib.ExitStack()
        self._reading = contextlib.ExitStack()  # the cache and workers of read and markdown
        self._making = contextlib.ExitStack()  # the cache of make, write and record
        self._cache = BuildCache.disabled()
        self._staging: StagingFolder | None = None
        self._previous: Mapping[str, Recorded] = {}
        self._planned: Sequence[Job] = ()
        self._base_keys: Sequence[str] = ()  # as planned; a page's adds what it read
        self._keys: list[str] = []  # as recorded: a page's with what it read
        self._reads: dict[str, str] = {}  # path -> what a page made now read (Reads.to_json)
        self._current: set[str] = set()
        self._auditor: Auditor | None = None
        self._written: AuditedOutputs | None = None

    def __enter__(self) -> Incremental:
        return self

    def __exit__(self, *exc: object) -> bool | None:
        return self._stack.__exit__(*exc)  # type: ignore[arg-type]

    def _start(self) -> None:
        """The staging folder, the cache, and on a first build the workers, forked now."""
        last = last_build(self.options)
        # A build with no record of a last one makes everything: the workers that read and
        # render are forked before the sources are read (parallel.early_workers).
        self._early = (
            last is None
            and self._given is None
            and _has_files(self.options.site_dir / "content" / "posts", MIN_PARALLEL_ITEMS)
        )
        stack = self._stack
        self._staging = stack.enter_context(_staging_for(self.options, self.jobs, last))
        stack.enter_context(self._making)
        stack.enter_context(self._reading)
        self._cache = self._reading.enter_context(BuildCache(self.cache_dir))
        if self._early:
            self._reading.enter_context(early_workers(self.jobs))

    # ------------------------------------------------------------ read and assemble

    def read(self, site_dir: Path) -> tuple[SiteSources, list[SiteError]]:
        self._start()
        if self._given is not None:
            return self._given, []
        return discover(
            site_dir,
            remembered=self._cache,
            split_many=functools.partial(parallel_map, split_record, jobs=self.jobs),
        )

    def measure(self, content: Path, paths: Sequence[str], max_pixels: int) -> dict[str, Measured]:
        memo = self.cache_dir / "pictures" / "measured.json" if self.cache_dir else None
        return measure_all(content, paths, max_pixels=max_pixels, memo=memo)

    def markdown(self, config: SiteConfig) -> Callable[[Sequence[str]], list[Rendered]]:
        if self._early:
            # The files' bytes, read and let go of, would stay mapped while this process
            # takes in the rendered bodies.
            return_free_memory()
        return self._render_bodies or markdown_renderer(config, self._cache, self.jobs)

    # ------------------------------------------------------------ make and write

    def current(self, planned: Sequence[Job], keys: Sequence[str]) -> set[str]:
        """The paths of the planned files the last output holds as they would be made now."""
        self._reading.close()  # the early workers end; bodies stored are committed
        self._cache = self._making.enter_context(BuildCache(self.cache_dir))
        out_dir = self.options.output.absolute()
        self._previous = self._cache.fingerprints(str(out_dir)) if out_dir.is_dir() else {}
        self._planned, self._base_keys = planned, keys
        self._keys = [
            _with_reads(job, key, self._previous) for job, key in zip(planned, keys, strict=True)
        ]
        self._current = _reusable(planned, self._keys, self._previous)
        return self._current

    def make(
        self,
        auditor: Auditor,
        *,
        themes: Sequence[Path],
        slow: Collection[str],
        precompress: bool,
    ) -> Iterator[Output]:
        out_dir = self.options.output.absolute()
        self._auditor = auditor
        for path in _changed_since(self._planned, self._keys, self._previous):
            auditor.scan(Output(path, source=out_dir / path))
        return _made(
            self._planned,
            self._current,
            self._previous,
            out_dir,
            self.jobs,
            auditor,
            stage=not self.options.in_place,
            themes=themes,
            slow=slow,
            precompress=precompress,
            compressed_cache=self.cache_dir / "compressed" if self.cache_dir else None,
            stored=dict(zip((job.path for job in self._planned), self._keys, strict=True)),
            read=self._read,
        )

    def _read(self, index: int, job: Job, reads: Reads) -> None:
        """A page made: its key, now that what it read is known."""
        assert job.key_for is not None
        self._keys[index] = _read_key(self._base_keys[index], job, reads)
        self._reads[job.path] = reads.to_json()

    def copied(self, outputs: Iterable[Output], *, precompress: bool) -> Iterable[Output]:
        if not precompress:
            return outputs
        return with_compressed(outputs, self.cache_dir / "compressed" if self.cache_dir else None)

    def write(self, outputs: AuditedOutputs, out_dir: Path) -> WriteReport:
        self._written = outputs
        if self._staging is None:
            return update_in_place(outputs, out_dir, before_swap=outputs.finish)
        return write_site(outputs, out_dir, before_swap=outputs.finish, staging=self._staging)

    # ------------------------------------------------------------ record

    def record(self, result: BuildResult, inputs: str) -> BuildResult:
        """Keep what the next build compares with: each file's key, digest and audit, and
        the stamps of inputs and output (`up_to_date`)."""
        started = time.perf_counter()
        written, auditor = self._written, self._auditor
        assert written is not None and auditor is not None, "record follows write"
        out_dir = self.options.output.absolute()
        stats = output_stats(out_dir, written.paths)  # one stat a file, for both records
        self._cache.store_fingerprints(
            str(out_dir),
            [
                (path, key + suffix, written.digests[path], None if suffix else self._reads_of(job))
                for job, key in zip(self._planned, self._keys, strict=True)
                for suffix in ("", *SUFFIXES)
                if (path := job.path + suffix) in written.digests
            ],
            auditor.digest,
            stats,
        )
        site = result.assembled.whole if result.assembled else result.site
        summary = UpToDate(
            pages=result.pages,
            feeds=result.feeds,
            files=result.files,
            posts=len(site.posts),
            audience=site.info.audience.name,
            published_until=max((post.date for post in site.posts), default=None),
            next_due=min((item.due for item in site.withheld if item.due), default=None),
        )
        output = recorded_stamp(out_dir, written.paths, stats)
        self._cache.store_stamp(str(out_dir), inputs, output, written.paths, summary.to_json())
        self._making.close()
        if self._staging is not None:
            self._staging.finish()  # the spare, trimmed beside the recording
        spent = time.perf_counter() - started
        return dataclasses.replace(
            result,
            seconds=result.seconds + spent,
            stages=(*result.stages, ("record keys and stamps", spent)),
        )

    def _reads_of(self, job: Job) -> str | None:
        """What a page read: made now, or when the file taken over was made."""
        if job.key_for is None:
            return None
        made = self._reads.get(job.path)
        if made is not None:
            return made
        previous = self._previous.get(job.path)
        return previous.reads if previous is not None else None


def _with_reads(job: Job, key: str, previous: Mapping[str, Recorded]) -> str:
    """The key a planned file is recorded under: a page's with what its rendering read when
    it was last made, as that is now; "" (made again) if that is not known."""
    if job.key_for is None:
        return key
    recorded = previous.get(job.path)
    if recorded is None or recorded.reads is None:
        return ""
    return _read_key(key, job, Reads.from_json(recorded.reads))


def _read_key(key: str, job: Job, reads: Reads) -> str:
    assert job.key_for is not None
    return digest((key, job.key_for(reads)))


def markdown_renderer(
    config: SiteConfig, cache: BuildCache, jobs: int
) -> Callable[[Sequence[str]], list[Rendered]]:
    """Render Markdown bodies: from the cache when it has them, else over `jobs` processes."""
    render = functools.partial(
        render_markdown, base_path=config.base_path, allow_raw_html=config.allow_raw_html
    )

    def render_bodies(texts: Sequence[str]) -> list[Rendered]:
        keys = [
            markdown_key(text, base_path=config.base_path, allow_raw_html=config.allow_raw_html)
            for text in texts
        ]
        known = cache.rendered(keys)
        missing = [index for index, key in enumerate(keys) if key not in known]
        made = parallel_results(render, [texts[index] for index in missing], jobs=jobs)
        with contextlib.closing(made):  # closed early, this ends the workers
            for start in range(0, len(missing), 500):  # stored a few hundred as they come
                batch = missing[start : start + 500]
                fresh = {
                    keys[index]: dataclasses.replace(
                        body, body=dataclasses.replace(body.body, key=keys[index])
                    )
                    for index, body in zip(batch, itertools.islice(made, len(batch)), strict=True)
                }
                cache.store_rendered(fresh)
                known.update(packed_together_in_runs(fresh))
        return [known[key] for key in keys]

    return render_bodies


# Fewer files than this to make and the audit builds the automaton that is quicker to build
# than to search with (audit.Auditor's `few_outputs`).
FEW_OUTPUTS = 500


def _reusable(
    planned: Sequence[Job], stored: Sequence[str], previous: Mapping[str, Recorded]
) -> set[str]:
    """The paths of the files to take from the previous output: their key is unchanged.

    `stored` holds each planned job's key as recorded (`_stored_key`); `previous` the
    files of the last output (cache.fingerprints): those whose stat changed are made again.
    """
    return {
        job.path
        for job, key in zip(planned, stored, strict=True)
        if job.path in previous
        and previous[job.path].key == key
        and previous[job.path].audit is not None
    }


def _changed_since(
    planned: Sequence[Job], stored: Sequence[str], previous: Mapping[str, Recorded]
) -> list[str]:
    """The files of the last output that are what this build would make, but whose bytes
    may have changed since (their stat is not what the build left): made again, and read
    by the audit first, so that a leak put there by hand is reported, not just replaced."""
    return [
        job.path
        for job, key in zip(planned, stored, strict=True)
        if job.path in previous
        and previous[job.path].key == key
        and previous[job.path].audit is None
    ]


def _made(
    planned: Sequence[Job],
    reuse: set[str],
    previous: Mapping[str, Recorded],
    out_dir: Path,
    jobs: int,
    auditor: Auditor,
    *,
    stage: bool,
    themes: Sequence[Path],
    slow: Collection[str] = (),
    precompress: bool = False,
    compressed_cache: Path | None = None,
    stored: Mapping[str, str] | None = None,
    read: Callable[[int, Job, Reads], None] | None = None,
) -> Iterator[Output]:
    """Each job's output: the previous build's file when its path is in `reuse`, else made now.

    With `precompress`, a text file gets `.gz` and `.br` copies, made with it (or taken from
    `compressed_cache`), or taken over with it if they were made from the same key
    (`stored`: each job's recorded key).

    A page made now is made recording what it reads (reads.recording), handed to `read`
    with its index in `planned`.

    A file made now is audited where it is made (in a worker, on a large site), so the audit
    runs in parallel and only the findings cross back; it is marked `audited`. With `stage`,
    its maker also puts it in write_site's staging folder (write.stage_file), so its bytes
    do not cross back either, and the writes are spread over the workers too. A few files
    among `slow` (a picture's copies) are worth workers where as few pages are not.
    """
    for job in planned:
        if job.path not in reuse:
            check_relative(job.path)  # an unsafe path stops the build here, before any work

    def put(path: str, data: bytes, findings: list[Finding]) -> _Made:
        findings += auditor.findings_in(Output(path, data))
        return path, stage_file(out_dir, path, data) if stage else data, bytes_digest(data)

    def made_and_audited(job: Job) -> Callable[[], _Result]:
        def make() -> _Result:
            reads = None
            try:
                if job.key_for is None:
                    data = job.make()
                else:
                    with recording() as reading:
                        data = job.make()
                    reads = reading.reads()
            except jinja2.TemplateError as error:
                # Worded here, where its traceback tells the template and line: a traceback
                # does not cross back from a worker.
                raise BuildFailed([template_error(error, themes)]) from None
            findings: list[Finding] = []
            made = put(job.path, data, findings)
            copies = []
            if precompress and compressible(job.path, len(data)):
                # The audit reads each copy decompressed, as a reader's browser gets it.
                for suffix, copy in zip(SUFFIXES, compressed(data, compressed_cache), strict=True):
                    copies.append(put(job.path + suffix, copy, findings))
            return made, findings, copies, reads

        return make

    def taken_over(job: Job) -> Iterator[Output]:
        yield _taken_over(job.path, out_dir, previous, auditor.digest)
        if not precompress:
            return
        for suffix in SUFFIXES:
            copy = previous.get(job.path + suffix)
            if (
                copy is not None
                and copy.audit is not None
                and stored is not None
                and copy.key == stored[job.path] + suffix
            ):
                yield _taken_over(job.path + suffix, out_dir, previous, auditor.digest)
            elif compressible(job.path, (out_dir / job.path).stat().st_size):
                # Precompression newly asked for, or a copy changed by hand: made again.
                data = (out_dir / job.path).read_bytes()
                pair = compressed(data, compressed_cache)
                yield Output(job.path + suffix, pair[SUFFIXES.index(suffix)])

    def made_outputs(index: int, result: _Result) -> Iterator[Output]:
        made, findings, copies, reads = result
        auditor.record(findings)
        if reads is not None and read is not None:
            read(index, planned[index], reads)
        for path, data, of_bytes in (made, *copies):
            yield _made_output(path, data, of_bytes)

    makers = [made_and_audited(job) for job in planned if job.path not in reuse]
    least = 2 if any(job.path in slow and job.path not in reuse for job in planned) else None
    few = makers and in_process(jobs, len(makers), least)
    if stage and jobs > 1 and few and len(reuse) >= MAKE_BESIDE_REUSED:
        # A few files to make and thousands to take from the last output (an edit build):
        # made in a process of their own while this one links the rest into the staging
        # folder, so those come first and the made ones after.
        beside = make_beside(makers)
        try:
            for job in planned:
                if job.path in reuse:
                    yield from taken_over(job)
            made_now = (index for index, job in enumerate(planned) if job.path not in reuse)
            for index, result in zip(made_now, beside.result(), strict=True):
                yield from made_outputs(index, result)
        finally:
            beside.stop()
        return
    fresh = make_all(makers, jobs=jobs, min_items=least)
    with contextlib.closing(fresh):  # closed early, this ends the workers before returning
        for index, job in enumerate(planned):
            if job.path in reuse:
                yield from taken_over(job)
            else:
                yield from made_outputs(index, next(fresh))


# A file made: where, its bytes (or whether its maker staged them), their digest.
_Made = tuple[str, bytes | bool, str]
# A file made, what the audit found in it, its compressed copies, and what it read (a page).
_Result = tuple[_Made, list[Finding], list[_Made], Reads | None]


# From how many files taken from the last output an edit build makes its few changed files
# in a process of their own beside the linking of the rest (`_made`): forking costs about
# as much as linking a thousand files.
MAKE_BESIDE_REUSED = 1_000


def with_compressed(outputs: Iterable[Output], cache: Path | None) -> Iterator[Output]:
    """Each copied file, and the compressed copies of a text one (theme assets: a few)."""
    for output in outputs:
        yield output
        if output.source is not None and compressible(output.path, output.source.stat().st_size):
            pair = compressed(output.source.read_bytes(), cache)
            for suffix, data in zip(SUFFIXES, pair, strict=True):
                yield Output(output.path + suffix, data)


def _made_output(path: str, made: bytes | bool, digest: str) -> Output:
    """A file made this build: its bytes, or whether its maker wrote it (staged)."""
    if isinstance(made, bytes):
        return Output(path, made, audited=True, digest=digest)
    return Output(path, audited=True, staged=made, digest=digest)


def _taken_over(path: str, out_dir: Path, previous: Mapping[str, Recorded], audit: str) -> Output:
    """A file of the last output taken over as it is, with the digest recorded of it:
    audited already if this same audit (`audit`, Auditor.digest) passed these same bytes."""
    recorded = previous[path]
    return Output(
        path,
        source=out_dir / path,
        reused=True,
        audited=recorded.audit == audit,
        digest=recorded.digest,
    )
