"""The pictures of the user guide: ``python tools/guide_screenshots.py [OUTDIR]``.

Drives the real application offscreen on made-up data and saves into OUTDIR (default
``docs/images``) the pictures ``docs/huong-dan-su-dung.md`` shows, under stable names. Main
windows are 1280 × 800, as on a common office screen. ``make guide-screenshots`` runs it;
run it again whenever a screen of the guide changes, and look at the pictures.

Each picture is a ``Shot`` in ``SHOTS``: its file name, the scene (the prepared database and
its main window) it is taken in, and a function that brings the screen to the state to show
and returns the widget to grab. Scenes are prepared once, the first time a shot needs them:

- ``demo``: the demo commune (``gnapp.demo.fill``: Xã Hoằng Hóa, 8 villages, 500 households,
  review rounds) with an allocation decision of the province;
- ``office``: the office of Tỉnh Thanh Hóa after receiving the demo commune's first package.

To add a picture (the first-run wizard, the login window …), write a function
``take(stage) -> QWidget`` and add a ``Shot`` to ``SHOTS``; ``stage.keep(dialog)`` closes a
dialog after its picture. The user's own data folder is never touched (``GNAPP_HOME`` points
into a temporary folder).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.screenshot import preview_report, save, wait_until  # noqa: E402 (after sys.path)

DEFAULT_OUT = ROOT / "docs" / "images"
WINDOW_SIZE = (1280, 800)
TODAY = date(2026, 11, 20)          # the date the screens are shown on (mid review round)
OFFICE = "38"                       # Tỉnh Thanh Hóa, the demo commune's province

# the demo commune's allocation for 2026, in millions of đồng (budget line, source, capital)
ALLOCATION_CSV = """budget_line,source,capital_type,amount_million_dong
DA2,NSTW,SN,500
DA2,NSDP,SN,50
DA3.TDA1,NSTW,SN,300
DA3.TDA1,NSDP,SN,30
DA4.TDA1,NSTW,SN,120
DA6.TDA2,NSTW,SN,25
DA7.TDA1,NSTW,SN,40
"""


class Stage:
    """The scenes (databases and their main windows) the shots are taken in."""

    def __init__(self, app, tmp: Path):
        self.app = app
        self.tmp = tmp
        self.windows: dict[str, object] = {}
        self.shared: dict[str, object] = {}     # what one scene leaves for another
        self._kept: list = []

    def window(self, scene: str):
        """The main window of ``scene``, prepared and shown the first time."""
        if scene not in self.windows:
            from gnapp.ui.app import build_main_window

            path = SCENES[scene](self)
            window = build_main_window(path, auto_backup=False)
            window.resize(*WINDOW_SIZE)
            window.show()
            wait_until(self.app, window.isVisible)
            self.windows[scene] = window
        return self.windows[scene]

    def keep(self, widget):
        """Close ``widget`` (a dialog) once its picture is taken; returns it."""
        self._kept.append(widget)
        wait_until(self.app, widget.isVisible)
        return widget

    def settle(self) -> None:
        self.app.processEvents()

    def after_shot(self) -> None:
        for widget in reversed(self._kept):
            if hasattr(widget, "confirm_discard"):
                widget.confirm_discard = lambda: True   # "Bỏ thay đổi?" would wait for a click
            widget.close()
        self._kept.clear()
        self.app.processEvents()

    def close(self) -> None:
        for window in self.windows.values():
            window.close()
        self.app.processEvents()


# -- scenes ---------------------------------------------------------------------------------------

def scene_demo(stage: Stage) -> Path:
    """The demo commune with the province's allocation decision for 2026."""
    from gnapp import demo
    from gnapp.db import allocations as al
    from gnapp.db import connection, sites

    path = stage.tmp / "demo" / "gnapp.sqlite"
    db = connection.connect(path)
    demo.fill(db)
    source = stage.tmp / "phan-bo-2026.csv"
    source.write_text(ALLOCATION_CSV, encoding="utf-8")
    al.import_file(sites.writer(db), source, new_decision={
        "issuer": "UBND tỉnh Thanh Hóa", "year": 2026, "kind": "decision",
        "number": "1277/QĐ-UBND", "signed_on": "27/02/2026",
        "title": "Phân bổ vốn sự nghiệp Chương trình mục tiêu quốc gia giảm nghèo bền vững "
                 "năm 2026"}, recipient=sites.local_site(db).unit_code)
    db.close()
    return path


