"""The full matrix CI leaves out: every document (the sample and every corpus text) at every
profile x colour scheme x paper through the visual check, and at every profile through
veraPDF PDF/UA-1 and PDF/UA-2.

    .venv/bin/python bench/bench_visual.py [--jobs 2] [--documents N] [--images FOLDER]

Prints one line per document and a summary: how many PDFs passed each visual check, and
veraPDF's failed rules for UA-1 and UA-2 (0 expected everywhere).  With --images, the first
page and a middle page of each PDF are kept as small PNGs.  Results also go to
bench/results/visual.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from converter import Options, api, profiles
from converter import tree as canonical
from converter.check import pdf as pdf_check
from converter.check import verapdf

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
CORPUS = REPO.parent / "shared" / "corpus"
VISUAL = ("pdf-glyphs-inside", "pdf-text-colours", "pdf-text-size", "pdf-title-page")
PAPERS = ("A4", "A3")


def documents(limit: int | None) -> list[Path]:
    found = [SAMPLE, *(sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else [])]
    return found[:limit] if limit else found


def one_document(source: Path, images: Path | None) -> dict[str, object]:
    """Every combination for one document, in one worker (its veraPDF JVMs reused)."""
    data = canonical.serialize(api.parse(source).getroot())  # read once, render many
    failures: dict[str, list[str]] = {}
    counts: Counter[str] = Counter()
    vera: dict[str, list[str]] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for profile in profiles.profile_names():
            for scheme in profiles.colour_names():
                for paper in PAPERS:
                    options = Options(profile=profile, colours=scheme, paper=paper)
                    name = f"{profile}-{scheme}-{paper}"
                    [output] = api.convert(
                        data, ["pdf"], options, Path(folder), source_format="xml", stem=name
                    )
                    assert output.path is not None
                    results = {r.name: r for r in pdf_check.own_checks(output.path, options)}
                    for check in VISUAL:
                        counts[check] += 1
                        if results[check].status != "pass":
                            failures.setdefault(name, []).append(
                                f"{check}: {list(results[check].details[:2])}"
                            )
                    if images is not None and scheme == "black-on-white" and paper == "A4":
                        keep = images / source.name.split(".")[0] / profile
                        keep.mkdir(parents=True, exist_ok=True)
                        subprocess.run(
                            [
                                "pdftoppm",
                                "-png",
                                "-r",
                                "20",
                                "-f",
                                "1",
                                "-l",
                                "3",
                                str(output.path),
                                str(keep / "page"),
                            ],
                            check=True,
                        )
            for standard in ("ua-1", "ua-2"):
                options = Options(profile=profile, pdf_standard=standard)
                name = f"{profile}-{standard}"
                [output] = api.convert(
                    data, ["pdf"], options, Path(folder), source_format="xml", stem=name
                )
                assert output.path is not None
                result = verapdf.validate(output.path, standard.replace("-", ""))
                vera[name] = list(result.failed_rules)
    return {
        "document": source.name,
        "pdfs": counts[VISUAL[0]],
        "visual_failures": failures,
        "verapdf": vera,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--documents", type=int, default=None)
    parser.add_argument("--images", type=Path, default=None)
    arguments = parser.parse_args()
    sources = documents(arguments.documents)
    with ProcessPoolExecutor(arguments.jobs) as pool:
        rows = list(pool.map(one_document, sources, [arguments.images] * len(sources)))
    total_pdfs = sum(int(str(row["pdfs"])) for row in rows)
    visual_failed = sum(len(row["visual_failures"]) for row in rows)  # type: ignore[arg-type]
    vera_failed = {"ua-1": 0, "ua-2": 0}
    for row in rows:
        vera = row["verapdf"]
        assert isinstance(vera, dict)
        failing = {name: rules for name, rules in vera.items() if rules}
        for name in failing:
            vera_failed["ua-2" if name.endswith("ua-2") else "ua-1"] += 1
        print(
            f"{row['document']:48} {row['pdfs']:4} PDFs  visual failures "
            f"{len(row['visual_failures']):3}  veraPDF failures {len(failing):2}  "  # type: ignore[arg-type]
            f"{row['seconds']:7.1f} s"
        )
        for name, found in list(row["visual_failures"].items())[:3]:  # type: ignore[union-attr]
            print(f"    {name}: {found}")
        for name, rules in list(failing.items())[:3]:
            print(f"    {name}: {rules[:2]}")
    profiles_count = len(profiles.profile_names())
    print(
        f"\n{len(rows)} documents: {total_pdfs} PDFs through the visual check, "
        f"{visual_failed} failing; veraPDF over {len(rows)} x {profiles_count} profiles: "
        f"PDF/UA-1 {vera_failed['ua-1']} failing, PDF/UA-2 {vera_failed['ua-2']} failing"
    )
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "visual.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    sys.exit(1 if visual_failed or any(vera_failed.values()) else 0)


if __name__ == "__main__":
    main()
