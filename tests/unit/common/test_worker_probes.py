"""A worker's probes (common/worker.py, WORKER_PORT): live while its loops go round."""

from __future__ import annotations

from common import health, metrics
from common.worker import Heartbeats
from tests.support import let_time_pass


def test_a_loop_is_stalled_once_it_has_not_gone_round_within_the_limit():
    beats = Heartbeats()
    consumer, relay = beats.beater("consumer"), beats.beater("relay")
    assert beats.stalled(limit=0.05) == []
    let_time_pass(0.1, "both loops go past the limit without a beat")
    consumer()
    assert beats.stalled(limit=0.05) == ["relay"]
    relay()
    assert beats.stalled(limit=0.05) == []


def test_liveness_fails_naming_the_stalled_loop_and_metrics_show_the_counters():
    stalled: list[str] = []
    client = health.worker_app("tracking", lambda: list(stalled)).test_client()
    live = client.get("/health/live")
    assert live.status_code == 200
    assert live.get_json() == {"status": "ok", "service": "tracking", "process": "worker"}
    stalled.append("consumer")
    live = client.get("/health/live")
    assert live.status_code == 503
    assert live.get_json()["stalled"] == ["consumer"]
    metrics.EVENTS_CONSUMED.labels("tracking", "complaint.submitted", "handled").inc()
    scraped = client.get("/metrics").get_data(as_text=True)
    assert 'events_consumed_total{outcome="handled",service="tracking",type="complaint.submitted"}' in scraped
