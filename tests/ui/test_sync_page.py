"""The "Đồng bộ" area over real databases: a commune (two PCs) and its provincial office, each
in its own main window, exchanging real package files through a folder (the USB stick)."""

import shutil
import threading
from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from gnapp.db import connection, schema, settings, sites
from gnapp.db import households as hh
from gnapp.sync import conflicts, console, export, importer
from gnapp.ui.sync_page import ImportReportDialog, SnapshotDialog, SyncPage
from tests.conftest import COMMUNE, PROVINCE, _template
from tests.forms.readback import pdf_fonts, pdf_text
from tests.sync.conftest import register_two_households


@pytest.fixture(scope="session")
def _office_ui_template(tmp_path_factory):
    return _template(tmp_path_factory.mktemp("office-ui"), lambda db: sites.init_site(
        db, PROVINCE, "office", user="sonv", user_full_name="Trần Văn Sơn"))


@pytest.fixture(scope="session")
def _pc2_ui_template(tmp_path_factory):
    return _template(tmp_path_factory.mktemp("pc2-ui"), lambda db: sites.init_site(
        db, COMMUNE, "commune", user="canbo2", user_full_name="Lê Văn Bình"))


@pytest.fixture
def office_path(_office_ui_template, tmp_path):
    path = tmp_path / "office.sqlite"
    shutil.copy(_office_ui_template, path)
    return path


@pytest.fixture
def pc2_path(_pc2_ui_template, tmp_path):
    path = tmp_path / "pc2.sqlite"
    shutil.copy(_pc2_ui_template, path)
    return path


@pytest.fixture
def usb(tmp_path):
    path = tmp_path / "usb"
    path.mkdir()
    return path


