"""The office's merge console: one row per commune, what arrived from it and what is missing
(DESIGN.md §1: the office "sees who is missing or late"; SYNC.md §4, §6, §7).

The console lists every commune under the office's unit (``units.children``) and every unit
a package arrived from, with, per commune: the last package that arrived, the stream position
reached ("đã nhận đến gói số N"), the package it waits for, packages held for an unconfirmed
sender or as forks, open conflicts on its data, when the last package arrived, and whether
that was longer ago than the overdue limit (setting ``sync.overdue_days``, default 35 days).
Nothing here writes; the GUI reads it on its own connection.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from gnapp.db import progress, settings, sites, units, users
from gnapp.domain import progress as progress_rules
from gnapp.domain.errors import InputError
from gnapp.sync import approvals, ledger
from gnapp.sync import package as pkg

OVERDUE_DAYS_SETTING = "sync.overdue_days"
DEFAULT_OVERDUE_DAYS = 35
NO_ROUND_STATE = "—"

# States of a commune row, most urgent first (``CommuneRow.state``).
UNTRUSTED, FORK, WAITING, OVERDUE, NEVER, OK = (
    "untrusted", "fork", "waiting", "overdue", "never", "ok")
STATE_LABELS = {
    UNTRUSTED: "Chờ xác nhận máy gửi",
    FORK: "Trùng số gói",
    WAITING: "Thiếu gói",
    OVERDUE: "Quá hạn",
    NEVER: "Chưa nhận gói nào",
    OK: "Đã nhận đủ",
}

# Ledger states of packages that arrived here (a refused file is not "a package received").
_ARRIVED = (ledger.APPLIED, ledger.HELD, ledger.UNTRUSTED, ledger.FORK)


@dataclass(frozen=True)
class StreamState:
    """One sending site of a commune, as the office received its packages.

    Attributes:
        from_site: the sending site's id
        name: its display name (from the site table, or the held package's manifest)
        trusted: whether a person confirmed its key
        fingerprint: its key fingerprint (from the site table or a held package), if known
        last_package_no: the highest package number that arrived (any state but refused)
        applied_up_to: the highest N such that packages 1..N are applied
        waiting_for: the missing package later ones wait for (``None`` when none waits)
        held: numbers of packages held waiting for an earlier one
        untrusted: numbers of packages held until a person confirms the sender
        forks: numbers of packages held as a second, different package of a number
    """

    from_site: str
    name: str | None
    trusted: bool
    fingerprint: str | None
    last_package_no: int
    applied_up_to: int
    waiting_for: int | None
    held: tuple[int, ...] = ()
    untrusted: tuple[int, ...] = ()
    forks: tuple[int, ...] = ()


@dataclass(frozen=True)
class CommuneRow:
    """One commune on the console."""

    unit_code: str
    unit_name: str
    streams: tuple[StreamState, ...] = ()
    open_conflicts: int = 0
    last_received_at: datetime | None = None
    days_since: int | None = None
    overdue: bool = False
    round_state: str = NO_ROUND_STATE
    packages: int = 0

    @property
    def last_package_no(self) -> int | None:
        return max((s.last_package_no for s in self.streams), default=None)

    @property
    def received_up_to(self) -> int | None:
        """Stream position reached; with several sending PCs, the lowest of them."""
        return min((s.applied_up_to for s in self.streams), default=None)

    @property
    def waiting_for(self) -> tuple[int, ...]:
        return tuple(s.waiting_for for s in self.streams if s.waiting_for is not None)

    @property
    def untrusted_fingerprints(self) -> tuple[str, ...]:
        return tuple(s.fingerprint for s in self.streams if s.untrusted and s.fingerprint)

    @property
    def forks(self) -> tuple[int, ...]:
        return tuple(n for s in self.streams for n in s.forks)

    @property
    def state(self) -> str:
        if any(s.untrusted for s in self.streams):
            return UNTRUSTED
        if self.forks:
            return FORK
        if self.waiting_for:
            return WAITING
        if not self.streams:
            return NEVER
        if self.overdue:
            return OVERDUE
        return OK

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    def stream_labels(self) -> list[str]:
        """What tells the sending PCs apart: their names, or "máy 1", "máy 2" when the
        names do not (every PC of a commune is usually named after the commune)."""
        names = [s.name for s in self.streams]
        if all(names) and len(set(names)) == len(names):
            return names
        return [f"máy {n}" for n in range(1, len(names) + 1)]

    @property
    def received_text(self) -> str:
        """"3", or per sending PC "3 / 2"; "" when nothing arrived."""
        return " / ".join(str(s.applied_up_to) for s in self.streams)

    @property
    def last_package_text(self) -> str:
        return " / ".join(str(s.last_package_no) for s in self.streams)

    @property
    def streams_text(self) -> str:
        """Each sending PC on a line: "máy 1 (mã khóa 3F2A-…): đã nhận đến gói số 3"."""
        return "\n".join(
            f"{label} (mã khóa {s.fingerprint or '?'}): gói cuối số {s.last_package_no}, "
            f"đã nhận đến gói số {s.applied_up_to}"
            for label, s in zip(self.stream_labels(), self.streams))

    @property
    def waiting_text(self) -> str:
        """"chờ gói số 2" per stream that waits; untrusted and forked packages said too."""
        parts = []
        for label, s in zip(self.stream_labels(), self.streams):
            bits = []
            if s.waiting_for is not None:
                bits.append(f"chờ gói số {s.waiting_for}")
            if s.untrusted:
                bits.append("chờ xác nhận máy gửi (gói số "
                            + ", ".join(map(str, s.untrusted)) + ")")
            if s.forks:
                bits.append("trùng số gói " + ", ".join(map(str, s.forks)))
            if bits:
                prefix = f"{label}: " if len(self.streams) > 1 else ""
                parts.append(prefix + ", ".join(bits))
        return "; ".join(parts)

    def as_dict(self) -> dict:
        return {"unit_code": self.unit_code, "unit_name": self.unit_name,
                "last_package_no": self.last_package_no, "received_up_to": self.received_up_to,
                "waiting_for": list(self.waiting_for), "forks": list(self.forks),
                "untrusted_fingerprints": list(self.untrusted_fingerprints),
                "open_conflicts": self.open_conflicts,
                "last_received_at": self.last_received_at.isoformat()
                if self.last_received_at else None,
                "days_since": self.days_since, "overdue": self.overdue, "state": self.state,
                "state_label": self.state_label, "round_state": self.round_state,
                "packages": self.packages,
                "streams": [asdict(s) for s in self.streams]}


@dataclass(frozen=True)
class Console:
    """The whole console: the rows and what they add up to."""

    office_unit: str
    overdue_days: int
    rows: list[CommuneRow] = field(default_factory=list)

    @property
    def communes(self) -> int:
        return len(self.rows)

    @property
    def sending(self) -> int:
        return sum(1 for r in self.rows if r.streams)

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.overdue)

    @property
    def with_conflicts(self) -> int:
        return sum(1 for r in self.rows if r.open_conflicts)

    @property
    def needing_attention(self) -> int:
        return sum(1 for r in self.rows if r.state in (UNTRUSTED, FORK, WAITING))

    def summary(self) -> str:
        """"99 đơn vị cấp xã, 3 đơn vị đã gửi gói; 1 đơn vị quá hạn (quá 35 ngày chưa
        gửi); …" (communes, wards and special zones are all units of commune level)."""
        parts = [f"{self.communes} đơn vị cấp xã, {self.sending} đơn vị đã gửi gói"]
        if self.needing_attention:
            parts.append(f"{self.needing_attention} đơn vị có gói đang chờ")
        if self.overdue:
            parts.append(f"{self.overdue} đơn vị quá hạn (quá {self.overdue_days} ngày chưa gửi)")
        if self.with_conflicts:
            parts.append(f"{self.with_conflicts} đơn vị có xung đột chờ quyết định")
        return "; ".join(parts) + "."


