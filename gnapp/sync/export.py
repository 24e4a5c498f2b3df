"""Cutting packages from the change log (SYNC.md §3, §4).

A ``changes`` package holds, for one stream (this site → a receiving unit), every row with a
change since the stream's previous package, coalesced to one record: the row's current
state, its version, the version it had before the first included change (``base_version``)
and the stamps of every included change (``history``), so that a receiver holding any of
those states recognises the record as a fast-forward rather than a conflict.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from sqlite_utils import Database

from gnapp.db import registry, schema, settings, sites, units
from gnapp.db.hlc import HybridClock
from gnapp.db.store import IN_CHUNK, select_in, stored_columns, syncable_values, transaction
from gnapp.domain.canonical import is_nfc
from gnapp.domain.cancel import Progress, no_progress
from gnapp.domain.errors import GnappError, InputError
from gnapp.sync import audience, ledger
from gnapp.sync import package as pkg

# An ack lists, per stream, at most this many packages in detail (the newest ones).
ACK_DETAIL = 50
# Local setting: what the last package to a unit acknowledged (so news alone makes a package).
ACKS_SENT_SETTING = "sync.acks_sent"
# Local setting: the size limit of one file of a package sent by e-mail, in KB (0: one file).
PART_LIMIT_SETTING = "sync.part_limit_kb"
MAX_PART_LIMIT_KB = 1_000_000


def part_limit_kb(db: Database) -> int:
    """The remembered size limit of one package file, in KB (0: not split)."""
    try:
        value = int(settings.get(db, PART_LIMIT_SETTING) or 0)
    except ValueError:
        return 0
    return value if 0 <= value <= MAX_PART_LIMIT_KB else 0


def set_part_limit_kb(db: Database, kb: int) -> None:
    """Remember the size limit of one package file: a preference of this PC for whoever
    exports (a local setting; it never travels)."""
    if not isinstance(kb, int) or isinstance(kb, bool) or not 0 <= kb <= MAX_PART_LIMIT_KB:
        raise InputError(f"Giới hạn kích thước mỗi tệp phải là số KB từ 0 (không chia) đến "
                         f"{MAX_PART_LIMIT_KB:,}, không phải «{kb}».".replace(",", "."),
                         field="part_limit")
    settings.put(db, PART_LIMIT_SETTING, str(kb))


@dataclass
class ExportResult:
    """What ``export_package`` wrote."""

    package_no: int | None
    package_id: str | None
    kind: str
    to_unit: str
    paths: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    acks: int = 0
    message: str = ""

    def as_dict(self) -> dict:
        return {"package_no": self.package_no, "package_id": self.package_id,
                "kind": self.kind, "to_unit": self.to_unit,
                "files": [str(p) for p in self.paths], "counts": self.counts,
                "acks": self.acks, "message": self.message}


def default_receiver(db: Database) -> str:
    """Where a commune's packages go: the office of its province."""
    site = sites.require_site(db)
    if site.role != "commune":
        raise InputError("Máy của cơ quan cấp trên phải ghi rõ đơn vị nhận gói (--to).",
                         field="to")
    unit = units.get_unit(db, site.unit_code)
    while unit is not None and unit["level"] != "province":
        unit = units.get_unit(db, unit["parent_code"]) if unit["parent_code"] else None
    if unit is None:
        raise GnappError(f"Không tìm được tỉnh của đơn vị {site.unit_code}; hãy ghi rõ đơn vị "
                         "nhận gói (--to).")
    return unit["code"]


def _forwarded_origins(db: Database, my_unit: str, to_unit: str) -> set[str]:
    """Packages whose changes travel on: those from other sites of our own unit, except
    to our own unit (its sites have them already)."""
    if to_unit == my_unit:
        return set()
    return {r[0] for r in db.execute(
        "SELECT package_id FROM package_ledger WHERE direction = 'in' AND state = 'applied' "
        "AND from_unit = ?", [my_unit])}


# What ``_by_row`` reads of each change-log entry.
_ENTRY = "seq, table_name, row_id, version, base_version, updated_at, origin"


def _histories(db: Database, after_seq: int, upto_seq: int) -> dict[str, list]:
    """Change-log entries by row id: ``[seq, table, version, base, stamp, origin]``."""
    return _by_row(db.execute(f"SELECT {_ENTRY} FROM change_log WHERE seq > ? AND seq <= ? "
                              "ORDER BY seq", [after_seq, upto_seq]))


