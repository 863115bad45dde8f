"""Summary time for the sample: parse, summarize, Markdown and trace, and the summary checks."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from converter import Options, api  # noqa: E402
from converter.check import check_file  # noqa: E402
from converter.transforms.summary import summarize, trace_json  # noqa: E402
from converter.writers.summary import write  # noqa: E402

SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
RUNS = 5


def timed(step: object) -> list[float]:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        step()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    started = time.perf_counter()
    root = api.parse(SAMPLE).getroot()
    cold = time.perf_counter() - started  # includes imports of the reader
    started = time.perf_counter()
    summarize(root)
    first = time.perf_counter() - started  # includes textstat and data loading
    rows = [
        ("parse sample (warm)", timed(lambda: api.parse(SAMPLE))),
        ("summarize -> tree", timed(lambda: summarize(root))),
        ("summary Markdown", timed(lambda: write(root, Options()))),
        ("trace JSON", timed(lambda: trace_json(root))),
    ]
    with tempfile.TemporaryDirectory() as folder:
        api.convert(SAMPLE, ["summary"], Options(trace=True), folder)
        md = Path(folder) / f"{SAMPLE.stem}.summary.md"
        rows.append(("convert check (summary)", timed(lambda: check_file(md, Options()))))
        rows.append(
            (
                "convert --to summary --trace",
                timed(lambda: api.convert(SAMPLE, ["summary"], Options(trace=True), folder)),
            )
        )
    print(
        f"sample: {SAMPLE.name}, {RUNS} runs each; first parse {cold:.3f} s, first summary {first:.3f} s"
    )
    print(f"{'step':32} {'median s':>9} {'min s':>9}")
    for name, times in rows:
        print(f"{name:32} {statistics.median(times):9.3f} {min(times):9.3f}")
    corpus_table()


def corpus_table() -> None:
    """The summary checks for the sample and every corpus text (when ../shared/corpus exists)."""
    corpus = REPO.parent / "shared" / "corpus"
    texts = [SAMPLE, *(sorted(corpus.glob("*.txt")) if corpus.is_dir() else [])]
    names = ("summary-readability", "summary-citations", "summary-acronyms", "summary-faithfulness")
    print(f"\n{'document':42} {'secs':>5} read. cite  acro  faith  figures / findings")
    with tempfile.TemporaryDirectory() as folder:
        for text in texts:
            started = time.perf_counter()
            outputs = api.convert(text, ["summary"], Options(trace=True), folder)
            seconds = time.perf_counter() - started
            md = next(o.path for o in outputs if o.path and o.path.suffix == ".md")
            results = {r.name: r for r in check_file(md, Options()).results}
            marks = " ".join(f"{results[n].status[:4]:5}" for n in names)
            figures = "; ".join(results["summary-readability"].details)
            print(f"{text.name.split('.')[0][:42]:42} {seconds:5.2f} {marks} {figures}")


if __name__ == "__main__":
    main()
