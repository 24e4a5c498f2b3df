"""The syncable tables and their rules, declared in one place (SYNC.md §1).

Every table whose rows travel in packages is registered here with its owner rule, its
validation and its derived columns. The write path (``gnapp.db.store``), the checks and,
later, package export and import all read this table; no table gets write code of its own.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gnapp.domain.documents import (validate_number, validate_printed_copy,
                                     validate_profile, validate_signer)
from gnapp.domain.issues import Issue
from gnapp.domain.procedure import validate_request, validate_step
from gnapp.domain.register import validate_event, validate_household, validate_member
from gnapp.domain.text import compound_sort_key, name_sort_key
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
        after_write: keeps local derived tables in step (``fn(db, changes)``, ``changes``
            a list of ``(new_row, old_row or None)``), in the same transaction as the
            changes, whatever their origin; an import calls it once for a whole package
        deferred: ``after_write`` recomputes from the stored rows and nothing on the write
            path reads what it writes, so a ``Writer`` runs it once at the end of its
            transaction for every row written in it (``store.flush_derived``); the lock
            hooks are not deferred, since the next write of the transaction checks locks;
            a deferred ``after_write`` reads only the ``DEFERRED_FIELDS`` of the rows (an
            import hands it just those, not a whole package of rows)
    """

    name: str
    label: str
    validate: Callable[[Mapping[str, Any]], list[Issue]] = _no_issues
    derive: Callable[[Mapping[str, Any]], dict[str, Any]] = _nothing_derived
    derived: tuple[str, ...] = ()
    after_write: Callable[[Any, Sequence[tuple[Mapping[str, Any], Mapping[str, Any] | None]]],
                          None] | None = None
    deferred: bool = False


# What a deferred ``after_write`` may read of the rows it is given.
DEFERRED_FIELDS = ("id", "household_id", "owner_unit")

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


def _each_row(module: str, name: str):
    """An ``after_write`` calling ``module.name(db, new_row, old_row)`` for each change."""
    def after_write(db, changes) -> None:
        refresh = getattr(importlib.import_module(module), name)
        for new, old in changes:
            refresh(db, new, old)
    return after_write


def _refresh_households(db, changes, *, rounds_done: frozenset[str] = frozenset()) -> None:
    """``after_write`` of households and of their members, events and reviews: their lines of
    the household index and their rows of ``household_round`` (one call for a package),
    except the rows of the communes in ``rounds_done`` (``_refresh_rounds`` made them)."""
    from gnapp.db.household_rounds import refresh
    from gnapp.db.households import refresh_indexes

    ids, rounds = set(), set()
    for change in changes:
        for row in change:
            if row is not None:
                home = row.get("household_id", row["id"])
                ids.add(home)
                if row["owner_unit"] not in rounds_done:
                    rounds.add(home)
    refresh_indexes(db, ids)
    refresh(db, rounds)


def _refresh_rounds(db, changes) -> frozenset[str]:
    """``after_write`` of review rounds: the ``household_round`` rows of every household of
    their communes; returns those communes."""
    from gnapp.db.household_rounds import refresh_units

    owners = frozenset(row["owner_unit"] for change in changes for row in change
                       if row is not None)
    refresh_units(db, owners)
    return owners


def run_after_write(db, pending: Mapping[Callable, list]) -> None:
    """Run the ``after_write`` hooks of the rows written in a transaction, each once for
    its rows. Rounds go first: refreshing a commune's rounds remakes ``household_round``
    for all its households, which the register's hook then does not make a second time
    (a commune's first package brings its rounds and all its households)."""
    done: frozenset[str] = frozenset()
    if _refresh_rounds in pending:
        done = _refresh_rounds(db, pending[_refresh_rounds])
    for after_write, changes in pending.items():
        if after_write is _refresh_households:
            _refresh_households(db, changes, rounds_done=done)
        elif after_write is not _refresh_rounds:
            after_write(db, changes)


register(SyncTable(
    name="household", label="hộ gia đình", validate=validate_household,
    after_write=_refresh_households, deferred=True,
))
register(SyncTable(
    name="member", label="thành viên hộ", validate=validate_member,
    derive=lambda v: {"name_key": name_sort_key(v.get("full_name") or "")},
    derived=("name_key",), after_write=_refresh_households, deferred=True,
))
register(SyncTable(name="household_event", label="biến động hộ", validate=validate_event,
                   after_write=_refresh_households, deferred=True))