def _by_row(entries: Iterable[tuple]) -> dict[str, list]:
    """Change-log entries, in ``seq`` order, by row id (``_histories``)."""
    out: dict[str, list] = {}
    for seq, table, row_id, version, base, stamp, origin in entries:
        if table in registry.SYNCABLE:
            out.setdefault(row_id, []).append((seq, table, version, base, stamp, origin))
    return out


def _histories_of(db: Database, origins: Iterable[str], after_seq: int,
                  upto_seq: int) -> dict[str, list]:
    """``_histories`` of the rows that a change of ``origins`` touched (all their entries),
    found through the origin index: at an office, the changes it sends are a few among the
    communes' it merged (reading them all took 30 s and 3.9 GB at 800,000 households)."""
    window = "seq > ? AND seq <= ?"
    ids = list({r[0] for r in select_in(
        db, f"SELECT row_id FROM change_log WHERE {window} AND origin IN ({{marks}})",
        sorted(origins), after_seq, upto_seq)})
    return _by_row(sorted(select_in(
        db, f"SELECT {_ENTRY} FROM change_log WHERE {window} AND row_id IN ({{marks}})", ids,
        after_seq, upto_seq)))


def _columns(db: Database, table: str) -> list[str]:
    """The columns of ``table`` that travel, in the table's order."""
    return list(syncable_values(table, dict.fromkeys(stored_columns(db, table))))


def _rows(db: Database, table: str, where: str, params: list) -> Iterator[dict]:
    """What travels of each row of ``table`` matching ``where``, read in one query."""
    columns = _columns(db, table)
    select = ", ".join(f'"{c}"' for c in columns)
    for found in db.execute(f"SELECT {select} FROM {table} WHERE {where}", params):
        yield dict(zip(columns, found))


def _record(table: str, values: dict, entries: list) -> dict:
    return {"type": "row", "table": table, "id": values["id"], "version": values["version"],
            "base_version": entries[0][3] if entries else 0,
            "updated_at": values["updated_at"],
            "history": [[version, base, stamp] for _, _, version, base, stamp, _ in entries],
            "row": values}


# SQLite's json_object writes a row's JSON as ``canonical_bytes`` does for integers, text
# and NULL when given the keys sorted: the same escapes (\" \\ \b \t \n \f \r, \u00xx),
# no spaces. It takes at most 127 arguments: a wider table goes the general way.
MAX_JSON_COLUMNS = 60
_LINE = (b'{"base_version":%d,"history":%b,"id":%b,"row":%b,"table":%b,"type":"row",'
         b'"updated_at":%b,"version":%b}')


def _records(db: Database, table: str, where: str, params: list, histories: dict[str, list],
             *, lines: bool) -> Iterator[tuple[str, dict | pkg.Line]]:
    """(id, record) of each row of ``table`` matching ``where``, read in one query.

    With ``lines``, SQLite writes each row's JSON and the record comes already encoded, a
    ``pkg.Line`` (no dict per row, a third of the time of a commune's snapshot). A row it
    cannot write in canonical form (a REAL or BLOB value, text not in NFC, a history entry
    of other types) comes as a dict, as without ``lines``, for ``pkg.record_bytes``.
    """
    columns = sorted(_columns(db, table))
    if not lines or len(columns) > MAX_JSON_COLUMNS:
        for values in _rows(db, table, where, params):
            yield values["id"], _record(table, values, histories.get(values["id"], []))
        return
    odd = " OR ".join(f"typeof(\"{c}\") IN ('real', 'blob')" for c in columns)
    pairs = ", ".join(f"'{c}', \"{c}\"" for c in columns)
    name = orjson.dumps(table)
    for row_id, version, stamp, row in db.execute(
            f"SELECT id, version, updated_at, CASE WHEN {odd} THEN NULL "
            f"ELSE json_object({pairs}) END FROM {table} WHERE {where}", params):
        entries = histories.get(row_id, [])
        history = [[version_, base, stamp_] for _, _, version_, base, stamp_, _ in entries]
        if row is not None and is_nfc(row) and all(
                type(v) is int and type(b) is int and type(s) is str and s.isascii()
                for v, b, s in history):
            yield row_id, pkg.Line(table, _LINE % (
                history[0][1] if history else 0, orjson.dumps(history), orjson.dumps(row_id),
                row.encode(), name, orjson.dumps(stamp), orjson.dumps(version)))
        else:
            yield row_id, _record(table, next(_rows(db, table, "id = ?", [row_id])), entries)


