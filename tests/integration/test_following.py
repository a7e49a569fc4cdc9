"""Following, merging and erasure at their edges, against the real store and broker.

A stranger cannot make an address follow (double opt-in), merges of one pair in opposite
directions never close both, chained merges carry everyone to the complaint finally kept, and an
erasure ends the address's follows and its citizen's tokens at once.
"""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest

from common import tokens
from common.envelope import utcnow
from common.errors import Conflict, Forbidden, NotFound, Unauthorized
from services.tracking import domain, following, handlers, jobs, privacy, treatment
from services.tracking import store as tracking
from tests.integration.complaints import submission

ADMIN = {"sub": "root", "role": "admin", "districts": ["*"]}
SUPERVISOR = {"sub": "salma", "role": "supervisor", "districts": ["anfa"]}
AGENT = {"sub": "karim", "role": "agent", "districts": ["anfa"]}


def filed(db, email: str = "a@example.ma", **changes) -> str:
    data = submission(citizen={"name": "N", "email": email, "language": "fr"}, **changes)
    handlers.record_submitted(db, data)
    return data["number"]


def followers(db, number: str) -> dict:
    return tracking.find_by_number(db, number).get("followers") or {}


def confirm(db, number: str, email: str) -> dict:
    """Confirm as the address would, with the token its email carries."""
    return following.confirm(
        db, number, tokens.issue_follow_confirmation(number, following.follower_id(email))
    )


def test_an_address_follows_only_once_it_confirmed(db, listener):
    tracking.ensure_indexes(db)
    published = listener("complaint.follow_requested", "complaint.followed")
    number = filed(db)
    answer = following.request(db, number, "Victim@example.ma", "ar")
    assert answer == {"number": number, "confirmation": "sent"}
    assert treatment.read(db, ADMIN, number)["followers"] == 0  # not a follower yet
    requested = published(1)
    assert [e["type"] for e in requested] == ["complaint.follow_requested"]
    assert requested[0]["data"]["follower"]["email"] == "Victim@example.ma"

    # Asked again, by anyone: the same answer, and no second email within the hour.
    assert following.request(db, number, "victim@EXAMPLE.ma", "fr") == answer
    assert following.request(db, number, "a@example.ma", "fr") == answer  # its own citizen: nothing
    with pytest.raises(NotFound):
        following.request(db, "RC-2026-0000000", "victim@example.ma", "fr")

    with pytest.raises(Unauthorized):
        following.confirm(db, number, "forged.token")
    with pytest.raises(NotFound):  # a token is for one complaint
        following.confirm(db, filed(db), tokens.issue_follow_confirmation(number, "x"))
    assert confirm(db, number, "victim@example.ma") == {"number": number, "following": True}
    assert confirm(db, number, "victim@example.ma")["following"] is True  # idempotent
    assert treatment.read(db, ADMIN, number)["followers"] == 1
    assert [e["type"] for e in published(1)] == ["complaint.followed"]  # once, and no second request


def test_an_unconfirmed_request_expires_and_is_forgotten(db):
    tracking.ensure_indexes(db)
    number = filed(db)
    following.request(db, number, "late@example.ma", "fr")
    key = following.follower_id("late@example.ma")
    assert following.is_pending(followers(db, number)[key])

    following.request(db, number, "prompt@example.ma", "fr")
    confirm(db, number, "prompt@example.ma")
    prompt = following.follower_id("prompt@example.ma")
    later = utcnow() + timedelta(seconds=tokens.follow_confirm_ttl() + 1)
    # As if stopped before noting the confirmation: still noted as a request, already expired.
    tracking.note_follow(db, prompt, number, utcnow() - timedelta(seconds=1))

    following.expire(db, utcnow())
    assert key in followers(db, number)  # not yet expired
    assert not following.is_pending(followers(db, number)[prompt])  # confirmed: it stays, and is
    assert all(f["key"] != prompt for f in tracking.expired_follows(db, later))  # no longer pending
    assert following.expire(db, later) >= 1
    assert key not in followers(db, number) and prompt in followers(db, number)
    with pytest.raises(NotFound, match="expired"):
        confirm(db, number, "late@example.ma")
    jobs.run_all(db)  # the periodic jobs run it without failing


