"""The layers contract (pyproject.toml, [tool.importlinter]): kept by the package, and broken
by a planted upward import or loop (negative controls), so the check can fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

LINT = Path(sys.executable).with_name("lint-imports")


def lint(package_parent: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's contracts over the package found in package_parent."""
    environment = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT), str(REPO / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=package_parent,
        env=environment,
        timeout=120,
    )


def test_the_package_keeps_its_layers() -> None:
    result = lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    "module, planted, broken",
    [
        # A writer reaching up to the API (as the summary writer once reached transforms).
        ("writers/xml.py", "from converter import api  # noqa", "layers only point down"),
        # The check layer importing the pipeline (as check.summary once imported the API).
        ("check/xml.py", "from converter import pipeline  # noqa", "layers only point down"),
        # options <-> profiles, the loop this issue broke.
        ("profiles.py", "from converter import options  # noqa", "layers only point down"),
        # A loop inside one package.
        ("batch/manifest.py", "from converter.batch import run  # noqa", "no import loops"),
    ],
)
def test_a_planted_violation_breaks_the_contract(
    tmp_path: Path, module: str, planted: str, broken: str
) -> None:
    copy = tmp_path / "converter"
    shutil.copytree(REPO / "converter", copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / module
    path.write_text(path.read_text() + f"\n{planted}\n")
    result = lint(tmp_path)
    assert result.returncode != 0, result.stdout
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout
