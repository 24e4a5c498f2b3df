"""Screenshots of the GUI for review: ``python tools/screenshot.py OUTDIR``.

Builds the main window on a temporary database initialised for the commune 07339 (Xã Tân
Yên, Bắc Ninh) with a few backups, and saves into OUTDIR:

- ``main-sao-luu.png``: the main window on the backup page, after a data check;
- ``first-start.png``: the first-start dialog on a fresh database.

and, on the demo database (``gnapp.demo.fill``: 8 villages, 500 households):

- ``main-ho-gia-dinh.png``: the household list;
- ``ho-gia-dinh-tim.png``: the list searched ("nguyen van") in one village;
- ``ho-gia-dinh-sua.png``: the household editor with a family open;
- ``thanh-vien.png``: the member form of one member of that family;
- ``thanh-vien-loi.png``: the member form with problems shown under the fields;
- ``ho-gia-dinh-moi.png``: the editor of a new household, saved without a head;
- ``main-ra-soat.png``: the main window on "Rà soát" (round 2026) with a village chosen;
- ``mo-dot.png``: the dialog opening a review round;
- ``hop-dan.png``: the village meeting dialog with less than half agreeing;
- ``phieu-ra-soat.png``: the review form of a household (Phiếu A, the start of Phiếu B);
- ``phieu-ra-soat-goi-y.png``: the same form further down: indicators with the register's
  suggestions;
- ``phieu-ra-soat-c.png``: the same form at Phiếu C (target groups, causes, needs) and the
  manual correction;
- ``phieu-ra-soat-loi.png``: the form refused on "Hoàn thành" with the reasons shown.

Works without a display (offscreen, the default when DISPLAY is not set) and under
``xvfb-run -a python tools/screenshot.py OUTDIR``. The user's own data folder is not touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

COMMUNE = "07339"


def wait_until(app, condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get ready in time")
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()


def save(widget, path: Path) -> None:
    if not widget.grab().save(str(path)):
        raise OSError(f"cannot write {path}")
    print(path)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python tools/screenshot.py OUTDIR", file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gnapp-shots-") as tmp:
        os.environ["GNAPP_HOME"] = str(Path(tmp) / "home")
        return shoot(out, Path(tmp))


def shoot(out: Path, tmp: Path) -> int:
    from gnapp.db import backup, connection, sites, units
    from gnapp.ui.app import application, build_main_window
    from gnapp.ui.first_start import FirstStartDialog
    from gnapp.ui.tasks import TaskManager

    app = application()

    db_path = tmp / "commune" / "gnapp.sqlite"
    db = connection.connect(db_path)
    sites.init_site(db, COMMUNE, "commune", user="canbo", user_full_name="Nguyễn Thị Hồng Nhung")
    units.add_village(sites.writer(db), "Thôn Đông Sơn")
    db.close()
    now = datetime.now().replace(second=0, microsecond=0)
    for label, ago in [("start", timedelta(days=2, hours=3)), ("exit", timedelta(days=2)),
                       ("manual", timedelta(days=1, hours=5)), ("auto", timedelta(hours=4)),
                       ("start", timedelta(minutes=20))]:
        backup.make_backup(db_path, label=label, now=now - ago)

    window = build_main_window(db_path, auto_backup=False)
    window.show()
    wait_until(app, window.isVisible)
    window.show_area("Sao lưu")
    window.check_data()
    wait_until(app, lambda: bool(window.backup_page.check_output.toPlainText()))
    save(window, out / "main-sao-luu.png")
    window.close()

    fresh = tmp / "fresh" / "gnapp.sqlite"
    tasks = TaskManager(fresh)
    dialog = FirstStartDialog(tasks)
    dialog.show()
    wait_until(app, lambda: dialog.province_combo.count() > 0)
    dialog.select_province("24")
    wait_until(app, lambda: dialog.commune_combo.count() > 0)
    dialog.commune_combo.set_current_key(COMMUNE)
    dialog.full_name_edit.setText("Nguyễn Thị Hồng Nhung")
    app.processEvents()
    save(dialog, out / "first-start.png")
    dialog.close()
    tasks.close()

    shoot_households(app, out, tmp)
    return 0


def shoot_households(app, out: Path, tmp: Path) -> None:
    """The household page and editor on the demo database."""
    from gnapp import demo
    from gnapp.db import connection
    from gnapp.ui.app import build_main_window

    db_path = tmp / "demo" / "gnapp.sqlite"
    db = connection.connect(db_path)
    demo.fill(db)
    db.close()

    window = build_main_window(db_path, auto_backup=False)
    window.show()
    wait_until(app, window.isVisible)
    window.show_area("Hộ gia đình")
    page = window.household_page
    page.select_row(2)
    page.table.setFocus()
    app.processEvents()
    save(window, out / "main-ho-gia-dinh.png")

    page.village_combo.setCurrentIndex(page.village_combo.findText("Thôn Đông Kim"))
    page.search_edit.setText("nguyen van")
    wait_until(app, lambda: page.model.filter.search == "nguyen van")
    save(window, out / "ho-gia-dinh-tim.png")
    page.search_edit.clear()
    page.village_combo.setCurrentIndex(0)
    wait_until(app, lambda: page.model.filter.search is None)

    row = next(r for r in range(page.model.rowCount()) if page.model.row(r)["members"] >= 5)
    page.select_row(row)
    page.edit_row(row)
    editor = page.editor
    wait_until(app, editor.isVisible)
    editor.roster.setCurrentIndex(editor.roster_model.index(1, 1))
    app.processEvents()
    save(editor, out / "ho-gia-dinh-sua.png")

    editor.edit_member(1)
    form = editor.member_form
    wait_until(app, form.isVisible)
    save(form, out / "thanh-vien.png")
    form.id_edit.setText("0380")
    form.id_edit.textEdited.emit("0380")
    form.name_edit.clear()
    form.birth_edit.setText("31/02/1990")
    form.accept()                                   # refused: shows what is wrong
    app.processEvents()
    save(form, out / "thanh-vien-loi.png")
    form.reject()
    editor.reject()

    page.add_household()
    editor = page.editor
    wait_until(app, editor.isVisible)
    editor.address_edit.setText("Xóm Đồng Chùa")
    editor.accept()                                 # refused: no village chosen, no head
    app.processEvents()
    save(editor, out / "ho-gia-dinh-moi.png")
    editor.confirm_discard = lambda: True           # "Bỏ thay đổi?" would wait for a click
    editor.reject()

    shoot_reviews(app, out, window)
    window.close()


def shoot_reviews(app, out: Path, window) -> None:
    """The review page, its dialogs and the review form on the demo database."""
    from datetime import date

    from gnapp.db import reviews

    today = date(2026, 11, 20)
    window.show_area("Rà soát")
    page = window.review_page
    page.today = lambda: today
    page.refresh()
    page.select_village(page.progress[1]["village_id"])
    page.select_row(3)
    page.table.setFocus()
    app.processEvents()
    save(window, out / "main-ra-soat.png")

    dialog = page.open_round_dialog()
    wait_until(app, dialog.isVisible)
    save(dialog, out / "mo-dot.png")
    dialog.reject()
    app.processEvents()

    dialog = page.record_meeting()
    wait_until(app, dialog.isVisible)
    dialog.attendees_spin.setValue(42)
    dialog.agreed_spin.setValue(17)
    dialog.content_edit.setText("Bình xét danh sách hộ nghèo, hộ cận nghèo năm 2027")
    app.processEvents()
    save(dialog, out / "hop-dan.png")
    dialog.reject()
    app.processEvents()

    # a household not reviewed yet in the round, whose register suggests answers
    round_id = page.current_round_id()
    db = page._db
    chosen = None
    for row in range(page.model.rowCount()):
        household_id = page.model.household_id(row)
        if reviews.review_of(db, round_id, household_id) is not None:
            continue
        found = reviews.suggestions(db, household_id, today)
        if sum(s.deprived for s in found.values()) >= 2:
            chosen = row
            break
    page.select_row(chosen if chosen is not None else 0)
    form = page.open_form(page.selected_household_id())
    wait_until(app, form.isVisible)
    form.resize(1220, 720)              # as on a 1280 × 800 screen (offscreen is 800 × 800)
    form.reviewer_edit.setText("Nguyễn Thị Lan")
    form.income_edit.setText("1.350.000")
    form.income_edit.textEdited.emit("1.350.000")
    app.processEvents()
    save(form, out / "phieu-ra-soat.png")

    first = next(r for r in form.indicator_rows if r.suggestion is not None)
    first.use_suggestion()
    b2_top = form.b2_part.mapTo(form.form_scroll.widget(), form.b2_part.rect().topLeft()).y()
    form.form_scroll.verticalScrollBar().setValue(b2_top)
    form.indicator_rows[1].choice.setFocus()
    app.processEvents()
    save(form, out / "phieu-ra-soat-goi-y.png")

    form.cause_checks["lackCapital"].setChecked(True)
    form.need_checks["credit"].setChecked(True)
    form.form_scroll.verticalScrollBar().setValue(form.form_scroll.verticalScrollBar().maximum())
    app.processEvents()
    save(form, out / "phieu-ra-soat-c.png")

    form.form_scroll.verticalScrollBar().setValue(0)
    form.reviewer_edit.clear()
    form.reviewer_edit.textEdited.emit("")
    form.complete()                                  # refused: shows what is missing
    app.processEvents()
    save(form, out / "phieu-ra-soat-loi.png")
    form.reject()
    app.processEvents()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