def test_follows_of_unknown_numbers_count_among_failed_tracking_attempts(db, monkeypatch):
    from services.tracking.app import create_app

    monkeypatch.setenv("RATE_TRACKING_FAILURES", "5/600")
    from common import config

    config.reload()
    client = create_app({"TESTING": True}).test_client()
    address = f"203.0.113.{random.randrange(1, 255)}"
    statuses = [
        client.post(
            f"/api/v1/complaints/RC-2026-{i:07d}/followers",
            json={"email": "probe@example.ma", "language": "fr"},
            environ_base={"REMOTE_ADDR": address},
        ).status_code
        for i in range(8)
    ]
    assert statuses[:5] == [404] * 5 and set(statuses[5:]) == {429}, statuses


def test_an_agent_cannot_close_a_complaint_by_merging_it(db):
    duplicate, kept = filed(db), filed(db)
    with pytest.raises(Forbidden):
        treatment.merge(db, AGENT, duplicate, {"into": kept})
    assert tracking.find_by_number(db, duplicate)["status"] == "received"
    assert treatment.merge(db, SUPERVISOR, duplicate, {"into": kept})["status"] == "closed"


def test_opposite_merges_at_once_never_close_both(db):
    """16 pairs, each merged A into B and B into A by two threads released together."""
    pairs = [(filed(db), filed(db)) for _ in range(16)]
    start = threading.Barrier(32)
    outcomes: list[str] = []

    def merge(number: str, into: str) -> None:
        start.wait()
        try:
            treatment.merge(db, ADMIN, number, {"into": into})
            outcomes.append("merged")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=merge, args=pair) for a, b in pairs for pair in ((a, b), (b, a))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes.count("merged") == 16 and outcomes.count("refused") == 16
    for a, b in pairs:
        statuses = {n: tracking.find_by_number(db, n)["status"] for n in (a, b)}
        assert sorted(statuses.values()) == ["closed", "received"], statuses
        kept = next(n for n, status in statuses.items() if status == "received")
        closed = next(n for n in (a, b) if n != kept)
        assert tracking.find_by_number(db, closed)["duplicate_of"] == kept


def test_chained_merges_carry_the_citizens_and_followers_to_the_complaint_kept(db, listener):
    tracking.ensure_indexes(db)
    published = listener("complaint.followed")
    a = filed(db, "citizen.a@example.ma")
    b = filed(db, "citizen.b@example.ma")
    c = filed(db, "citizen.c@example.ma")
    following.request(db, b, "follower.b@example.ma", "en")
    confirm(db, b, "follower.b@example.ma")
    following.request(db, b, "pending.b@example.ma", "en")  # never confirmed: not carried
    published(1)  # the follower of b

    treatment.merge(db, ADMIN, a, {"into": b})
    treatment.merge(db, ADMIN, b, {"into": c})

    kept = tracking.find_by_number(db, c)
    assert kept["duplicates"] == [b, a]
    by_email = {f["email"]: f for f in kept["followers"].values()}
    assert set(by_email) == {"citizen.a@example.ma", "citizen.b@example.ma", "follower.b@example.ma"}
    assert by_email["citizen.a@example.ma"]["merged_from"] == a  # told of their own complaint
    assert by_email["citizen.b@example.ma"]["merged_from"] == b
    assert by_email["follower.b@example.ma"]["moved_from"] == b
    assert tracking.find_by_number(db, b)["followers"] == {}  # they moved: nothing stays behind
    events = published(4)  # a's citizen into b, then three into c
    into_c = [e["data"] for e in events if e["data"]["number"] == c]
    assert {(e["follower"]["email"], e["merged_from"], e["moved_from"]) for e in into_c} == {
        ("citizen.a@example.ma", a, None),
        ("citizen.b@example.ma", b, None),
        ("follower.b@example.ma", None, b),
    }


