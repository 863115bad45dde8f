"""What runs inside the service's worker processes: their start (each the leader of its own
process group, tied to the server's life), reading an upload, and rendering a preview.

Conversions themselves run the batch task (``converter.batch.task.convert_task``).
Nothing here imports the web framework: a worker loads only what converting needs.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from converter import pipeline, processes
from converter.errors import ConverterError
from converter.options import Options

log = logging.getLogger(__name__)


def start(server_pid: int | None) -> None:
    """A pool's initializer: make this worker the leader of a process group of its own, so
    that killing the group stops it and everything it started (a veraPDF JVM) and nothing
    else; and end that group when the server process ends, however it ends (kill -9)."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when workers stop
    if server_pid is not None:
        _end_with(server_pid)
    # Loaded now, while the worker waits, not during the first request's time limit.
    from converter import writers

    for name in writers.formats():
        writers.get(name).load()
    _warm_up_preview()


#: What the warm-up renders: enough for WeasyPrint to load its fonts and lay out a page.
WARM_UP_TEXT = b"Warm-up\n\nA heading\n\nA line of text to lay out.\n"


def _warm_up_preview() -> None:
    """Render a small document to PDF and its first page to an image, as a preview does: a
    writer module imports WeasyPrint only when it renders, and the first render also loads
    the fonts and WeasyPrint's own stylesheets.  Paid here, while the worker waits, the
    first preview (the first PDF) costs what every later one does."""
    import pypdfium2

    from converter import writers

    try:
        root = pipeline.read(WARM_UP_TEXT, format="txt")
        document = pypdfium2.PdfDocument(writers.get("pdf").write(root, Options()))
        try:
            document[0].render(scale=PREVIEW_SCALE).to_pil()
        finally:
            document.close()
    except ConverterError:
        pass  # the first real conversion meets the same problem and reports it


def ready() -> int:
    """The warm-up task: the worker has started; its pid (its process group's id)."""
    return os.getpid()


def _end_with(server_pid: int) -> None:
    try:
        # Readable once the server has exited; unlike a pid, it cannot come to name another
        # process later.
        descriptor: int | None = os.pidfd_open(server_pid)
    except ProcessLookupError:
        processes.end_own_tree()  # the server has gone already
        return
    except (AttributeError, OSError):  # no pidfd (not Linux 5.3+): look every second
        descriptor = None

    def watch() -> None:
        if descriptor is not None:
            select.select([descriptor], [], [])
        else:
            while _running(server_pid):
                time.sleep(1)
        processes.end_own_tree()  # this worker and all it started

    threading.Thread(target=watch, name="converter-server-watch", daemon=True).start()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class ReadResult:
    """An upload read into a tree: its title, or why it cannot be converted."""

    title: str | None = None
    error: str | None = None  # the problem alone: the caller names the file as its owner did


def read_upload(path: str, options: Options) -> ReadResult:
    """Read an uploaded source the way a conversion will, to refuse what cannot be read now."""
    try:
        root = pipeline.read(Path(path), options=options)
    except ConverterError as error:
        return ReadResult(error=error.message)
    title = " ".join((root.findtext("meta/title") or "").split())
    return ReadResult(title=title or None)


PREVIEW_SCALE = 0.75  # of 72 dpi: an A4 page 446 pixels wide


def preview_path(pdf: Path) -> Path:
    """Where a PDF's first-page image is kept: beside it."""
    return pdf.with_suffix(".page1.png")


def first_page_once_written(fmt: str, path: Path) -> None:
    """A conversion's `written` hook: a PDF's first page as an image beside it.  A failure
    only means the preview renders it later, on request (render_preview)."""
    if fmt != "pdf":
        return
    try:
        render_preview(str(path), str(preview_path(path)))
    except Exception as error:  # a damaged PDF: its checks say so; the preview tries again
        log.warning("could not render the first page of %s: %s", path.name, error)


def render_preview(pdf_path: str, image_path: str) -> str:
    """The first page of a PDF as a PNG image beside it (written whole, then renamed)."""
    import pypdfium2

    target = Path(image_path)
    if target.exists():
        return image_path
    partial = target.with_suffix(".part.png")
    document = pypdfium2.PdfDocument(pdf_path)
    try:
        bitmap = document[0].render(scale=PREVIEW_SCALE)
        bitmap.to_pil().save(partial)
        partial.replace(target)
    finally:
        document.close()
    return image_path
