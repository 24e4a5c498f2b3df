"""The task manager: one worker thread owning the connection, results through a signal."""

import sqlite3
import threading

import pytest
from PySide6.QtWidgets import QMessageBox

from gnapp.domain.errors import InputError
from gnapp.ui import tasks as ui_tasks
from gnapp.ui.tasks import TaskManager, show_error


@pytest.fixture
def tasks(site_path):
    manager = TaskManager(site_path)
    yield manager
    manager.close()


def test_task_runs_on_the_worker_and_reports_on_the_gui_thread(qtbot, tasks):
    seen = {}

    def task(db):
        seen["task_thread"] = threading.current_thread()
        return db.execute("SELECT unit_code FROM site WHERE is_local = 1").fetchone()[0]

    def done(result):
        seen["result"] = result
        seen["done_thread"] = threading.current_thread()

    tasks.run(task, done)
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen["result"] == "07339"
    assert seen["task_thread"] is not threading.main_thread()
    assert seen["task_thread"].name.startswith("gnapp-db")
    assert seen["done_thread"] is threading.main_thread()


def test_tasks_run_in_order_on_one_connection_and_one_thread(qtbot, tasks):
    results = []
    for i in range(5):
        tasks.run(lambda db, i=i: (i, id(db), threading.get_ident()), results.append)
    qtbot.waitUntil(lambda: len(results) == 5)
    assert [r[0] for r in results] == [0, 1, 2, 3, 4]
    assert len({r[1] for r in results}) == 1
    assert len({r[2] for r in results}) == 1


def test_busy_while_tasks_are_pending(qtbot, tasks):
    states = []
    tasks.busy_changed.connect(states.append)
    gate = threading.Event()
    tasks.run(lambda db: gate.wait(5))
    tasks.run(lambda db: None)
    assert tasks.busy
    gate.set()
    qtbot.waitUntil(lambda: not tasks.busy)
    assert states == [True, False]


def test_failure_goes_to_the_handler_given(qtbot, tasks):
    failures = []
    tasks.run(lambda db: 1 / 0, lambda r: pytest.fail("no success"), failures.append)
    qtbot.waitUntil(lambda: len(failures) > 0)
    assert isinstance(failures[0], ZeroDivisionError)


def test_failure_without_handler_shows_the_standard_error(qtbot, tasks, monkeypatch):
    shown = []
    monkeypatch.setattr(ui_tasks, "show_error", lambda parent, exc: shown.append(exc))

    def bad(db):
        raise InputError("Mã xã không hợp lệ.")

    tasks.run(bad)
    qtbot.waitUntil(lambda: len(shown) > 0)
    assert str(shown[0]) == "Mã xã không hợp lệ."


def test_show_error_warns_with_the_message_of_a_gnapp_error(qapp, monkeypatch):
    calls = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: calls.append(
        (box.icon(), box.text(), [b.text() for b in box.buttons()])))
    show_error(None, InputError("Chưa nhập họ tên.", field="Họ và tên"))
    assert calls == [(QMessageBox.Icon.Warning, "Trường «Họ và tên»: Chưa nhập họ tên.",
                      ["Đóng"])]


def test_show_error_shows_a_traceback_for_unexpected_errors(qapp, monkeypatch):
    boxes = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: boxes.append(
        (box.icon(), box.text(), box.detailedText(), sorted(b.text() for b in box.buttons()))))
    try:
        {}["khong-co"]
    except KeyError as exc:
        show_error(None, exc)
    [(icon, text, details, buttons)] = boxes
    assert buttons == ["Xem chi tiết…", "Đóng"]
    assert icon == QMessageBox.Icon.Critical
    assert text.startswith("Đã xảy ra lỗi không mong muốn.")
    assert "Traceback" in details and "KeyError: 'khong-co'" in details


def test_run_without_db_closes_the_worker_connection_first(qtbot, tasks):
    dbs = []
    tasks.run(dbs.append)
    seen = []
    tasks.run_without_db(lambda: seen.append(tasks._worker_db))
    tasks.run(dbs.append)
    qtbot.waitUntil(lambda: len(dbs) == 2)
    assert seen == [None]
    assert dbs[0] is not dbs[1]
    with pytest.raises(sqlite3.ProgrammingError):
        dbs[0].execute("SELECT 1")