class Db:
    """A connection opened for one step of a test and closed after it."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        self.db = connection.connect(self.path)
        return self.db

    def __exit__(self, *exc):
        self.db.close()


def sync_page(window) -> SyncPage:
    window.show_area("Đồng bộ")
    page = window.pages["Đồng bộ"]
    assert isinstance(page, SyncPage) and window.stack.currentWidget() is page
    return page


def table_texts(table):
    return [[table.item(r, c).text() if table.item(r, c) else "" for c in
             range(table.columnCount())] for r in range(table.rowCount())]


def fingerprint_of(path) -> str:
    with Db(path) as db:
        return sites.local_site(db).fingerprint


def send(source_path, target_path, folder, **kw):
    """A package from one database to another through the sync functions (setting up)."""
    with Db(source_path) as source, Db(target_path) as target:
        result = export.export_package(source, folder, **kw)
        fingerprint = sites.local_site(source).fingerprint
        return importer.import_files(target, result.paths, trust=[fingerprint])


# -- commune → office → commune ----------------------------------------------------------------

def test_commune_exports_office_imports_the_folder_and_confirms_the_sender(
        make_window, site_path, office_path, usb, qtbot, monkeypatch, tmp_path, shown_errors):
    with Db(site_path) as db:
        register_two_households(db)
    commune_window = make_window(site_path)
    page = sync_page(commune_window)
    assert page.export_button.isVisibleTo(page) and page.commune_box.isVisibleTo(page)
    assert not page.office_box.isVisibleTo(page)
    assert not page.import_folder_button.isVisibleTo(page)
    commune_fp = fingerprint_of(site_path)
    assert commune_fp in page.fingerprint_label.text()
    assert "Gói đầu tiên sẽ gửi Tỉnh Bắc Ninh (24)" in page.stream_label.text()

    asked = []
    monkeypatch.setattr(page, "ask_folder", lambda title: asked.append(title) or usb)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.sent_table.rowCount() == 1)
    assert asked == ["Chọn thư mục hoặc ổ USB để ghi gói đồng bộ"]
    package = usb / f"{COMMUNE}_{PROVINCE}_00001.gnsync"
    assert package.exists()
    [sent] = table_texts(page.sent_table)
    assert (sent[0], sent[1], sent[2], sent[4], sent[5]) == (
        "Tỉnh Bắc Ninh", "1", "thay đổi", "8", "đã gửi")
    assert "Đã tạo gói số 1 gửi 24" in page.result_label.text()
    assert str(package) in page.result_label.text()
    assert "đã gửi đến gói số 1; nơi nhận xác nhận đã nhận đến gói số 0" in \
        page.stream_label.text()
    assert not page.progress_box.isVisible()

    # the office imports the whole folder; the commune's PC is not known there yet
    office_window = make_window(office_path)
    office = sync_page(office_window)
    assert office.office_box.isVisibleTo(office) and not office.commune_box.isVisibleTo(office)
    assert office.console_row(COMMUNE)[office.C_STATE] == "Chưa nhận gói nào"
    monkeypatch.setattr(office, "ask_folder", lambda title: usb)
    qtbot.mouseClick(office.import_folder_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: office.report_dialog is not None and office.report_dialog.isVisible())
    dialog = office.report_dialog
    assert "chờ xác nhận máy gửi" in dialog.text()
    assert commune_fp in dialog.text()
    assert list(dialog.trust_buttons) == [commune_fp]
    row = office.console_row(COMMUNE)
    assert row[office.C_STATE] == "Chờ xác nhận máy gửi"
    assert row[office.C_LAST] == "1" and row[office.C_UPTO] == "0"
    assert row[office.C_WAITING] == "chờ xác nhận máy gửi (gói số 1)"
    office.select_unit(COMMUNE)
    assert office.trust_button.isEnabled()
    with Db(office_path) as db:
        assert hh.list_households(db) == []

    # the person compares the fingerprint by phone: first says no, then yes
    answers = [False, True]
    confirmed = []

    def confirm(self, fingerprint, sender):
        confirmed.append((fingerprint, sender))
        return answers.pop(0)

    monkeypatch.setattr(ImportReportDialog, "confirm_trust", confirm)
    qtbot.mouseClick(dialog.trust_buttons[commune_fp], Qt.MouseButton.LeftButton)
    qtbot.wait(50)
    assert office.console_row(COMMUNE)[office.C_UPTO] == "0"
    qtbot.mouseClick(dialog.trust_buttons[commune_fp], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: office.console_row(COMMUNE)[office.C_UPTO] == "1")
    assert [fp for fp, _ in confirmed] == [commune_fp, commune_fp]
    assert f"({COMMUNE})" in confirmed[0][1]
    row = office.console_row(COMMUNE)
    assert row[office.C_STATE] == "Đã nhận đủ" and row[office.C_WAITING] == ""
    assert "hôm nay" in row[office.C_RECEIVED]
    assert "Mới: 8 (" in dialog.text() and "thành viên hộ 3" in dialog.text()
    assert "chờ xác nhận" not in dialog.text().lower() and dialog.trust_buttons == {}
    assert "Đã xác nhận máy gửi" in dialog.message_label.text()
    assert "1 đơn vị đã gửi gói" in office.summary_label.text()
    with Db(office_path) as db:
        assert [h["code"] for h in hh.list_households(db)] == ["01-0001", "01-0002"]

    # drill-down: the packages of the chosen commune and the stored import report
    office.select_unit(COMMUNE)
    [received] = table_texts(office.received_table)
    assert received[0] == "1" and received[5] == "đã nhận"
    assert "mới 8" in received[6]
    office.received_table.selectRow(0)
    stored = office.open_selected_report()
    assert "Gói số 1 của 07339" in stored.text() and "Mới: 8" in stored.text()

    # the report saved as PDF (fonts embedded)
    out = tmp_path / "bao-cao-nhan-goi.pdf"
    monkeypatch.setattr(stored, "ask_save_path", lambda suggested: out)
    qtbot.mouseClick(stored.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: stored.saved_path == out)
    text = pdf_text(out)
    assert "BÁO CÁO NHẬN GÓI ĐỒNG BỘ" in text and "Mới: 8" in text
    assert "TỈNH BẮC NINH" in text
    assert pdf_fonts(out) <= {"LiberationSerif", "LiberationSerif-Bold",
                              "LiberationSerif-Italic", "LiberationSerif-BoldItalic"}

    # the office sends its acknowledgement; the commune imports it and confirms the office
    down = tmp_path / "down"
    down.mkdir()
    monkeypatch.setattr(office, "ask_folder", lambda title: down)
    office.select_unit(COMMUNE)
    qtbot.mouseClick(office.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Đã tạo gói số 1 gửi 07339" in office.result_label.text())
    ack = down / f"{PROVINCE}_{COMMUNE}_00001.gnsync"
    assert ack.exists()

    monkeypatch.setattr(page, "ask_package_files", lambda: [ack])
    commune_window.show_area("Đồng bộ")
    assert page.import_button.text() == "Nhận gói từ cấp trên…"
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.report_dialog is not None and page.report_dialog.isVisible())
    office_fp = fingerprint_of(office_path)
    assert list(page.report_dialog.trust_buttons) == [office_fp]
    answers.append(True)
    qtbot.mouseClick(page.report_dialog.trust_buttons[office_fp], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: table_texts(page.sent_table)[0][5] == "đã được xác nhận")
    assert "Đơn vị gửi xác nhận đã nhận đến gói số 1" in page.report_dialog.text()
    assert "nơi nhận xác nhận đã nhận đến gói số 1" in page.stream_label.text()
    assert table_texts(page.sent_table)[0][6] == "nhận đủ, không có dòng bị từ chối"
    [from_office] = table_texts(page.commune_received_table)
    assert from_office[0] == "1" and from_office[5] == "đã nhận"
    assert not shown_errors


def test_nothing_new_makes_no_package_and_says_so(make_window, site_path, usb, qtbot,
                                                   monkeypatch):
    with Db(site_path) as db:
        register_two_households(db)
        export.export_package(db, usb)
    page = sync_page(make_window(site_path))
    monkeypatch.setattr(page, "ask_folder", lambda title: usb)
    page.export_to_folder()
    qtbot.waitUntil(lambda: "Không có thay đổi mới kể từ gói số 1" in page.result_label.text())
    assert len(list(usb.iterdir())) == 1 and page.sent_table.rowCount() == 1


def test_encryption_without_the_office_key_is_refused_in_vietnamese(make_window, site_path,
                                                                    usb, qtbot, monkeypatch,
                                                                    shown_errors):
    with Db(site_path) as db:
        register_two_households(db)
    page = sync_page(make_window(site_path))
    monkeypatch.setattr(page, "ask_folder", lambda title: usb)
    page.encrypt_check.setChecked(True)
    page.export_to_folder()
    qtbot.waitUntil(lambda: "Chưa có khóa mã hóa của đơn vị 24" in page.result_label.text())
    assert list(usb.iterdir()) == [] and page.sent_table.rowCount() == 0
    assert not shown_errors and page.export_button.isEnabled()


# -- the office console: progress, stop, gaps ---------------------------------------------------

def three_packages(site_path, usb):
    """Three packages of the commune in the folder (register, then two edits)."""
    with Db(site_path) as db:
        register_two_households(db)
        export.export_package(db, usb)
        w = sites.writer(db)
        head = hh.members(db, hh.find_by_code(db, "01-0001", COMMUNE)["id"])[0]
        for name in ("Nguyễn Văn Đức Anh", "Nguyễn Văn Đức Minh"):
            hh.update_member(w, head["id"], {"full_name": name})
            export.export_package(db, usb)
        return sites.local_site(db).fingerprint


def test_a_folder_imports_with_progress_in_stream_order(make_window, site_path, office_path,
                                                       usb, qtbot):
    fingerprint = three_packages(site_path, usb)
    first = usb / f"{COMMUNE}_{PROVINCE}_00001.gnsync"
    with Db(office_path) as db:   # package 1 came earlier and its sender was confirmed
        importer.import_files(db, [first], trust=[fingerprint])
    office = sync_page(make_window(office_path))
    steps = []
    gate = threading.Event()
    office.tasks.run(lambda db: gate.wait(10))        # hold the worker until we listen
    office.import_paths(sorted(usb.iterdir(), reverse=True))
    office.progress.changed.connect(lambda done, total, name: steps.append((done, total, name)))
    assert office.progress_box.isVisibleTo(office) and not office.import_button.isEnabled()
    gate.set()
    qtbot.waitUntil(lambda: office.report_dialog is not None)
    assert not office.progress_box.isVisibleTo(office) and office.import_button.isEnabled()
    names = sorted(p.name for p in usb.iterdir())
    assert steps == [(0, 3, names[0]), (1, 3, names[1]), (2, 3, names[2]), (3, 3, "")]
    # whatever order the files were given in, the stream applies 2 then 3, nothing held
    text = office.report_dialog.text()
    assert "3 gói: 1 đã nhận trước đó, 2 đã nhận." in text
    assert "chờ gói số" not in text
    assert office.console_row(COMMUNE)[office.C_UPTO] == "3"


def test_a_missing_package_shows_and_the_console_confirms_the_sender(
        make_window, site_path, office_path, usb, qtbot, monkeypatch, tmp_path):
    fingerprint = three_packages(site_path, usb)
    first = usb / f"{COMMUNE}_{PROVINCE}_00001.gnsync"
    shutil.move(first, tmp_path / first.name)            # package 1 is late
    office = sync_page(make_window(office_path))
    office.import_paths(sorted(usb.iterdir()))
    qtbot.waitUntil(lambda: office.report_dialog is not None)
    office.select_unit(COMMUNE)
    asked = []
    monkeypatch.setattr(office, "confirm_trust", lambda fp, sender: asked.append(fp) or True)
    qtbot.mouseClick(office.trust_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: office.console_row(COMMUNE)[office.C_STATE] == "Thiếu gói")
    assert asked == [fingerprint]
    row = office.console_row(COMMUNE)
    assert (row[office.C_WAITING], row[office.C_UPTO], row[office.C_LAST]) == (
        "chờ gói số 1", "0", "3")
    assert "chờ gói số 1" in office.report_dialog.text()

    office.import_paths([tmp_path / first.name])
    qtbot.waitUntil(lambda: office.console_row(COMMUNE)[office.C_UPTO] == "3")
    assert office.console_row(COMMUNE)[office.C_STATE] == "Đã nhận đủ"
    # package 1 applied, then 2 and 3 released from the hold
    assert "3 gói: 3 đã nhận." in office.report_dialog.text()


def test_many_households_from_the_page_are_merged_in_bulk(make_window, site_path, office_path,
                                                          usb, qtbot, monkeypatch):
    """The page imports package by package (to stop between two), inside one batch: with
    many households the list indexes are built once, after the last package."""
    fingerprint = three_packages(site_path, usb)
    with Db(office_path) as db:       # the sender was confirmed with package 1
        importer.import_files(db, [usb / f"{COMMUNE}_{PROVINCE}_00001.gnsync"],
                              trust=[fingerprint])
    monkeypatch.setattr(importer, "BULK_HOUSEHOLDS", 2)     # package 1 brings 2
    seen = []
    import_files = importer.import_files

    def recorded(db, paths, **kw):
        seen.append(spread_indexes(db))
        return import_files(db, paths, **kw)

    monkeypatch.setattr(importer, "import_files", recorded)
    office = sync_page(make_window(office_path))
    office.import_paths(sorted(usb.iterdir()))
    qtbot.waitUntil(lambda: office.report_dialog is not None)
    assert "3 gói: 1 đã nhận trước đó, 2 đã nhận." in office.report_dialog.text()
    assert seen == [set(), set(), set()]
    with Db(office_path) as db:
        assert spread_indexes(db) == set(schema.SPREAD_INDEXES)
        assert [h["head_name"] for h in hh.list_households(db, status=None)] == [
            "Lò Thị Mai", "Nguyễn Văn Đức Minh"]        # by the given name: Mai, Minh


def spread_indexes(db) -> set[str]:
    return {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            } & set(schema.SPREAD_INDEXES)


def test_stop_leaves_the_packages_not_yet_imported(make_window, site_path, office_path, usb,
                                                   qtbot):
    three_packages(site_path, usb)
    office = sync_page(make_window(office_path))
    gate = threading.Event()
    office.tasks.run(lambda db: gate.wait(10))        # the worker is busy with something else
    office.import_paths(sorted(usb.iterdir()))
    qtbot.mouseClick(office.stop_button, Qt.MouseButton.LeftButton)
    assert office.progress_label.text() == "Đang dừng sau gói đang nhận…"
    gate.set()
    qtbot.waitUntil(lambda: not office.progress_box.isVisibleTo(office))
    assert "Đã dừng sau 0/3 gói" in office.result_label.text()
    assert office.console_row(COMMUNE)[office.C_STATE] == "Chưa nhận gói nào"


def test_a_folder_without_packages_says_so(make_window, office_path, tmp_path, qtbot,
                                           monkeypatch):
    office = sync_page(make_window(office_path))
    (tmp_path / "ghi-chu.txt").write_text("không phải gói", encoding="utf-8")
    monkeypatch.setattr(office, "ask_folder", lambda title: tmp_path)
    office.import_folder()
    assert "không có tệp gói đồng bộ (.gnsync)" in office.result_label.text()
    assert office.report_dialog is None
    assert office.sending_only_check.isVisibleTo(office)
    office.sending_only_check.setChecked(True)
    assert office.console_table.rowCount() == 0


# -- the conflict queue ------------------------------------------------------------------------

def head_id(db, code="01-0001", position=0):
    return hh.members(db, hh.find_by_code(db, code, COMMUNE)["id"])[position]["id"]


@pytest.fixture
def conflict_at_pc2(site_path, pc2_path, tmp_path):
    """PC 1 and PC 2 of the commune both renamed the head; PC 2 got PC 1's change."""
    with Db(site_path) as db:
        register_two_households(db)
    send(site_path, pc2_path, tmp_path / "a", to_unit=COMMUNE)
    with Db(site_path) as db:
        hh.update_member(sites.writer(db), head_id(db), {"full_name": "Nguyễn Văn Đức Anh"})
    with Db(pc2_path) as db:
        hh.update_member(sites.writer(db), head_id(db), {"full_name": "Nguyễn Văn Được",
                                                         "ethnicity": "Kinh"})
    reports = send(site_path, pc2_path, tmp_path / "b", to_unit=COMMUNE)
    assert [p.action for p in reports[0].rows] == ["conflict"]
    return pc2_path


