"""A worker's forked copies (a full build, a snapshot writer) are made while other threads of
the worker log: the copy must not inherit a log stream locked by a thread that does not exist in
it (its first log line would wait for ever, and the build with it)."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

from relais.incremental import _fork


class SlowStream:
    """A stream whose writes take a while, under a lock of its own (as a file's buffer has)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def write(self, text: str) -> None:
        with self.lock:
            time.sleep(0.05)

    def flush(self) -> None:
        with self.lock:
            pass


def test_a_copy_forked_while_another_thread_logs_can_log():
    logger = logging.getLogger("tests.fork_safety")
    logger.propagate = False
    handler = logging.StreamHandler(SlowStream())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    stop = threading.Event()

    def chatter() -> None:
        while not stop.is_set():
            logger.info("a task ran")

    thread = threading.Thread(target=chatter, daemon=True)
    thread.start()
    try:
        results = []
        for _ in range(5):
            time.sleep(0.02)  # the other thread is in the middle of a write
            pid = _fork()
            if pid == 0:  # the copy: log, and end
                try:
                    logger.info("the copy logs")
                finally:
                    os._exit(0)
            deadline = time.monotonic() + 10
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    results.append(os.waitstatus_to_exitcode(status))
                    break
                if time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    results.append("stuck")
                    break
                time.sleep(0.02)
        assert results == [0] * 5
    finally:
        stop.set()
        thread.join(5)
        logger.removeHandler(handler)