def _owned_records(db: Database, owner_unit: str, histories: dict[str, list], *,
                   lines: bool) -> dict[str, dict | pkg.Line]:
    """The records (by id) of the rows of ``histories`` that ``owner_unit`` owns, each read
    from the table of its first change, many ids to a query."""
    by_table: dict[str, list[str]] = {}
    for row_id, entries in histories.items():
        by_table.setdefault(entries[0][1], []).append(row_id)
    out = {}
    for table, ids in by_table.items():
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start:start + IN_CHUNK]
            out.update(_records(db, table, f"id IN ({', '.join('?' * len(chunk))}) "
                                           "AND owner_unit = ?", [*chunk, owner_unit],
                                histories, lines=lines))
    return out


def _change_records(db: Database, my_unit: str, to_unit: str, after_seq: int,
                    upto_seq: int, *, lines: bool = False) -> Iterator[dict | pkg.Line]:
    origins = {"local"} | _forwarded_origins(db, my_unit, to_unit)
    if sites.require_site(db).role == "office":
        changed = _histories_of(db, origins, after_seq, upto_seq)
    else:   # nearly every change of a commune is its own: its log is read at once
        changed = {row_id: entries for row_id, entries
                   in _histories(db, after_seq, upto_seq).items()
                   if any(e[5] in origins for e in entries)}
    owned = _owned_records(db, my_unit, changed, lines=lines)
    for row_id in changed:
        if row_id in owned:
            yield owned[row_id]


def _owned_histories(db: Database, table: str, owner_unit: str, upto_seq: int
                     ) -> dict[str, list]:
    """``_histories`` of the rows of ``table`` that ``owner_unit`` owns only, found through
    the rows: an office's change log holds a whole province, and a commune's recovery
    package reads its own rows' entries (1 s) rather than all of them (38 s, 3.9 GB)."""
    return _by_row(db.execute(
        f"SELECT {', '.join('c.' + c for c in _ENTRY.split(', '))} FROM {table} t JOIN "
        "change_log c ON c.row_id = t.id WHERE t.owner_unit = ? AND c.seq <= ? ORDER BY c.seq",
        [owner_unit, upto_seq]))


def _snapshot_records(db: Database, owner_unit: str, upto_seq: int, *,
                      lines: bool = False) -> Iterator[dict | pkg.Line]:
    # a commune's own rows are nearly its whole file: its change log is read at once, its
    # tables along their ids (``+`` keeps SQLite off the owner index, which would sort them
    # all first). An office's own rows are a few among a province's (its whole change log
    # took 31 s and 3.9 GB), so they are found by their owner, as a commune's are there
    site = sites.require_site(db)
    whole = owner_unit == site.unit_code and site.role == "commune"
    everything = _histories(db, 0, upto_seq) if whole else None
    # in id order, so that the records stream on to be packed as they come
    where = "+owner_unit = ? ORDER BY id" if whole else "owner_unit = ? ORDER BY id"
    for table in registry.SYNCABLE:
        histories = everything if everything is not None else _owned_histories(
            db, table, owner_unit, upto_seq)
        for _, record in _records(db, table, where, [owner_unit], histories, lines=lines):
            yield record


def _for_audience(db: Database, records: list[dict], to_unit: str) -> list[dict]:
    """What of an office's records a unit below it receives (``gnapp.sync.audience``):
    the shared reference data and what concerns that unit, each kept allocation line or
    stated total with its decision (with the decision's whole history, so that a receiver
    holding any version of it takes it as unchanged or as an update)."""
    who = audience.Audience(db, to_unit)
    kept = list(who.filter(records))
    have = {r["id"] for r in kept}
    missing = [d for d in who.parents(kept) if d not in have]
    for start in range(0, len(missing), IN_CHUNK):
        chunk = missing[start:start + IN_CHUNK]
        for values in _rows(db, "allocation_decision",
                            f"id IN ({', '.join('?' * len(chunk))})", chunk):
            entries = [(seq, "allocation_decision", version, base, stamp, origin)
                       for seq, version, base, stamp, origin in db.execute(
                           "SELECT seq, version, base_version, updated_at, origin FROM "
                           "change_log WHERE row_id = ? ORDER BY seq", [values["id"]])]
            kept.append(_record("allocation_decision", values, entries))
    return kept