def test_the_conflict_dialog_decides_field_by_field_at_a_commune_pc(
        make_window, conflict_at_pc2, qtbot, type_vi, shown_errors):
    page = sync_page(make_window(conflict_at_pc2))
    assert page.conflicts_button.text() == "Xung đột (1)…"
    qtbot.mouseClick(page.conflicts_button, Qt.MouseButton.LeftButton)
    dialog = page.conflict_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert [f.name for f in dialog.fields] == ["ethnicity", "full_name"]
    assert dialog.field("full_name").label.text() == "Họ và tên"
    assert dialog.field("full_name").ours_radio.text() == "Nguyễn Văn Được"
    assert dialog.field("full_name").theirs_radio.text() == "Nguyễn Văn Đức Anh"
    assert dialog.field("ethnicity").theirs_radio.text() == "(trống)"
    assert "Máy này thuộc đơn vị khác" not in dialog.owner_label.text()

    qtbot.mouseClick(dialog.decide_button, Qt.MouseButton.LeftButton)
    assert dialog.message_label.text() == "Chưa chọn giá trị cho: Dân tộc, Họ và tên."
    dialog.field("full_name").theirs_radio.click()
    dialog.field("ethnicity").typed_radio.click()
    assert dialog.field("ethnicity").typed_edit.isEnabled()
    type_vi(dialog.field("ethnicity").typed_edit, "Tày")
    qtbot.mouseClick(dialog.decide_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.conflict_ids() == [])
    assert "Đã ghi quyết định xung đột số" in dialog.message_label.text()
    assert "Không có xung đột nào" in dialog.header_label.text()
    assert page.conflicts_button.text() == "Xung đột (0)…"
    with Db(conflict_at_pc2) as db:
        head = hh.members(db, hh.find_by_code(db, "01-0001", COMMUNE)["id"])[0]
        assert (head["full_name"], head["ethnicity"], head["version"]) == (
            "Nguyễn Văn Đức Anh", "Tày", 3)
        assert conflicts.open_conflicts(db) == []
    assert not shown_errors


