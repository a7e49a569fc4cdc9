"""Notification's worker: sends the emails events call for and relays its reports."""

from common import mongo, worker
from services.notification import store
from services.notification.handlers import HANDLERS


def main() -> None:
    """Consume and relay until stopped."""
    mongo.on_first_use(store.ensure_indexes)
    worker.run("notification", handlers=HANDLERS, outboxes=(store.OUTBOX,))


if __name__ == "__main__":
    main()
