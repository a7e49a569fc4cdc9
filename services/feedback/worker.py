"""Feedback's worker: keeps the figures' read model from the events."""

from common import config, mongo, worker
from services.feedback import counting, store
from services.feedback.handlers import HANDLERS


def finish_unfinished() -> None:
    """Finish what a process stopped midway left to add to the figures."""
    counting.settle_unfinished(mongo.database())


def main() -> None:
    """Consume until stopped."""
    mongo.on_first_use(store.ensure_indexes)
    worker.run(
        "feedback",
        handlers=HANDLERS,
        periodic=((config.settings().feedback_settle_interval_seconds, finish_unfinished),),
    )


if __name__ == "__main__":
    main()
