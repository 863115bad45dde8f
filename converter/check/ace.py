"""Ace by DAISY in one long-lived Node process (our small script, node/ace-server.js) per
process, with one browser, for many EPUB files.

Each check is the command line's own (``ace-cli -f -s -o OUTDIR BOOK``: Ace's core with its
puppeteer runner), so its report is the same; only starting Node, loading Ace and launching
Chromium, most of a short check's CPU time, are paid once per process instead of per book.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from converter import resources
from converter.check import servers

MARK = "@@ace "  # the prefix of every line our script writes


def _start(ace_cli: Path, node: Path, browser: Path) -> servers.LineServer:
    script = resources.folder("converter.check") / "node" / "ace-server.js"
    package = ace_cli.resolve().parents[1]  # .bin/ace-cli -> @daisy/ace-cli/bin/ace.js
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(browser)}
    env["PATH"] = f"{node.parent}{os.pathsep}{env.get('PATH', '')}"
    return servers.LineServer(
        [str(node), str(script), str(package)], MARK, env=env, cwd=Path(tempfile.gettempdir())
    )


def check(
    ace_cli: Path, node: Path, browser: Path, book: Path, folder: Path, timeout: float
) -> tuple[bool, str] | None:
    """Ace on ``book``, its report written to ``folder``/report (the book unpacked in
    ``folder``/unpacked): (done, Ace's message when it failed), or None when the process
    stopped or took longer than ``timeout`` seconds."""
    outdir, unpacked = folder / "report", folder / "unpacked"
    for path in (book, outdir, unpacked):
        if "\t" in str(path) or "\n" in str(path):
            raise ValueError(f"a path Ace's server cannot take: {path!r}")
    unpacked.mkdir(exist_ok=True)
    server = servers.running(
        f"ace {ace_cli} {node} {browser}", lambda: _start(ace_cli, node, browser)
    )
    answer = server.request(f"{book}\t{outdir}\t{unpacked}", timeout)
    if answer is None:
        return None
    code, _, message = answer.partition(" ")
    return code == "0", message
