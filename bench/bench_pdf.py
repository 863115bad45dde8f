"""PDF speed: our writer vs raw WeasyPrint on the same HTML vs pandoc --pdf-engine=weasyprint.

Run: .venv/bin/python bench/bench_pdf.py [--repeat N] [--matrix]
Prints one table: seconds per render of the sample at 18 pt and 24 pt, side by side.
--matrix also renders and checks every document x every profile x every colour scheme.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from converter import Options, api, profiles  # noqa: E402
from converter.writers import pdf as pdf_writer  # noqa: E402

SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
CORPUS = REPO.parent / "shared" / "corpus"
VENV_BIN = Path(sys.executable).parent


def timed(function, repeat: int) -> float:
    """Median seconds of ``repeat`` calls (after one warm-up call)."""
    function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def ours(root, options: Options) -> bytes:
    return pdf_writer.render(root, options).pdf


def raw_weasyprint(html_text: str, css: str) -> bytes:
    """WeasyPrint alone on our HTML and CSS: PDF/UA tags, no structure repair, no checks."""
    from weasyprint import CSS, HTML

    fetcher = pdf_writer.resource_fetcher_class()()
    fonts = pdf_writer.font_configuration()
    return HTML(string=html_text, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=fetcher, font_config=fonts)],
        font_config=fonts,
        pdf_variant="pdf/ua-1",
    )


def pandoc(size: float, folder: Path) -> float:
    """One pandoc run (a new process, as pandoc is used), text read as Markdown."""
    css = folder / f"size-{size:g}.css"
    css.write_text(f"html {{ font-size: {size:g}pt; }}\n")
    environment = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    started = time.perf_counter()
    subprocess.run(
        [
            "/usr/bin/pandoc",
            str(SAMPLE),
            "-f",
            "markdown",
            "-s",
            "--metadata",
            "title=Sample",
            "--css",
            str(css),
            "--pdf-engine=weasyprint",
            "-o",
            str(folder / "pandoc.pdf"),
        ],
        check=True,
        env=environment,
        capture_output=True,
    )
    return time.perf_counter() - started


def cli(size: float, folder: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "converter",
            str(SAMPLE),
            "--to",
            "pdf",
            "--font-size",
            f"{size:g}",
            "-o",
            str(folder / "cli.pdf"),
        ],
        check=True,
        capture_output=True,
        cwd=REPO,
    )
    return time.perf_counter() - started


def speed(repeat: int) -> None:
    root = api.parse(SAMPLE).getroot()
    print(
        f"PDF speed, sample {SAMPLE.name} ({SAMPLE.stat().st_size // 1024} KB), "
        f"median of {repeat} (load average {os.getloadavg()[0]:.1f})"
    )
    header = (
        f"{'size':>5} | {'ours':>7} | {'raw WeasyPrint':>14} | {'overhead':>8} | "
        f"{'pandoc+WeasyPrint':>17} | {'ours CLI':>8} | {'ours/pandoc':>11}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for size in (18.0, 24.0):
            options = Options(font_size=size)
            html_text, css = pdf_writer.build_html(root, profiles.print_profile(options))
            ours_s = timed(lambda o=options: ours(root, o), repeat)
            raw_s = timed(lambda h=html_text, c=css: raw_weasyprint(h, c), repeat)
            pandoc_s = statistics.median(pandoc(size, folder) for _ in range(repeat))
            cli_s = statistics.median(cli(size, folder) for _ in range(repeat))
            print(
                f"{size:>5g} | {ours_s:>6.2f}s | {raw_s:>13.2f}s | {ours_s / raw_s - 1:>+7.0%} | "
                f"{pandoc_s:>16.2f}s | {cli_s:>7.2f}s | {cli_s / pandoc_s:>10.2f}x"
            )
    print(
        "ours and raw WeasyPrint: in-process, warm, one shared FontConfiguration; "
        "pandoc and ours CLI: a new process each (imports included)."
    )


def matrix() -> None:
    """Every document x every profile x every colour scheme: render and run every check."""
    from converter.check import check_file

    sources = [SAMPLE, *sorted(CORPUS.glob("*.txt"))] if CORPUS.is_dir() else [SAMPLE]
    print(f"\n{'document':45} {'profile':9} {'colours':16} {'pages':>5} {'render':>7}  checks")
    with tempfile.TemporaryDirectory() as name:
        for source in sources:
            root = api.parse(source).getroot()
            for profile in profiles.profile_names():
                for colours in profiles.colour_names():
                    options = Options(profile=profile, colours=colours)
                    started = time.perf_counter()
                    data = ours(root, options)
                    seconds = time.perf_counter() - started
                    path = Path(name) / "out.pdf"
                    path.write_bytes(data)
                    report = check_file(path, options)
                    failed = [r.name for r in report.results if r.status != "pass"]
                    pages = data.count(b"/Type /Page\n") or data.count(b"/Type /Page")
                    print(
                        f"{source.stem[:45]:45} {profile:9} {colours:16} {pages:>5} "
                        f"{seconds:>6.2f}s  {'pass' if not failed else 'FAIL ' + ','.join(failed)}",
                        flush=True,
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--matrix", action="store_true")
    arguments = parser.parse_args()
    speed(arguments.repeat)
    if arguments.matrix:
        matrix()


if __name__ == "__main__":
    main()
