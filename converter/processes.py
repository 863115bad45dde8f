"""Processes as Linux's /proc shows them: a process's tree (it and all it started), the
memory that tree holds, and killing it whole (a service worker, a validator kept running).

A worker leads a process group of its own, but a program it starts may open a group (or
session) of its own too: Chromium does, under Playwright.  So a tree is found by parent
links, and killing it kills every group found in it.  Without /proc (not Linux) only the
worker's own group is known.
"""

from __future__ import annotations

import os
import signal
import time
from contextlib import suppress
from dataclasses import dataclass


@dataclass(frozen=True)
class Process:
    pid: int
    parent: int
    group: int
    rss_mb: float
    started: int  # clock ticks after boot: with the pid, names this process, not a reuse


def snapshot() -> dict[int, Process]:
    """Every running process (a zombie is not: it holds nothing, and waits to be reaped)."""
    page_mb = os.sysconf("SC_PAGE_SIZE") / 1048576
    found: dict[int, Process] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stream:
                text = stream.read()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()  # after the command's name
        if fields[0] == "Z":
            continue
        pid = int(entry)
        found[pid] = Process(
            pid, int(fields[1]), int(fields[2]), int(fields[21]) * page_mb, int(fields[19])
        )
    return found


def tree(processes: dict[int, Process], root: int) -> set[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for process in processes.values():
        children.setdefault(process.parent, []).append(process.pid)
    members = {root} if root in processes else set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in members:
                members.add(child)
                todo.append(child)
    return members


def memory_mb(processes: dict[int, Process], root: int) -> float:
    """Memory held by a process and all it started: each one's proportional share (PSS),
    so that pages several of them share (a browser's many processes share most of theirs)
    count once, not once per process.  Where the share cannot be read, the resident size."""
    return sum(_share_mb(processes[pid]) for pid in tree(processes, root))


def _share_mb(process: Process) -> float:
    try:
        with open(f"/proc/{process.pid}/smaps_rollup") as stream:
            for line in stream:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return process.rss_mb


def family(root: int) -> set[tuple[int, int]]:
    """``root`` and every process below it, each as (pid, start time): a record that still
    names them after ``root`` has gone and they were left to init."""
    processes = snapshot()
    return {(pid, processes[pid].started) for pid in tree(processes, root)}


def kill_family(members: set[tuple[int, int]], *, timeout: float = 10) -> None:
    """Kill those of a recorded family still running (the same pid and start time), with
    their groups (never the caller's own); return once none of them runs (or after
    ``timeout`` seconds)."""
    own = os.getpgid(0)
    deadline = time.monotonic() + timeout
    while True:
        processes = snapshot()
        left = [
            processes[pid]
            for pid, started in members
            if pid in processes and processes[pid].started == started
        ]
        if not left or time.monotonic() > deadline:
            return
        for process in left:
            with suppress(ProcessLookupError, PermissionError):
                if process.group != own:
                    os.killpg(process.group, signal.SIGKILL)
                os.kill(process.pid, signal.SIGKILL)
        time.sleep(0.01)


def kill_tree(root: int, *, timeout: float = 10) -> None:
    """Kill ``root``, its process group, and every process below it with their groups;
    return once none of them runs (or after ``timeout`` seconds)."""
    processes = snapshot()
    members = tree(processes, root)
    own = os.getpgid(0)
    groups = {root} | {processes[pid].group for pid in members}
    groups.discard(own)  # never the caller's own group
    for group in groups:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)
    for pid in members:
        with suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = snapshot()
        if not any(pid in members or p.group in groups for pid, p in left.items()):
            return
        time.sleep(0.01)


def end_own_tree() -> None:
    """Kill every process this one started, with their groups, then this one's own group
    (itself included): for a worker whose server has gone."""
    processes = snapshot()
    me, own = os.getpid(), os.getpgid(0)
    for pid in tree(processes, me) - {me}:
        with suppress(ProcessLookupError, PermissionError):
            if processes[pid].group != own:
                os.killpg(processes[pid].group, signal.SIGKILL)
            os.kill(pid, signal.SIGKILL)
    os.killpg(0, signal.SIGKILL)
