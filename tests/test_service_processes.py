"""The memory a worker's tree holds, as the service's limit measures it."""

from __future__ import annotations

import subprocess
import sys
import time

from converter import processes

# A parent fills 300 MB, then forks four children that only sleep: the five share those
# pages (copy-on-write), as a browser's processes share most of theirs.
SHARING = """
import os, time
block = bytearray(300 * 1024 * 1024)
for i in range(0, len(block), 4096):
    block[i] = 1
for _ in range(4):
    if os.fork() == 0:
        time.sleep(60)
        os._exit(0)
print("ready", flush=True)
time.sleep(60)
"""


def test_pages_a_tree_shares_are_counted_once() -> None:
    parent = subprocess.Popen([sys.executable, "-c", SHARING], stdout=subprocess.PIPE)
    try:
        assert parent.stdout is not None and parent.stdout.readline() == b"ready\n"
        time.sleep(0.2)  # the children are running
        seen = processes.snapshot()
        members = processes.tree(seen, parent.pid)
        assert len(members) == 5
        resident = sum(seen[pid].rss_mb for pid in members)
        held = processes.memory_mb(seen, parent.pid)
        assert resident > 1500  # each of the five shows the 300 MB as its own
        assert 300 < held < 450  # held once, with each interpreter's own share
    finally:
        processes.kill_tree(parent.pid)
        parent.wait()
        assert parent.stdout is not None
        parent.stdout.close()
