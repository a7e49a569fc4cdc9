"""Intake's worker: relays the complaints' outbox to the broker, erases anonymised citizens' data."""

from common import mongo, worker
from services.intake import store
from services.intake.handlers import HANDLERS


def main() -> None:
    """Run the outbox relay and the consumer until stopped."""
    mongo.on_first_use(store.ensure_indexes)
    worker.run("intake", handlers=HANDLERS, outboxes=(store.OUTBOX,))


if __name__ == "__main__":
    main()