def test_a_deletion_against_an_edit_is_one_choice_for_the_whole_row(
        make_window, site_path, pc2_path, tmp_path, qtbot, shown_errors):
    """PC 1 deleted a member that PC 2 edited: the dialog offers two row choices, says who
    deleted and who edited, and restoring brings the member back with the edits."""
    with Db(site_path) as db:
        register_two_households(db)
    send(site_path, pc2_path, tmp_path / "a", to_unit=COMMUNE)
    with Db(site_path) as db:
        hh.delete_member(sites.writer(db), head_id(db, "01-0002", 1), reason="Nhập nhầm")
    with Db(pc2_path) as db:
        hh.update_member(sites.writer(db), head_id(db, "01-0002", 1), {"full_name": "Lò Văn Pọn"})
    send(site_path, pc2_path, tmp_path / "b", to_unit=COMMUNE)
    page = sync_page(make_window(pc2_path))
    dialog = page.open_conflict_dialog()
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.fields == [] and dialog.row_choice is not None
    assert "(xóa và sửa)" in dialog.list.item(0).text()
    assert dialog.list.horizontalScrollBar().maximum() == 0   # long titles wrap, none hidden
    assert dialog.row_choice.deleted_radio.text() == "Giữ bản đã xóa"
    assert dialog.row_choice.edited_radio.text() == "Giữ bản đã sửa (khôi phục)"
    texts = [w.text() for w in dialog.grid_box.findChildren(QLabel)]
    with Db(site_path) as db:
        pc1_name = sites.local_site(db).display_name
    assert any(t.startswith(f"Đã xóa ở máy «{pc1_name}»") for t in texts)
    assert any(t.startswith("Đã sửa ở máy này (người dùng canbo2) lúc ") for t in texts)
    pc1_key = fingerprint_of(site_path)[:9]
    assert any(f"(mã khóa {pc1_key}…) lúc " in t for t in texts)
    assert "Lò Văn Pọn" in texts
    qtbot.mouseClick(dialog.decide_button, Qt.MouseButton.LeftButton)
    assert dialog.message_label.text() == ("Chưa chọn: giữ bản đã xóa hay giữ bản đã sửa "
                                           "(khôi phục).")
    dialog.row_choice.edited_radio.click()
    qtbot.mouseClick(dialog.decide_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.conflict_ids() == [])
    with Db(pc2_path) as db:
        child = hh.members(db, hh.find_by_code(db, "01-0002", COMMUNE)["id"])[1]
        assert (child["full_name"], child["deleted"], child["version"]) == ("Lò Văn Pọn", 0, 3)
    assert not shown_errors


