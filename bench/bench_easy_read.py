"""Easy Read edition: time for the sample, beside raw WeasyPrint and pandoc, and the table of
its figures for the sample and every corpus text.

Run: .venv/bin/python bench/bench_easy_read.py [--repeat N] [--check]
Prints: seconds for each step of the sample's Easy Read edition (plan, tree, each format),
the PDF beside raw WeasyPrint on the same HTML and pandoc (text to PDF through WeasyPrint);
then per document: lines, longest line, Flesch-Kincaid grade, PDF pages, pictures used,
lines with and without a picture, planning time, or the reason it was refused.  --check also
runs every validator on its PDF, DOCX and HTML (veraPDF, LibreOffice, axe-core).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from converter import Options, api, profiles  # noqa: E402
from converter.check import check_file  # noqa: E402
from converter.transforms.easy_read import NothingToSay, easy_read_of  # noqa: E402
from converter.transforms.easy_read_rules import readability  # noqa: E402
from converter.transforms.summary import summary_of  # noqa: E402
from converter.writers import docx as docx_writer  # noqa: E402
from converter.writers import html as html_writer  # noqa: E402
from converter.writers import pdf as pdf_writer  # noqa: E402

SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
CORPUS = REPO.parent / "shared" / "corpus"
VENV_BIN = Path(sys.executable).parent
EASY = Options(easy_read=True)


def timed(function: Callable[[], object], repeat: int) -> float:
    """Median seconds of ``repeat`` calls (after one warm-up call)."""
    function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def raw_weasyprint(html_text: str, css: str) -> bytes:
    """WeasyPrint alone on the same HTML and CSS: no structure repair, no checks."""
    from weasyprint import CSS, HTML

    fetcher = pdf_writer.resource_fetcher_class()()
    fonts = pdf_writer.font_configuration()
    return HTML(string=html_text, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=fetcher, font_config=fonts)],
        font_config=fonts,
        pdf_variant="pdf/ua-1",
    )


def pandoc(folder: Path) -> float:
    """One pandoc run (a new process, as pandoc is used): the sample as Markdown to PDF."""
    environment = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    started = time.perf_counter()
    subprocess.run(
        ["/usr/bin/pandoc", str(SAMPLE), "-f", "markdown", "-s", "--metadata", "title=Sample",
         "--pdf-engine=weasyprint", "-o", str(folder / "pandoc.pdf")],
        check=True,
        env=environment,
        capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - started


def sample_table(repeat: int) -> None:
    started = time.perf_counter()
    root = api.parse(SAMPLE).getroot()
    edition = easy_read_of(root)
    tree = edition.tree
    first = time.perf_counter() - started
    html_text, css = pdf_writer.build_html(tree, profiles.print_profile(EASY))
    rows = [
        ("parse the sample", timed(lambda: api.parse(SAMPLE), repeat)),
        ("plan its summary (for reference)", timed(lambda: summary_of(root).tree, repeat)),
        ("plan the Easy Read edition and tree", timed(lambda: easy_read_of(root).tree, repeat)),
        (
            "PDF: our writer (PDF/UA-1, repaired)",
            timed(lambda: pdf_writer.write(tree, EASY), repeat),
        ),
        ("PDF: raw WeasyPrint, same HTML", timed(lambda: raw_weasyprint(html_text, css), repeat)),
        ("DOCX", timed(lambda: docx_writer.write(tree, EASY), repeat)),
        ("HTML", timed(lambda: html_writer.write(tree, EASY), repeat)),
    ]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        rows.append(
            (
                "convert --to pdf --easy-read (all)",
                timed(lambda: api.convert(SAMPLE, ["pdf"], EASY, folder), repeat),
            )
        )
        rows.append(
            (
                "pandoc sample.txt -> PDF (weasyprint)",
                statistics.median(pandoc(folder) for _ in range(repeat)),
            )
        )
    ours = dict(rows)["PDF: our writer (PDF/UA-1, repaired)"]
    raw = dict(rows)["PDF: raw WeasyPrint, same HTML"]
    print(f"sample: {SAMPLE.name}; median of {repeat} runs; first edition (cold) {first:.3f} s")
    print(f"{'step':40} {'seconds':>8}")
    for step, seconds in rows:
        print(f"{step:40} {seconds:8.3f}")
    print(f"our PDF writer / raw WeasyPrint on the same HTML: {ours / raw:.2f}x")


def corpus_table(check: bool) -> None:
    texts = [SAMPLE, *(sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else [])]
    header = f"{'document':42} {'lines':>5} {'max w':>5} {'FK':>4} {'pages':>5} {'pics':>4} {'with':>4} {'w/o':>4} {'plan s':>6}"
    print("\n" + header + ("  validators" if check else ""))
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for path in texts:
            root = api.parse(path).getroot()
            started = time.perf_counter()
            try:
                edition = easy_read_of(root)
            except NothingToSay as refusal:
                print(f"{path.stem[:42]:42} refused: {str(refusal)[:90]}")
                continue
            seconds = time.perf_counter() - started
            lines = edition.plan.lines()
            figures = readability([line.text for line in lines])
            pictured = [line for line in lines if line.symbol]
            outputs = api.convert(path, ["pdf", "docx", "html"], EASY, folder)
            pdf = next(o.path for o in outputs if o.path and o.path.suffix == ".pdf")
            import pikepdf

            with pikepdf.open(pdf) as document:
                pages = len(document.pages)
            row = (
                f"{path.stem[:42]:42} {len(lines):5} {figures.longest:5} "
                f"{figures.grade_level:4.1f} {pages:5} {len({line.symbol for line in pictured}):4} "
                f"{len(pictured):4} {len(lines) - len(pictured):4} {seconds:6.2f}"
            )
            if check:
                verdicts = []
                for output in outputs:
                    assert output.path is not None
                    report = check_file(output.path, EASY)
                    failed = [r.name for r in report.results if r.status != "pass"]
                    verdicts.append(
                        f"{output.format} {'pass' if not failed else 'FAIL ' + ','.join(failed)}"
                    )
                row += "  " + "; ".join(verdicts)
            print(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--check", action="store_true")
    arguments = parser.parse_args()
    sample_table(arguments.repeat)
    corpus_table(arguments.check)


if __name__ == "__main__":
    main()
