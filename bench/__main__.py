"""`make bench`: the platform's speed and memory beside the limits of this machine, in one run.

Starts the platform with `make run` (fresh DATA_DIR, free ports), measures the three ceilings,
then drives the platform through its entry point (nginx, on GATEWAY_PORT) with wrk and prints one
table of figures, ratios and targets. Durations and sizes can be shortened for a trial run:

    BENCH_SECONDS=15 BENCH_SUSTAIN_SECONDS=60 BENCH_LATENCY_SECONDS=30 \
    BENCH_SMALL=1000 BENCH_LARGE=100000 BENCH_CONNECTIONS=32 make bench

The per-client rate limits are raised for the run, as every request comes from one address.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from email.parser import BytesHeaderParser
from pathlib import Path

import requests

from bench import ceilings, listings, load, processes
from common import config
from launcher.harness import free_port_block, launch_make_run, shared_tmp_dir, supervisorctl, wait_for
from launcher.settings import SERVICES

ROOT = Path(__file__).resolve().parent.parent


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


class Platform:
    """`make run` on a fresh DATA_DIR and free ports, as a user starts it."""

    def __init__(self) -> None:
        self.data_dir = shared_tmp_dir("complaints-bench-")
        self.base = free_port_block(10)  # GATEWAY_PORT … GATEWAY_PORT + 9 (launcher/settings.py)
        self.url = f"http://127.0.0.1:{self.base}"
        self.mongo_url = f"mongodb://127.0.0.1:{self.base + 6}/"
        self.amqp_url = f"amqp://guest:guest@127.0.0.1:{self.base + 7}/%2F"
        self.mail_dir = self.data_dir / "mail"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        limits = {"RATE_SUBMISSIONS": "100000000/3600", "RATE_TRACKING_FAILURES": "100000000/600"}
        self.process, self.log = launch_make_run(self.data_dir, self.base, limits)
        wait_for(lambda: "ready in" in self.log.read_text(), 600, 0.5, "make run to report ready")
        os.environ.update(MONGO_URL=self.mongo_url, DATA_DIR=str(self.data_dir))

    def wait_for_empty_queues(self, timeout: float = 600) -> float:
        """Wait until no service's queue holds a message; return how long that took."""
        import pika

        started = time.monotonic()
        connection = pika.BlockingConnection(pika.URLParameters(self.amqp_url))
        try:
            channel = connection.channel()
            queues = [f"{config.settings().queue_prefix}.{service}" for service in SERVICES]
            while time.monotonic() - started < timeout:
                depths = [channel.queue_declare(q, passive=True).method.message_count for q in queues]
                if not any(depths):
                    break
                time.sleep(1)
        finally:
            connection.close()
        return time.monotonic() - started

    def programs(self) -> dict[str, int]:
        return processes.programs(supervisorctl(self.data_dir, "status"))

    def cpu_seconds(self, pids: dict[str, int]) -> dict[str, float]:
        """Return each program's CPU time so far, and supervisord's own: it relays every log line."""
        supervisord = int((self.data_dir / "run" / "supervisord.pid").read_text())
        return {**processes.cpu_seconds(pids), "supervisord": processes.own_cpu_seconds(supervisord)}

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(180)


