"""Errors that carry a Vietnamese message for the user.

Bad user data is reported, not crashed on: functions that check input raise one of these
with a message a commune officer can act on, naming the file, row and field where known.
"""

from __future__ import annotations


class GnappError(Exception):
    """Base of the errors whose message is shown to the user as it is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(GnappError, ValueError):
    """A value typed or read from a file is not valid.

    :param message: what is wrong, in Vietnamese
    :param field: the field (column) name as the user knows it
    :param row: the row number in the file, counting from 1
    :param source: the file name or screen the value came from
    """

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None,
                 source: str | None = None):
        self.field = field
        self.row = row
        self.source = source
        where = []
        if source:
            where.append(f"tệp {source}")
        if row is not None:
            where.append(f"dòng {row}")
        if field:
            where.append(f"trường «{field}»")
        full = f"{', '.join(where)}: {message}" if where else message
        super().__init__(full[:1].upper() + full[1:])
        self.detail = message