def scene_office(stage: Stage) -> Path:
    """Tỉnh Thanh Hóa's office; the demo commune's package waits on a "USB stick"."""
    from gnapp.db import connection, sites
    from gnapp.sync import export

    stage.window("demo")                      # the commune's database exists
    usb = stage.tmp / "usb"
    db = connection.connect(stage.tmp / "demo" / "gnapp.sqlite")
    if not list(usb.glob("*")):
        export.export_package(db, usb)
    db.close()
    stage.shared["usb"] = usb
    path = stage.tmp / "office" / "gnapp.sqlite"
    db = connection.connect(path)
    sites.init_site(db, OFFICE, "office", user="vanphong", user_full_name="Trần Văn Sơn")
    db.close()
    return path


SCENES: dict[str, Callable[[Stage], Path]] = {"demo": scene_demo, "office": scene_office}


# -- the shots ------------------------------------------------------------------------------------

def take_home(stage: Stage):
    window = stage.window("demo")
    window.home_page.today = lambda: TODAY
    window.show_area("Tổng quan")
    window.home_page.refresh()
    stage.settle()
    return window


def take_households(stage: Stage):
    window = stage.window("demo")
    window.show_area("Hộ gia đình")
    page = window.household_page
    page.select_row(2)
    page.table.setFocus()
    stage.settle()
    return window


def _open_family(stage: Stage):
    window = stage.window("demo")
    window.show_area("Hộ gia đình")
    page = window.household_page
    row = next(r for r in range(page.model.rowCount()) if page.model.row(r)["members"] >= 5)
    page.select_row(row)
    page.edit_row(row)
    return stage.keep(page.editor)


def take_household_editor(stage: Stage):
    editor = _open_family(stage)
    editor.roster.setCurrentIndex(editor.roster_model.index(1, 1))
    stage.settle()
    return editor


def take_member_form(stage: Stage):
    editor = _open_family(stage)
    editor.edit_member(1)
    return stage.keep(editor.member_form)


def take_new_household(stage: Stage):
    window = stage.window("demo")
    window.show_area("Hộ gia đình")
    page = window.household_page
    page.add_household()
    editor = stage.keep(page.editor)
    editor.address_edit.setText("Xóm Đồng Chùa")
    stage.settle()
    return editor


def _review_page(stage: Stage):
    window = stage.window("demo")
    window.show_area("Rà soát")
    page = window.review_page
    page.today = lambda: TODAY
    page.refresh()
    page.select_village(page.progress[1]["village_id"])
    stage.settle()
    return window, page


def take_review_page(stage: Stage):
    window, page = _review_page(stage)
    page.select_row(3)
    page.table.setFocus()
    stage.settle()
    return window


def take_round_dialog(stage: Stage):
    _window, page = _review_page(stage)
    return stage.keep(page.open_round_dialog())


def _review_form(stage: Stage):
    """The review form of a household not reviewed yet whose register suggests answers."""
    from gnapp.db import reviews

    _window, page = _review_page(stage)
    if "review_row" not in stage.shared:
        round_id = page.current_round_id()
        chosen = 0
        for row in range(page.model.rowCount()):
            household_id = page.model.household_id(row)
            if reviews.review_of(page._db, round_id, household_id) is not None:
                continue
            found = reviews.suggestions(page._db, household_id, TODAY)
            if sum(s.deprived for s in found.values()) >= 2:
                chosen = row
                break
        stage.shared["review_row"] = chosen
    page.select_row(stage.shared["review_row"])
    form = stage.keep(page.open_form(page.selected_household_id()))
    form.resize(1220, 740)
    form.reviewer_edit.setText("Nguyễn Thị Lan")
    form.income_edit.setText("1.350.000")
    form.income_edit.textEdited.emit("1.350.000")
    stage.settle()
    return form


def take_review_form(stage: Stage):
    return _review_form(stage)