def test_the_office_cannot_decide_a_conflict_on_commune_data(
        make_window, site_path, pc2_path, office_path, tmp_path, qtbot, shown_errors):
    with Db(site_path) as db:
        register_two_households(db)
    send(site_path, pc2_path, tmp_path / "a", to_unit=COMMUNE)
    for path, name in ((site_path, "Nguyễn Văn Đức Anh"), (pc2_path, "Nguyễn Văn Được")):
        with Db(path) as db:
            hh.update_member(sites.writer(db), head_id(db), {"full_name": name})
    send(site_path, office_path, tmp_path / "b")
    send(pc2_path, office_path, tmp_path / "c")

    office = sync_page(make_window(office_path))
    assert office.console_row(COMMUNE)[office.C_CONFLICTS] == "1"
    dialog = office.open_conflict_dialog()
    qtbot.waitUntil(dialog.isVisible)
    assert "Máy này thuộc đơn vị khác nên chỉ xem được" in dialog.owner_label.text()
    dialog.field("full_name").ours_radio.click()
    qtbot.mouseClick(dialog.decide_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.message_label.isVisible)
    assert dialog.message_label.text().startswith(
        "Chỉ đơn vị sở hữu dữ liệu (07339) mới quyết định xung đột này")
    assert len(dialog.conflict_ids()) == 1 and dialog.decide_button.isEnabled()
    with Db(office_path) as db:
        assert len(conflicts.open_conflicts(db)) == 1
    assert not shown_errors