def ack_records(db: Database, to_unit: str) -> list[dict]:
    """What we have received from each site of ``to_unit``: one ack record per stream."""
    site = sites.require_site(db)
    acks = []
    for (from_site,) in db.execute(
            "SELECT DISTINCT from_site FROM package_ledger WHERE direction = 'in' "
            "AND from_unit = ? AND to_unit = ? ORDER BY from_site", [to_unit, site.unit_code]):
        upto = ledger.applied_up_to(db, from_site, site.unit_code)
        packages = []
        for row in ledger.rows(db, "direction = 'in' AND from_site = ? AND to_unit = ?",
                               [from_site, site.unit_code], order="package_no DESC",
                               limit=ACK_DETAIL):
            report = row.report or {}
            packages.append({"package_no": row.package_no, "package_id": row.package_id,
                             "state": row.state, "reason": row.reason,
                             "counts": report.get("counts", {}),
                             "refused": report.get("refused", []),
                             "conflicts": report.get("conflicts", [])})
        acks.append({"type": "ack", "from_site": from_site, "received_up_to": upto,
                     "packages": packages})
    return acks


def _tick(db: Database, site_id: str) -> str:
    last = db.execute("SELECT clock FROM site WHERE id = ?", [site_id]).fetchone()
    clock = HybridClock(site_id, last[0] if last else None)
    stamp = clock.now()
    db.execute("UPDATE site SET clock = ? WHERE id = ?", [stamp, site_id])
    return stamp


def _receiver_key(db: Database, to_unit: str) -> str:
    found = db.execute(
        "SELECT enc_public FROM site WHERE unit_code = ? AND is_local = 0 AND retired_at IS NULL "
        "AND trusted_at IS NOT NULL ORDER BY trusted_at DESC LIMIT 1", [to_unit]).fetchone()
    if found is None:
        raise GnappError(f"Chưa có khóa mã hóa của đơn vị {to_unit}: cần nhận ít nhất một gói từ "
                         "đơn vị đó (và xác nhận máy gửi) trước khi gửi gói mã hóa.")
    return found[0]


def _counted(records: Iterator[dict | pkg.Line], counts: dict[str, int]
             ) -> Iterator[dict | pkg.Line]:
    """The records, counting them by table in ``counts`` as they go by."""
    for record in records:
        table = record.table if type(record) is pkg.Line else record["table"]
        counts[table] = counts.get(table, 0) + 1
        yield record


def reference_versions(db: Database) -> dict:
    return {"units": units.official_version(db) or ""}


