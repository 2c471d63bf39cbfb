"""Test support: named points in a command where a test can stop it dead or make it pause.

``EPERF_KILL_AT=<point>`` kills the process (SIGKILL: no cleanup, no ``finally``) when it reaches
``<point>``; ``EPERF_HOLD_AT=<point>:<seconds>`` prints ``holding at <point>`` on stderr and
waits, so a test can kill it or race it at the worst moment. Neither is set in normal use.
"""

from __future__ import annotations

import os
import signal
import sys
import time

KILL_AT = "EPERF_KILL_AT"
HOLD_AT = "EPERF_HOLD_AT"


def point(name: str) -> None:
    """A named point of a command (``before-commit``, ``staged``, ``swapped`` …)."""
    if os.environ.get(KILL_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)
    hold, _, seconds = os.environ.get(HOLD_AT, "").partition(":")
    if hold == name:
        print(f"holding at {name}", file=sys.stderr, flush=True)
        time.sleep(float(seconds or 5))