def test_the_overdue_limit_is_a_setting_of_the_office(make_window, site_path, office_path,
                                                      tmp_path, qtbot):
    with Db(site_path) as db:
        register_two_households(db)
    send(site_path, office_path, tmp_path / "usb")
    with Db(office_path) as db:      # the package arrived 40 days ago
        long_ago = (datetime.now(timezone.utc) - timedelta(days=40)).isoformat(timespec="seconds")
        db.execute("UPDATE package_ledger SET recorded_at = ?", [long_ago])
    office = sync_page(make_window(office_path))
    assert office.overdue_spin.value() == 35
    row = office.console_row(COMMUNE)
    assert row[office.C_STATE] == "Quá hạn (quá 35 ngày)"
    assert row[office.C_RECEIVED].endswith("(40 ngày trước)")
    assert "1 đơn vị quá hạn (quá 35 ngày chưa gửi)" in office.summary_label.text()
    office.overdue_spin.setValue(60)
    qtbot.waitUntil(lambda: office.console_row(COMMUNE)[office.C_STATE] == "Đã nhận đủ")
    with Db(office_path) as db:
        assert settings.get(db, console.OVERDUE_DAYS_SETTING) == "60"


def test_the_office_approves_or_returns_a_round_from_the_console(
        make_window, site_path, office_path, tmp_path, qtbot, monkeypatch):
    from gnapp.db import approvals as approval_rows
    from gnapp.db import reviews
    from gnapp.ui.sync_page import RoundDecisionDialog

    with Db(site_path) as db:
        register_two_households(db)
        reviews.create_round(sites.writer(db), year=2025, kind="periodic")
        round_id = db.execute("SELECT id FROM review_round").fetchone()[0]
        for home in db.query("SELECT id FROM household"):
            reviews.save_review(sites.writer(db), round_id, home["id"],
                                income_per_person=1_000_000, reviewer="Hà Văn Tâm",
                                review_date="2025-10-02", deprivations={})
    send(site_path, office_path, tmp_path / "usb")
    office = sync_page(make_window(office_path))
    office.select_unit(COMMUNE)
    assert office.decide_button.isEnabled()

    # the dialog refuses a return without a comment
    dialog = RoundDecisionDialog("Xã Tân Yên", [{"year": 2025, "kind": "periodic"}])
    dialog.return_radio.setChecked(True)
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted and not dialog.error_label.isHidden()
    assert "cần ghi ý kiến" in dialog.error_label.text()
    dialog.comment_edit.setPlainText("Bổ sung phiếu của thôn Một")
    dialog.accept()
    assert dialog.choice() == (2025, "periodic", "returned", "Bổ sung phiếu của thôn Một")

    monkeypatch.setattr(office, "ask_round_decision",
                        lambda name, rounds: (2025, "periodic", "returned", "Thiếu phiếu B"))
    office.decide_round()
    qtbot.waitUntil(lambda: "đã trả lại kèm ý kiến" in office.result_label.text())
    qtbot.waitUntil(lambda: "bị trả lại" in office.console_row(COMMUNE)[office.C_ROUND])
    monkeypatch.setattr(office, "ask_round_decision",
                        lambda name, rounds: (2025, "periodic", "approved", None))
    office.decide_round()
    qtbot.waitUntil(lambda: "đã phê duyệt" in office.console_row(COMMUNE)[office.C_ROUND])
    with Db(office_path) as db:
        [row] = approval_rows.for_round(db, round_id)
        assert row["status"] == "approved" and row["row_count"] == 2


