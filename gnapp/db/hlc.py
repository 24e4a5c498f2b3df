"""Hybrid logical clock (SYNC.md §2).

A timestamp is ``<13-digit milliseconds>.<5-digit counter>.<site id>``: one string that
sorts in time order. Milliseconds never go backwards, even when the PC's clock does, and
they follow the newest time seen in an applied package unless that time is more than a day
ahead of our wall clock (a sender with a wrong clock must not drag us into the future).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_AHEAD_MS = 24 * 60 * 60 * 1000
_COUNTER_MAX = 99_999


@dataclass(frozen=True, order=True)
class Timestamp:
    """One hybrid-logical-clock reading."""

    ms: int
    counter: int
    site_id: str

    def __str__(self) -> str:
        return f"{self.ms:013d}.{self.counter:05d}.{self.site_id}"

    @classmethod
    def parse(cls, text: str) -> "Timestamp":
        """Read a timestamp written by ``str()``; ``ValueError`` if malformed."""
        try:
            ms, counter, site_id = text.split(".", 2)
            if len(ms) != 13 or len(counter) != 5 or not site_id:
                raise ValueError
            return cls(int(ms), int(counter), site_id)
        except ValueError:
            raise ValueError(f"not a hybrid-logical-clock timestamp: {text!r}") from None


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class HybridClock:
    """The clock of one site.

    :param site_id: the site whose changes this clock stamps
    :param last: the last timestamp this site issued or accepted (persisted by the caller)
    :param wall: the wall clock in milliseconds (replaceable in tests)
    """

    def __init__(self, site_id: str, last: str | None = None,
                 wall: Callable[[], int] = wall_ms):
        self.site_id = site_id
        self.wall = wall
        last_ts = Timestamp.parse(last) if last else None
        self._ms = last_ts.ms if last_ts else 0
        self._counter = last_ts.counter if last_ts else 0

    @property
    def last(self) -> str:
        """The latest reading, to persist."""
        return str(Timestamp(self._ms, self._counter, self.site_id))

    def now(self) -> str:
        """A new timestamp, greater than every one issued or observed before."""
        wall = self.wall()
        if wall > self._ms:
            self._ms, self._counter = wall, 0
        else:
            self._counter += 1
            if self._counter > _COUNTER_MAX:
                self._ms, self._counter = self._ms + 1, 0
        return self.last

    def observe(self, remote: str) -> bool:
        """Take a timestamp from an applied package into account.

        Returns ``False`` (and leaves the clock alone) when the remote time is more than a
        day ahead of our wall clock: the change still applies, but the sender's clock is
        reported as wrong ("đồng hồ máy gửi sai").
        """
        ts = Timestamp.parse(remote)
        if ts.ms > self.wall() + MAX_AHEAD_MS:
            return False
        if (ts.ms, ts.counter) > (self._ms, self._counter):
            self._ms, self._counter = ts.ms, ts.counter
        return True
