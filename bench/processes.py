"""Resident memory of the platform's processes, by supervised program, read from /proc."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

STATUS_LINE = re.compile(r"^(\S+)\s+RUNNING\s+pid (\d+),")


def programs(status_output: str) -> dict[str, int]:
    """Return {program: pid} from `supervisorctl status`."""
    found = {}
    for line in status_output.splitlines():
        match = STATUS_LINE.match(line)
        if match:
            found[match.group(1)] = int(match.group(2))
    return found


def _parents() -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces and parentheses
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def _descendants(pid: int, children: dict[int, list[int]]) -> list[int]:
    found, pending = [], list(children.get(pid, []))
    while pending:
        child = pending.pop()
        found.append(child)
        pending.extend(children.get(child, []))
    return found


def _ticks(pid: int) -> int:
    """Return the CPU clock ticks (user and system) one process has used so far, 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def cpu_seconds(program_pids: dict[str, int]) -> dict[str, float]:
    """Return the CPU time (user and system) each program's processes have used so far."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    ticks = os.sysconf("SC_CLK_TCK")
    return {
        program: sum(_ticks(process) for process in (pid, *_descendants(pid, children))) / ticks
        for program, pid in program_pids.items()
    }


def own_cpu_seconds(pid: int) -> float:
    """Return the CPU time one process has used so far, without its children's."""
    return _ticks(pid) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Return a process's resident set in MB, 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def snapshot(program_pids: dict[str, int]) -> dict[str, float]:
    """Return the RSS of every process of every program, named `program` or `program/worker`.

    A gunicorn program is its master and its workers (`intake-web/worker`, the largest worker);
    RabbitMQ's node runs under its own processes, all counted as `broker`.
    """
    parents = _parents()
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    figures = {}
    for program, pid in program_pids.items():
        figures[program] = rss_mb(pid)
        descendants = _descendants(pid, children)
        if program == "broker":
            figures[program] += sum(rss_mb(child) for child in descendants)
        elif descendants:
            figures[f"{program}/worker"] = max(rss_mb(child) for child in descendants)
    return figures


class Sampler(threading.Thread):
    """Keep the largest RSS of each process seen while it runs, once a second."""

    def __init__(self, program_pids: dict[str, int], interval: float = 1.0):
        super().__init__(name="rss-sampler", daemon=True)
        self.program_pids = program_pids
        self.interval = interval
        self.peak: dict[str, float] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            for name, value in snapshot(self.program_pids).items():
                self.peak[name] = max(self.peak.get(name, 0.0), value)
            self.stopped.wait(self.interval)

    def stop(self) -> dict[str, float]:
        self.stopped.set()
        self.join()
        return self.peak
