"""Progress with "Hủy" on long tasks: the core functions report progress and stop on
``Cancelled`` with nothing written; the task manager carries progress to the GUI thread in
order; the pages show it and say "Đã hủy. Không có gì thay đổi."."""

import shutil
import threading
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt

from gnapp.db import connection, documents, sites
from gnapp.db import household_import as imp
from gnapp.db import units
from gnapp.domain.cancel import CANCELLED_MESSAGE, Cancelled
from gnapp.sync import export, importer, ledger
from gnapp.ui.tasks import TaskManager, TaskProgress
from gnapp.ui.widgets import ProgressDialog
from tests.conftest import PROVINCE, _template

TABLES = ("change_log", "audit_log", "household", "member", "package_ledger", "conflict",
          "household_review", "admin_unit")
NATIONAL = Path(__file__).resolve().parent.parent / "fixtures" / "import" / "national.json"


def counts(db):
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def cancel_on_call(n, seen):
    """A progress callable that records its calls and raises ``Cancelled`` at the n-th."""
    def progress(done, total, label):
        seen.append((done, total, label))
        if len(seen) == n:
            raise Cancelled()
    return progress


@pytest.fixture(scope="session")
def _office_template(tmp_path_factory):
    return _template(tmp_path_factory.mktemp("comfort-office"), lambda db: sites.init_site(
        db, PROVINCE, "office", user="sonv", user_full_name="Trần Văn Sơn"))


@pytest.fixture
def office_db(_office_template, tmp_path):
    path = tmp_path / "office.sqlite"
    shutil.copy(_office_template, path)
    db = connection.connect(path)
    yield db
    db.close()


@pytest.fixture
def register_package(register_db, tmp_path):
    """The first package of the commune with 250 households, and its sender's fingerprint."""
    out = tmp_path / "usb"
    result = export.export_package(register_db, out)
    return result.paths[0], sites.local_site(register_db).fingerprint


# -- the core functions ---------------------------------------------------------------------------

def test_a_package_import_cancelled_midway_leaves_the_office_unchanged(office_db,
                                                                      register_package):
    path, fingerprint = register_package
    before = counts(office_db)
    seen = []
    with pytest.raises(Cancelled):
        importer.import_files(office_db, [path], trust=[fingerprint],
                              progress=cancel_on_call(2, seen))
    # the rows of the batch had been written when the second report came; all rolled back
    assert seen[0][0] == 0 and seen[1][0] == seen[1][1] > 0
    assert counts(office_db) == before
    assert ledger.rows(office_db, "direction = 'in'") == []
    # and the same package then imports in full, reporting in order
    seen.clear()
    reports = importer.import_files(office_db, [path], trust=[fingerprint],
                                    progress=lambda *step: seen.append(step))
    assert [r.status for r in reports] == ["applied"]
    assert [done for done, _, _ in seen] == sorted(done for done, _, _ in seen)
    assert counts(office_db)["household"] == 250


def test_an_export_cancelled_writes_no_file_and_no_ledger_row(register_db, tmp_path):
    before = counts(register_db)
    out = tmp_path / "usb"
    seen = []
    with pytest.raises(Cancelled):
        export.export_package(register_db, out, progress=cancel_on_call(3, seen))
    assert [step for step, _, _ in seen] == [0, 1, 2]
    assert list(out.iterdir()) == []
    assert counts(register_db) == before
    assert export.export_package(register_db, out).package_no == 1


def test_a_household_import_cancelled_midway_writes_nothing(site_db, writer):
    units.add_village(writer, "Thôn Đồng Tâm")
    units.add_village(writer, "Thôn Hòa Bình")
    plan = imp.plan_import(site_db, NATIONAL)
    before = counts(site_db)
    seen = []
    with pytest.raises(Cancelled):
        imp.apply_import(site_db, plan, writer, progress=cancel_on_call(2, seen))
    assert counts(site_db) == before
    assert seen[-1][0] == seen[-1][1] > 0          # every row had been written
    assert imp.apply_import(site_db, plan, writer).result["households_added"] == 6


def test_cancelled_says_nothing_changed():
    assert str(Cancelled()) == CANCELLED_MESSAGE == "Đã hủy. Không có gì thay đổi."


# -- the task manager -------------------------------------------------------------------------------

@pytest.fixture
def manager(register_path, qtbot):
    tasks = TaskManager(register_path)
    yield tasks
    tasks.close()


