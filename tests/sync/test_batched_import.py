"""The import works batch by batch and reads one package at a time: the outcome must be
the same as planning the whole package at once, and a fault in a later batch must still
leave nothing written."""

import pytest

from gnapp.db import connection, schema, sites
from gnapp.db import households as hh
from gnapp.domain.cancel import Cancelled
from gnapp.sync import export, importer
from gnapp.sync import package as pkg
from tests.conftest import COMMUNE
from tests.sync.conftest import register_two_households
from tests.sync.test_faults import _rebuild, stored
from tests.sync.test_round_trip import owned_rows


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of two records, so that even a small package spans several."""
    monkeypatch.setattr(importer, "BATCH", 2)
    monkeypatch.setattr(importer._batches, "__defaults__", (2,))


# The rows of the first package: a village, two households, their members and events.
NEW_ROWS = {"admin_unit": 1, "household": 2, "member": 3, "household_event": 2}


def _first_package(commune, outbox):
    register_two_households(commune)
    result = export.export_package(commune, outbox)
    return result.paths[0], sites.local_site(commune).fingerprint


def test_batches_give_the_same_rows_counts_and_index(commune, office, outbox, small_batches):
    path, fingerprint = _first_package(commune, outbox)
    [report] = importer.import_files(office, [path], trust=[fingerprint])
    assert report.status == "applied"
    assert report.tables == {"new": NEW_ROWS} and not report.rows
    assert owned_rows(office, COMMUNE) == owned_rows(commune, COMMUNE)
    # the household index is built once at the end of the package, as each edit builds it
    index = "SELECT code, head_name, head_key, members, search, errors FROM household_index " \
            "ORDER BY code"
    assert office.execute(index).fetchall() == commune.execute(index).fetchall()


def test_a_bad_line_in_a_later_batch_leaves_nothing_written(commune, office, outbox,
                                                             small_batches):
    path, fingerprint = _first_package(commune, outbox)
    package = pkg.read_file(path)
    lines = package.payload.splitlines()
    payload = b"\n".join(lines[:-1] + [b'{"table": "member", "id": '])  # cut short
    broken = pkg.Package(package.file, package.manifest, package.manifest_bytes,
                         package.signature, payload)
    before = stored(office)
    importer.verify(office, broken, trust=[fingerprint])  # the key is confirmed on its own
    confirmed = stored(office)
    report = importer.import_package(office, broken)
    assert report.status == "refused"
    assert report.reason == f"dòng {len(lines)} của dữ liệu gói không đọc được."
    assert stored(office) == confirmed and confirmed["household"] == before["household"]


def test_a_foreign_key_fault_in_a_later_batch_rolls_back_every_batch(commune, office, outbox,
                                                                    small_batches):
    path, fingerprint = _first_package(commune, outbox)
    package = pkg.read_file(path)
    records = pkg.decode_records(path.name, package.payload)
    member = next(r for r in reversed(records) if r.get("table") == "member")
    member["row"]["household_id"] = "01900000-0000-7000-8000-000000000000"  # no such household
    path.write_bytes(_rebuild(commune, records=records, base=package))
    before = stored(office)
    [report] = importer.import_files(office, [path], trust=[fingerprint])
    assert report.status == "refused" and "không nhất quán" in report.reason
    after = stored(office)
    assert {k: v for k, v in after.items() if k != "site"} == \
        {k: v for k, v in before.items() if k != "site"}
    assert office.execute("SELECT count(*) FROM household_index").fetchone()[0] == 0


def test_a_damaged_package_is_refused_at_its_turn_while_the_others_apply(
        commune, office, outbox, tmp_path):
    path, fingerprint = _first_package(commune, outbox)
    w = sites.writer(commune)
    head = hh.members(commune, hh.find_by_code(commune, "01-0001", COMMUNE)["id"])[0]
    hh.update_member(w, head["id"], {"ethnicity": "Nùng"})
    second = export.export_package(commune, outbox).paths[0]
    hh.update_member(w, head["id"], {"ethnicity": "Tày"})
    third = export.export_package(commune, outbox).paths[0]
    data = bytearray(second.read_bytes())
    at = data.find(b"payload.jsonl") + 60  # inside the compressed payload
    data[at:at + 8] = b"\0" * 8
    second.write_bytes(bytes(data))
    reports = importer.import_files(office, [third, second, path], trust=[fingerprint])
    assert [r.status for r in reports] == ["applied", "refused", "held"]
    assert reports[1].file == second.name
    assert hh.members(office, head["household_id"])[0]["ethnicity"] == head["ethnicity"]


def test_every_foreign_key_column_is_indexed(office):
    """SQLite looks children up by their key column while deferred keys are pending."""
    tables = [r[0] for r in office.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%'")]
    missing = []
    for table in tables:
        first = {office.execute(f"PRAGMA index_info({index[1]})").fetchone()[2]
                 for index in office.execute(f"PRAGMA index_list({table})")}
        missing += [f"{table}.{fk[3]}" for fk in office.execute(
            f"PRAGMA foreign_key_list({table})") if fk[3] not in first]
    assert missing == ["site.replaces"]  # the sites of an office: a handful of rows


def test_an_import_keeps_more_pages_in_memory_and_gives_them_back(commune, office, outbox,
                                                                 monkeypatch):
    path, fingerprint = _first_package(commune, outbox)
    before = office.execute("PRAGMA cache_size").fetchone()[0]
    during = []
    apply = importer.apply

    def watched(db, *args, **kwargs):
        during.append(db.execute("PRAGMA cache_size").fetchone()[0])
        return apply(db, *args, **kwargs)
    monkeypatch.setattr(importer, "apply", watched)
    assert importer.import_files(office, [path], trust=[fingerprint])[0].status == "applied"
    assert during == [-1024 * importer.IMPORT_CACHE_MB]
    assert office.execute("PRAGMA cache_size").fetchone()[0] == before
    # an import that fails on the way gives them back too
    monkeypatch.setattr(importer, "apply", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        importer.import_files(office, [export.export_package(commune, outbox / "next",
                                                             force=True).paths[0]])
    assert office.execute("PRAGMA cache_size").fetchone()[0] == before


def spread_indexes(db):
    return {name: sql for name, sql in db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (?, ?)",
        list(schema.SPREAD_INDEXES))}


def test_the_spread_indexes_are_those_the_migrations_made(office):
    assert spread_indexes(office) == schema.SPREAD_INDEXES


@pytest.mark.parametrize("bulk", [False, True])
def test_a_large_batch_builds_the_list_indexes_once_at_its_end(commune, office, outbox,
                                                               monkeypatch, bulk):
    path, fingerprint = _first_package(commune, outbox)
    if bulk:        # two households make a large batch
        monkeypatch.setattr(importer, "BULK_HOUSEHOLDS", 2)
    seen = []
    [report] = importer.import_files(office, [path], trust=[fingerprint],
                                     progress=lambda *_: seen.append(set(spread_indexes(office))))
    assert report.status == "applied"
    assert seen and all(s == (set() if bulk else set(schema.SPREAD_INDEXES)) for s in seen)
    assert spread_indexes(office) == schema.SPREAD_INDEXES
    lines = [(h["code"], h["head_name"]) for h in hh.list_households(office, status=None)]
    assert lines == [(h["code"], h["head_name"]) for h in hh.list_households(commune,
                                                                              status=None)]
    assert [c for c, _ in lines] == ["01-0001", "01-0002"]     # by the given name: Đức, Mai


def test_a_batch_cut_short_leaves_the_list_indexes_in_place(commune, office, outbox,
                                                            monkeypatch, tmp_path):
    path, fingerprint = _first_package(commune, outbox)
    monkeypatch.setattr(importer, "BULK_HOUSEHOLDS", 2)

    def cancel(done, total, file):
        raise Cancelled()

    with pytest.raises(Cancelled):
        importer.import_files(office, [path], trust=[fingerprint], progress=cancel)
    assert spread_indexes(office) == schema.SPREAD_INDEXES
    assert office.execute("SELECT count(*) FROM household").fetchone()[0] == 0
    # a batch the process did not live to finish: the next start builds them again
    for name in schema.SPREAD_INDEXES:
        office.execute(f"DROP INDEX {name}")
    copy = tmp_path / "after-crash.sqlite"
    office.execute("VACUUM INTO ?", [str(copy)])
    assert spread_indexes(connection.connect(copy)) == schema.SPREAD_INDEXES


def test_a_batch_inside_a_batch_leaves_the_indexes_to_the_outer_one(office):
    with schema.without_spread_indexes(office):
        with schema.without_spread_indexes(office):
            pass
        assert spread_indexes(office) == {}
    assert spread_indexes(office) == schema.SPREAD_INDEXES
