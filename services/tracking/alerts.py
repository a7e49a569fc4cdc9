"""Alerts for a place: anyone may be emailed the new published reports around a point or in a district.

Double opt-in, with following's guarantees (services/tracking/following.py): anyone may ask with any
address, so an address is subscribed only once it confirmed from the one email a request sends; a
request repeated within RESEND_AFTER sends no second email; one not confirmed within
FOLLOW_CONFIRM_TTL is forgotten (`expire`); and the answer is the same whatever the address's state
(subscribed already, asked a moment ago, at its caps), so it tells a stranger nothing. An address
has at most MAX_PENDING requests waiting (a new one pushes the oldest out, which its owner may ask
again: strangers' requests never stop anyone) and MAX_CONFIRMED subscriptions.

A subscription is an address and a place (a district, or a point and a radius of ALERT_RADIUS_M);
its id is a digest of both, so asking again for the same place finds it. Its frequency and language
are those of the request confirmed: to change them, unsubscribe and ask again.

When tracking records a new complaint whose citizen consented to publish it, every confirmed alert
that matches it (its district; its point within the radius) is told (`tell`): a subscriber who asked
for each report by an `alert.matched` of its own, written in its subscription's outbox and with an id
derived from the subscriber and the report, so that a redelivered submission is sent once and a
retry resends one email rather than a list of thousands; a weekly subscriber collects it, and the
periodic jobs publish one `alert.digest_compiled` per subscriber a week (`send_digests`), seven days
after confirming and every seven days on, with those of its reports still published then. Nothing of
a report's citizen is told (rules.report_of). Each email links to unsubscribe, which deletes the
subscription; an administrator's erasure of an address deletes all of its own.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from pymongo.database import Database

from common import tokens
from common.envelope import utcnow
from common.errors import BadRequest, Conflict, NotFound
from common.vocabulary import Frequency
from services.tracking import alerts_store, events, following, rules, store
from services.tracking.model import Complaint
from services.tracking.rules import normalize_email

MAX_CONFIRMED = 20  # subscriptions per address
MAX_PENDING = 5  # requests waiting per address
RESEND_AFTER = following.RESEND_AFTER
EXPIRED = "This request for alerts has expired or was stopped: ask again from the alerts page."
TOO_MANY = f"An address may have {MAX_CONFIRMED} alerts: stop one first, from the link in its emails."
# What a digest reads of each report it collected, to leave out those no longer published.
CURRENT = ("status", "publish", "anonymised_at")


def place_of(data: dict, district_names: dict | None) -> dict:
    """Return the place of a request as kept: a catalogue district, or a point, its radius and its box."""
    if data.get("district"):
        names = district_names or {}
        if data["district"] not in names:
            raise BadRequest("Unknown district.", fields={"district": ["unknown"]})
        nowhere = dict.fromkeys(("lat", "lon", "radius_m", "lat_min", "lat_max", "lon_min", "lon_max"))
        return {"district": data["district"], "district_name": names[data["district"]], **nowhere}
    lat, lon, radius = round(data["lat"], 6), round(data["lon"], 6), data["radius_m"]
    box = rules.alert_box(lat, lon, radius)
    return {"district": None, "district_name": None, "lat": lat, "lon": lon, "radius_m": radius, **box}


def alert_id(email: str, place: dict) -> str:
    """Return a subscription's id: a digest of its address (as compared) and its place."""
    where = (
        f"d:{place['district']}"
        if place["district"]
        else f"p:{place['lat']},{place['lon']},{place['radius_m']}"
    )
    return hashlib.sha256(f"{normalize_email(email)}|{where}".encode()).hexdigest()[:24]


def request(db: Database, data: dict, district_names: dict | None = None) -> dict:
    """Ask for alerts: the address is sent a link to confirm, nothing else; the same answer always."""
    place = place_of(data, district_names)
    key, now = following.follower_id(data["email"]), utcnow()
    pending = {
        "email": data["email"],
        "language": data["language"],
        "frequency": data["frequency"],
        "state": alerts_store.PENDING,
        "requested_at": now,
        "expires_at": now + timedelta(seconds=tokens.follow_confirm_ttl()),
    }
    alert = {"_id": alert_id(data["email"], place), "key": key, **place, **pending}
    current = alerts_store.find(db, alert["_id"])
    if current is None and alerts_store.insert_pending(db, alert, [events.alert_requested(alert)]):
        waiting = [a["_id"] for a in alerts_store.pending_of(db, key) if a["_id"] != alert["_id"]]
        alerts_store.delete_pending(db, waiting[: max(0, len(waiting) - MAX_PENDING + 1)])
    elif (
        current and current["state"] == alerts_store.PENDING and current["requested_at"] < now - RESEND_AFTER
    ):
        # Asked again once the hour has passed: a new email, as this request words it. Subscribed
        # already, or the email just sent is still the one to confirm with: nothing.
        alerts_store.renew_pending(
            db, alert["_id"], now - RESEND_AFTER, pending, [events.alert_requested(alert)]
        )
    return {"confirmation": "sent"}


