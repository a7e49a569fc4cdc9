"""The alerts for a place from the request to the emails: tracking's API and its handler of submissions,
the real broker, notification and a real SMTP server.

A stranger can neither subscribe an address nor learn anything of it; a confirmed alert receives
the published reports of its place, and only those, each once, or a week's in one digest; a link
to stop ends it.
"""

from __future__ import annotations

import random
import re
import time
import uuid
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from common import config, tokens
from common.envelope import isoformat, new_event, utcnow
from services.notification import handlers as notification
from services.tracking import accounts, alerts, alerts_store, handlers, privacy, treatment

ADMIN = {"sub": "root", "role": "admin", "districts": ["*"]}
NAMES = {"fr": "Quartier des essais", "ar": "حي التجارب", "en": "Test quarter"}
ROADS = {"fr": "Voirie", "ar": "الطرق", "en": "Roads"}


class Alerts:
    """Tracking's API and handler, joined to notification and a mailbox by the real broker."""

    def __init__(self, tracking, mailbox, events, district: str):
        self.tracking, self.mailbox, self.events, self.district = tracking, mailbox, events, district
        self.client = f"198.51.100.{random.randrange(1, 255)}"
        # A place of its own, far from any other test's.
        self.centre = {"lat": round(random.uniform(-50, 50), 4), "lon": round(random.uniform(-170, 170), 4)}
        self.submitted: dict[str, dict] = {}  # each complaint.submitted, by number

    def ask(self, email: str, **place):
        body = {"email": email, "language": "fr", "frequency": "each", **place}
        return self.tracking.post("/api/v1/alerts", json=body, environ_base={"REMOTE_ADDR": self.client})

    def pump(self) -> list[dict]:
        """Hand every alert event published until now to notification, as its worker would."""
        published = self.events(0)
        for event in published:
            notification.HANDLERS[event["type"]](event)
        return published

    def mails(self, to: str) -> list:
        return [m for m in self.mailbox.messages() if m["To"] == to]

    def token(self, to: str, page: str) -> str:
        """Return the token of the last email's link to a page (`confirm` or `unsubscribe`)."""
        text = self.mails(to)[-1].get_body(("plain",)).get_content()
        return re.findall(rf"/alerts/{page}\?token=([^&\s]+)", text)[-1]

    def confirm(self, to: str):
        return self.tracking.post("/api/v1/alerts/confirm", json={"token": self.token(to, "confirm")})

    def subscribed(self, email: str, **place) -> None:
        assert self.ask(email, **place).status_code == 202
        self.pump()
        assert self.confirm(email).status_code == 200

    def near(self, metres: float) -> dict:
        """Return a point this far north of the centre."""
        return {"lat": self.centre["lat"] + metres / 111_195, "lon": self.centre["lon"]}

    def file(self, *, location: dict | None = None, district: str | None = None, publish: bool = True) -> str:
        """Record a new complaint as tracking's worker does from its complaint.submitted."""
        number = f"RC-2026-{uuid.uuid4().hex[:7].upper()}"
        now = isoformat(utcnow())
        data = {
            "number": number,
            "kind": "complaint",
            "category": "roads",
            "category_name": ROADS,
            "department": "roads",
            "district": self.district if district is None else district or None,  # "": none
            "district_name": NAMES,
            "subject": f"Nid de poule {number[-4:]}",
            "description": "Un trou profond devant l'école.",
            "address": "12 rue des Essais",
            "location": location,
            "citizen": {"name": "Amina Secret", "email": "amina.secret@example.ma", "language": "fr"},
            "publish": publish,
            "submitted_at": now,
            "ack_due": now,
            "answer_due": now,
        }
        event = new_event("complaint.submitted", source="intake", subject=number, data=data)
        handlers.on_submitted(event)
        self.submitted[number] = event
        return number


@pytest.fixture
def place(db, apps, mailbox, listener, monkeypatch):
    district = f"essais-{uuid.uuid4().hex[:6]}"
    monkeypatch.setattr(accounts, "catalogue_districts", lambda: {district: NAMES})
    return Alerts(apps["tracking"], mailbox, listener("alert.#"), district)


def text(message) -> str:
    return message.get_body(("plain",)).get_content()


def address() -> str:
    return f"alerts-{uuid.uuid4().hex[:8]}@example.ma"


