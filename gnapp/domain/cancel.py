"""Progress and cooperative cancelling of long work (imports, exports, reports).

A function that loops takes an optional ``progress(done, total, label)`` callable and calls it
between batches; ``total`` is 0 when the amount of work is not known yet. The caller's
callable may raise ``Cancelled`` to stop the work: raised inside a write transaction it rolls
the transaction back, so nothing is half-written. Long functions call ``progress`` only at
points where stopping is still safe (never after a file was written or a commit was made).
"""

from __future__ import annotations

from collections.abc import Callable

from gnapp.domain.errors import GnappError

CANCELLED_MESSAGE = "Đã hủy. Không có gì thay đổi."

Progress = Callable[[int, int, str], None]


class Cancelled(GnappError):
    """The user stopped the work; whatever it had written was rolled back."""

    def __init__(self, message: str = CANCELLED_MESSAGE):
        super().__init__(message)


def no_progress(done: int, total: int, label: str) -> None:
    """The default ``progress``: report nothing, never stop."""