def _answer(alert: dict, subscribed: bool) -> dict:
    place = {key: alert.get(key) for key in ("district", "lat", "lon", "radius_m")}
    return {"subscribed": subscribed, "frequency": alert["frequency"], **place}


def confirm(db: Database, token: str) -> dict:
    """Confirm a request for alerts, from the link emailed to the address; idempotent."""
    claims = tokens.alert_confirmation_claims(token)
    alert, now = alerts_store.find(db, claims["alert"]), utcnow()
    if alert is None or (alert["state"] == alerts_store.PENDING and alert["expires_at"] < now):
        raise NotFound(EXPIRED)
    if alert["state"] == alerts_store.CONFIRMED:
        return _answer(alert, True)
    if alerts_store.count_confirmed(db, alert["key"]) >= MAX_CONFIRMED:
        raise Conflict(TOO_MANY)
    weekly = alert["frequency"] == Frequency.WEEKLY
    fields = {"since": now, "digest_due": now + rules.DIGEST_EVERY if weekly else None}
    alerts_store.confirm(db, alert["_id"], fields)
    return _answer(alert, True)


def unsubscribe(db: Database, token: str) -> dict:
    """Stop an alert, from the link in each of its emails: the subscription is deleted; idempotent."""
    claims = tokens.alert_unsubscribe_claims(token)
    alerts_store.delete(db, claims["alert"])
    return {"subscribed": False}


def tell(db: Database, complaint: Complaint, district_name: dict | None = None) -> int:
    """Tell the confirmed alerts a new complaint matches, when it is published; return how many.

    Idempotent: a redelivered submission publishes the same events again (the same ids, sent once)
    and collects the same report under the same key.
    """
    report = rules.report_of(complaint, district_name)
    if report is None:
        return 0
    location = complaint.get("location")
    district = report["district"]
    candidates = {a["_id"]: a for a in alerts_store.confirmed_in_district(db, district)} if district else {}
    if location:
        candidates.update(
            (a["_id"], a) for a in alerts_store.confirmed_around(db, location["lat"], location["lon"])
        )
    told, now = 0, utcnow()
    for alert in candidates.values():
        match = rules.alert_match(alert, report, location)
        if match is None:
            continue
        if alert["frequency"] == Frequency.WEEKLY:
            alerts_store.collect(db, alert["_id"], {**report, "distance_m": match["distance_m"]})
        else:
            alerts_store.tell(
                db, alert["_id"], [events.alert_matched(alert, report, match["distance_m"], now)]
            )
        told += 1
    return told


def send_digests(db: Database, now: datetime | None = None) -> int:
    """Publish the weekly digests due, each subscriber's once a week; return how many went out."""
    now, sent = now or utcnow(), 0
    for alert in alerts_store.digests_due(db, now):
        collected = alert.get("digest") or {}
        reports = rules.digest_reports(collected, store.find_many(db, list(collected), CURRENT))
        due = alert["digest_due"]
        digest = events.alert_digest_compiled(
            alert,
            reports[: rules.DIGEST_SHOWN],
            total=len(reports),
            since=due - rules.DIGEST_EVERY,
            until=due,
        )
        told = [digest] if reports else []  # a week without a report sends nothing
        if alerts_store.digest_sent(
            db, alert["_id"], due, rules.next_digest(due, now), list(collected), told
        ):
            sent += len(told)
    return sent


def expire(db: Database, now: datetime) -> int:
    """Forget the requests for alerts whose time to confirm has passed; return how many."""
    return alerts_store.delete_expired(db, now)


def of_address(db: Database, email: str) -> list[dict]:
    """Return an address's subscriptions as its owner may read them (the right of access)."""
    return [
        {
            **{
                key: alert.get(key) for key in ("frequency", "language", "district", "lat", "lon", "radius_m")
            },
            "confirmed": alert["state"] == alerts_store.CONFIRMED,
            "since": alert.get("since") or alert["requested_at"],
        }
        for alert in alerts_store.of_address(db, following.follower_id(email))
    ]


def erase(db: Database, email: str) -> int:
    """Delete every subscription of an address, confirmed or not (its erasure); return how many."""
    return alerts_store.delete_of_address(db, following.follower_id(email))
