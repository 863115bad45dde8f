"""Our small Java classes (converter/check/java/): compiled on first use into a cache folder,
each run as one long-lived JVM per validator and process (starting a JVM and warming it up
costs a validator more than checking one document)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from converter import resources
from converter.errors import DependencyError


def cache_dir(validator: str) -> Path:
    """Where a validator's compiled class lives: ~/.cache/converter/<validator>."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "converter" / validator


def compile_class(class_name: str, classpath: str, folder: Path) -> None:
    """Compile the packaged ``<class_name>.java`` into ``folder``, unless the class there
    was compiled from the same source."""
    source = resources.folder("converter.check").joinpath("java", f"{class_name}.java")
    text = source.read_bytes()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / f"{class_name}.java"
    compiled = folder / f"{class_name}.class"
    if compiled.exists() and stamp.exists() and stamp.read_bytes() == text:
        return
    # Compile in a private folder then rename, so parallel first uses do not clash.
    work = folder / f"build-{os.getpid()}"
    work.mkdir(exist_ok=True)
    (work / f"{class_name}.java").write_bytes(text)
    done = subprocess.run(
        ["javac", "-nowarn", "-d", str(work), "-cp", classpath, str(work / f"{class_name}.java")],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise DependencyError(f"cannot compile {class_name}: {done.stderr.strip()[:500]}")
    os.replace(work / f"{class_name}.class", compiled)
    os.replace(work / f"{class_name}.java", stamp)
    shutil.rmtree(work, ignore_errors=True)
