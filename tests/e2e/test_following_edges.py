"""Following, merging and erasure tried as an attacker would, against the running platform.

Real parallel clients through the gateway: strangers following with someone's address, opposite
merges sent at once, merges in a chain, and an erasure while the citizen holds a token.
"""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.e2e.users import Client, citizen, staff
from tests.support import wait_for

ADMIN = ("admin", "e2e-admin-pass")


def filed(platform, email: str, **changes) -> str:
    answer = platform.submit(citizen={"email": email, "language": "fr"}, **changes)
    assert answer.status_code == 201, answer.text
    number = answer.json()["number"]
    citizen(platform, number, email)  # recorded by tracking: it can be found
    return number


def to(platform, address: str) -> list:
    return [m for m in platform.emails() if m["To"] == address]


def text(message) -> str:
    return message.get_body(("plain",)).get_content()


def member(platform, admin: Client, role: str) -> Client:
    username = f"{role}-{uuid.uuid4().hex[:6]}"
    password = f"lanterne {uuid.uuid4().hex[:8]} ruelle bleue"
    answer = admin.post(
        "/staff/members",
        json={"username": username, "password": password, "role": role, "districts": ["anfa"]},
    )
    assert answer.status_code == 201, answer.text
    return staff(platform, username, password)


def test_strangers_following_with_an_address_neither_make_it_follow_nor_silence_its_own_emails(platform):
    """A stranger takes 20 open numbers from Open311 and follows each with the victim's address."""
    victim = f"victim-{uuid.uuid4().hex[:6]}@example.ma"
    for i in range(20):
        filed(platform, f"someone{i}@example.ma")
    listing = platform.http.get(f"{platform.url}/open311/v2/requests.json?status=open", timeout=10).json()
    numbers = [r["service_request_id"] for r in listing][:20]
    assert len(numbers) == 20

    def follow(number: str) -> int:
        url = f"{platform.url}/api/v1/complaints/{number}/followers"
        return platform.http.post(url, json={"email": victim, "language": "fr"}, timeout=10).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = set(pool.map(follow, numbers))
    wait_for(lambda: len(to(platform, victim)) >= 20, 30, 0.5, "an email to the victim for each")
    own = platform.submit(citizen={"email": victim, "language": "fr"}).json()["number"]
    acknowledgement = wait_for(
        lambda: [m for m in to(platform, victim) if m["X-Complaint-Number"] == own], 30, 0.5, "the ack"
    )
    assert acknowledgement  # the victim's own email kept its place
    assert statuses == {202}
    asked = wait_for(lambda: len(to(platform, victim)) >= 21 and to(platform, victim), 30, 0.5, "requests")
    requests = [m for m in asked if m["X-Complaint-Number"] != own]
    assert all("/follow/confirm?token=" in text(m) for m in requests)  # only a link to confirm

    # Nobody confirmed: a step of a followed complaint sends the victim nothing.
    admin = staff(platform, *ADMIN)
    moved = admin.post(f"/staff/complaints/{numbers[0]}/transitions", json={"to": "in_progress"})
    assert moved.status_code == 200, moved.text
    wait_for(lambda: len(platform.emails_for(numbers[0])) >= 3, 30, 0.5, "the citizen's step")
    assert len([m for m in to(platform, victim) if m["X-Complaint-Number"] == numbers[0]]) == 1


def test_opposite_merges_sent_at_once_never_close_both_and_agents_cannot_merge(platform):
    admin = staff(platform, *ADMIN)
    agent = member(platform, admin, "agent")
    a, b = filed(platform, "pair.a@example.ma"), filed(platform, "pair.b@example.ma")
    refused = agent.post(f"/staff/complaints/{a}/merge", json={"into": b})
    assert refused.status_code == 403, refused.text
    assert admin.get(f"/staff/complaints/{a}").json()["status"] == "received"

    pairs = [
        (filed(platform, f"p{i}.a@example.ma"), filed(platform, f"p{i}.b@example.ma")) for i in range(16)
    ]

    def merge(order: tuple[str, str]) -> int:
        return admin.post(f"/staff/complaints/{order[0]}/merge", json={"into": order[1]}).status_code

    orders = [order for a, b in pairs for order in ((a, b), (b, a))]
    with ThreadPoolExecutor(32) as pool:
        statuses = list(pool.map(merge, orders))
    assert statuses.count(200) == 16 and statuses.count(409) == 16, statuses
    for a, b in pairs:
        states = sorted(admin.get(f"/staff/complaints/{n}").json()["status"] for n in (a, b))
        assert states == ["closed", "received"]


