"""Timing helpers shared by the benchmarks: a child's wall and CPU time, the machine's load,
and medians of interleaved runs.

The machine these run on is shared and often loaded, so wall time alone says little: every
figure is given with the CPU time the process (and its children) used, which load does not
inflate much, and with the load average at the time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float  # user + system seconds of the process and every child it waited for


def run_child(
    command: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Timing:
    """Run one command to its end; its wall time and the CPU time of it and its children."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {errors[-2000:]!r}")
    # ru_utime/ru_stime of wait4 include the grandchildren the child waited for (pandoc's
    # WeasyPrint, for example).
    return Timing(wall, usage.ru_utime + usage.ru_stime)


def in_process(action: Callable[[], object]) -> Timing:
    """Wall and CPU time (this process) of one call."""
    before = os.times()
    started = time.perf_counter()
    action()
    wall = time.perf_counter() - started
    after = os.times()
    return Timing(wall, (after.user - before.user) + (after.system - before.system))


@dataclass
class Series:
    """Timings of one contestant over interleaved rounds."""

    label: str
    timings: list[Timing] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(t.wall for t in self.timings)

    @property
    def cpu(self) -> float:
        return statistics.median(t.cpu for t in self.timings)


def interleaved(contestants: dict[str, Callable[[], Timing]], rounds: int) -> dict[str, Series]:
    """Each contestant once per round, in turn, so that a change in the machine's load falls
    on all of them alike; one warm-up round first (page cache, .pyc files)."""
    for run in contestants.values():
        run()
    series = {label: Series(label) for label in contestants}
    for _ in range(rounds):
        for label, run in contestants.items():
            series[label].timings.append(run())
    return series


def load() -> str:
    """The load averages (1, 5, 15 minutes) and the number of cores, as `uptime` gives them."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by a process and every process below it (those still running,
    and, through their parents' counts, those they waited for): for a server whose work is
    done by worker processes, the CPU a request cost whatever the machine's load."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stream:
                fields = stream.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(entry)
        parents[pid] = int(fields[1])
        used[pid] = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    members, todo = {root}, [root]
    while todo:
        parent = todo.pop()
        for pid, its_parent in parents.items():
            if its_parent == parent and pid not in members:
                members.add(pid)
                todo.append(pid)
    return sum(used.get(pid, 0) for pid in members) / ticks