class Mailbox:
    """The SMTP sink's folder, each message's recipient read once (the sink never rewrites one)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.read: dict[str, tuple[str, int]] = {}  # file name -> (recipient, filing time in ns)
        self.parser = BytesHeaderParser()

    def acknowledgements(self, marker: str) -> dict[str, int]:
        """Return {recipient: filing time in ns} of the emails to addresses containing the marker."""
        for path in self.folder.glob("*.eml"):
            if path.name not in self.read:
                to = self.parser.parsebytes(path.read_bytes()).get("To", "").strip()
                self.read[path.name] = (to, int(path.name.split("-", 1)[0]))
        return {to: at for to, at in self.read.values() if marker in to}


def wait_for_emails(mailbox: Mailbox, marker: str, expected: int, patience: float) -> tuple[int, float]:
    """Wait while the emails keep arriving; return (how many, seconds waited after the load)."""
    started, count, last_change = time.monotonic(), -1, time.monotonic()
    while True:
        now_count = len(mailbox.acknowledgements(marker))
        if now_count != count:
            count, last_change = now_count, time.monotonic()
        if count >= expected or time.monotonic() - last_change > patience:
            return count, time.monotonic() - started
        time.sleep(0.5)


def submit_paced(url: str, rate: float, seconds: float, tag: str) -> tuple[dict[str, int], int]:
    """Submit at a steady rate (an open loop); return ({email: send time in ns}, errors)."""
    sent: dict[str, int] = {}
    errors = [0]
    local = threading.local()

    def one(index: int) -> None:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        email = f"{tag}-{index}@bench.example"
        body = {
            "kind": "complaint",
            "category": "roads",
            "district": "anfa",
            "subject": "Nid de poule",
            "description": "Un trou profond devant le numéro 12.",
            "address": "12 rue des Oliviers",
            "citizen": {"name": "Banc d'essai", "email": email, "language": "fr"},
            "consent": True,
        }
        at = time.time_ns()
        try:
            ok = session.post(f"{url}/api/v1/complaints", json=body, timeout=10).status_code == 201
        except requests.RequestException:
            ok = False
        if ok:
            sent[email] = at
        else:
            errors[0] += 1

    count = max(1, round(rate * seconds))
    with ThreadPoolExecutor(max_workers=16) as pool:
        began = time.monotonic()
        for index in range(count):
            delay = began + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, index)
    return sent, errors[0]


def settled(count, pause: float = 1.0) -> int:
    """Return a count once two readings a pause apart agree."""
    last = count()
    while True:
        time.sleep(pause)
        now = count()
        if now == last:
            return now
        last = now


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def write_pairs(pairs: list[tuple[str, str]], folder: Path) -> Path:
    path = folder / f"pairs-{len(pairs)}.txt"
    path.write_text("".join(f"{number} {email}\n" for number, email in pairs))
    return path


def tracking_run(
    platform: Platform, pids: dict[str, int], pairs_file: Path, connections: int, seconds: float
) -> dict:
    env = {"BENCH_PAIRS": str(pairs_file)}
    url = platform.url
    load.wrk(url, "tracking.lua", connections=connections, seconds=3, env=env)  # warm up
    before = platform.cpu_seconds(pids)
    run = load.wrk(url, "tracking.lua", connections=connections, seconds=seconds, env=env)
    return {**run.__dict__, "cpu_ms": cpu_per_request(before, platform.cpu_seconds(pids), run.requests)}


def cpu_per_request(before: dict, after: dict, requests: int) -> dict[str, float]:
    """Return the CPU milliseconds each program spent per request between two readings.

    A program under 0.05 ms is left out, but for the entry point, which every request crosses.
    """
    spent = {name: (after[name] - before.get(name, 0.0)) * 1000 / max(requests, 1) for name in after}
    return {
        name: round(ms, 2)
        for name, ms in sorted(spent.items(), key=lambda kv: -kv[1])
        if ms >= 0.05 or is_entry_point(name)
    }


def is_entry_point(program: str) -> bool:
    """Return whether a supervised program is an instance's entry point (nginx, nginx-2, …)."""
    return program.split("-")[0] == ENTRY_POINT


