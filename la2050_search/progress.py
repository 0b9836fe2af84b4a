"""Progress reporting for indexing: a bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
import time

import click

LOG_EVERY = 500  # files between log lines when not on a terminal
BAR_WIDTH = 30  # characters


class ProgressReporter:
    """Callable passed to `index_paths`: shows files done, rate and ETA."""

    def __init__(self, quiet: bool = False, stream=None):
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int, parsed) -> None:
        if self.quiet:
            return
        if self.tty:
            self.stream.write("\r" + self._line(done, total))
            if done == total:
                self.stream.write("\n")
            self.stream.flush()
        elif done % LOG_EVERY == 0 or done == total:
            click.echo(self._line(done, total), err=True)

    def _line(self, done: int, total: int) -> str:
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        rate = done / elapsed
        eta = (total - done) / rate if rate else 0.0
        if self.tty:
            filled = int(BAR_WIDTH * done / max(total, 1))
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            return f"[{bar}] {done}/{total} files  {rate:,.0f}/s  ETA {eta:.0f}s"
        return f"parsed {done}/{total} files ({rate:,.0f} files/s, ETA {eta:.0f} s)"