def test_call_waits_for_the_result(tasks):
    assert tasks.call(lambda db: db.execute("SELECT 41 + 1").fetchone()[0]) == 42


def test_close_closes_the_connection_and_stops_the_worker(qtbot, site_path):
    manager = TaskManager(site_path)
    dbs = []
    manager.run(dbs.append)
    manager.close(wait=True)
    assert manager.closed
    assert len(dbs) == 1
    with pytest.raises(sqlite3.ProgrammingError):
        dbs[0].execute("SELECT 1")
    with pytest.raises(RuntimeError):
        manager.run(lambda db: None)
    manager.close()         # twice is harmless


def test_database_errors_in_the_worker_are_reported(qtbot, tmp_path):
    not_gnapp = tmp_path / "other.sqlite"
    conn = sqlite3.connect(not_gnapp)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    manager = TaskManager(not_gnapp)
    failures = []
    manager.run(lambda db: None, on_failure=failures.append)
    qtbot.waitUntil(lambda: len(failures) > 0)
    assert "không phải cơ sở dữ liệu của gnapp" in str(failures[0])
    manager.close()


def test_a_background_read_does_not_hold_up_the_worker(qtbot, tasks):
    """The full check after start reads for minutes on a province office's file: the user's
    tasks run meanwhile, and the manager is not busy because of it."""
    release = threading.Event()
    seen = {}

    def long_read(db):
        seen["thread"] = threading.current_thread().name
        release.wait(10)
        return db.execute("SELECT count(*) FROM site").fetchone()[0]

    tasks.run_in_background(long_read, lambda n: seen.setdefault("sites", n))
    qtbot.waitUntil(lambda: "thread" in seen)
    assert not tasks.busy
    tasks.run(lambda db: db.execute("SELECT unit_code FROM site").fetchone()[0],
              lambda code: seen.setdefault("worker", code))
    qtbot.waitUntil(lambda: "worker" in seen)      # while the background read still waits
    assert seen["worker"] == "07339" and "sites" not in seen
    release.set()
    qtbot.waitUntil(lambda: "sites" in seen)
    assert seen["sites"] == 1 and seen["thread"].startswith("gnapp-bg")


def test_closing_interrupts_a_background_read(qtbot, site_path):
    manager = TaskManager(site_path)
    started, failures = threading.Event(), []

    def endless(db):
        started.set()
        # a query that would run for ever unless interrupted
        return db.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                          "SELECT count(*) FROM n").fetchone()

    future = manager.run_in_background(endless, on_failure=failures.append)
    assert started.wait(10)
    manager.close()
    assert isinstance(future.exception(timeout=10), sqlite3.OperationalError)
    assert failures == []          # nothing is shown after closing


def test_replacing_the_file_stops_a_background_read_and_drops_its_result(qtbot, tasks):
    started, results, failures = threading.Event(), [], []

    def endless(db):
        started.set()
        return db.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                          "SELECT count(*) FROM n").fetchone()

    future = tasks.run_in_background(endless, results.append, failures.append)
    assert started.wait(10)
    replaced = []
    tasks.run_without_db(lambda: "restored", replaced.append)
    qtbot.waitUntil(lambda: replaced == ["restored"])
    assert isinstance(future.exception(timeout=10), sqlite3.OperationalError)
    qtbot.wait(50)
    assert results == [] and failures == []
    tasks.run_in_background(lambda db: 42, results.append)     # later reads run as before
    qtbot.waitUntil(lambda: results == [42])


def test_closing_interrupts_a_statement_that_calls_no_progress_handler(qtbot, site_path):
    """SQLite calls no progress handler inside most of PRAGMA quick_check / integrity_check
    (the full check at start reads a province office's 7 GB file for minutes): closing
    interrupts the statement itself."""
    manager = TaskManager(site_path)
    started = threading.Event()

    def check(db):
        db.conn.set_progress_handler(None, 0)     # as inside an integrity check
        started.set()
        return db.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                          "WHERE i < 100000000) SELECT count(*) FROM n").fetchone()

    future = manager.run_in_background(check)
    assert started.wait(10)
    threading.Event().wait(0.1)               # the statement is running
    manager.close()
    assert "interrupt" in str(future.exception(timeout=30))
