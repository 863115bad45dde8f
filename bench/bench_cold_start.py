"""Cold start: one new `convert SOURCE --to FORMAT` process per conversion against pandoc on
the same file, side by side in one run (medians of interleaved runs, wall and CPU time).

    .venv/bin/python bench/bench_cold_start.py [--rounds 7] [--before ../wt-base]
        [--formats epub,docx,html,xml] [--source FILE] [--editable]

--before names another checkout of converter (with its own .venv, as scripts/setup.sh makes
it) to run beside this one: the "before" of a change, measured in the same run.  Both
checkouts' modules are byte-compiled first, as an installed package's are, so that neither
pays for compiling its own source.  The ratio is of CPU time (user + system of the process
and its children): on a shared, loaded machine wall time mostly measures the queue.

Each checkout is measured as users run it: its wheel, built and installed into a virtual
environment of its own whose dependencies are the checkout's .venv's (a .pth file names
them), so no editable-install finder is imported at start-up.  --editable measures the
checkouts' editable installs instead.  "floor" is the interpreter importing click and lxml
and nothing of ours: what any Python program on our dependencies pays before it does anything.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import sysconfig
import tempfile
import venv
from collections.abc import Callable
from pathlib import Path

from timing import Series, Timing, interleaved, load, run_child

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "ofsted-ilacs-warwickshire-2021.txt"
PANDOC = "/usr/bin/pandoc"

# The pandoc command that does the nearest thing, the text read as Markdown: --to xml has no
# pandoc twin, so it stands beside pandoc's HTML fragment (its reader and a writer).
PANDOC_ARGUMENTS = {
    "epub": ["-t", "epub3", "--metadata", "title=Report"],
    "docx": ["-t", "docx"],
    "html": ["-t", "html5", "-s", "--metadata", "title=Report"],
    "xml": ["-t", "html"],
}
EXTENSIONS = {"epub": "epub", "docx": "docx", "html": "html", "xml": "xml"}
#: What every `convert` process imports before it reads its arguments: click (the CLI, as
#: DESIGN.md names it) and lxml (the tree); the interpreter's own start is counted in.
FLOOR = "import click, lxml.etree"


def python_of(checkout: Path) -> str:
    return str(checkout / ".venv" / "bin" / "python")


def byte_compile(checkout: Path) -> None:
    subprocess.run(
        [python_of(checkout), "-m", "compileall", "-q", "converter"], cwd=checkout, check=True
    )


def installed(checkout: Path, folder: Path) -> tuple[str, Path]:
    """The checkout's wheel installed in a new environment under ``folder`` on the
    checkout's .venv's packages: (its python, a folder to run it in)."""
    wheels = folder / "wheel"
    subprocess.run(
        [python_of(checkout), "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, checkout],
        cwd=folder,
        check=True,
    )
    environment = folder / "venv"
    venv.create(environment, with_pip=False)
    paths = {"base": str(environment), "platbase": str(environment)}
    site = Path(sysconfig.get_path("purelib", vars=paths))
    dependencies = subprocess.run(
        [python_of(checkout), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Paths a .pth file names are added as they are: their own .pth files (the checkout's
    # editable finder among them) are not run.
    (site / "dependencies.pth").write_text(dependencies + "\n")
    wheel = next(wheels.glob("*.whl"))
    subprocess.run(
        [python_of(checkout), "-m", "pip", "install", "-q", "--no-deps", "--target", site, wheel],
        check=True,
    )
    python = environment / "bin" / "python"
    subprocess.run([python, "-m", "compileall", "-q", site / "converter"], check=True)
    return str(python), folder


def ours(python: str, cwd: Path, source: Path, fmt: str, out: Path) -> Callable[[], Timing]:
    command = [python, "-m", "converter", str(source), "--to", fmt, "-o", str(out)]
    return lambda: run_child(command, cwd=cwd)


def importing(python: str, cwd: Path, code: str) -> Callable[[], Timing]:
    command = [python, "-c", code]
    return lambda: run_child(command, cwd=cwd)


def pandoc(source: Path, fmt: str, out: Path) -> Callable[[], Timing]:
    command = [PANDOC, str(source), "-f", "markdown", *PANDOC_ARGUMENTS[fmt], "-o", str(out)]
    return lambda: run_child(command)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--before", type=Path, help="another checkout to measure beside this one")
    parser.add_argument("--formats", default="epub,docx,html,xml")
    parser.add_argument("--source", type=Path, default=SAMPLE)
    parser.add_argument(
        "--editable", action="store_true", help="run the checkouts' editable installs"
    )
    args = parser.parse_args()
    checkouts = {"after": REPO}
    if args.before is not None:
        checkouts = {"before": args.before.resolve(), "after": REPO}
    formats = args.formats.split(",")
    how = "editable installs" if args.editable else "wheels installed"
    print(f"Cold start: {args.source.name}, {how}, median of {args.rounds} interleaved rounds")
    print(f"at start: {load()}")
    header = f"{'measure':28} {'wall s':>8} {'cpu s':>8} {'cpu / pandoc':>13}"
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        pythons: dict[str, tuple[str, Path]] = {}
        for label, checkout in checkouts.items():
            if args.editable:
                byte_compile(checkout)
                pythons[label] = (python_of(checkout), checkout)
            else:
                (folder / label).mkdir()
                pythons[label] = installed(checkout, folder / label)
        contestants: dict[str, Callable[[], Timing]] = {}
        python, cwd = pythons["after"]
        contestants["floor: python, click, lxml"] = importing(python, cwd, FLOOR)
        for label, (python, cwd) in pythons.items():
            contestants[f"import converter ({label})"] = importing(python, cwd, "import converter")
        for fmt in formats:
            for label, (python, cwd) in pythons.items():
                out = folder / f"{label}.{EXTENSIONS[fmt]}"
                contestants[f"--to {fmt} ({label})"] = ours(python, cwd, args.source, fmt, out)
            contestants[f"pandoc for {fmt}"] = pandoc(args.source, fmt, folder / f"p.{fmt}")
        series = interleaved(contestants, args.rounds)
    print(header)
    print("-" * len(header))
    for label, timings in series.items():
        reference = _pandoc_for(label, series)
        ratio = f"{timings.cpu / reference.cpu:13.2f}" if reference is not None else ""
        print(f"{label:28} {timings.wall:8.3f} {timings.cpu:8.3f} {ratio}")
    print(f"at end: {load()}")


def _pandoc_for(label: str, series: dict[str, Series]) -> Series | None:
    if not label.startswith("--to "):
        return None
    fmt = label.split()[1]
    return series[f"pandoc for {fmt}"]


if __name__ == "__main__":
    sys.exit(main())
