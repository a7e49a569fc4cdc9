"""The load: wrk (Debian's package) driven by the Lua scripts beside this file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"


@dataclass
class Run:
    """What one wrk run measured."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def count(self, status: int) -> int:
        return self.statuses.get(status, 0)

    @property
    def errors(self) -> int:
        """Socket errors and answers outside 2xx."""
        return self.socket_errors + sum(n for s, n in self.statuses.items() if not 200 <= s < 300)


def wrk_path() -> str:
    """Return wrk's path; install Debian's package when root and it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    from launcher import infra

    say = lambda message: print(f"[bench] {message}", flush=True)  # noqa: E731
    infra.ensure_package(Path("/usr/bin/wrk"), "wrk", say, "then run `make bench` again")
    return "/usr/bin/wrk"


def parse(output: str) -> Run:
    """Return the figures of the BENCH line that report.lua prints."""
    for line in output.splitlines():
        if line.startswith("BENCH "):
            figures = json.loads(line[len("BENCH ") :])
            figures["statuses"] = {int(k): v for k, v in figures["statuses"].items()}
            return Run(**figures)
    raise RuntimeError(f"wrk printed no figures:\n{output}")


def wrk(
    url: str, script: str, *, connections: int, seconds: float, threads: int = 2, env: dict | None = None
) -> Run:
    """Run wrk against url with one of the Lua scripts; return its figures."""
    command = [
        wrk_path(),
        f"--threads={min(threads, connections)}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        f"--script={LUA / script}",
        url,
    ]
    result = subprocess.run(
        command,
        env={**os.environ, "BENCH_LUA": str(LUA), **(env or {})},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    return parse(result.stdout)