def overdue_days(db: Database) -> int:
    """The overdue limit in days (setting ``sync.overdue_days``; default 35)."""
    value = settings.get(db, OVERDUE_DAYS_SETTING)
    try:
        days = int(value) if value is not None else DEFAULT_OVERDUE_DAYS
    except ValueError:
        days = DEFAULT_OVERDUE_DAYS
    return days if days > 0 else DEFAULT_OVERDUE_DAYS


def set_overdue_days(db: Database, days: int, *, user: str | None = None) -> None:
    """Change the overdue limit (a local setting of this office's site; it never travels);
    ``user`` (default: the current user) needs the permission to change settings."""
    users.require(db, user, "settings")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 3650:
        raise InputError(f"Số ngày quá hạn phải là số nguyên từ 1 đến 3650, không phải «{days}».",
                         field="overdue_days")
    settings.put(db, OVERDUE_DAYS_SETTING, str(days))


def _parse_moment(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _held_sender(db: Database, ledger_id: int) -> tuple[str | None, str | None]:
    """(fingerprint, display name) of the sender of a package held in the ledger."""
    data = ledger.content(db, ledger_id)
    if not data:
        return None, None
    try:
        package = pkg.read_bytes("held", data)
    except pkg.PackageError:
        return None, None
    return (sites.key_fingerprint(package.sender_key),
            package.manifest["sender"].get("display_name"))


def _streams(db: Database, office_unit: str, from_unit: str) -> list[StreamState]:
    out = []
    for (from_site,) in db.execute(
            "SELECT DISTINCT from_site FROM package_ledger WHERE direction = 'in' AND "
            "from_unit = ? AND to_unit = ? AND state IN (?, ?, ?, ?) ORDER BY from_site",
            [from_unit, office_unit, *_ARRIVED]):
        arrived = ledger.rows(db, "direction = 'in' AND from_site = ? AND to_unit = ? AND "
                                  "state IN (?, ?, ?, ?)",
                              [from_site, office_unit, *_ARRIVED], order="package_no")
        upto = ledger.applied_up_to(db, from_site, office_unit)
        held = tuple(r.package_no for r in arrived if r.state == ledger.HELD)
        untrusted = tuple(r.package_no for r in arrived if r.state == ledger.UNTRUSTED)
        forks = tuple(r.package_no for r in arrived if r.state == ledger.FORK)
        site = db.execute("SELECT display_name, sign_public, trusted_at FROM site WHERE id = ?",
                          [from_site]).fetchone()
        name = site[0] if site else None
        fingerprint = sites.key_fingerprint(site[1]) if site else None
        if untrusted and (fingerprint is None or name is None):
            held_id = next(r.id for r in arrived if r.state == ledger.UNTRUSTED)
            held_fp, held_name = _held_sender(db, held_id)
            fingerprint, name = fingerprint or held_fp, name or held_name
        out.append(StreamState(
            from_site=from_site, name=name, trusted=bool(site and site[2]),
            fingerprint=fingerprint, last_package_no=max(r.package_no for r in arrived),
            applied_up_to=upto, waiting_for=upto + 1 if held else None, held=held,
            untrusted=untrusted, forks=forks))
    return out


def commune_rows(db: Database, *, now: datetime | None = None,
                 overdue_after: int | None = None) -> Console:
    """The console of this (office) site: every commune under its unit and every unit that
    sent packages here, in Vietnamese order of their names.

    :param now: the moment "days since the last package" is counted to (default: now)
    :param overdue_after: the overdue limit in days (default: the ``sync.overdue_days``
        setting)
    """
    local = sites.require_site(db)
    office = local.unit_code
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    limit = overdue_after if overdue_after is not None else overdue_days(db)
    communes = {u["code"]: u for u in units.children(db, office) if u["level"] == "commune"}
    for (code,) in db.execute("SELECT DISTINCT from_unit FROM package_ledger WHERE "
                              "direction = 'in' AND to_unit = ? AND from_unit != ?",
                              [office, office]):
        if code not in communes:
            communes[code] = units.get_unit(db, code) or {"code": code, "name": code,
                                                          "name_key": code}
    conflicts = dict(db.execute("SELECT owner_unit, count(*) FROM conflict WHERE state = 'open' "
                                "GROUP BY owner_unit").fetchall())
    rows = []
    for code, unit in sorted(communes.items(),
                             key=lambda item: (item[1].get("name_key") or "", item[0])):
        streams = _streams(db, office, code)
        last, count = db.execute(
            "SELECT max(recorded_at), count(*) FROM package_ledger WHERE direction = 'in' AND "
            "from_unit = ? AND to_unit = ? AND state IN (?, ?, ?, ?)",
            [code, office, *_ARRIVED]).fetchone()
        last_at = _parse_moment(last)
        days = (now.date() - last_at.astimezone(now.tzinfo).date()).days if last_at else None
        rows.append(CommuneRow(
            unit_code=code, unit_name=unit.get("name") or code, streams=tuple(streams),
            open_conflicts=conflicts.get(code, 0), last_received_at=last_at, days_since=days,
            overdue=days is not None and days > limit,
            round_state=approvals.round_state(db, code) or NO_ROUND_STATE,
            packages=count))
    return Console(office, limit, rows)


def received_packages(db: Database, unit_code: str) -> list[ledger.LedgerRow]:
    """The packages that arrived from a commune (also refused ones), newest first: the
    import reports kept in the ledger."""
    local = sites.require_site(db)
    return ledger.rows(db, "direction = 'in' AND from_unit = ? AND to_unit = ?",
                       [unit_code, local.unit_code], order="recorded_at DESC, package_no DESC")


def package_files(folder: str | Path) -> list[Path]:
    """The package files (and parts of packages) in a folder, in name order."""
    folder = Path(folder)
    return sorted(p for p in folder.iterdir() if p.is_file() and pkg.SUFFIX in p.name)


def received_on(moment: datetime | None) -> date | None:
    """The local calendar day of a ledger moment (for display)."""
    return moment.astimezone().date() if moment else None


_ROW_KEYS = ("table", "row_id", "action", "action_label", "reason", "fields")


def ledger_report(db: Database, row: ledger.LedgerRow) -> dict:
    """A package of the ledger (received, or sent and acknowledged) as an import report in
    the shape of ``ImportReport.as_dict()``: what the receiver kept about it."""
    report = row.report or {}
    name = db.execute("SELECT display_name FROM site WHERE id = ?", [row.from_site]).fetchone()
    rows = [{k: r.get(k) for k in _ROW_KEYS}
            for r in [*report.get("refused", []), *report.get("conflicts", [])]]
    return {"file": pkg.file_name(row.from_unit, row.to_unit, row.package_no),
            "status": row.state, "status_label": row.state_label,
            "reason": row.reason or report.get("reason") or "", "package_id": row.package_id,
            "kind": row.kind, "from_site": row.from_site, "from_unit": row.from_unit,
            "sender_name": name[0] if name else None, "package_no": row.package_no,
            "fingerprint": None, "counts": dict(report.get("counts") or {}),
            "clock_warning": report.get("clock_warning"), "acknowledged_up_to": None,
            "rows": rows}


# -- the office's home screen -------------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    """A commune as an office's home screen shows it: its packages (``sync``) and its
    report period whose deadline passed last.

    Attributes:
        period_label: that period ("6 tháng đầu năm 2026"), ``None`` without a calendar
        period_state: its state at the commune ("đã hoàn thành", "chưa nhận được kỳ báo cáo")
        period_missing: the commune has not completed it
    """

    sync: CommuneRow
    period_label: str | None = None
    period_state: str | None = None
    period_missing: bool = False

    @property
    def needs_attention(self) -> bool:
        """Late, waiting for a package, holding conflicts or missing its report."""
        return self.sync.state != OK or self.sync.open_conflicts > 0 or self.period_missing


@dataclass(frozen=True)
class Standings:
    """The office's communes (iterated: those that need attention first) and the commune
    period whose deadline passed last, with how many completed it and how many did not."""

    rows: tuple[Standing, ...]
    period: tuple[str, int, date] | None = None      # (kind, year, due date)
    complete: int = 0
    missing: int = 0

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def standings(db: Database, *, today: date, now: datetime | None = None) -> Standings:
    """Every commune of this office with its packages and its last period due: those that
    need attention first, then the others, each group in Vietnamese order of names."""
    console = commune_rows(db, now=now)
    current = progress_rules.last_due_period(progress.deadlines(db, "commune"), today)
    states: dict[str, tuple[str, bool]] = {}
    label, included, missing = None, [], []
    if current is not None:
        kind, year, _ = current
        label = progress_rules.period_label(kind, year)
        included, missing = progress.commune_states(db, kind, year)
        states = {c["code"]: (progress.STATE_LABELS[c["status"]], False) for c in included}
        states.update({c["code"]: (reason, True) for c, reason in missing})
    rows = [Standing(row, label, *states.get(row.unit_code, (None, False)))
            for row in console.rows]
    return Standings(tuple(sorted(rows, key=lambda s: not s.needs_attention)), current,
                     len(included), len(missing))
