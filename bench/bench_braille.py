"""Time braille for the sample: layout + BRF/PEF, grade 1 and 2, checks, back-translation.

Reference: liblouis itself translating the same words with no layout at all, in process
(one translateString call on the whole text) and as its own CLI `lou_translate`.
Run: .venv/bin/python bench/bench_braille.py [repeats]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from lxml import etree

from converter import Options, parse
from converter.check import braille as checks
from converter.words import RENDERED_PARTS
from converter.writers import braille, brf, pef

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "ofsted-ilacs-warwickshire-2021.txt"


def best(repeats: int, work: Callable[[], object]) -> float:
    """The fastest of several runs (the least disturbed by the rest of the machine)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def both_writers(root: etree._Element, options: Options) -> tuple[bytes, bytes]:
    return brf.write(root, options), pef.write(root, options)


def all_checks(brf_data: bytes, pef_data: bytes, options: Options) -> object:
    return (
        checks.check_brf(brf_data, options),
        checks.check_pef(pef_data, options),
        checks.agreement(brf_data, pef_data),
    )


def main() -> int:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    root = parse(SAMPLE).getroot()
    text = " ".join(
        " ".join(str(t) for t in e.itertext())
        for part in RENDERED_PARTS
        for e in root.iterfind(part)
    )
    words = len(text.split())
    rows: list[tuple[str, float, str]] = []
    for grade in (2, 1):
        options = Options(braille_grade=grade)
        document = braille.layout(root, options)
        brf_data = brf.encode(document)
        pef_data = pef.encode(root, document)
        recovery = checks.word_recovery(root, brf_data, options)
        timings: list[tuple[str, Callable[[], object], str]] = [
            (
                "layout (translate + wrap + paginate)",
                partial(braille.layout, root, options),
                f"{len(document.pages)} pages, {document.translator_calls} liblouis calls",
            ),
            ("BRF encoding", partial(brf.encode, document), f"{len(brf_data)} bytes"),
            ("PEF encoding", partial(pef.encode, root, document), f"{len(pef_data)} bytes"),
            ("brf + pef writers, whole", partial(both_writers, root, options), ""),
            (
                "checks (BRF, PEF schema, agreement)",
                partial(all_checks, brf_data, pef_data, options),
                "",
            ),
            (
                "back-translation check",
                partial(checks.word_recovery, root, brf_data, options),
                f"{recovery.ratio:.2%} of {recovery.expected} words",
            ),
        ]
        for name, work, note in timings:
            rows.append((f"grade {grade}: {name}", best(repeats, work), note))
    code = braille.code_for("en", 2)
    import louis

    raw_s = best(repeats, lambda: louis.translateString(code.tables, text))
    rows.append(("reference: liblouis, one call, no layout (grade 2)", raw_s, f"{words} words"))
    if shutil.which("lou_translate"):
        cli_s = best(
            repeats,
            lambda: subprocess.run(
                ["lou_translate", "--forward", "unicode.dis,en-ueb-g2.ctb"],
                input=text.encode(),
                capture_output=True,
                check=True,
            ),
        )
        rows.append(("reference: lou_translate CLI (grade 2)", cli_s, ""))
    print(f"sample: {SAMPLE.name}, {words} words; best of {repeats} runs")
    print(f"{'step':52} {'seconds':>9} {'x liblouis':>11}  notes")
    for name, seconds, note in rows:
        print(f"{name:52} {seconds:9.4f} {seconds / raw_s:11.1f}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