# -- a lost commune PC ------------------------------------------------------------------------

def test_a_lost_commune_pc_is_restored_from_the_office_screen(
        make_window, site_path, office_path, pc2_path, usb, qtbot, monkeypatch):
    """The office makes a recovery package of the commune from its console; the commune's
    new PC takes it only once the person confirms it replaces the lost PC (and, with it,
    the office's key)."""
    with Db(site_path) as db:
        register_two_households(db)
        kept = sorted(r["code"] for r in db.query("SELECT code FROM household"))
    send(site_path, office_path, usb / "up")
    office = sync_page(make_window(office_path))
    assert not office.recovery_button.isEnabled()          # no commune chosen yet
    office.select_unit(COMMUNE)
    assert office.recovery_button.isEnabled() and office.recovery_button.isVisible()
    asked = []
    monkeypatch.setattr(office, "confirm_recovery_export",
                        lambda name: asked.append(name) or True)
    monkeypatch.setattr(office, "ask_folder", lambda title: usb / "down")
    office.recovery_for_selected()
    qtbot.waitUntil(lambda: "Đã tạo gói số" in office.result_label.text())
    assert asked == ["Xã Tân Yên"] and "Số dòng: " in office.result_label.text()
    [file] = (usb / "down").iterdir()

    new_pc = sync_page(make_window(pc2_path))              # set up for the same commune
    answers = []
    monkeypatch.setattr(new_pc, "confirm_recovery",
                        lambda report: answers.append(report) or len(answers) > 1)
    new_pc.import_paths([file])                             # «Hủy»: nothing taken
    qtbot.waitUntil(lambda: new_pc.report_dialog is not None)
    assert "đang chờ" in new_pc.report_dialog.text()
    with Db(pc2_path) as db:
        assert db.execute("SELECT count(*) FROM household").fetchone()[0] == 0
    assert answers[0]["fingerprint"] == fingerprint_of(office_path)
    new_pc.report_dialog.close()
    new_pc.report_dialog = None
    new_pc.import_paths([file])                             # «Nhận gói khôi phục»
    qtbot.waitUntil(lambda: new_pc.report_dialog is not None)
    assert len(answers) == 2 and "đã nhận" in new_pc.report_dialog.text()
    with Db(pc2_path) as db:
        assert sorted(r["code"] for r in db.query("SELECT code FROM household")) == kept
        office_site = db.execute("SELECT trusted_at FROM site WHERE unit_code = ?",
                                 [PROVINCE]).fetchone()
        assert office_site[0] is not None                   # its key confirmed with it


# -- the commune's resend, snapshot and size limit -------------------------------------------

