"""Tracking's worker: records submitted complaints and relays tracking's outbox."""

from common import mongo, worker
from services.tracking import store
from services.tracking.events import HANDLERS


def main() -> None:
    """Consume and relay until stopped."""
    mongo.on_first_use(store.ensure_indexes)
    worker.run("tracking", handlers=HANDLERS, outboxes=(lambda: mongo.database()[store.COMPLAINTS],))


if __name__ == "__main__":
    main()
