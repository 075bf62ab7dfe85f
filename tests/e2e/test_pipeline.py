"""The pipeline (build.build) decides what is published; the engine only how it is run.

Run with a plain engine written here (every file read, rendered and made in this process,
nothing remembered), the pipeline writes the same bytes as `journeyblog build` does with
the incremental engine; and an engine that slips withheld text into a file it makes is
stopped by the pipeline's own audit, with nothing written.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path

import pytest
from tests.conftest import NOW, MakeSite, post, snapshot

from journeyblog import build as pipeline
from journeyblog.audit import Auditor
from journeyblog.build import AuditedOutputs
from journeyblog.compress import SUFFIXES, compressed, compressible
from journeyblog.config import SiteConfig
from journeyblog.engine.incremental import build
from journeyblog.engine.write import write_site
from journeyblog.errors import BuildFailed, SiteError
from journeyblog.figures import Measured
from journeyblog.markdown import render_markdown
from journeyblog.model import Job, Output, WriteReport
from journeyblog.options import BuildOptions
from journeyblog.pictures import measure_all
from journeyblog.rendered import Rendered
from journeyblog.sources import SiteSources, discover

SECRET = "The Northgate contract is signed on the ninth of May for four million pounds."


class Plain:
    """Every stage run here, in order, from nothing: no cache, no workers, no reuse."""

    def __init__(self, *, slipped: str = "") -> None:
        self.slipped = slipped  # text this engine puts into every page it makes
        self.planned: Sequence[Job] = ()

    def read(self, site_dir: Path) -> tuple[SiteSources, list[SiteError]]:
        return discover(site_dir)

    def measure(self, content: Path, paths: Sequence[str], max_pixels: int) -> dict[str, Measured]:
        return measure_all(content, paths, max_pixels=max_pixels)

    def markdown(self, config: SiteConfig) -> Callable[[Sequence[str]], list[Rendered]]:
        def render(texts: Sequence[str]) -> list[Rendered]:
            return [
                render_markdown(
                    text, base_path=config.base_path, allow_raw_html=config.allow_raw_html
                )
                for text in texts
            ]

        return render

    def current(self, planned: Sequence[Job], keys: Sequence[str]) -> set[str]:
        self.planned = planned
        return set()

    def make(
        self, auditor: Auditor, *, themes: Sequence[Path], slow: Collection[str], precompress: bool
    ) -> Iterator[Output]:
        for job in self.planned:
            data = job.make()
            if self.slipped and job.path.endswith(".html"):
                data = data.replace(b"</main>", f"<p>{self.slipped}</p></main>".encode(), 1)
            yield from self._with_copies(Output(job.path, data), precompress)

    def copied(self, outputs: Iterable[Output], *, precompress: bool) -> Iterator[Output]:
        for output in outputs:
            yield from self._with_copies(output, precompress)

    def write(self, outputs: AuditedOutputs, out_dir: Path) -> WriteReport:
        return write_site(outputs, out_dir, before_swap=outputs.finish)

    @staticmethod
    def _with_copies(output: Output, precompress: bool) -> Iterator[Output]:
        yield output
        data = output.data if output.data is not None else output.source.read_bytes()  # type: ignore[union-attr]
        if precompress and compressible(output.path, len(data)):
            for suffix, copy in zip(SUFFIXES, compressed(data, None), strict=True):
                yield Output(output.path + suffix, copy)


def _site(make_site: MakeSite, *, precompress: bool) -> Path:
    site = make_site(
        {
            "content/posts/cloud/01-start.md": post("Start", series="cloud", part=1),
            "content/posts/cloud/02-deal.md": post(
                "The deal", security="internal", series="cloud", part=2, body=SECRET + "\n"
            ),
            "content/posts/cloud/03-after.md": post(
                "After", series="cloud", part=3, tags=["cloud", "money"]
            ),
            "content/posts/other.md": post("Other", date="2016-02-01", tags=["people"]),
        }
    )
    if precompress:
        config = site / "journeyblog.toml"
        config.write_text("precompress = true\n" + config.read_text(encoding="utf-8"))
    return site


@pytest.mark.parametrize("precompress", [False, True])
def test_the_pipeline_run_plainly_writes_what_the_incremental_engine_writes(
    make_site: MakeSite, tmp_path: Path, precompress: bool
) -> None:
    site = _site(make_site, precompress=precompress)
    plain = pipeline.build(
        BuildOptions(site_dir=site, out_dir=tmp_path / "plain", now=NOW), Plain()
    )
    engine = build(BuildOptions(site_dir=site, out_dir=tmp_path / "engine", now=NOW, jobs=2))
    assert snapshot(tmp_path / "plain") == snapshot(tmp_path / "engine")
    assert (plain.pages, plain.feeds, plain.files) == (engine.pages, engine.feeds, engine.files)
    assert plain.rendered == engine.rendered  # the engine's first build makes every file too
    assert any(path.endswith(".gz") for path in snapshot(tmp_path / "plain")) == precompress
    assert not any(SECRET.encode()[:40] in data for data in snapshot(tmp_path / "plain").values())


def test_an_engine_that_slips_withheld_text_into_a_page_is_stopped_by_the_audit(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = _site(make_site, precompress=False)
    out = tmp_path / "out"
    pipeline.build(BuildOptions(site_dir=site, out_dir=out, now=NOW), Plain())
    before = snapshot(out)
    with pytest.raises(BuildFailed) as failure:
        pipeline.build(
            BuildOptions(site_dir=site, out_dir=out, now=NOW), Plain(slipped=SECRET[4:60])
        )
    assert any("02-deal.md" in error.message for error in failure.value.errors)
    assert snapshot(out) == before  # nothing written