def test_resend_split_and_snapshot_from_the_commune_screen(
        make_window, site_path, office_path, pc2_path, usb, tmp_path, qtbot, monkeypatch,
        shown_errors):
    with Db(site_path) as db:
        register_two_households(db)
    page = sync_page(make_window(site_path))
    assert page.resend_button.isVisibleTo(page) and page.snapshot_button.isVisibleTo(page)
    assert page.part_spin.text() == "Không chia" and not page.resend_button.isEnabled()
    monkeypatch.setattr(page, "ask_folder", lambda title: usb)
    page.export_to_folder()
    qtbot.waitUntil(lambda: page.sent_table.rowCount() == 1)
    [first] = list(usb.iterdir())
    original = first.read_bytes()

    # a size limit for e-mail: remembered in the database, used by the next files
    page.part_spin.setValue(1)
    qtbot.waitUntil(lambda: _part_limit(site_path) == 1)
    assert page.part_spin.text() == "1 KB"

    # the office says package 1 was lost: resend it, in parts of at most 1 KB
    page.sent_table.selectRow(0)
    assert page.resend_button.isEnabled()
    again = tmp_path / "again"
    again.mkdir()
    monkeypatch.setattr(page, "ask_folder", lambda title: again)
    qtbot.mouseClick(page.resend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Đã ghi lại gói số 1 gửi Tỉnh Bắc Ninh" in page.result_label.text())
    parts = sorted(again.iterdir())
    assert len(parts) == -(-len(original) // 1024) > 1
    assert all(p.stat().st_size <= 1024 for p in parts)
    assert b"".join(p.read_bytes() for p in parts) == original     # byte for byte
    assert all(str(p) in page.result_label.text() for p in parts)
    assert page.sent_table.rowCount() == 1                          # no new package number
    with Db(office_path) as office:
        fingerprint = fingerprint_of(site_path)
        reports = importer.import_files(office, [parts[-1]], trust=[fingerprint])
        assert [r.status for r in reports] == ["applied"]

    # a snapshot for the commune's second PC, after the explanation
    asked = []
    monkeypatch.setattr(page, "ask_snapshot", lambda: asked.append(1) or COMMUNE)
    snap = tmp_path / "snap"
    snap.mkdir()
    monkeypatch.setattr(page, "ask_folder", lambda title: snap)
    qtbot.mouseClick(page.snapshot_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.sent_table.rowCount() == 2)
    assert asked == [1]
    newest = table_texts(page.sent_table)[0]
    assert newest[:3] == ["Máy khác của xã", "1", "toàn bộ dữ liệu"] and newest[4] == "8"
    snap_parts = sorted(snap.iterdir())
    assert len(snap_parts) > 1 and all(p.stat().st_size <= 1024 for p in snap_parts)
    with Db(pc2_path) as pc2:
        reports = importer.import_files(pc2, snap_parts, trust=[fingerprint_of(site_path)])
        assert [r.status for r in reports] == ["applied"] and reports[0].kind == "snapshot"
        assert len(hh.list_households(pc2)) == 2
    # a new window reads the remembered limit
    assert sync_page(make_window(site_path)).part_spin.value() == 1
    assert not shown_errors


def _part_limit(path) -> int:
    with Db(path) as db:
        return export.part_limit_kb(db)


def test_the_snapshot_dialog_says_when_to_use_it_and_for_whom(qtbot):
    dialog = SnapshotDialog(("24", "Tỉnh Bắc Ninh"), (COMMUNE, "Xã Tân Yên"))
    qtbot.addWidget(dialog)
    text = dialog.explanation_label.text()
    assert "Chỉ dùng khi" in text and "máy thứ hai của xã" in text
    assert "Bình thường hãy dùng «Xuất gói đồng bộ…»" in text
    assert dialog.office_radio.text() == "&Cơ quan cấp trên: Tỉnh Bắc Ninh (24)"
    assert dialog.to_unit() == "24"
    dialog.own_radio.setChecked(True)
    assert dialog.to_unit() == COMMUNE
    assert dialog.go_button.text() == "Tạo gói toàn bộ dữ liệu"
    alone = SnapshotDialog(None, (COMMUNE, "Xã Tân Yên"))
    qtbot.addWidget(alone)
    assert not alone.office_radio.isEnabled() and alone.to_unit() == COMMUNE


def test_a_bad_size_limit_is_refused_in_vietnamese(site_path):
    with Db(site_path) as db:
        with pytest.raises(Exception, match="Giới hạn kích thước mỗi tệp phải là số KB"):
            export.set_part_limit_kb(db, -1)
        settings.put(db, export.PART_LIMIT_SETTING, "nhiều")
        assert export.part_limit_kb(db) == 0


def assert_visual_tab_order(focus_chain, page, expected) -> None:
    """Tab goes through ``expected`` in that order, which is their order on screen: top to
    bottom, left to right."""
    chain = [w for w in focus_chain(expected[0]) if any(w is e for e in expected)]
    assert chain == expected

    def place(widget):
        at = widget.mapTo(page, widget.rect().topLeft())
        return (at.y() // 10, at.x())
    assert sorted(expected, key=place) == expected


def test_the_commune_screen_tab_order_follows_the_visual_order(focus_chain, make_window,
                                                               site_path):
    with Db(site_path) as db:
        register_two_households(db)
        export.export_package(db, site_path.parent / "out")
    page = sync_page(make_window(site_path))
    page.sent_table.selectRow(0)
    expected = [page.export_button, page.encrypt_check, page.import_button,
                page.conflicts_button, page.part_spin, page.resend_button,
                page.snapshot_button, page.sent_table, page.commune_received_table]
    assert_visual_tab_order(focus_chain, page, expected)


def test_the_office_screen_tab_order_follows_the_visual_order(focus_chain, make_window,
                                                              site_path, office_path, usb):
    with Db(site_path) as db:
        register_two_households(db)
    send(site_path, office_path, usb)
    page = sync_page(make_window(office_path))
    page.select_unit(COMMUNE)
    expected = [page.import_folder_button, page.import_button, page.trust_button,
                page.send_button, page.conflicts_button, page.overdue_spin,
                page.sending_only_check, page.console_table, page.decide_button,
                page.recovery_button, page.report_button, page.received_table]
    assert_visual_tab_order(focus_chain, page, expected)