def main() -> int:
    seconds = setting("BENCH_SECONDS", 15)
    sustain = setting("BENCH_SUSTAIN_SECONDS", 60)
    latency_seconds = setting("BENCH_LATENCY_SECONDS", 30)
    small, large = setting("BENCH_SMALL", 1000), setting("BENCH_LARGE", 100_000)
    connections = setting("BENCH_CONNECTIONS", 32)
    load.wrk_path()
    platform = Platform()
    results: dict = {"cpus": os.cpu_count(), "connections": connections}
    say(f"starting the platform with make run (data in {platform.data_dir})")
    began = time.monotonic()
    try:
        platform.start()
        say(f"ready in {time.monotonic() - began:.0f} s")
        from bench import seed
        from common import mongo
        from services.intake import store as intake_store
        from services.tracking import store as tracking_store

        db = mongo.database()
        requests.get(f"{platform.url}/api/v1/catalog", timeout=10).raise_for_status()  # seeds it
        time.sleep(5)
        pids = platform.programs()
        results["rss_idle"] = processes.snapshot(pids)

        say(f"ceiling A: constant JSON on gunicorn, {connections} connections, {seconds} s")
        results["ceiling_a"] = ceilings.web(seconds, connections).__dict__
        say("ceiling B: the store's single-client insert_one and find_one by _id")
        results["ceiling_b_insert"], results["ceiling_b_find"] = ceilings.store(platform.mongo_url, 5)
        say("ceiling C: the broker's confirmed publishes")
        results["ceiling_c"] = ceilings.broker(platform.amqp_url, 5)

        mailbox = Mailbox(platform.mail_dir)
        work = platform.data_dir / "bench"
        work.mkdir()
        say(f"seeding {small} complaints")
        pairs = seed.seed(db, small, "seed-small")
        pairs_file = write_pairs(pairs, work)
        say("bounds: ceiling A's app behind the entry point (nginx), reading one complaint, storing one")
        bounds = ceilings.bounds(seconds, connections, pairs_file, work)
        results["bounds"] = {name: run.__dict__ for name, run in bounds.items()}
        sampler = processes.Sampler(pids)
        sampler.start()
        say(f"tracking lookups at {small} complaints: {connections} connections, {seconds} s")
        results["tracking_small"] = tracking_run(platform, pids, pairs_file, connections, seconds)
        say(f"staff queue, export and Open311 listings at {small} complaints")
        results["listings_small"] = listings.measure(platform.url, platform.data_dir, pids["tracking-web"])

        tag = f"sustain{uuid.uuid4().hex[:6]}"
        say(f"submissions for {sustain} s ({connections} connections)")
        before = platform.cpu_seconds(pids)
        submitted = load.wrk(
            platform.url, "submit.lua", connections=connections, seconds=sustain, env={"BENCH_TAG": tag}
        )
        # wrk counts the answers that came within its run; a request still in flight at its end may
        # have been accepted too: what the platform accepted is what intake recorded, once settled.
        accepted = settled(
            lambda: db[intake_store.COMPLAINTS].count_documents({"citizen.email": {"$regex": f"^{tag}-"}})
        )
        delivered, drained = wait_for_emails(mailbox, tag, accepted, patience=60)
        cpu = cpu_per_request(before, platform.cpu_seconds(pids), accepted)
        duplicates = platform.mail_dir / ".duplicates"
        results["submissions"] = {
            **submitted.__dict__,
            "answered_201": submitted.count(201),
            "accepted": accepted,
            "errors": submitted.errors,
            "emails": delivered,
            "resent": len(duplicates.read_text().splitlines()) if duplicates.exists() else 0,
            "drained_s": drained,
            # What the platform kept up with: every accepted complaint until its email was filed.
            "end_to_end_rate": accepted / (submitted.seconds + drained),
            "cpu_ms": cpu,
        }

        say("waiting for every service to catch up (its queue empty)")
        results["catch_up_s"] = platform.wait_for_empty_queues()
        # Half the rate the platform sustained to the end (its emails), not the rate the entry point
        # took in: that one includes what waited in the queues, and half of it may still outrun them.
        rate = max(1.0, results["submissions"]["end_to_end_rate"] / 2)
        tag = f"latency{uuid.uuid4().hex[:6]}"
        say(f"event latency at {rate:.0f} submissions/s for {latency_seconds} s")
        sent, errors = submit_paced(platform.url, rate, latency_seconds, tag)
        wait_for_emails(mailbox, tag, len(sent), patience=30)
        received = mailbox.acknowledgements(tag)
        latencies = [(received[e] - at) / 1e6 for e, at in sent.items() if e in received]
        results["latency"] = {
            "rate": rate,
            "sent": len(sent),
            "errors": errors,
            "emails": len(latencies),
            "p50_ms": percentile(latencies, 0.5),
            "p99_ms": percentile(latencies, 0.99),
            "max_ms": max(latencies, default=float("nan")),
        }
        results["rss_load"] = sampler.stop()

        stored = db[tracking_store.COMPLAINTS].estimated_document_count()
        more = max(0, large - stored)
        say(f"seeding {more} more complaints (to {large})")
        started = time.monotonic()
        pairs += seed.seed(db, more, "seed-large", seed=7)
        results["seed_seconds"] = time.monotonic() - started
        results["stored_large"] = db[tracking_store.COMPLAINTS].estimated_document_count()
        say(f"tracking lookups at {results['stored_large']} complaints")
        results["tracking_large"] = tracking_run(
            platform, pids, write_pairs(pairs, work), connections, seconds
        )
        say(f"staff queue, export and Open311 listings at {results['stored_large']} complaints")
        results["listings_large"] = listings.measure(platform.url, platform.data_dir, pids["tracking-web"])
        results["stored_small"] = small
    finally:
        say("stopping the platform")
        platform.stop()
    print_table(results)
    out = Path(os.environ.get("BENCH_OUTPUT") or ROOT / "build" / "bench.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    say(f"figures also written to {out}")
    # A run leaves some 700 MB of store and broker files; a failed one keeps them (and its logs).
    shutil.rmtree(platform.data_dir, ignore_errors=True)
    return 0


TARGETS = {
    "tracking": 0.5,
    # Lookups through the entry point beside ceiling A's app reading one complaint (the one-read bound).
    "tracking_one_read": 0.6,
    "submissions": 0.3,
    "latency_p99_ms": 500,
    "history_ratio": 1.3,
    "rss_mb": 100,
    # The listings at the large history: each staff queue page's p50, its ratio to the small
    # history's, the export's first byte and the memory it takes (flat: a few MB, whatever its size).
    "queue_p50_ms": 100,
    "listing_ratio": 1.5,
    "export_first_byte_ms": 1000,
    "export_rss_growth_mb": 10,
}
# The fewest documents a complaint is stored as until its acknowledgement: intake's complaint,
# tracking's copy, notification's delivery and feedback's record (each service keeps its own).
LEAST_WRITES = 4
SERVICE_PROGRAMS = ("gateway", "intake", "tracking", "notification", "feedback")
# The supervised program that takes every request on GATEWAY_PORT: nginx, master and workers (its
# CPU is summed over the program's processes, bench/processes.py). The gateway app behind it serves
# the pages and /health only: an API call never reaches it.
ENTRY_POINT = "nginx"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def print_table(r: dict) -> None:
    a = r["ceiling_a"]
    a_rate = a["requests"] / a["seconds"]
    small, large = r["tracking_small"], r["tracking_large"]
    small_rate = small["requests"] / small["seconds"]
    sub = r["submissions"]
    sub_rate = sub["answered_201"] / sub["seconds"]
    lat = r["latency"]
    hop, read, write = (load.Run(**r["bounds"][name]) for name in ("entry_hop", "one_read", "one_write"))
    small_read = small_rate / read.rate
    history = large["p50_ms"] / small["p50_ms"]
    submissions_ok = (
        sub_rate / r["ceiling_b_insert"] >= TARGETS["submissions"]
        and not sub["errors"]
        and sub["emails"] == sub["accepted"]
    )
    latency_ok = lat["p99_ms"] <= TARGETS["latency_p99_ms"] and lat["emails"] == lat["sent"]
    rows = [
        ("ceiling A: constant JSON, gunicorn+Flask", f"{a_rate:,.0f} req/s", f"p50 {a['p50_ms']:.1f} ms", ""),
        ("ceiling B: store insert_one (1 client)", f"{r['ceiling_b_insert']:,.0f} /s", "", ""),
        ("ceiling B: store find_one by _id (1 client)", f"{r['ceiling_b_find']:,.0f} /s", "", ""),
        ("ceiling C: broker publish with confirm", f"{r['ceiling_c']:,.0f} /s", "", ""),
        (
            "bound: the entry point (nginx), ceiling A's app behind it",
            f"{hop.rate:,.0f} req/s",
            f"p50 {hop.p50_ms:.1f} / p99 {hop.p99_ms:.1f} ms",
            f"{hop.rate / a_rate:.2f} x A: the most a lookup through the entry point can reach",
        ),
        (
            "bound: ceiling A's app reading one complaint",
            f"{read.rate:,.0f} req/s",
            f"p50 {read.p50_ms:.1f} / p99 {read.p99_ms:.1f} ms",
            f"{read.rate / a_rate:.2f} x A: the most a lookup reading the store can reach",
        ),
        (
            "bound: ceiling A's app storing one document",
            f"{write.rate:,.0f} /s",
            f"p50 {write.p50_ms:.1f} / p99 {write.p99_ms:.1f} ms",
            f"/ {LEAST_WRITES} = {write.rate / LEAST_WRITES / r['ceiling_b_insert']:.2f} x B: "
            f"the most complaints, at {LEAST_WRITES} stored records each",
        ),
        (
            f"tracking via entry point ({r['stored_small']:,} stored)",
            f"{small_rate:,.0f} req/s",
            f"p50 {small['p50_ms']:.1f} / p99 {small['p99_ms']:.1f} ms",
            f"{small_rate / a_rate:.2f} x A (>= {TARGETS['tracking']}) "
            f"{verdict(small_rate / a_rate >= TARGETS['tracking'])}",
        ),
        (
            "tracking via entry point / one-read bound",
            f"{small_read:.2f}",
            f"{small_rate:,.0f} / {read.rate:,.0f} req/s",
            f"{small_read:.2f} x one read (>= {TARGETS['tracking_one_read']}) "
            f"{verdict(small_read >= TARGETS['tracking_one_read'])}",
        ),
        (
            f"submissions via entry point, {sub['seconds']:.0f} s",
            f"{sub_rate:,.0f} /s ({sub['end_to_end_rate']:,.0f} /s to the last email)",
            f"{sub['errors']} errors; {sub['emails']}/{sub['accepted']} emails, "
            f"the last {sub['drained_s']:.0f} s after the load",
            f"{sub_rate / r['ceiling_b_insert']:.2f} x B (>= {TARGETS['submissions']}) "
            f"{verdict(submissions_ok)}",
        ),
        (
            f"submission to email, at {lat['rate']:.0f}/s (after {r['catch_up_s']:.0f} s catching up)",
            f"p50 {lat['p50_ms']:.0f} ms",
            f"p99 {lat['p99_ms']:.0f} ms; {lat['emails']}/{lat['sent']} emails, {lat['errors']} errors",
            f"p99 <= {TARGETS['latency_p99_ms']} ms {verdict(latency_ok)}",
        ),
        (
            f"tracking via entry point ({r['stored_large']:,} stored)",
            f"{large['requests'] / large['seconds']:,.0f} req/s",
            f"p50 {large['p50_ms']:.1f} / p99 {large['p99_ms']:.1f} ms",
            f"p50 {history:.2f} x the {r['stored_small']:,} run (<= {TARGETS['history_ratio']}) "
            f"{verdict(history <= TARGETS['history_ratio'])}",
        ),
    ]
    width = [max(len(row[i]) for row in rows) for i in range(4)]
    print()
    print(f"make bench: {r['cpus']} CPUs, {r['connections']} connections, every figure from this run")
    for row in rows:
        print("  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)).rstrip())
    print()
    print(
        f"CPU per request, in ms, by process ({ENTRY_POINT} is the entry point, master and workers; "
        "supervisord, alone, relays the log lines; the whole pipeline for a submission, until its email)"
    )
    for label, figures in (
        (f"tracking ({r['stored_small']:,})", small["cpu_ms"]),
        (f"tracking ({r['stored_large']:,})", large["cpu_ms"]),
        ("submission", sub["cpu_ms"]),
    ):
        total = sum(figures.values())
        shown = [name for name in figures if is_entry_point(name)] + list(figures)[:6]
        top = ", ".join(f"{name} {figures[name]:.2f}" for name in figures if name in shown)
        print(f"  {label:<20} {total:6.2f}: {top}")
    print_listings(r)
    print()
    print("resident memory (MB)         idle   under load")
    worst = 0.0
    for name in sorted(r["rss_idle"]):
        idle, peak = r["rss_idle"][name], r["rss_load"].get(name, 0.0)
        ours = name.split("-")[0].split("/")[0] in SERVICE_PROGRAMS
        if ours:
            worst = max(worst, idle, peak)
        print(f"  {name:<26} {idle:6.0f}   {peak:6.0f}{'' if ours else '   (infrastructure)'}")
    print(
        f"  largest service process: {worst:.0f} MB (<= {TARGETS['rss_mb']}) "
        f"{verdict(worst <= TARGETS['rss_mb'])}"
    )


def print_listings(r: dict) -> None:
    """Print the listings at both histories, with their ratio and targets."""
    small, large = r["listings_small"], r["listings_large"]
    n_small, n_large = f"{r['stored_small']:,}", f"{r['stored_large']:,}"
    print()
    print(f"listings, one client, p50 / p99 in ms, at {n_small} and at {n_large} complaints")
    rows = []
    for name, _path in listings.QUEUE:
        a, b = small[name], large[name]
        ratio = b["p50_ms"] / max(a["p50_ms"], 0.1)
        ok = ratio <= TARGETS["listing_ratio"]
        target = f"ratio <= {TARGETS['listing_ratio']}"
        if name.startswith("staff queue"):
            ok = ok and b["p50_ms"] <= TARGETS["queue_p50_ms"]
            target = f"p50 <= {TARGETS['queue_p50_ms']} ms, {target}"
        rows.append(
            (
                name,
                f"{a['p50_ms']:,.0f} / {a['p99_ms']:,.0f}",
                f"{b['p50_ms']:,.0f} / {b['p99_ms']:,.0f} ({b['samples']} asked"
                + (f", answered {b['status']})" if b["status"] != 200 else ")"),
                f"{ratio:.2f} x; {target} {verdict(ok and a['status'] == b['status'] == 200)}",
            )
        )
    a, b = small["export"], large["export"]
    ok = (
        a["status"] == b["status"] == 200
        and b["first_byte_ms"] <= TARGETS["export_first_byte_ms"]
        and b["tracking_rss_growth_mb"] <= TARGETS["export_rss_growth_mb"]
    )

    def export(e: dict) -> str:
        took = f"{e['first_byte_ms']:,.0f} / {e['total_ms']:,.0f}"
        if e["status"] != 200:
            return f"{took} (answered {e['status']})"
        return f"{took} ({e['rows']:,} rows, {e['megabytes']:.1f} MB)"

    rows.append(
        (
            "a district's complaints.csv: first byte / last",
            export(a),
            export(b),
            f"tracking +{b['tracking_rss_growth_mb']:.0f} MB; first byte <= "
            f"{TARGETS['export_first_byte_ms']} ms, memory <= +{TARGETS['export_rss_growth_mb']} MB "
            f"{verdict(ok)}",
        )
    )
    width = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  " + "  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)).rstrip())


if __name__ == "__main__":
    sys.exit(main())
