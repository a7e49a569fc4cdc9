"""Intake's worker: relays the complaints' outbox to the broker."""

from common import mongo, worker
from services.intake import store


def main() -> None:
    """Run the outbox relay until stopped."""
    mongo.on_first_use(store.ensure_indexes)
    worker.run("intake", outboxes=(store.OUTBOX,))


if __name__ == "__main__":
    main()
