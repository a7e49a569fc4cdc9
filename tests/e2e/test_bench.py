"""`make bench` runs end to end and prints its table (figures tiny here: the real run is `make bench`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench import listings

ROOT = Path(__file__).resolve().parents[2]


def test_bench_prints_every_figure_and_target():
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("MONGO_URL", "AMQP_URL", "MONGO_DB")},
        "BENCH_SECONDS": "2",
        "BENCH_SUSTAIN_SECONDS": "3",
        "BENCH_LATENCY_SECONDS": "3",
        "BENCH_SMALL": "200",
        "BENCH_LARGE": "600",
        "BENCH_CONNECTIONS": "8",
        "BENCH_LISTING_SECONDS": "2",
        "BENCH_OUTPUT": str(ROOT / "build" / "bench-smoke.json"),
    }
    run = subprocess.run(
        [sys.executable, "-m", "bench"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    table = run.stdout
    for row in (
        "ceiling A",
        "ceiling B: store insert_one",
        "ceiling B: store find_one",
        "ceiling C",
        "bound: the entry point (nginx), ceiling A's app behind it",
        "bound: ceiling A's app reading one complaint",
        "bound: ceiling A's app storing one document",
        "tracking via entry point (200 stored)",
        "tracking via entry point / one-read bound",
        "submissions via entry point",
        "submission to email",
        "largest service process",
        "staff queue, first page",
        "staff queue, a district + status",
        "staff queue, page 50",
        "staff queue, search",
        "staff queue, overdue",
        "Open311 GET requests (90 days)",
        "a district's complaints.csv",
    ):
        assert row in table, f"{row!r} missing from:\n{table}"
    figures = json.loads(Path(env["BENCH_OUTPUT"]).read_text())
    # The larger history is BENCH_LARGE, or more when the submissions alone went past it.
    assert f"tracking via entry point ({figures['stored_large']:,} stored)" in table, table
    # The entry point's CPU per lookup is reported beside the services'.
    assert "nginx" in figures["tracking_small"]["cpu_ms"], figures["tracking_small"]["cpu_ms"]
    submissions = figures["submissions"]
    assert submissions["accepted"] > 0 and submissions["errors"] == 0
    assert submissions["emails"] == submissions["accepted"]  # every acknowledgement arrived, once
    assert figures["latency"]["emails"] == figures["latency"]["sent"] > 0
    assert figures["stored_large"] >= 600
    for history in ("listings_small", "listings_large"):
        answered = figures[history]
        assert all(answered[name]["status"] == 200 for name, _path in listings.QUEUE), answered
        assert answered["export"]["status"] == 200 and answered["export"]["rows"] > 0
    for name, expected in (("entry_hop", 200), ("one_read", 200), ("one_write", 201)):
        bound = figures["bounds"][name]
        assert bound["requests"] > 0 and bound["statuses"] == {str(expected): bound["requests"]}, bound
    for name in ("gateway", "intake-web/worker", "tracking-worker", "notification-worker", "feedback-worker"):
        assert 10 < figures["rss_idle"][name] < 1000
