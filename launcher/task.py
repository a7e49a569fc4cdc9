"""Run a maintenance command against the platform `make run` started on this DATA_DIR.

    python -m launcher.task services.feedback.rebuild
    python -m launcher.task common.replay notification

The command gets the environment the platform's own processes have (the store,
the broker, the secret key), so it needs no other setting than the ones given
to `make run`. The platform must be running: its store and broker are used.
"""

from __future__ import annotations

import os
import runpy
import sys

from launcher.settings import load_running

# What may be run this way: maintenance commands of the services.
TASKS = {
    "services.feedback.rebuild": "recompute the quality figures from the complaints",
    "common.replay": "send a service's dead letters back to its queue (SERVICE [--limit N])",
}


def main(argv: list[str]) -> int:
    """Run the named task module as __main__ with the platform's environment and the other arguments."""
    if not argv or argv[0] not in TASKS:
        print("usage: python -m launcher.task TASK [ARGUMENTS]", file=sys.stderr)
        for name, what in TASKS.items():
            print(f"  {name}: {what}", file=sys.stderr)
        return 2
    from launcher.__main__ import already_running, environment

    settings = load_running()
    if not already_running(settings):
        print(
            f"no platform is running on {settings.data_dir}; start it with `make run` first", file=sys.stderr
        )
        return 1
    os.environ.update(environment(settings))
    sys.argv = list(argv)
    try:
        runpy.run_module(argv[0], run_name="__main__")
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