def test_a_chain_of_merges_tells_the_first_citizen_of_the_complaint_finally_kept(platform):
    admin = staff(platform, *ADMIN)
    first = f"first-{uuid.uuid4().hex[:6]}@example.ma"
    a, b, c = (
        filed(platform, first),
        filed(platform, "chain.b@example.ma"),
        filed(platform, "chain.c@example.ma"),
    )
    assert admin.post(f"/staff/complaints/{a}/merge", json={"into": b}).status_code == 200
    assert admin.post(f"/staff/complaints/{b}/merge", json={"into": c}).status_code == 200
    told = wait_for(
        lambda: [m for m in to(platform, first) if m["X-Complaint-Number"] == c], 30, 0.5, "the move to c"
    )
    assert a in told[0]["Subject"] and c in told[0]["Subject"]  # their own complaint, handled with c
    resolved = admin.post(
        f"/staff/complaints/{c}/transitions", json={"to": "in_progress", "public_note": "Équipe en route."}
    )
    assert resolved.status_code == 200
    wait_for(
        lambda: len([m for m in to(platform, first) if m["X-Complaint-Number"] == c]) == 2,
        30,
        0.5,
        "c's step",
    )
    assert admin.get(f"/staff/complaints/{c}").json()["duplicates"] == [b, a]


def test_an_erasure_ends_the_citizens_token_at_once(platform):
    admin = staff(platform, *ADMIN)
    email = f"erase-{uuid.uuid4().hex[:6]}@example.ma"
    own = filed(platform, email)
    holder = citizen(platform, own, email)
    assert holder.get(f"/complaints/{own}").status_code == 200
    assert admin.post("/staff/citizens/erasure", json={"email": email}).status_code == 200
    assert holder.get(f"/complaints/{own}").status_code == 401  # at once, not in an hour
    assert holder.post(f"/complaints/{own}/remarks", json={"text": "encore là"}).status_code == 401


def follow_confirmed(platform, number: str, email: str) -> None:
    """Ask to follow, then confirm from the link the address is emailed, as its owner does."""
    url = f"{platform.url}/api/v1/complaints/{number}/followers"
    assert platform.http.post(url, json={"email": email, "language": "fr"}, timeout=10).status_code == 202
    asked = wait_for(lambda: [m for m in to(platform, email) if m["X-Complaint-Number"] == number], 30, 0.5)
    token = re.search(r"confirm\?token=([^&\s]+)&lang=fr", text(asked[0])).group(1)  # its language
    confirmed = platform.http.post(f"{url}/confirm", json={"token": token}, timeout=10)
    assert confirmed.status_code == 200 and confirmed.json()["following"] is True


def test_an_erasure_ends_the_addresss_follows_and_an_address_that_only_follows_is_erased(platform):
    admin = staff(platform, *ADMIN)
    email = f"follows-{uuid.uuid4().hex[:6]}@example.ma"
    other = filed(platform, "other.erase@example.ma")
    follow_confirmed(platform, other, email)

    exported = admin.post("/staff/citizens/export", json={"email": email})
    assert exported.status_code == 200, exported.text
    assert [(f["number"], f["confirmed"]) for f in exported.json()["follows"]] == [(other, True)]
    erased = admin.post("/staff/citizens/erasure", json={"email": email})
    assert erased.status_code == 200
    assert erased.json() == {"anonymised": [], "unfollowed": [other], "alerts_removed": 0}
    assert admin.post("/staff/citizens/export", json={"email": email}).status_code == 404  # nothing left
    admin.post(f"/staff/complaints/{other}/transitions", json={"to": "in_progress"})
    wait_for(lambda: len(platform.emails_for(other)) >= 3, 30, 0.5, "the other citizen's step")
    assert len([m for m in to(platform, email) if m["X-Complaint-Number"] == other]) == 1  # the request only
