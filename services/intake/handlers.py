"""The events intake consumes: tracking's anonymisation, which ends the citizen's data here too."""

from __future__ import annotations

from common import mongo
from common.vocabulary import EventType
from services.intake import store


def on_anonymised(event: dict) -> None:
    """Erase the citizen's data from the complaint as it was submitted (its retention has ended)."""
    store.anonymise(mongo.database(), event["data"]["number"])


HANDLERS = {EventType.ANONYMISED: on_anonymised}
