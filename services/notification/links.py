"""The links emails carry, signed as they are sent: each opens one thing, for one address, for a while."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from common import config, tokens
from common.envelope import utcnow
from services.notification.model import Email


def public_url() -> str:
    """Return the address citizens and staff reach the platform at."""
    settings = config.settings()
    return settings.public_url or f"http://localhost:{settings.gateway_port}"


def complaint_link(number: str, email: str) -> str:
    """Return the link of a citizen's email: it opens the complaint, for this address only, for a while.

    Staff emails never carry it: they link to the back office.
    """
    return f"{public_url()}/complaints/{number}/open?t={tokens.issue_email_link(number, email)}"


def for_email(email: Email, number: str) -> dict:
    """Return the context an email's link adds: its address, and for a citizen's how long it opens."""
    link = email["link"]
    if link == "complaint":
        return {
            "tracking_url": complaint_link(number, email["recipient"]),
            "link_until": utcnow() + timedelta(seconds=tokens.email_link_ttl()),
        }
    if link == "staff":
        return {"staff_url": f"{public_url()}/staff/complaints/{number}"}
    if link in ("alert_confirm", "alert"):
        return alert_links(email)
    follower = email["follower_id"]
    if link == "confirm":
        # The page opens in the email's language, whatever the browser's.
        query = urlencode(
            {"token": tokens.issue_follow_confirmation(number, follower), "lang": email["language"]}
        )
        return {"confirm_url": f"{public_url()}/complaints/{number}/follow/confirm?{query}"}
    query = urlencode({"token": tokens.issue_unfollow(number, follower), "lang": email["language"]})
    return {"unfollow_url": f"{public_url()}/complaints/{number}/unfollow?{query}"}


def alert_links(email: Email) -> dict:
    """Return an alert's links: to confirm it, or to stop it and the public reports' address.

    Each page opens in the email's language; a report's page is `{reports_url}/{number}`.
    """
    alert, language = email["alert_id"], email["language"]
    if email["link"] == "alert_confirm":
        query = urlencode({"token": tokens.issue_alert_confirmation(alert), "lang": language})
        return {"confirm_url": f"{public_url()}/alerts/confirm?{query}"}
    query = urlencode({"token": tokens.issue_alert_unsubscribe(alert), "lang": language})
    return {
        "unsubscribe_url": f"{public_url()}/alerts/unsubscribe?{query}",
        "reports_url": f"{public_url()}/reports",
    }
