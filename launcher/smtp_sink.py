"""The embedded SMTP sink: files every message it receives as one .eml under a folder."""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import threading
import time
import uuid
from email.parser import BytesHeaderParser
from pathlib import Path

from aiosmtpd.controller import Controller


class FolderHandler:
    """Write each message to its own file, atomically (a reader never sees half a message).

    A message whose Message-ID was already filed is accepted and not filed again, as mailbox
    providers drop a duplicate Message-ID: a sender that sends one message twice (it stopped
    between the server's acceptance and noting it) delivers it once.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.ids = folder / ".message-ids"
        self.ids.mkdir(parents=True, exist_ok=True)

    def _first_time(self, content: bytes) -> bool:
        headers = BytesHeaderParser().parsebytes(content)
        message_id = (headers.get("Message-ID") or "").strip()
        if not message_id:
            return True
        marker = self.ids / hashlib.sha256(message_id.encode()).hexdigest()
        try:
            marker.open("x").close()
            return True
        except FileExistsError:
            return False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if not self._first_time(envelope.original_content or envelope.content):
            with (self.folder / ".duplicates").open("a") as duplicates:  # counted, for the fault tests
                duplicates.write(f"{time.time_ns()}\n")
            return "250 Message accepted for delivery (a duplicate, filed once)"
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(envelope.original_content or envelope.content)
        os.replace(partial, self.folder / name)
        return "250 Message accepted for delivery"


def main() -> None:
    """Serve SMTP on the port until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--dir", required=True, type=Path)
    args = parser.parse_args()
    controller = Controller(
        FolderHandler(args.dir), hostname=args.host, port=args.port, data_size_limit=50 * 1024 * 1024
    )
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
