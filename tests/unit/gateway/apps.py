"""Every app the platform serves, by the name the routing table gives its owner."""

from __future__ import annotations

from gateway.app import create_app as gateway_app
from services.feedback.app import create_app as feedback_app
from services.intake.app import create_app as intake_app
from services.notification.app import create_app as notification_app
from services.tracking.app import create_app as tracking_app

APPS = {
    "intake": intake_app,
    "tracking": tracking_app,
    "notification": notification_app,
    "feedback": feedback_app,
    "gateway": gateway_app,
}
