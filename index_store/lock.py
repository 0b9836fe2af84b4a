"""One writer at a time, with locks that die with their process.

`flock` locks are released by the kernel when the holder exits, even on SIGKILL, so a
lock left by a killed process is recovered by simply acquiring it. The lock file also
records the holder's pid so a waiting process can say who holds it.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from pathlib import Path

from .errors import IndexBuildError, IndexLocked

POLL_SECONDS = 0.05  # how often a waiting writer retries


class WriterLock:
    """An exclusive, bounded-wait lock on `<index dir>/.lock`."""

    def __init__(self, path: Path, timeout: float):
        self.path = path
        self.timeout = timeout
        self.recovered_from: int | None = None  # pid of a dead previous holder, if any
        self._fd: int | None = None

    def __enter__(self) -> "WriterLock":
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:  # a read-only or full disk, or no permission
            raise IndexBuildError(
                f"cannot open the writer lock {self.path}: {error.strerror or error}; "
                "indexing needs a writable index directory, and the live generation is untouched"
            ) from None
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    os.close(fd)
                    raise IndexLocked(
                        f"another indexing run holds the lock on {self.path.parent} "
                        f"({holder}); waited {self.timeout:g} s. Try again when it finishes, "
                        "or raise --lock-timeout."
                    ) from None
                time.sleep(POLL_SECONDS)
        previous = _read_holder_pid(fd)
        if previous and previous != os.getpid() and not _pid_alive(previous):
            self.recovered_from = previous
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {' '.join(sys.argv)[:200]}\n".encode(), 0)
        except OSError:
            pass  # the record only names the holder; on a full disk the build itself fails, clearly
        self._fd = fd
        return self

    def __exit__(self, *exc_info) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _read_holder(fd: int) -> str:
    text = os.pread(fd, 300, 0).decode("utf-8", "replace").strip()
    if not text:
        return "holder unknown"
    pid, _, command = text.partition(" ")
    return f"pid {pid}: {command}" if command else f"pid {pid}"


def _read_holder_pid(fd: int) -> int | None:
    first = os.pread(fd, 32, 0).split(b" ", 1)[0].strip()
    return int(first) if first.isdigit() else None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
