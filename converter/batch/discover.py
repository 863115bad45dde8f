"""Find the sources of a batch and where each one's outputs go, never outside the output folder."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from converter import readers
from converter.errors import UsageError

#: Source file endings a batch picks up: those the readers know (.txt .md .xml .pdf ...).
SOURCE_EXTENSIONS = tuple(
    sorted({extension for reader in readers.READERS.values() for extension in reader.extensions})
)


@dataclass(frozen=True)
class Source:
    """One document of a library: the file, and its path relative to the output folder."""

    path: Path
    relative: PurePosixPath  # e.g. 2021/warwickshire.txt; its outputs go beside it in OUT_DIR
    selected: bool = True  # False: left out by --include/--exclude (still present, not orphaned)


def discover(
    roots: list[Path],
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    *,
    skip: Path | None = None,
) -> tuple[list[Source], list[tuple[str, str]]]:
    """Every source under the roots, sorted, and (relative path, reason) for each one refused.

    One folder is mirrored straight into the output folder; with several roots each one
    keeps its own name there.  ``include`` and ``exclude`` are glob patterns matched against
    the path relative to its root (``2021/*.txt``) and against the bare file name.
    Symbolic links are not followed out of their root: a link to a file elsewhere is refused
    rather than copied into the outputs.  ``skip`` (the output folder, when it lies inside a
    library) is not searched, so outputs never become sources.
    """
    skipped = skip.resolve() if skip is not None else None
    sources: list[Source] = []
    refused: list[tuple[str, str]] = []
    for root in roots:
        prefix = PurePosixPath(root.resolve().name) if len(roots) > 1 else PurePosixPath()
        if root.is_file():
            sources.append(Source(root, PurePosixPath(root.name)))  # a file: at the top
            continue
        if not root.is_dir():
            raise UsageError(f"{root}: no such file or folder")
        top = root.resolve()
        for folder, subfolders, files in os.walk(top):
            subfolders[:] = sorted(
                name for name in subfolders if (Path(folder) / name).resolve() != skipped
            )
            for name in sorted(files):
                path = Path(folder) / name
                relative = PurePosixPath(path.relative_to(top).as_posix())
                if relative.suffix.lower() not in SOURCE_EXTENSIONS:
                    continue
                selected = _wanted(relative, include, exclude)
                # os.walk does not follow links to folders: only a link itself can lead out
                # (resolving every file would cost a readlink per folder of its path).
                if selected and path.is_symlink() and not path.resolve().is_relative_to(top):
                    refused.append((str(prefix / relative), f"a link to a file outside {root}"))
                    continue
                sources.append(Source(path, prefix / relative, selected))
    return sources, refused


def _wanted(relative: PurePosixPath, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    text = relative.as_posix()

    def matches(pattern: str) -> bool:
        return fnmatch.fnmatchcase(text, pattern) or fnmatch.fnmatchcase(relative.name, pattern)

    if include and not any(matches(pattern) for pattern in include):
        return False
    return not any(matches(pattern) for pattern in exclude)


def output_path(
    out_dir: Path, relative: PurePosixPath, folders: dict[PurePosixPath, Path] | None = None
) -> Path:
    """The path of an output inside ``out_dir``, refusing any that would land outside it.

    ``relative`` comes from a library's file names (or a web upload): an absolute path, a
    ``..`` part, or a folder in OUT_DIR that is a link to elsewhere would all write outside.
    ``folders`` (the relative folders already checked, and OUT_DIR resolved) saves resolving
    the same folder again for each of its outputs: a planner passes one for a whole batch.
    """
    if relative.is_absolute() or any(part in ("", ".", "..") for part in relative.parts):
        raise UsageError(f"{relative}: not a plain relative path; refused")
    folders = {} if folders is None else folders
    top = folders.get(PurePosixPath())
    if top is None:
        top = folders[PurePosixPath()] = out_dir.resolve()
    target = top.joinpath(*relative.parts)
    if relative.parent not in folders:
        if not target.parent.resolve().is_relative_to(top):
            raise UsageError(f"{relative}: would be written outside {out_dir}; refused")
        folders[relative.parent] = target.parent  # checked: inside
    return target