def test_a_confirmed_point_alert_receives_the_published_reports_within_its_radius_only(place):
    salma, stranger_asked = address(), address()
    point = {**place.centre, "radius_m": 500}
    place.subscribed(salma, **point)
    assert place.ask(stranger_asked, **point).status_code == 202  # never confirmed
    place.pump()

    within = place.file(location=place.near(300))
    place.file(location=place.near(300), publish=False)  # its citizen did not consent
    place.file(location=place.near(900))  # outside the radius
    place.file(location=None)  # no point, though in the district
    told = place.pump()
    assert [e["data"]["number"] for e in told] == [within]
    [report] = [m for m in place.mails(salma) if m["X-Complaint-Number"]]
    body = text(report)
    assert report["X-Complaint-Number"] == within and within in report["Subject"]
    assert f"/reports/{within}" in body and "300 m" in body
    assert not any(secret in body for secret in ("Amina", "amina.secret", "rue des Essais", "trou profond"))
    assert (
        report["List-Unsubscribe"].startswith("<")
        and "/alerts/unsubscribe?token=" in report["List-Unsubscribe"]
    )
    assert len(place.mails(stranger_asked)) == 1  # the request to confirm, nothing else

    # Delivered again (a redelivered submission): the same event, and no second email.
    handlers.on_submitted(place.submitted[within])
    assert [e["data"]["number"] for e in place.pump()] == [within]
    assert len([m for m in place.mails(salma) if m["X-Complaint-Number"] == within]) == 1

    stop = place.tracking.post(
        "/api/v1/alerts/unsubscribe", json={"token": place.token(salma, "unsubscribe")}
    )
    assert stop.status_code == 200 and stop.get_json() == {"subscribed": False}
    place.file(location=place.near(100))
    assert place.pump() == []
    assert len(place.mails(salma)) == 2  # the request to confirm and the one report


def test_a_district_alert_receives_its_districts_reports_and_a_weekly_one_a_digest(place, db):
    each, weekly = address(), address()
    place.subscribed(each, district=place.district)
    assert place.ask(weekly, district=place.district, frequency="weekly").status_code == 202
    place.pump()
    assert place.confirm(weekly).get_json() == {
        "subscribed": True,
        "frequency": "weekly",
        "district": place.district,
        "lat": None,
        "lon": None,
        "radius_m": None,
    }

    first, second = place.file(location=place.near(4000)), place.file(location=None)
    place.file(publish=False)
    place.file(district="elsewhere")
    place.pump()
    reported = sorted(m["X-Complaint-Number"] for m in place.mails(each) if m["X-Complaint-Number"])
    assert reported == sorted([first, second])
    assert len(place.mails(weekly)) == 1  # the request to confirm: its reports wait for the week's end

    alerts.send_digests(db, utcnow())  # not due yet: a week after confirming
    place.pump()
    assert len(place.mails(weekly)) == 1
    week_on = utcnow() + timedelta(days=7, minutes=1)
    assert alerts.send_digests(db, week_on) >= 1
    alerts.send_digests(db, week_on)  # run again (another worker, a retry): each week's digest goes once
    place.pump()
    [digest] = place.mails(weekly)[1:]
    body = text(digest)
    assert digest["X-Complaint-Number"] is None and "(2)" in digest["Subject"]
    assert f"/reports/{first}" in body and f"/reports/{second}" in body
    assert body.count("/reports/RC-") == 2 and NAMES["fr"] in body
    assert "/alerts/unsubscribe?token=" in body

    # The next week's digest holds only the next week's reports.
    third = place.file(location=None)
    assert alerts.send_digests(db, week_on + timedelta(days=7)) >= 1
    place.pump()
    latest = text(place.mails(weekly)[-1])
    assert f"/reports/{third}" in latest and f"/reports/{first}" not in latest


def test_a_report_that_came_without_a_district_reaches_its_districts_alerts_once_staff_place_it(
    place, db, listener
):
    subscriber = address()
    place.subscribed(subscriber, district=place.district)
    placed = listener("complaint.placed")
    unplaced = place.file(location=None, district="")  # an Open311 request for staff to place
    place.pump()
    assert [m for m in place.mails(subscriber) if m["X-Complaint-Number"]] == []
    treatment.place(db, ADMIN, unplaced, place.district)
    [event] = [e for e in placed(1) if e["subject"] == unplaced]
    handlers.HANDLERS[event["type"]](event)
    handlers.HANDLERS[event["type"]](event)  # redelivered: told once all the same
    place.pump()
    assert [m["X-Complaint-Number"] for m in place.mails(subscriber) if m["X-Complaint-Number"]] == [unplaced]


