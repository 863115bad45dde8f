"""Where the PDF writer's time goes, beside raw WeasyPrint on the same HTML: each stage's CPU
time (median of interleaved runs, warm, each from a collected heap, in one process) and a
cProfile summary.

    .venv/bin/python bench/profile_pdf.py [--rounds 7] [--source FILE] [--profile]

Run it with another checkout's interpreter (../other/.venv/bin/python bench/profile_pdf.py)
to measure that checkout's writer: the script imports whichever converter that interpreter
has installed.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from timing import load

import converter
from converter import api, images, profiles
from converter.options import Options
from converter.writers import facts
from converter.writers import pdf as pdf_writer

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"


def raw_weasyprint(html_text: str, css: str) -> bytes:
    """WeasyPrint alone on our HTML and CSS: PDF/UA-1 tags, no structure repair."""
    from weasyprint import CSS, HTML

    fetcher = pdf_writer.resource_fetcher_class()()
    fonts = pdf_writer.font_configuration()
    return HTML(string=html_text, url_fetcher=fetcher).write_pdf(  # type: ignore[no-any-return]
        stylesheets=[CSS(string=css, url_fetcher=fetcher, font_config=fonts)],
        font_config=fonts,
        pdf_variant="pdf/ua-1",
    )


def stages(root: Any, options: Options) -> dict[str, float]:
    """The writer's own path (pdf.render), stage by stage, in CPU seconds."""
    from weasyprint import CSS, HTML

    from converter.writers import pdf_structure

    clock = time.thread_time
    spent: dict[str, float] = {}
    started = clock()
    profile = profiles.print_profile(options)
    html_text, css = pdf_writer.build_html(root, profile)
    spent["our HTML and CSS (xhtml)"] = clock() - started
    started = clock()
    fetcher = pdf_writer.resource_fetcher_class()(images.used(root))
    fonts = pdf_writer.font_configuration()
    stylesheet = CSS(string=css, url_fetcher=fetcher, font_config=fonts)
    document = HTML(string=html_text, url_fetcher=fetcher).render(
        font_config=fonts, stylesheets=[stylesheet], pdf_variant="pdf/ua-1"
    )
    spent["WeasyPrint: parse and lay out"] = clock() - started
    started = clock()
    alone = pdf_structure.captions_alone(document)
    table_pages = pdf_structure.table_fragments(document)
    spent["box walks (captions, table fragments)"] = clock() - started
    assert not alone, "the sample's tables all start with their rows"
    xmp = facts.xmp_description(facts.PrintFacts.of(options))
    repairing: list[float] = []

    def finish(_document: Any, pdf: Any) -> None:
        started = clock()
        pdf_structure.repair(pdf, table_pages, xmp=xmp)
        repairing.append(clock() - started)

    started = clock()
    written = document.write_pdf(pdf_variant="pdf/ua-1", finisher=finish)
    spent["WeasyPrint: write_pdf (less repairs)"] = clock() - started - repairing[0]
    spent["structure repair (finisher, pydyf)"] = repairing[0]
    started = clock()
    pdf_structure.identified(written)
    spent["file identifier"] = clock() - started
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--source", type=Path, default=SAMPLE)
    parser.add_argument("--profile", action="store_true", help="also print cProfile summaries")
    args = parser.parse_args()
    options = Options()
    root = api.parse(args.source).getroot()
    html_text, css = pdf_writer.build_html(root, profiles.print_profile(options))
    clock = time.thread_time

    def ours() -> float:
        gc.collect()
        started = clock()
        pdf_writer.render(root, options)
        return clock() - started

    def raw() -> float:
        gc.collect()
        started = clock()
        raw_weasyprint(html_text, css)
        return clock() - started

    # Each run starts from a collected heap: a full collection (0.04 s with WeasyPrint's
    # boxes about) then falls in the run whose own allocations set it off, not in whichever
    # run the counters of the runs before happened to reach the threshold in.
    ours(), raw(), stages(root, options)  # warm: fonts, caches
    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.rounds):
        times["ours (pdf.render)"].append(ours())
        times["raw WeasyPrint"].append(raw())
        gc.collect()
        for stage, seconds in stages(root, options).items():
            times[stage].append(seconds)
    median = {label: statistics.median(values) for label, values in times.items()}
    print(
        f"PDF writer ({Path(converter.__file__).parent.parent.name}): {args.source.name}, "
        f"CPU s, median of {args.rounds} interleaved rounds, warm; {load()}"
    )
    for label, seconds in median.items():
        share = seconds / median["ours (pdf.render)"] * 100
        print(f"  {label:40} {seconds:7.3f} s {share:5.0f}%")
    ratio = median["ours (pdf.render)"] / median["raw WeasyPrint"]
    print(f"  ours / raw WeasyPrint: {ratio:.3f}x")
    if args.profile:
        summarise("ours", lambda: pdf_writer.render(root, options))
        summarise("raw WeasyPrint", lambda: raw_weasyprint(html_text, css))


def summarise(label: str, action: Callable[[], object]) -> None:
    """cProfile of one call, by CPU time: the top functions by cumulative and own time."""
    profiler = cProfile.Profile(time.thread_time)
    profiler.runcall(action)
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    print(f"\ncProfile of {label}:\n{stream.getvalue()}")


if __name__ == "__main__":
    main()