register(SyncTable(name="review_round", label="đợt rà soát", after_write=_refresh_rounds,
                   deferred=True))
register(SyncTable(name="household_review", label="phiếu rà soát",
                   after_write=_refresh_households, deferred=True))


register(SyncTable(name="household_request", label="giấy đề nghị",
                   validate=validate_request))
register(SyncTable(name="procedure_step", label="bước rà soát",
                   validate=validate_step))
register(SyncTable(name="duplicate_decision", label="xác định người trùng"))

# Programme and allocations (gnapp.db.programme, gnapp.db.allocations). Owner: the unit of the
# writing site: the office for the structures and decisions it issues, a commune for the
# allocations it records as received.
from gnapp.domain import programme as _programme  # noqa: E402

register(SyncTable(name="programme_item", label="mục của cơ cấu chương trình",
                   validate=_programme.validate_item))
register(SyncTable(name="allocation_decision", label="quyết định phân bổ vốn",
                   validate=_programme.validate_decision))
register(SyncTable(name="allocation_line", label="dòng phân bổ vốn",
                   validate=_programme.validate_line))
register(SyncTable(name="stated_total", label="số tổng theo văn bản",
                   validate=_programme.validate_stated))


# Documents (commune-owned): the issuer profile, signers, number book, printed copies.
register(SyncTable(name="doc_profile", label="thông tin cơ quan ban hành",
                   validate=validate_profile))
register(SyncTable(name="doc_signer", label="người ký văn bản", validate=validate_signer))
register(SyncTable(name="doc_number", label="số văn bản", validate=validate_number))
register(SyncTable(name="printed_copy", label="bản in văn bản",
                   validate=validate_printed_copy,
                   after_write=_each_row("gnapp.db.documents", "refresh_locks")))

# Livelihood projects and spending (gnapp.db.projects, gnapp.db.disbursement), commune-owned.
from gnapp.domain import disbursement as _spending  # noqa: E402
from gnapp.domain import projects as _projects  # noqa: E402

register(SyncTable(name="livelihood_project", label="dự án, mô hình sinh kế",
                   validate=_projects.validate_project))
register(SyncTable(name="project_participant", label="hộ tham gia dự án",
                   validate=_projects.validate_participant))
register(SyncTable(name="project_input", label="vật tư, giống đã cấp",
                   validate=_projects.validate_input))
register(SyncTable(name="detailed_estimate", label="dự toán chi tiết",
                   validate=_spending.validate_estimate))
register(SyncTable(name="disbursement", label="khoản chi (giải ngân)",
                   validate=_spending.validate_payment))
register(SyncTable(name="settlement", label="quyết toán dòng vốn",
                   validate=_spending.validate_settlement))


# An office's approval or return of a commune's round: office-owned, locks what it approved.
register(SyncTable(name="approval", label="phê duyệt kết quả rà soát",
                   after_write=_each_row("gnapp.db.approvals", "refresh_locks")))


def _validate_standard(values: Mapping[str, Any]) -> list[Issue]:
    from gnapp.db.standards import validate_row

    return validate_row(values)


# Poverty standards an office loads or completes and sends down.
register(SyncTable(name="poverty_standard", label="chuẩn nghèo", validate=_validate_standard))

# Progress reporting (gnapp.db.progress, gnapp.db.targets, gnapp.db.plan_documents): periods,
# figures and documents belong to the unit that reports; deadlines, added indicators, targets
# and period decisions to the office that sets them.
register(SyncTable(name="report_period", label="kỳ báo cáo"))
register(SyncTable(name="report_deadline", label="hạn nộp báo cáo"))
register(SyncTable(name="indicator_def", label="chỉ tiêu bổ sung"))
register(SyncTable(name="indicator_value", label="số liệu chỉ tiêu"))
from gnapp.domain.targets import check_row as _check_target  # noqa: E402

register(SyncTable(name="poverty_target", label="chỉ tiêu giảm nghèo của đơn vị",
                   validate=_check_target))
from gnapp.domain import plan_docs as _plan_docs  # noqa: E402

register(SyncTable(name="plan_document", label="kế hoạch, báo cáo",
                   validate=_plan_docs.validate_document))


register(SyncTable(name="period_decision", label="phê duyệt kỳ báo cáo",
                   after_write=_each_row("gnapp.db.progress", "refresh_locks")))
