"""The package as a user installs it: the wheel, in a fresh virtual environment, with no
extras, converts the sample to every format and to its Easy Read edition (what the editable
install of the tests hides: a subpackage or data file, such as a picture, missing from the
wheel)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE

from converter import formats, writers


def run(*args: str | Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH and the like would let the fresh environment see this checkout.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env=environment,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    result = run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", folder, REPO, cwd=folder
    )
    assert result.returncode == 0, result.stderr
    [built] = folder.glob("converter-*.whl")
    return built


def test_the_wheel_holds_every_module_and_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    package = REPO / "converter"
    expected = {
        f"converter/{path.relative_to(package).as_posix()}"
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc")
    }
    expected |= {f"converter/styles/{path.name}" for path in (REPO / "styles").iterdir()}
    expected -= {name for name in expected if "__pycache__" in name}
    assert sorted(expected - names) == []
    assert "converter/writers/docx/body.py" in names
    assert "converter/check/java/VeraPdfCheck.java" in names
    assert not [n for n in names if "make_reference_docx" in n or "synthetic" in n]


def test_the_wheel_alone_converts_the_sample_to_every_format(wheel: Path, tmp_path: Path) -> None:
    environment = tmp_path / "venv"
    base = Path(getattr(sys, "_base_executable", sys.executable))
    assert run(base, "-m", "venv", environment, cwd=tmp_path).returncode == 0
    python = environment / "bin" / "python"
    # As pipx makes it: no setuptools unless the package asks for it (textstat needs it).
    assert (
        run(python, "-m", "pip", "uninstall", "-y", "-q", "setuptools", cwd=tmp_path).returncode
        == 0
    )
    install = run(python, "-m", "pip", "install", "-q", wheel, cwd=tmp_path)
    assert install.returncode == 0, install.stderr
    # liblouis's Python module comes from Debian (python3-louis), as scripts/setup.sh links it.
    site = run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
    )
    louis = Path(sysconfig.get_paths()["purelib"]) / "louis"
    (Path(site.stdout.strip()) / "louis").symlink_to(louis.resolve())
    where = run(python, "-c", "import converter; print(converter.__file__)", cwd=tmp_path)
    assert where.stdout.startswith(str(environment)), where  # the installed copy, not this one
    out = tmp_path / "out"
    convert = environment / "bin" / "convert"
    # Every format, the talking ones too (the lexicon is package data the wheel must ship).
    result = run(convert, SAMPLE, "--to", "all,daisy,mp3", "-o", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    stem = SAMPLE.stem
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{stem}.{writers.get(fmt).extension}" for fmt in formats()
    )
    assert all(p.stat().st_size > 0 for p in out.iterdir())
    # The Easy Read edition: its pictures and data come from the installed package.
    easy = tmp_path / "easy"
    result = run(
        convert, SAMPLE, "--to", "pdf,docx,html,epub", "--easy-read", "-o", easy, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in easy.iterdir()) == sorted(
        f"{stem}.easy-read.{ext}" for ext in ("pdf", "docx", "html", "epub")
    )
    page = (easy / f"{stem}.easy-read.html").read_text(encoding="utf-8")
    assert (
        page.count("data:image/svg+xml;base64,") >= 10 and 'alt="A hand giving a thumbs up"' in page
    )
    assert "Mulberry Symbols by Steve Lee" in page
    with zipfile.ZipFile(easy / f"{stem}.easy-read.docx") as document:
        assert len([n for n in document.namelist() if n.startswith("word/media/")]) >= 5
    with zipfile.ZipFile(easy / f"{stem}.easy-read.epub") as book:
        assert len([n for n in book.namelist() if n.startswith("EPUB/images/symbols/")]) >= 5
    figures = run(
        python,
        "-c",
        "import pikepdf, sys; pdf = pikepdf.open(sys.argv[1]); print(sum(1 for o in pdf.objects"
        " if isinstance(o, pikepdf.Dictionary) and o.get('/S') == '/Figure' and '/Alt' in o))",
        easy / f"{stem}.easy-read.pdf",
        cwd=tmp_path,
    )
    assert figures.returncode == 0 and int(figures.stdout) >= 10, figures
    # The core install has neither the web service nor Dask: one clear line for each.
    serve = run(convert, "serve", cwd=tmp_path)
    assert serve.returncode == 1 and "pip install 'converter[service]'" in serve.stderr
    assert "Traceback" not in serve.stderr
    library = tmp_path / "library"
    library.mkdir()
    (library / "a.txt").write_text("A title\n\nSome text.\n")
    dask = run(
        convert,
        library,
        "--to",
        "xml",
        "-o",
        tmp_path / "b",
        "--scheduler",
        "tcp://127.0.0.1:1",
        cwd=tmp_path,
    )
    assert dask.returncode == 1 and "pip install 'converter[dask]'" in dask.stderr, dask.stderr
    assert "Traceback" not in dask.stderr