def test_erasure_ends_follows_and_tokens_and_an_address_that_only_follows_is_erased(db, listener):
    tracking.ensure_indexes(db)
    own = filed(db, "erase.me@example.ma")
    followed, asked = filed(db), filed(db)
    following.request(db, followed, "erase.me@example.ma", "fr")
    confirm(db, followed, "erase.me@example.ma")
    following.request(db, asked, "erase.me@example.ma", "fr")
    following.request(db, own, "neighbour@example.ma", "fr")  # someone else follows the erased one's
    confirm(db, own, "neighbour@example.ma")
    token = domain.track(db, own, "erase.me@example.ma")["access_token"]
    assert domain.still_open_to(db, domain.authorize(f"Bearer {token}", own)) == own

    exported = privacy.export(db, ADMIN, "Erase.Me@example.ma")
    assert [c["number"] for c in exported["complaints"]] == [own]
    assert {(f["number"], f["confirmed"]) for f in exported["follows"]} == {(followed, True), (asked, False)}

    published = listener("complaint.unfollowed")
    assert privacy.erase(db, ADMIN, "erase.me@example.ma") == {
        "anonymised": [own],
        "unfollowed": sorted([followed, asked], key=[f["number"] for f in exported["follows"]].index),
        "alerts_removed": 0,
    }
    for number in (followed, asked):
        assert following.follower_id("erase.me@example.ma") not in followers(db, number)
    unfollowed = published(1)
    assert unfollowed[0]["data"]["number"] == followed and unfollowed[0]["data"]["reason"] == "erased"
    neighbour = followers(db, own)[following.follower_id("neighbour@example.ma")]
    assert neighbour["email"] == "neighbour@example.ma"  # not theirs to erase: still told of its steps
    with pytest.raises(Unauthorized):  # the token issued before the erasure ends at once
        domain.still_open_to(db, domain.authorize(f"Bearer {token}", own))
    with pytest.raises(NotFound):
        privacy.export(db, ADMIN, "erase.me@example.ma")

    only = filed(db)
    following.request(db, only, "only.follows@example.ma", "fr")
    confirm(db, only, "only.follows@example.ma")
    erased = privacy.erase(db, ADMIN, "only.follows@example.ma")
    assert erased == {"anonymised": [], "unfollowed": [only], "alerts_removed": 0}
    assert followers(db, only) == {}


def test_an_addresss_follows_and_the_expired_requests_are_read_from_their_indexes(db):
    """Among 20,000 follows, an erasure's and the expiry's reads name their index and scan no table."""
    import re

    from bson import Int64

    tracking.ensure_indexes(db)
    now = utcnow()
    documents = [
        {
            "_id": f"k{i % 5000:05d}:RC-T-{i:06d}",
            "key": f"k{i % 5000:05d}",
            "number": f"RC-T-{i:06d}",
            "pending_until": now + timedelta(hours=i % 100 - 50) if i % 3 == 0 else None,
        }
        for i in range(20_000)
    ]
    db[tracking.FOLLOWS].insert_many(documents, ordered=False)
    try:
        assert len(tracking.follows_of(db, "k00042")) == 4
        ours = {d["_id"] for d in documents}  # other tests' follows share the collection
        expired = {f["_id"] for f in tracking.expired_follows(db, now, limit=100_000)} & ours
        assert expired == {d["_id"] for d in documents if d["pending_until"] and d["pending_until"] < now}
        for match in ({"key": "k00042"}, {"pending_until": {"$lt": now}}):
            plan = repr(db.command("explain", {"find": tracking.FOLLOWS, "filter": match, "limit": Int64(0)}))
            assert "USING INDEX" in plan or "IXSCAN" in plan, plan
            assert not re.search(r"detail=SCAN [^ ']+'", plan) and "COLLSCAN" not in plan, plan
    finally:
        db[tracking.FOLLOWS].delete_many({"_id": {"$in": [d["_id"] for d in documents]}})


def test_strangers_requests_never_stop_anyone_from_following(db, monkeypatch):
    """Pending requests beyond MAX_PENDING push the oldest out; they never fill the followers."""
    monkeypatch.setattr(following, "MAX_PENDING", 5)
    number = filed(db)
    following.request(db, number, "real@example.ma", "fr")
    confirm(db, number, "real@example.ma")
    for i in range(6):
        following.request(db, number, f"stranger{i}@example.ma", "fr")
    pending = [f["email"] for f in followers(db, number).values() if following.is_pending(f)]
    assert sorted(pending) == [f"stranger{i}@example.ma" for i in range(1, 6)]  # the oldest pushed out
    with pytest.raises(NotFound, match="expired"):
        confirm(db, number, "stranger0@example.ma")
    following.request(db, number, "late.neighbour@example.ma", "fr")  # still asks, and follows
    assert confirm(db, number, "late.neighbour@example.ma")["following"] is True
    assert treatment.read(db, ADMIN, number)["followers"] == 2


def test_one_address_asking_sixteen_times_at_once_is_sent_one_email(db, listener):
    published = listener("complaint.follow_requested")
    number = filed(db)
    start = threading.Barrier(16)

    def ask() -> None:
        start.wait()
        following.request(db, number, "impatient@example.ma", "fr")

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    requested = published(1)
    with pytest.raises(AssertionError):  # no second one comes
        requested += published(1, timeout=2)
    assert [e["data"]["number"] for e in requested] == [number]