def take_review_form_c(stage: Stage):
    form = _review_form(stage)
    for row in form.indicator_rows:             # the register's suggestions, "no" elsewhere
        if row.suggestion is not None:
            row.use_suggestion()
        else:
            row.choice.set_value(False)
    form.cause_checks["lackCapital"].setChecked(True)
    form.need_checks["credit"].setChecked(True)
    bar = form.form_scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    stage.settle()
    return form


def take_meeting(stage: Stage):
    _window, page = _review_page(stage)
    dialog = stage.keep(page.record_meeting())
    dialog.attendees_spin.setValue(42)
    dialog.agreed_spin.setValue(35)
    dialog.content_edit.setText("Bình xét danh sách hộ nghèo, hộ cận nghèo năm 2027")
    stage.settle()
    return dialog


def _allocation_page(stage: Stage):
    window = stage.window("demo")
    window.show_area("Phân bổ vốn")
    page = window.allocation_page
    page.reload()
    page.list.selectRow(next(i for i, r in enumerate(page.rows)
                             if r["number"] == "1277/QĐ-UBND"))
    stage.settle()
    return window, page


def take_allocation(stage: Stage):
    window, _page = _allocation_page(stage)
    return window


def take_allocation_decision(stage: Stage):
    _window, page = _allocation_page(stage)
    return stage.keep(page.edit_decision())


def take_reports(stage: Stage):
    window = stage.window("demo")
    preview_report(stage.app, window, "danh-sach-cong-nhan", stage.tmp)
    return window


def take_sync_commune(stage: Stage):
    window = stage.window("demo")
    window.show_area("Đồng bộ")
    page = window.sync_page
    stage.shared["usb"] = stage.tmp / "usb"
    page.ask_folder = lambda title: stage.shared["usb"]
    page.export_to_folder()
    wait_until(stage.app, lambda: "Đã tạo gói" in page.result_label.text())
    return window


def _office_import(stage: Stage):
    window = stage.window("office")
    window.show_area("Đồng bộ")
    page = window.sync_page
    if "office_imported" not in stage.shared:
        from gnapp.sync import console

        page.import_paths(console.package_files(stage.shared["usb"]))
        wait_until(stage.app, lambda: page.report_dialog is not None
                   and page.report_dialog.isVisible())
        stage.shared["office_imported"] = True
    return window, page


def take_import_report(stage: Stage):
    _window, page = _office_import(stage)
    return stage.keep(page.report_dialog)


def take_office_console(stage: Stage):
    window, page = _office_import(stage)
    dialog = page.report_dialog
    if dialog is not None and dialog.unknown_senders():
        dialog.show()
        dialog.confirm_trust = lambda fingerprint, sender: True
        dialog.trust(*dialog.unknown_senders()[0])
        wait_until(stage.app, lambda: not dialog.trust_buttons)
        dialog.close()
    page.refresh()
    page.sending_only_check.setChecked(True)
    page.select_unit(stage.window("demo").info.site.unit_code)
    stage.settle()
    return window


def take_backups(stage: Stage):
    from gnapp.db import backup

    window = stage.window("demo")
    if not backup.list_backups(backup.backup_dir(window.db_path), window.db_path.stem):
        backup.make_backup(window.db_path, label="manual")
    window.refresh_backups()
    window.show_area("Sao lưu")
    window.check_data()
    wait_until(stage.app, lambda: bool(window.backup_page.check_output.toPlainText()))
    return window


def take_wizard(stage: Stage):
    """The first-start wizard at its second step, on a fresh database."""
    from gnapp.ui.first_start import FirstStartDialog

    dialog = FirstStartDialog(stage.tmp / "moi" / "gnapp.sqlite")
    dialog.resize(640, 430)
    dialog.show()
    wait_until(stage.app, lambda: dialog.province_combo.count() > 0)
    dialog.select_province("38")
    wait_until(stage.app, lambda: dialog.commune_combo.count() > 0)
    dialog.commune_combo.set_current_key(dialog.commune_combo.itemData(0))
    dialog.next()
    dialog.full_name_edit.setText("Lê Thị Hương")
    dialog.password_edit.setText("matkhau-1")
    dialog.again_edit.setText("matkhau-1")
    return stage.keep(dialog)


