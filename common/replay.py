"""Send a service's dead letters back to its queue, once what made them fail is mended.

    python -m common.replay SERVICE [--limit N]      (make replay-dead SERVICE=... beside make run)

Each message goes back to the service's own queue (not to the exchange, so no
other subscriber sees it twice) with its retry count reset, and leaves the
dead-letter queue only once the broker has confirmed the new copy. Handlers
recognise an event they have already handled, so replaying is safe to repeat.
"""

from __future__ import annotations

import argparse
import sys

import pika

from common import broker, config

# Headers of an earlier journey through the retry and dead-letter queues.
JOURNEY_HEADERS = (
    "x-attempt",
    "x-deferrals",
    "x-error",
    "x-death",
    "x-first-death-exchange",
    "x-first-death-queue",
    "x-first-death-reason",
    "x-last-death-exchange",
    "x-last-death-queue",
    "x-last-death-reason",
    "x-delivery-count",
)


def replay(service: str, limit: int | None = None) -> int:
    """Move up to `limit` dead letters of the service back to its queue; return how many moved."""
    queue = f"{config.settings().queue_prefix}.{service}"
    connection = pika.BlockingConnection(broker.parameters())
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        moved = 0
        while limit is None or moved < limit:
            method, props, body = channel.basic_get(f"{queue}.dead", auto_ack=False)
            if method is None:
                break
            headers = {k: v for k, v in (props.headers or {}).items() if k not in JOURNEY_HEADERS}
            again = pika.BasicProperties(
                content_type=props.content_type,
                delivery_mode=pika.DeliveryMode.Persistent,
                message_id=props.message_id,
                type=props.type,
                timestamp=props.timestamp,
                headers={**headers, "x-replayed": True},
            )
            channel.basic_publish("", queue, body, again, mandatory=True)
            channel.basic_ack(method.delivery_tag)
            moved += 1
        return moved
    finally:
        connection.close()


def main(argv: list[str] | None = None) -> int:
    """Replay, and say how many letters went back."""
    parser = argparse.ArgumentParser(prog="python -m common.replay", description=__doc__.splitlines()[0])
    parser.add_argument("service", choices=("intake", "tracking", "notification", "feedback"))
    parser.add_argument("--limit", type=int, default=None, help="at most this many (default: all)")
    args = parser.parse_args(argv)
    config.load()
    moved = replay(args.service, args.limit)
    queue = f"{config.settings().queue_prefix}.{args.service}"
    print(f"sent {moved} dead letter{'' if moved == 1 else 's'} back to {queue}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