def export_package(db: Database, out_dir: str | Path, *, to_unit: str | None = None,
                   kind: str = "changes", encrypt: bool = False, max_bytes: int = 0,
                   force: bool = False, progress: Progress = no_progress) -> ExportResult:
    """Write the stream's next package into ``out_dir``.

    :param kind: ``changes`` (what changed since the previous package), ``snapshot`` (every
        row this unit owns), ``ack`` (only what we received) or ``recovery`` (an office's
        copy of every row a commune owns, for the commune's new site after a lost PC)
    :param encrypt: encrypt the payload for the receiving unit's (trusted) site
    :param max_bytes: split the file into parts of at most this size (0: one file)
    :param force: write a package even when there is nothing new to send
    :param progress: ``progress(step, 3, label)`` before reading, packing and writing; a
        ``Cancelled`` it raises stops the export before any file is written (nothing stays)
    """
    if kind not in ("changes", "snapshot", "ack", "recovery"):
        raise InputError(f"Loại gói «{kind}» không hợp lệ (changes, snapshot, ack, recovery).",
                         field="kind")
    site = sites.require_site(db)
    if kind == "recovery" and (site.role != "office" or not to_unit):
        raise InputError("Gói khôi phục do máy cơ quan cấp trên lập cho một xã (--to MÃ_XÃ).",
                         field="kind")
    to_unit = to_unit or default_receiver(db)
    if units.get_unit(db, to_unit) is None:
        raise InputError(f"Không có đơn vị hành chính mã «{to_unit}».", field="to")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with transaction(db), pkg.collector_paused():
        number, previous_hash, last_seq = ledger.last_sent(db, site.id, to_unit)
        upto = db.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0]
        progress(0, 3, "Đang đọc các thay đổi")
        # read as they are encoded (and the pieces before compressed meanwhile)
        # what a unit below receives is chosen by the rows' values: records as dicts
        chosen = kind in ("changes", "snapshot") and audience.sends_down(db, site.unit_code,
                                                                         to_unit)
        records: Iterator[dict | pkg.Line] = iter(())
        if kind == "changes":
            records = _change_records(db, site.unit_code, to_unit, last_seq, upto,
                                      lines=not chosen)
        elif kind in ("snapshot", "recovery"):  # a recovery: the commune's rows at the office
            records = _snapshot_records(db, site.unit_code if kind == "snapshot" else to_unit,
                                        upto, lines=not chosen)
        if chosen:
            records = iter(_for_audience(db, list(records), to_unit))
        first = next(records, None)
        acks = ack_records(db, to_unit)
        ack_key = f"{ACKS_SENT_SETTING}.{to_unit}"
        ack_print = pkg.canonical_bytes({"acks": acks})
        has_new_ack = any(a["received_up_to"] for a in acks) and \
            settings.get(db, ack_key) != hashlib.sha256(ack_print).hexdigest()
        if first is None and number and not force and not has_new_ack:
            return ExportResult(None, None, kind, to_unit,
                                message=f"Không có thay đổi mới kể từ gói số {number} (và "
                                        "không có gói nhận được nào mới cần xác nhận); không "
                                        "tạo gói.")
        # filled as the records are encoded: build signs the manifest after the payload
        counts: dict[str, int] = {}
        site_row = db.execute("SELECT display_name, role, replaces FROM site WHERE id = ?",
                              [site.id]).fetchone()
        manifest = {
            "format": list(pkg.FORMAT), "package_id": str(uuid.uuid4()),
            "stream": {"from_site": site.id, "from_unit": site.unit_code, "to_unit": to_unit},
            "package_no": number + 1, "previous_hash": previous_hash, "kind": kind,
            "schema_version": [schema.SCHEMA_MAJOR, schema.SCHEMA_MINOR],
            "reference_versions": reference_versions(db), "created_at": _tick(db, site.id),
            "counts": counts,
            "sender": {"sign_public": site.sign_public, "enc_public": site.enc_public,
                       "display_name": site_row[0], "role": site_row[1],
                       "replaces": site_row[2]},
        }
        progress(1, 3, "Đang đóng gói và ký")
        if first is not None:
            records = _counted(itertools.chain([first], records), counts)
        payload = pkg.encode_pieces(itertools.chain(acks, records))
        data, manifest = pkg.build(manifest, payload, sites.signing_key(db),
                                   encrypt_to=_receiver_key(db, to_unit) if encrypt else None)
        name = pkg.file_name(site.unit_code, to_unit, number + 1)
        progress(2, 3, "Đang ghi tệp gói")    # the last point where stopping is safe
        paths = pkg.split(data, out / name, max_bytes)
        settings.put(db, ack_key, hashlib.sha256(ack_print).hexdigest())
        manifest_sha256 = hashlib.sha256(pkg.canonical_bytes(manifest)).hexdigest()
        ledger.record(db, direction="out", manifest=manifest, manifest_sha256=manifest_sha256,
                      state=ledger.SENT, content=data,
                      last_seq=upto if kind != "ack" else last_seq)
    return ExportResult(number + 1, manifest["package_id"], kind, to_unit, paths, counts,
                        acks=len(acks), message=f"Đã tạo gói số {number + 1} gửi {to_unit}.")


def resend(db: Database, package_no: int, out_dir: str | Path, *, to_unit: str | None = None,
           max_bytes: int = 0) -> list[Path]:
    """Write an earlier package of a stream again, byte for byte."""
    site = sites.require_site(db)
    to_unit = to_unit or default_receiver(db)
    found = db.execute(
        "SELECT content FROM package_ledger WHERE direction = 'out' AND from_site = ? "
        "AND to_unit = ? AND package_no = ?", [site.id, to_unit, package_no]).fetchone()
    if found is None or found[0] is None:
        raise InputError(f"Chưa từng gửi gói số {package_no} cho đơn vị {to_unit}.",
                         field="package_no")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return pkg.split(found[0], out / pkg.file_name(site.unit_code, to_unit, package_no),
                     max_bytes)


def sent_packages(db: Database) -> list[ledger.LedgerRow]:
    site = sites.require_site(db)
    return ledger.rows(db, "direction = 'out' AND from_site = ?", [site.id])


def unacknowledged(db: Database) -> list[ledger.LedgerRow]:
    """Packages this site sent that no acknowledgement has come back for, oldest first."""
    return [row for row in sent_packages(db) if row.state == ledger.SENT]
