"""Validation results as data (STYLE.md: validation returns data, nothing raises)."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One problem found in the data.

    Attributes:
        severity: ``error`` or ``warning``
        code: a stable machine code, e.g. ``unit.name_missing``
        field: the field concerned, if any
        message: what is wrong, in Vietnamese
        source: where the data came from (table and row id, file and row)
    """

    severity: str
    code: str
    message: str
    field: str | None = None
    source: str | None = None

    def as_dict(self) -> dict:
        return {"severity": self.severity, "code": self.code, "field": self.field,
                "message": self.message, "source": self.source}


def error(code: str, message: str, field: str | None = None, source: str | None = None) -> Issue:
    return Issue(ERROR, code, message, field, source)


def warning(code: str, message: str, field: str | None = None, source: str | None = None) -> Issue:
    return Issue(WARNING, code, message, field, source)


def has_errors(issues: list[Issue]) -> bool:
    return any(i.severity == ERROR for i in issues)