def take_login(stage: Stage):
    from gnapp.db import users
    from gnapp.ui.users_page import LoginDialog

    window = stage.window("demo")
    names = [u["name"] for u in users.all_users(window._db) if u["active"]]
    dialog = LoginDialog(window.tasks, names, window.info.line, window)
    dialog.name_combo.setCurrentIndex(0)
    dialog.show()
    return stage.keep(dialog)


def take_users(stage: Stage):
    from gnapp.db import users

    window = stage.window("demo")
    if users.get(window._db, "lan") is None:
        window.tasks.call(lambda db: users.add(db, None, "lan", "Phạm Thị Lan",
                                               role=users.OFFICER, password="matkhau-lan"))
        window.tasks.call(lambda db: users.add(db, None, "hung", "Trần Văn Hùng",
                                               role=users.LEADER, password="matkhau-hung"))
    window.show_area("Người dùng")
    window.users_page.refresh()
    return window


def take_help(stage: Stage):
    window = stage.window("demo")
    window.show_area("Rà soát")
    help_window = window.help_controller.show_help(window.help_controller.area_topic())
    help_window.resize(1180, 760)
    help_window.scroll_to("ra-soat")
    stage.keep(help_window)
    stage.settle()
    return help_window


@dataclass(frozen=True)
class Shot:
    """One picture of the guide: ``docs/images/<name>.png``."""

    name: str
    scene: str
    take: Callable[[Stage], object]
    about: str


SHOTS: list[Shot] = [
    Shot("thiet-lap", "fresh", take_wizard, "the first-start wizard, step 2"),
    Shot("dang-nhap", "demo", take_login, "the login dialog"),
    Shot("nguoi-dung", "demo", take_users, "the users area of an administrator"),
    Shot("tong-quan", "demo", take_home, "Tổng quan of the demo commune"),
    Shot("ho-gia-dinh", "demo", take_households, "the household list"),
    Shot("ho-gia-dinh-sua", "demo", take_household_editor, "a family in the editor"),
    Shot("thanh-vien", "demo", take_member_form, "the member form"),
    Shot("ho-gia-dinh-moi", "demo", take_new_household, "the editor of a new household"),
    Shot("ra-soat", "demo", take_review_page, "Rà soát: the round by village"),
    Shot("mo-dot", "demo", take_round_dialog, "opening a review round"),
    Shot("phieu-ra-soat", "demo", take_review_form, "the review form, Phiếu A and B"),
    Shot("phieu-ra-soat-c", "demo", take_review_form_c, "the review form at Phiếu C"),
    Shot("hop-dan", "demo", take_meeting, "recording the village meeting"),
    Shot("phan-bo-von", "demo", take_allocation, "Phân bổ vốn with the 2026 decision"),
    Shot("van-ban-phan-bo", "demo", take_allocation_decision, "the decision's particulars"),
    Shot("bao-cao", "demo", take_reports, "Báo cáo: a preview and the printed copies"),
    Shot("dong-bo-xa", "demo", take_sync_commune, "Đồng bộ at the commune after an export"),
    Shot("nhan-goi", "office", take_import_report, "the office's import report"),
    Shot("dong-bo-tinh", "office", take_office_console, "the office's console"),
    Shot("sao-luu", "demo", take_backups, "Sao lưu with a data check"),
    Shot("tro-giup", "demo", take_help, "the help window (F1)"),
]


def main(argv: list[str]) -> int:
    if len(argv) > 2:
        print("usage: python tools/guide_screenshots.py [OUTDIR]", file=sys.stderr)
        return 2
    out = Path(argv[1]) if len(argv) == 2 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gnapp-guide-") as tmp:
        os.environ["GNAPP_HOME"] = str(Path(tmp) / "home")
        from gnapp.ui import widgets
        from gnapp.ui.app import application

        # closing a dialog with typed changes asks "Lưu / Không lưu / Hủy": answer "Không lưu"
        widgets.ask_unsaved = lambda *args, **kwargs: widgets.DISCARD
        stage = Stage(application(), Path(tmp))
        try:
            for shot in SHOTS:
                widget = shot.take(stage)
                stage.settle()
                save(widget, out / f"{shot.name}.png")
                stage.after_shot()
        finally:
            stage.close()
    print(f"{len(SHOTS)} pictures in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
