"""``gnapp check``: SQLite's own checks, then the data rules, as data (Issues)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlite_utils import Database

from gnapp.db import registry, sites
from gnapp.domain.issues import Issue, error


@dataclass
class CheckResult:
    """What ``check`` found: SQLite's own checks and the data rules."""

    integrity: list[str]
    foreign_keys: list[dict]
    issues: list[Issue]

    @property
    def ok(self) -> bool:
        return (self.integrity == ["ok"] and not self.foreign_keys
                and not any(i.severity == "error" for i in self.issues))

    def as_dict(self) -> dict:
        return {"ok": self.ok, "integrity": self.integrity, "foreign_keys": self.foreign_keys,
                "issues": [i.as_dict() for i in self.issues]}


def _check_change_log(db: Database) -> list[Issue]:
    """Every syncable row's current state is in the change log."""
    issues = []
    for name, spec in registry.SYNCABLE.items():
        for row in db.query(
                f"SELECT t.id FROM {name} t LEFT JOIN change_log c ON c.row_id = t.id "
                f"AND c.updated_at = t.updated_at AND c.version = t.version "
                f"WHERE c.seq IS NULL LIMIT 20"):
            issues.append(error("sync.unlogged_change",
                                f"Dòng {spec.label} {row['id']} có thay đổi không có trong "
                                "nhật ký thay đổi.", source=f"{name}:{row['id']}"))
    return issues


def _check_units(db: Database) -> list[Issue]:
    """Villages sit under a commune; one code is never valid twice at the same time."""
    issues = []
    for row in db.query(
            "SELECT v.id, v.name FROM admin_unit v LEFT JOIN admin_unit c ON c.id = v.parent_id "
            "WHERE v.level = 'village' AND v.deleted = 0 AND (c.level IS NOT 'commune')"):
        issues.append(error("unit.village_parent", f"Thôn «{row['name']}» không thuộc xã nào.",
                            source=f"admin_unit:{row['id']}"))
    for row in db.query(
            "SELECT a.code, a.name AS a_name, b.name AS b_name FROM admin_unit a "
            "JOIN admin_unit b ON a.code = b.code AND a.id < b.id AND a.deleted = 0 "
            "AND b.deleted = 0 AND a.valid_from <= coalesce(b.valid_to, '9999') "
            "AND b.valid_from <= coalesce(a.valid_to, '9999')"):
        issues.append(error("unit.code_overlap",
                            f"Mã {row['code']} dùng cho cả «{row['a_name']}» và «{row['b_name']}» "
                            "trong cùng thời gian hiệu lực.", field="code"))
    return issues


def _check_site(db: Database) -> list[Issue]:
    if sites.local_site(db) is None:
        return [error("site.missing", "Cơ sở dữ liệu chưa được khởi tạo cho đơn vị nào "
                                      "(chạy «gnapp init»).")]
    return []


def _check_heads(db: Database) -> list[Issue]:
    """Every household in the register has exactly one head among its present members."""
    return [error("household.head_count",
                  f"Hộ {row['code']} có {row['heads']} chủ hộ (phải có đúng một).",
                  source=f"household:{row['id']}")
            for row in db.query(
                "SELECT h.id, h.code, count(m.id) AS heads FROM household h "
                "LEFT JOIN member m ON m.household_id = h.id AND m.relation = 'head' "
                "AND m.status = 'present' AND m.deleted = 0 "
                "WHERE h.deleted = 0 AND h.status = 'active' GROUP BY h.id HAVING heads != 1")]


CHECKS: list[Callable[[Database], list[Issue]]] = [_check_site, _check_change_log, _check_units,
                                                   _check_heads]


def check(db: Database) -> CheckResult:
    """SQLite ``integrity_check`` and ``foreign_key_check``, then every data rule in CHECKS."""
    integrity = [r[0] for r in db.execute("PRAGMA integrity_check")]
    fks = [{"table": r[0], "rowid": r[1], "parent": r[2]}
           for r in db.execute("PRAGMA foreign_key_check")]
    issues = [issue for rule in CHECKS for issue in rule(db)]
    return CheckResult(integrity, fks, issues)