def test_the_answer_is_the_same_whatever_the_address_and_a_repeat_sends_no_second_email(place):
    point = {**place.centre, "radius_m": 1000}
    known, fresh = address(), address()
    place.subscribed(known, **point)
    answers = [place.ask(email, **point) for email in (known, fresh, fresh, fresh.upper())]
    assert {(a.status_code, a.get_data(as_text=True)) for a in answers} == {
        (202, '{"confirmation":"sent"}\n')
    }
    place.pump()
    assert len(place.mails(known)) == 1  # subscribed already: nothing more
    assert len(place.mails(fresh)) == 1  # asked three times within the hour: one email

    # Nothing is subscribed until the address confirms: the stranger's request receives no report.
    place.file(location=place.near(10))
    place.pump()
    assert len(place.mails(fresh)) == 1 and len(place.mails(known)) == 2


def test_a_forged_or_expired_token_changes_nothing(place, db):
    email = address()
    point = {**place.centre, "radius_m": 200}
    assert place.ask(email, **point).status_code == 202
    place.pump()
    genuine = place.token(email, "confirm")
    alert_id = tokens.alert_confirmation_claims(genuine)["alert"]

    class Past(TimestampSigner):  # signs as if FOLLOW_CONFIRM_TTL and a minute had passed since
        def get_timestamp(self) -> int:
            return int(time.time()) - tokens.follow_confirm_ttl() - 60

    old = URLSafeTimedSerializer(config.settings().secret_key, salt=tokens.ALERT_CONFIRM_PURPOSE, signer=Past)
    forged = genuine[:-4] + ("AAAA" if not genuine.endswith("AAAA") else "BBBB")
    for token in (forged, old.dumps({"alert": alert_id}), tokens.issue_unfollow("RC-2026-7K3P9QX", alert_id)):
        answer = place.tracking.post("/api/v1/alerts/confirm", json={"token": token})
        assert answer.status_code == 401, answer.get_data(as_text=True)
    assert alerts_store.find(db, alert_id)["state"] == "pending"

    # Once its time to confirm has passed, the request is forgotten: its link confirms nothing.
    alerts.expire(db, utcnow() + timedelta(seconds=tokens.follow_confirm_ttl() + 1))
    assert alerts_store.find(db, alert_id) is None
    assert place.tracking.post("/api/v1/alerts/confirm", json={"token": genuine}).status_code == 404

    place.subscribed(email, **point)
    for token in ("forged", tokens.issue_alert_confirmation(alert_id)):  # a confirmation does not stop it
        answer = place.tracking.post("/api/v1/alerts/unsubscribe", json={"token": token})
        assert answer.status_code == 401
    assert alerts_store.find(db, alert_id)["state"] == "confirmed"


def test_an_erasure_deletes_the_addresss_alerts_and_an_export_lists_them(place, db):
    email = address()
    place.subscribed(email, district=place.district, frequency="weekly")
    assert place.ask(email, **place.centre, radius_m=300).status_code == 202
    exported = privacy.export(db, ADMIN, email)
    assert exported["complaints"] == [] and exported["follows"] == []
    listed = {(a["district"], a["radius_m"], a["confirmed"]) for a in exported["alerts"]}
    assert listed == {(place.district, None, True), (None, 300, False)}
    assert privacy.erase(db, ADMIN, email) == {"anonymised": [], "unfollowed": [], "alerts_removed": 2}
    assert alerts_store.of_address(db, alerts.following.follower_id(email)) == []
    place.pump()
    place.file(location=None)
    assert place.pump() == []


def test_strangers_requests_never_stop_an_address_from_asking_and_its_requests_are_bounded(place, db):
    victim = address()
    for radius in range(100, 100 + 50 * (alerts.MAX_PENDING + 3), 50):
        assert place.ask(victim, **place.centre, radius_m=radius).status_code == 202
    waiting = alerts_store.pending_of(db, alerts.following.follower_id(victim))
    assert len(waiting) == alerts.MAX_PENDING
    place.pump()
    assert place.confirm(victim).status_code == 200  # the newest request still confirms
    assert len(place.mails(victim)) == alerts.MAX_PENDING + 3  # one per request, each for another place
