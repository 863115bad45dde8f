"""Summary time for the sample (parse, plan, Markdown, trace, checks), and the table of the
summary's targets for the sample and every corpus text (`--pdf`: also whether the summary
made from each corpus PDF is the one made from its text)."""

from __future__ import annotations

import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from converter import Options, api  # noqa: E402
from converter.check import check_file  # noqa: E402
from converter.transforms.summary import summarize, summary_of, trace_json  # noqa: E402
from converter.writers.summary import write  # noqa: E402

SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
CORPUS = REPO.parent / "shared" / "corpus"
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
    tree = summarize(root)
    first = time.perf_counter() - started  # includes textstat and data loading
    rows = [
        ("parse sample (warm)", timed(lambda: api.parse(SAMPLE))),
        ("plan and build the summary tree", timed(lambda: summarize(root))),
        ("summary Markdown", timed(lambda: write(tree, Options()))),
        ("trace JSON (plans again)", timed(lambda: trace_json(root))),
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
        f"sample: {SAMPLE.name}, {RUNS} runs each; first parse {cold:.3f} s, "
        f"first summary {first:.3f} s"
    )
    print(f"{'step':32} {'median s':>9} {'min s':>9}")
    for name, times in rows:
        print(f"{name:32} {statistics.median(times):9.3f} {min(times):9.3f}")
    corpus_table(with_pdf="--pdf" in sys.argv)


_FIGURES = re.compile(
    r"Flesch Reading Ease ([\d.]+), Flesch-Kincaid grade (-?[\d.]+), (\d+) sentences, "
    r"mean ([\d.]+) words, longest (\d+), (\d+) words of prose, (\d+) words in all"
)


def corpus_table(*, with_pdf: bool = False) -> None:
    """The summary's targets for the sample and every corpus text (when the corpus exists):
    FRE, FK grade, words, sentences (mean/max), grades and improvement items present (whole),
    faithfulness, and whether every check passed."""
    texts = [SAMPLE, *(sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else [])]
    header = (
        f"{'document':40} {'FRE':>5} {'FK':>4} {'words':>5} {'sent':>4} {'mean':>4} "
        f"{'max':>3} {'grades':>7} {'items':>7} {'faith':>5} {'all':>4}"
    )
    print("\n" + header + ("  pdf=text" if with_pdf else ""))
    with tempfile.TemporaryDirectory() as folder:
        for text in texts:
            outputs = api.convert(text, ["summary"], Options(trace=True), folder)
            md = next(o.path for o in outputs if o.path and o.path.suffix == ".md")
            results = {r.name: r for r in check_file(md, Options()).results}
            trace = json.loads(md.with_name(md.name.replace(".md", ".trace.json")).read_text())
            facts, records = trace["facts"], trace["sentences"]
            graded = len(facts["judgements"])
            said = {r["slots"].get("area") for r in records if r["template"] == "grade"}
            grades = len(said) + any(r["template"] == "outcome_grade" for r in records)
            items = facts["improvements"]
            present = [i for i in items if any(r["cites"][:1] == [i] for r in records)]
            details = " ".join(results["summary-readability"].details)
            match = _FIGURES.search(details)
            figures = (
                match.groups() if match else _figures_of(md)  # a failing check lists findings
            )
            ease, grade, sentences, mean, longest, _, total = figures
            passed = all(r.status == "pass" for r in results.values())
            line = (
                f"{text.name.split('.')[0][:40]:40} {float(ease):5.1f} {float(grade):4.1f} "
                f"{int(total):5} {int(sentences):4} {float(mean):4.1f} {int(longest):3} "
                f"{f'{grades}/{graded}':>7} {f'{len(present)}/{len(items)}':>7} "
                f"{results['summary-faithfulness'].status:>5} {'yes' if passed else 'no':>4}"
            )
            if with_pdf:
                line += "  " + _pdf_same(text)
            print(line)


def _figures_of(md: Path) -> tuple[str, ...]:
    from converter.check.summary import parse_markdown, readability
    from converter.transforms.summary_data import load

    data = load()
    parsed = parse_markdown(md.read_text(), data)
    skipped = (data.headings["glossary"], data.headings["sources"])
    prose = [t for s, t in parsed.lines if s not in skipped]
    found = readability(prose, parsed.total_words)
    match = _FIGURES.search(found.describe())
    assert match
    return match.groups()


def _pdf_same(text: Path) -> str:
    pdfs = sorted(CORPUS.glob(text.name.split(".")[0] + ".pdf"))
    if not pdfs:
        return "-"
    made = [
        write(summary_of(api.parse(source).getroot()).tree, Options()) for source in (text, pdfs[0])
    ]
    return "same" if made[0] == made[1] else "differs"


if __name__ == "__main__":
    main()
