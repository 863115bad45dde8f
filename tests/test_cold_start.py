"""Cold start: a conversion imports only what its formats need, and the writer registry reads
the installed packages' entry points only when a name is not built in.  (How fast it is, is
bench/bench_cold_start.py's business; these pin what is imported, which cannot be flaky.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE
from lxml import etree

from converter import pipeline, writers
from converter.errors import UsageError
from converter.options import Options
from converter.writers import glyphs

#: Libraries one writer (or the checks, the summary, the service) needs and no other.
HEAVY = {
    "weasyprint": "pdf",
    "pikepdf": "pdf",
    "docx": "docx",
    "ebooklib": "epub",
    "louis": "brf/pef",
    "textstat": "summary",
    "PIL": "images",
    "pdfminer": "pdf reader",
    "pypdfium2": "pdf reader",
    "fastapi": "service",
    "distributed": "dask",
    "importlib.metadata": "entry points",
    "converter.check": "--check",
    "converter.transforms.summary": "summaries",
    "fontTools": "a font's metrics not packaged (glyphs.measure)",
    "converter.writers.audio.narration": "talking copies",
}


def modules_after(code: str, cwd: Path) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=cwd
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def converted(fmt: str, out: Path) -> set[str]:
    """The modules a `convert SAMPLE --to FMT` process imported."""
    code = (
        "import sys\nfrom converter.cli import main\n"
        f"sys.argv = ['convert', {str(SAMPLE)!r}, '--to', {fmt!r}, '-o', {str(out)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert exit.code == 0, exit.code"
    )
    return modules_after(code, out.parent)


def test_importing_converter_imports_no_writer_library(tmp_path: Path) -> None:
    loaded = modules_after("import converter", tmp_path)
    assert sorted(name for name in HEAVY if name in loaded) == []
    assert "lxml.etree" not in loaded and "converter.pipeline" not in loaded


def test_the_public_names_are_still_there() -> None:
    import converter
    from converter.api import convert, parse

    assert converter.convert is convert and converter.parse is parse
    assert converter.Options is Options and converter.formats is writers.formats
    assert set(converter.__all__) <= set(dir(converter))
    with pytest.raises(AttributeError):
        converter.no_such_name  # noqa: B018


@pytest.mark.parametrize(
    ("fmt", "own"),
    [
        ("xml", set()),
        ("html", set()),
        ("epub", {"ebooklib"}),
        ("docx", {"docx"}),
        # WeasyPrint draws images with Pillow and subsets fonts with fontTools; the
        # structure repairs and the terminal's line need no pikepdf.
        ("pdf", {"weasyprint", "PIL", "fontTools"}),
    ],
)
def test_a_conversion_imports_only_its_own_writer_libraries(
    fmt: str, own: set[str], tmp_path: Path
) -> None:
    out = tmp_path / f"sample.{fmt}"
    loaded = converted(fmt, out)
    assert out.stat().st_size > 0
    assert sorted(name for name in HEAVY if name in loaded and name not in own) == []
    assert own <= loaded


def test_the_packaged_font_metrics_are_the_installed_fonts() -> None:
    for weight in glyphs.WEIGHTS:
        path = glyphs.font_file(weight)
        packaged = glyphs._packaged()[path.name]
        assert packaged == glyphs.measure(path)  # else: python -m converter.writers.glyphs
        assert glyphs.metrics(weight) is not None and packaged.advances[ord("W")] > 0


def test_a_font_unlike_the_packaged_table_is_measured(monkeypatch: pytest.MonkeyPatch) -> None:
    path = glyphs.font_file("Regular")
    stale = glyphs.FontMetrics(path.name, 1, 1000, 500, {ord("W"): 1})
    monkeypatch.setattr(glyphs, "_packaged", lambda: {path.name: stale})
    glyphs.metrics.cache_clear()
    try:
        assert glyphs.metrics("Regular") == glyphs.measure(path)
        assert glyphs.text_width("WW", 10) == glyphs.text_width("W", 20)
    finally:
        glyphs.metrics.cache_clear()


# -- the registry ---------------------------------------------------------------------------


def _plugin(
    folder: Path,
    name: str,
    value: str = "Writer('fake', 'fake', 'text/plain', "
    "'a plug-in', function=lambda root, options: b'fake output')",
) -> None:
    """An installed distribution (a .dist-info folder on sys.path) with one writer entry point."""
    module = f"plugin_{name}"
    (folder / f"{module}.py").write_text(
        f"from converter.writers import Writer\nWRITER = {value}\n"
    )
    info = folder / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[converter.writers]\n{name} = {module}:WRITER\n")


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The registry as a new process has it (built-in writers only, entry points not read),
    with ``tmp_path`` on sys.path for plug-ins the test installs there."""
    monkeypatch.setattr(writers, "_WRITERS", {w.name: w for w in writers._BUILT_IN})
    monkeypatch.setattr(writers, "_plugins_read", False)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_a_built_in_name_does_not_read_the_entry_points(
    fresh_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.metadata

    def refuse(**_: object) -> None:
        raise AssertionError("entry points were read for a built-in format")

    monkeypatch.setattr(importlib.metadata, "entry_points", refuse)
    for writer in writers._BUILT_IN:
        assert writers.get(writer.name) is writer
    assert writers.parse_format_list("pdf,epub") == ["pdf", "epub"]
    with pytest.raises(AssertionError, match="entry points were read"):
        writers.get("no-such-format")  # a name not built in: the plug-ins are asked


def test_an_entry_point_writer_is_found_by_name_and_listed(fresh_registry: Path) -> None:
    _plugin(fresh_registry, "fake")
    writer = writers.get("fake")
    assert writer.description == "a plug-in"
    assert "fake" in writers.formats() and "fake" in writers.parse_format_list("all")
    root = etree.fromstring(b"<report/>")
    assert writer.write(root, Options()) == b"fake output"


def test_an_entry_point_writer_converts_through_the_pipeline(fresh_registry: Path) -> None:
    _plugin(fresh_registry, "fake")
    conversion = pipeline.convert(SAMPLE, [("fake", None), ("xml", None)])
    assert [record.status for record in conversion.outputs] == ["converted", "converted"]
    assert conversion.outputs[0].data == b"fake output"


def test_the_whole_list_reads_the_entry_points(fresh_registry: Path) -> None:
    _plugin(fresh_registry, "fake")
    assert writers.formats()[-1] == "fake"  # built-in first, then plug-ins
    assert [w.name for w in writers._BUILT_IN] == writers.formats()[:-1]


def test_a_plug_in_reusing_a_name_is_refused_when_the_plug_ins_are_read(
    fresh_registry: Path,
) -> None:
    _plugin(
        fresh_registry,
        "pdf",
        "Writer('pdf', 'pdf', 'application/pdf', 'another', function=lambda r, o: b'')",
    )
    # A conversion to the built-in pdf does not read the plug-ins: it gets the built-in writer.
    assert writers.get("pdf").module == "converter.writers.pdf"
    with pytest.raises(UsageError, match="two writers are registered as 'pdf'"):
        writers.formats()
    with pytest.raises(UsageError, match="two writers are registered as 'pdf'"):
        writers.get("no-such-format")  # refused again: a failed read is not remembered


def test_an_entry_point_that_is_not_a_writer_is_refused(fresh_registry: Path) -> None:
    _plugin(fresh_registry, "odd", "'not a writer'")
    with pytest.raises(UsageError, match="entry point 'odd' is not a converter Writer"):
        writers.get("odd")


def test_an_unknown_format_lists_the_plug_ins_too(fresh_registry: Path) -> None:
    _plugin(fresh_registry, "fake")
    with pytest.raises(UsageError, match=r"unknown format 'nope'; choose from xml, .*fake or all"):
        writers.get("nope")


# -- the pipeline's leftovers --------------------------------------------------------------


def test_a_folder_is_listed_once_for_all_the_outputs_written_into_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch writes thousands of outputs into one folder: listing it for each one made the
    run quadratic (42 ms an output at 80,000 files)."""
    listed: list[str] = []
    scandir = os.scandir

    def counting(path: str) -> object:
        listed.append(str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", counting)
    leftover = tmp_path / ".c.xml.abc123.part"  # a killed writer's, before this process began
    leftover.write_bytes(b"x")
    targets = [(fmt, tmp_path / f"{name}.{fmt}") for name in "abc" for fmt in ("xml", "html")]
    conversion = pipeline.convert(SAMPLE, targets)
    assert [record.status for record in conversion.outputs] == ["converted"] * 6
    assert listed.count(str(tmp_path)) == 1
    assert not leftover.exists()


def test_leftovers_of_an_output_are_removed_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    mine = [tmp_path / ".report.pdf.abc123.part", tmp_path / ".report.pdf..part"]
    others = [
        tmp_path / ".report.pdfx.abc.part",  # another output's
        tmp_path / ".report.pdf.abc.partial",
        tmp_path / "report.pdf.abc.part",
        tmp_path / ".report.pdf.part",
    ]
    for path in (*mine, *others):
        path.write_bytes(b"x")
    pipeline.remove_leftovers(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in others)
    pipeline.remove_leftovers(tmp_path / "no-such-folder" / "report.pdf")  # nothing to do


def test_a_pool_task_does_not_import_dask(tmp_path: Path) -> None:
    """A worker of the local pool (or the service's) asks whether it is on a Dask worker
    before each task; importing Dask to ask cost each worker 0.4 s and some 60 MB."""
    code = (
        "import multiprocessing\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from converter.batch.task import Task, convert_task\n"
        "from converter.options import Options\n"
        "def probe(task):\n"
        "    import sys\n"
        "    result = convert_task(task)\n"
        "    return result.outputs[0].status, 'distributed' in sys.modules\n"
        "if __name__ == '__main__':\n"
        f"    task = Task({str(SAMPLE)!r}, (('xml', {str(tmp_path / 'out.xml')!r}),), Options())\n"
        "    context = multiprocessing.get_context('forkserver')\n"
        "    with ProcessPoolExecutor(1, mp_context=context) as pool:\n"
        "        print(pool.submit(probe, task).result())\n"
    )
    script = tmp_path / "probe.py"
    script.write_text(code)
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert result.stdout.strip() == "('converted', False)"


def test_a_pdf_is_described_alike_whether_this_process_wrote_it_or_not() -> None:
    from converter import api
    from converter.writers import pdf

    root = api.parse(Path(__file__).parent / "fixtures" / "xml" / "core-minimal.xml").getroot()
    data = pdf.write(root, Options())
    written_here = pdf.describe(data, Options())
    pdf._PAGES.clear()  # as a process that did not write it: read with pikepdf
    assert pdf.describe(data, Options()) == written_here
    assert re.match(r"[1-9]\d* pages?, PDF/UA-1, ", written_here), written_here
