"""Who is emailed what for the alerts for a place: pure rules, like rules.py, from the event alone.

Every email of an alert goes to its subscription's address (role `subscriber`), in its language:
the request to confirm (`alert_confirm`, and nothing else until it is confirmed), a new published
report (`alert_report`) or the week's (`alert_digest`), each with the link to stop. Tracking puts
in the event all an email says, the catalogue's names included: notification keeps no copy of the
subscriptions. A report is told by its number, kind, category, district, status, subject and date,
never anything of its citizen; the links to the public report pages are added when it is sent.
"""

from __future__ import annotations

from common.vocabulary import DEFAULT_LANGUAGE, EventType
from services.notification.model import AlertData, Email, Event, Link, ReportData
from services.notification.rules import SUBSCRIBER

TEMPLATES: dict[str, tuple[str, Link]] = {
    EventType.ALERT_REQUESTED: ("alert_confirm", "alert_confirm"),
    EventType.ALERT_MATCHED: ("alert_report", "alert"),
    EventType.ALERT_DIGEST_COMPILED: ("alert_digest", "alert"),
}


def _name(names: dict | None, code: str | None, language: str) -> str | None:
    """Return a catalogue entry's name in a language (else its code; None without one)."""
    return (names or {}).get(language) or code


def place(alert: AlertData, language: str) -> dict:
    """Return what an email says of the place: a district's name, or a point and its radius."""
    return {
        "area_district": _name(alert.get("district_name"), alert.get("district"), language),
        "lat": alert.get("lat"),
        "lon": alert.get("lon"),
        "radius_m": alert.get("radius_m"),
        "frequency": alert["frequency"],
    }


def report(data: ReportData, language: str) -> dict:
    """Return a report as an email lists it, its names in the language."""
    return {
        "number": data["number"],
        "kind": data["kind"],
        "category_name": _name(data.get("category_name"), data["category"], language),
        "district_name": _name(data.get("district_name"), data.get("district"), language),
        "status": data["status"],
        "subject": data["subject"],
        "submitted_at": data["submitted_at"],
        "distance_m": data.get("distance_m"),
    }


def plan(event: Event) -> list[Email]:
    """Return the one email an alert event calls for (none for a digest without a report)."""
    data = event["data"]
    alert: AlertData = data["alert"]
    language = alert.get("language") or DEFAULT_LANGUAGE
    template, link = TEMPLATES[event["type"]]
    context = place(alert, language)
    if event["type"] == EventType.ALERT_REQUESTED:
        context["expires_at"] = data["expires_at"]
    elif event["type"] == EventType.ALERT_MATCHED:
        context["report"] = report({**data["report"], "distance_m": data.get("distance_m")}, language)
    else:
        if not data["reports"]:
            return []
        context.update(
            reports=[report(r, language) for r in data["reports"]],
            total=data["total"],
            since=data["since"],
            until=data["until"],
        )
    return [
        Email(
            recipient=alert["email"],
            role=SUBSCRIBER,
            template=template,
            language=language,
            context=context,
            link=link,
            alert_id=alert["id"],
        )
    ]
