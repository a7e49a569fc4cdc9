"""Feedback's worker: keeps the figures' read model and relays feedback's outbox."""

from common import mongo, worker
from services.feedback import store
from services.feedback.events import HANDLERS


def main() -> None:
    """Consume and relay until stopped."""
    mongo.on_first_use(store.ensure_indexes)
    worker.run("feedback", handlers=HANDLERS, outboxes=(store.OUTBOX,))


if __name__ == "__main__":
    main()
