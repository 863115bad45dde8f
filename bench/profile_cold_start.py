"""Where a cold `convert SOURCE --to FORMAT` process spends its time: the imports (python -X
importtime, the smallest of several runs per module) and the conversion after them
(cProfile by CPU time), summarised.

    .venv/bin/python bench/profile_cold_start.py [--format xml] [--runs 7] [--python PATH]

--python runs another checkout's interpreter (its own converter), for a before/after pair.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from timing import load

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"

PROFILE = r"""
import cProfile, io, pstats, sys, time
sys.argv = ["convert", {source!r}, "--to", {fmt!r}, "-o", {out!r}]
profiler = cProfile.Profile(time.process_time)
profiler.enable()
try:
    from converter.cli import main
    main()
except SystemExit:
    pass
profiler.disable()
stream = io.StringIO()
stats = pstats.Stats(profiler, stream=stream)
stats.sort_stats("cumulative")
print("== imports: module bodies, CPU time (profiler overhead included) ==", file=stream)
stats.print_stats(r"\(<module>\)", 30)
print("== the conversion: converter's functions ==", file=stream)
stats.print_stats(r"converter/.*\((?!<module>)", 20)
print(stream.getvalue())
"""


def import_times(python: str, command: list[str], runs: int) -> list[tuple[str, int, int, int]]:
    """(module, depth, smallest self us, smallest cumulative us) in import order."""
    selfs: dict[str, list[int]] = defaultdict(list)
    cumulative: dict[str, list[int]] = defaultdict(list)
    depth: dict[str, int] = {}
    order: list[str] = []
    for run in range(runs):
        result = subprocess.run(
            [python, "-X", "importtime", *command], capture_output=True, text=True, cwd=REPO
        )
        for line in result.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, total, name = line.removeprefix("import time:").split("|")
            module = name.strip()
            selfs[module].append(int(own))
            cumulative[module].append(int(total))
            depth[module] = (len(name) - len(name.lstrip()) - 1) // 2
            if run == 0:
                order.append(module)
    return [(m, depth[m], min(selfs[m]), min(cumulative[m])) for m in order]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", default="xml")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--threshold-ms", type=float, default=1.0)
    args = parser.parse_args()
    out = f"/tmp/profile-cold-start.{args.format}"
    command = ["-m", "converter", str(SAMPLE), "--to", args.format, "-o", out]
    subprocess.run([args.python, "-m", "compileall", "-q", "converter"], cwd=REPO, check=False)
    times = import_times(args.python, command, args.runs)
    print(f"`convert sample --to {args.format}` with {args.python}; {load()}")
    total = sum(own for _, _, own, _ in times)
    ours = sum(own for module, _, own, _ in times if module.startswith("converter"))
    print(
        f"imports: {len(times)} modules, {total / 1000:.1f} ms in all (smallest of {args.runs} "
        f"runs, self times summed), {ours / 1000:.1f} ms of it in converter's own modules"
    )
    print(f"import tree (cumulative >= {args.threshold_ms:g} ms):")
    for module, level, own, cumulative in times:
        if cumulative >= args.threshold_ms * 1000:
            print(f"  {cumulative / 1000:6.1f} ms {own / 1000:5.1f} self  {'  ' * level}{module}")
    heavy = ("weasyprint", "docx", "ebooklib", "pikepdf", "importlib.metadata", "louis")
    loaded = {module for module, *_ in times}
    print("libraries imported:", ", ".join(m for m in heavy if m in loaded) or "none of", heavy)
    code = PROFILE.format(source=str(SAMPLE), fmt=args.format, out=out)
    result = subprocess.run([args.python, "-c", code], capture_output=True, text=True, cwd=REPO)
    print("cProfile (CPU time) of the whole run (after the interpreter's own start):")
    print("\n".join(line for line in result.stdout.splitlines() if line.strip()))


if __name__ == "__main__":
    main()