def test_progress_reaches_the_gui_thread_in_order(manager, qtbot):
    seen, results = [], []

    def task(db, progress):
        for n in range(5):
            progress(n, 5, f"bước {n + 1}")
        return "xong"

    progress = manager.run_with_progress(task, results.append, dialog=False)
    progress.changed.connect(lambda *step: seen.append(step))
    qtbot.waitUntil(lambda: results == ["xong"])
    assert seen == [(n, 5, f"bước {n + 1}") for n in range(5)]


def test_cancel_in_the_dialog_rolls_the_task_back(manager, register_db, qtbot, shown_errors):
    gate = threading.Event()
    manager.run(lambda db: gate.wait(10))          # hold the worker until "Hủy" is pressed
    before = counts(register_db)
    writer_calls = []

    def task(db, progress):
        w = sites.writer(db)

        def write(w):
            for n in range(3):
                units.add_village(w, f"Thôn Mới {n}")
                writer_calls.append(n)
                progress(n + 1, 3, "Đang ghi")
        return w.transact(write)

    progress = manager.run_with_progress(task, label="Đang thêm thôn…")
    dialog = progress.dialog
    assert isinstance(dialog, ProgressDialog)
    dialog.show()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert progress.cancelled and not dialog.cancel_button.isEnabled()
    assert dialog.step_label.text() == ProgressDialog.CANCELLING
    gate.set()
    qtbot.waitUntil(lambda: len(shown_errors) == 1)
    assert isinstance(shown_errors[0], Cancelled)
    assert writer_calls == [0]                       # stopped at its first report
    assert counts(register_db) == before
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()


def test_esc_in_the_progress_dialog_cancels(qtbot):
    progress = TaskProgress()
    dialog = ProgressDialog(progress, "Đang nhận gói…")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert progress.cancelled and dialog.isVisible()   # stays until the task stops
    with pytest.raises(Cancelled):
        progress(1, 2, "gói 1")
    progress.finished.emit()
    assert not dialog.isVisible()


def test_the_dialog_is_busy_until_a_total_is_known(qtbot):
    progress = TaskProgress()
    dialog = ProgressDialog(progress, "Đang lập biểu…")
    qtbot.addWidget(dialog)
    assert (dialog.bar.minimum(), dialog.bar.maximum()) == (0, 0)
    dialog.set_progress(3, 10, "Đang ghi các hộ")
    assert (dialog.bar.maximum(), dialog.bar.value()) == (10, 3)
    assert dialog.step_label.text() == "Đang ghi các hộ"


# -- the pages --------------------------------------------------------------------------------------

def test_cancelling_a_report_writes_no_file_and_records_no_copy(make_window, demo_path, qtbot,
                                                                tmp_path, monkeypatch):
    window = make_window(demo_path)
    window.show_area("Báo cáo")
    page = window.reports_page
    name = next(n for n, s in __import__("gnapp.forms.catalog", fromlist=["x"]).REPORTS.items()
                if s.recorded and ".pdf" in s.formats and "household" not in s.options)
    page.select_form(name)
    out = tmp_path / "bao-cao.pdf"
    monkeypatch.setattr(page, "ask_save_path", lambda suffix: out)
    copies_before = len(documents.printed_copies(page._db))
    gate = threading.Event()
    page.tasks.run(lambda db: gate.wait(10))
    page.save_current(".pdf")
    assert page.cancel_button.isVisibleTo(page) and page.cancel_button.isEnabled()
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    gate.set()
    qtbot.waitUntil(lambda: not page.progress.isVisible())
    assert page.status_label.text() == CANCELLED_MESSAGE
    assert not out.exists()
    assert len(documents.printed_copies(page._db)) == copies_before
    assert not page.cancel_button.isVisibleTo(page)


def test_cancelling_an_export_on_the_sync_page(make_window, register_path, qtbot, tmp_path,
                                               monkeypatch):
    window = make_window(register_path)
    window.show_area("Đồng bộ")
    page = window.sync_page
    usb = tmp_path / "usb"
    monkeypatch.setattr(page, "ask_folder", lambda title: usb)
    gate = threading.Event()
    page.tasks.run(lambda db: gate.wait(10))
    page.export_to_folder()
    assert page.stop_button.isVisibleTo(page) and page.stop_button.text() == "Hủy"
    qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    assert page.progress_label.text() == "Đang hủy…"
    gate.set()
    qtbot.waitUntil(lambda: not page.progress_box.isVisibleTo(page))
    assert page.result_label.text() == CANCELLED_MESSAGE
    assert not usb.exists() or list(usb.iterdir()) == []
    assert export.sent_packages(page._db) == []
