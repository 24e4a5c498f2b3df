"""The syncable tables and their rules, declared in one place (SYNC.md §1).

Every table whose rows travel in packages is registered here with its owner rule, its
validation and its derived columns. The write path (``gnapp.db.store``), the checks and,
later, package export and import all read this table; no table gets write code of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from gnapp.domain.issues import Issue
from gnapp.domain.text import compound_sort_key
from gnapp.domain.units import place_name, validate_unit

# The columns every syncable row carries (DESIGN.md §3.1).
SYNC_COLUMNS = ("id", "site_id", "owner_unit", "version", "updated_at", "updated_by", "deleted")

# owner_unit of reference rows that come from a national list (same on every site).
NATIONAL = "VN"


def _no_issues(values: Mapping[str, Any]) -> list[Issue]:
    return []


def _nothing_derived(values: Mapping[str, Any]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class SyncTable:
    """How one syncable table is written.

    Attributes:
        name: the SQL table name
        label: what a user calls its rows, in Vietnamese
        validate: rules a row must follow (returns Issues; errors refuse the write)
        derive: columns computed from the others on every write (e.g. collation keys);
            they are not hashed and never travel
        derived: names of the derived columns, including SQL generated columns
    """

    name: str
    label: str
    validate: Callable[[Mapping[str, Any]], list[Issue]] = _no_issues
    derive: Callable[[Mapping[str, Any]], dict[str, Any]] = _nothing_derived
    derived: tuple[str, ...] = ()


SYNCABLE: dict[str, SyncTable] = {}


def register(table: SyncTable) -> SyncTable:
    SYNCABLE[table.name] = table
    return table


def table(name: str) -> SyncTable:
    """The registered table called ``name``; ``KeyError`` if it is not syncable."""
    try:
        return SYNCABLE[name]
    except KeyError:
        raise KeyError(f"{name} is not a syncable table") from None


register(SyncTable(
    name="admin_unit",
    label="đơn vị hành chính",
    validate=validate_unit,
    derive=lambda v: {"name_key": compound_sort_key(place_name(v.get("name") or ""),
                                                   v.get("name") or "")},
    derived=("name_key", "name_fold"),
))
