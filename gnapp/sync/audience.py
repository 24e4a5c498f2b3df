"""Which of an office's own rows a unit below it receives (SYNC.md §1, §4; issue 8).

An office owns two kinds of rows. Reference data it distributes (standards, programme
structures, deadlines, added indicators, units it adds) concerns every unit below it. Its
decisions about one unit (approvals and returns of a round, decisions on a report period,
allocation lines and the decisions they belong to, per-unit targets) concern that unit only:
a commune MUST NOT receive another commune's approvals, money or targets. The office's own
work (its register, documents, report periods and figures) stays with it.

The rule of each syncable table is declared here in one place (``RULES``), next to the owner
rules of ``gnapp.db.registry``; a table without a rule is a programming error caught by a
test, so a new table cannot leak by default. ``Audience.keeps`` is applied by the export to
every package an office sends down (to a unit under it); a package to another site of the
same unit, or up to an office, carries every row the sender owns, as before.

A row "concerns" a receiving unit when the unit it names is the receiver or a unit under it
(an office sending to a district sends what concerns the district's communes too).
A kept allocation line or stated total brings its decision along (the foreign key), as an
unchanged record when the receiver has it already.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlite_utils import Database

from gnapp.db import registry, units

SHARED = "shared"   # reference data: every unit below the office
UNIT = "unit"       # a decision about one unit, named in the table's column
OWN = "own"         # the office's own work: never sent down

# table → (rule, column naming the unit concerned, for UNIT)
RULES: dict[str, tuple[str, str | None]] = {
    "admin_unit": (SHARED, None),
    "programme_item": (SHARED, None),
    "poverty_standard": (SHARED, None),
    "report_deadline": (SHARED, None),
    "indicator_def": (SHARED, None),
    "approval": (UNIT, "unit_code"),
    "period_decision": (UNIT, "unit_code"),
    "poverty_target": (UNIT, "unit_code"),         # a plan's stated totals are shared
    "allocation_decision": (UNIT, "recipient_unit"),  # or any of its lines
    "allocation_line": (UNIT, "recipient_unit"),
    "stated_total": (UNIT, None),                   # follows its decision
    **{name: (OWN, None) for name in (
        "household", "member", "household_event", "review_round", "household_review",
        "household_request", "procedure_step", "duplicate_decision", "livelihood_project",
        "project_participant", "project_input", "detailed_estimate", "disbursement",
        "settlement", "doc_profile", "doc_signer", "doc_number", "printed_copy",
        "report_period", "indicator_value", "plan_document")},
}


def rule(table: str) -> tuple[str, str | None]:
    """The rule of ``table``; ``KeyError`` for a syncable table nobody gave one."""
    try:
        return RULES[table]
    except KeyError:
        raise KeyError(f"{table}: no audience rule in gnapp.sync.audience.RULES") from None


def sends_down(db: Database, from_unit: str, to_unit: str) -> bool:
    """Whether a package from ``from_unit`` to ``to_unit`` goes to a unit under it."""
    return to_unit != from_unit and from_unit in units.ancestors(db, to_unit)


class Audience:
    """Decides, row by row, what of an office's rows a unit below it receives."""

    def __init__(self, db: Database, to_unit: str):
        self.db, self.to_unit = db, to_unit
        self._concerns: dict[str | None, bool] = {None: False, to_unit: True}
        self._decisions: dict[str, bool] = {}

    def concerns(self, unit_code: str | None) -> bool:
        """``unit_code`` is the receiving unit or a unit under it."""
        if unit_code not in self._concerns:
            self._concerns[unit_code] = self.to_unit in units.ancestors(self.db, unit_code)
        return self._concerns[unit_code]

    def decision_concerns(self, decision_id: str) -> bool:
        """An allocation decision concerns the receiver if it is addressed to it or one of
        its lines is (a provincial decision lists many communes: each gets its lines)."""
        if decision_id not in self._decisions:
            found = self.db.execute("SELECT recipient_unit FROM allocation_decision "
                                    "WHERE id = ?", [decision_id]).fetchone()
            lines = [r[0] for r in self.db.execute(
                "SELECT DISTINCT recipient_unit FROM allocation_line WHERE decision_id = ?",
                [decision_id])]
            self._decisions[decision_id] = bool(
                (found and self.concerns(found[0])) or any(self.concerns(u) for u in lines))
        return self._decisions[decision_id]

    def keeps(self, table: str, row: dict) -> bool:
        kind, column = rule(table)
        if kind == SHARED:
            return True
        if kind == OWN:
            return False
        if table == "allocation_decision":
            return self.decision_concerns(row["id"])
        if table == "stated_total":
            return self.decision_concerns(row["decision_id"])
        if table == "poverty_target" and row.get("row_kind") == "stated_total":
            return True
        return self.concerns(row.get(column))

    def parents(self, records: Iterable[dict]) -> list[str]:
        """Ids of the decisions that kept lines and stated totals belong to."""
        return sorted({r["row"]["decision_id"] for r in records
                       if r["table"] in ("allocation_line", "stated_total")})

    def filter(self, records: Iterable[dict]) -> Iterator[dict]:
        for record in records:
            if self.keeps(record["table"], record["row"]):
                yield record


def check_rules() -> list[str]:
    """Syncable tables without an audience rule (for the tests)."""
    return sorted(set(registry.SYNCABLE) - set(RULES))
