"""The listings that read many complaints: the staff queue, a district's CSV export, Open311's requests.

Each is asked by one client, one request after the other, as a member paging through the queue
does: the figures are each request's own time (p50, p99), not a rate. A listing that is slow stops
after BENCH_LISTING_SECONDS of samples (one at least), so that a run at 100,000 complaints ends.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

from bench import processes

# name, path: an administrator sees every district, the widest queue there is.
QUEUE = (
    ("staff queue, first page", "/api/v1/staff/complaints?page_size=20"),
    ("staff queue, a district + status", "/api/v1/staff/complaints?district=anfa&status=closed&page_size=20"),
    ("staff queue, page 50", "/api/v1/staff/complaints?page=50&page_size=20"),
    ("staff queue, search", "/api/v1/staff/complaints?q=Oliviers&page_size=20"),
    ("staff queue, overdue", "/api/v1/staff/complaints?overdue=true&page_size=20"),
    ("Open311 GET requests (90 days)", "/open311/v2/requests.json"),
)
EXPORT = "/api/v1/staff/exports/complaints.csv?district=anfa"
SAMPLES = 20


@dataclass
class Timing:
    """One listing's request times, in milliseconds."""

    samples: int
    p50_ms: float
    p99_ms: float
    status: int


@dataclass
class Export:
    """A district's CSV export: when its first byte came, when its last, its size, the memory it took."""

    status: int
    first_byte_ms: float
    total_ms: float
    megabytes: float
    rows: int
    tracking_rss_growth_mb: float


def admin_token(url: str, data_dir: Path) -> str:
    """Sign in as the administrator `make run` made (its password is kept under DATA_DIR)."""
    password = (data_dir / "secrets" / "admin-password").read_text().strip()
    answer = requests.post(
        f"{url}/api/v1/staff/login", json={"username": "admin", "password": password}, timeout=30
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_listing(url: str, path: str, token: str, budget: float) -> Timing:
    """Ask for one listing again and again, for SAMPLES answers or `budget` seconds."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    spent: list[float] = []
    status = 0
    began = time.monotonic()
    while len(spent) < SAMPLES and (not spent or time.monotonic() - began < budget):
        started = time.perf_counter()
        answer = session.get(url + path, headers=headers, timeout=600)
        spent.append((time.perf_counter() - started) * 1000)
        status = answer.status_code
    return Timing(len(spent), _percentile(spent, 0.5), _percentile(spent, 0.99), status)


def time_export(url: str, token: str, tracking_pid: int) -> Export:
    """Download a district's complaints as CSV, streamed; note the tracking workers' memory meanwhile."""
    sampler = processes.Sampler({"tracking-web": tracking_pid}, interval=0.2)
    idle = processes.snapshot({"tracking-web": tracking_pid}).get("tracking-web/worker", 0.0)
    sampler.start()
    started = time.perf_counter()
    first = None
    size = rows = 0
    with requests.get(
        url + EXPORT, headers={"Authorization": f"Bearer {token}"}, stream=True, timeout=600
    ) as answer:
        status = answer.status_code  # a refusal (a 503 when tracking took too long) is a figure too
        for chunk in answer.iter_content(64 * 1024):
            if first is None:
                first = time.perf_counter()
            size += len(chunk)
            rows += chunk.count(b"\n")
    total = time.perf_counter()
    peak = sampler.stop().get("tracking-web/worker", idle)
    return Export(
        status=status,
        first_byte_ms=((first or total) - started) * 1000,
        total_ms=(total - started) * 1000,
        megabytes=size / 1e6,
        rows=max(0, rows - 1),
        tracking_rss_growth_mb=max(0.0, peak - idle),
    )


def measure(url: str, data_dir: Path, tracking_pid: int) -> dict:
    """Time every listing and the export once; return the figures by listing name."""
    budget = float(os.environ.get("BENCH_LISTING_SECONDS") or 20)
    token = admin_token(url, data_dir)
    figures = {name: asdict(time_listing(url, path, token, budget)) for name, path in QUEUE}
    figures["export"] = asdict(time_export(url, token, tracking_pid))
    return figures
