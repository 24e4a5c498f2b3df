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
- ``phieu-ra-soat-loi.png``: the form refused on "Hoàn thành" with the reasons shown;
- ``du-an-ho-tham-gia.png``: "Dự án, giải ngân" with a project, its participants, the
  households found by a search with their eligibility, and the 50 % / 70 % shares;
- ``du-an-thong-tin.png`` / ``du-an-vat-tu.png``: the project's facts; the inputs delivered;
- ``giai-ngan.png``: the payments of a line after an over-disbursement was refused, and the
  estimates with the approval chain;
- ``phan-bo-von.png`` / ``phan-bo-so-tong.png``: "Phân bổ vốn" with the Bắc Kạn 2022 plan
  (``tests/fixtures/allocations``): the matrix, and the stated totals with the three gaps in red;
- ``bao-cao.png``: "Báo cáo" with the recognition decision previewed and two printed copies;
- ``van-ban.png`` / ``van-ban-ban-in.png``: "Văn bản" with the mid-term report of 2026 made from
  its template, a heading chosen in the block editor; the same report's print preview.

and, on small databases of the commune 07339 (two PCs) and its office (Tỉnh Bắc Ninh):

- ``nhan-goi-chua-xac-nhan.png``: the office's import report of a folder of packages from an
  unknown sender, with its key fingerprint and "Xác nhận máy gửi…";
- ``bao-cao-nhan-goi.png``: the same report after the sender was confirmed;
- ``main-dong-bo-tinh.png``: "Đồng bộ" at the office: the console of the province's communes,
  one commune with a second PC waiting for confirmation, and its packages;
- ``main-dong-bo-xa.png``: "Đồng bộ" at the commune: packages sent and acknowledged, one
  chosen (to send again), the size limit of a file for e-mail;
- ``gui-toan-bo.png``: the commune's "Gửi toàn bộ dữ liệu…": when a snapshot is needed, and
  for whom (the office or the commune's second PC);
- ``xung-dot.png``: the conflict queue at the second PC, deciding field by field;
- ``xung-dot-xoa.png``: the same queue on a household member deleted at the first PC and
  edited at the second: one choice for the whole row, who deleted and who edited, when.

and, for progress reporting ("Tổng quan", "Tiến độ"):

- ``tong-quan.png``: the demo commune's home screen: its periods due, the overdue one in red;
- ``tien-do-loi.png``: "Tiến độ" of the demo commune: the 6-month period of 2026 with BHYT
  cards whose parts add up to more than the whole (the error under the grid, "Hoàn thành kỳ
  báo cáo" disabled), computed figures on a tinted background;
- ``them-ky-bao-cao.png``: the dialog adding a report period;
- ``tien-do-tong-hop.png``: the office of Tỉnh Bắc Ninh adding up two communes' complete
  periods, the communes still missing first;
- ``tong-quan-tinh.png``: the office's home screen with the count of communes missing;
- ``tong-quan-bieu-do.png``: the demo commune's home screen scrolled to its four charts (rates
  by village, over the years with the change of standard, deprivations, money by line);
- ``tong-quan-van-phong.png``: the demo office (``gnapp demo --office``: Tỉnh Thanh Hóa with
  4 demo communes) on 23/11/2026: its communes, those needing attention first, with their
  rates and the chart of rates by commune.

and, on an office database of Tỉnh Bắc Ninh:

- ``chi-tieu.png``: the poverty targets of the Tân Yên plan 58/KH-UBND
  (``tests/fixtures/targets``, with its printed total row): computed totals, the differences
  of the document's total row, the 7 printed rates that disagree with their counts in red.

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


def wait_for_pages(app, preview, timeout: float = 20.0) -> None:
    """Wait until a ``PdfPreview`` has drawn the first page it shows: QtPdf renders pages in
    the background, a later one sometimes first, so a grab made at once shows blank sheets.
    Drawn means dark pixels (text) on that page: from the first white row down to the grey
    between it and the next page (or the bottom of the view)."""
    def drawn() -> bool:
        image = preview.view.viewport().grab().toImage()
        width, height, step = image.width(), image.height(), 4
        middle = range(width // 4, 3 * width // 4, step)

        def light(x: int, y: int) -> int:
            return image.pixelColor(x, y).lightness()

        top = next((y for y in range(height) if light(width // 2, y) > 240), height)
        bottom = next((y for y in range(top, height)
                       if all(100 < light(x, y) < 230 for x in middle)), height)
        return any(light(x, y) < 80 for y in range(top, bottom, step)
                   for x in range(0, width, step))
    wait_until(app, drawn, timeout)


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
    from gnapp.ui import widgets
    from gnapp.ui.tasks import TaskManager

    # closing a dialog with typed changes asks "Lưu / Không lưu / Hủy": answer "Không lưu"
    widgets.ask_unsaved = lambda *args, **kwargs: widgets.DISCARD
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
    shoot_sync(app, out, tmp)
    shoot_targets(app, out, tmp)
    shoot_progress_office(app, out, tmp)
    shoot_demo_office(app, out, tmp)
    return 0


def shoot_demo_office(app, out: Path, tmp: Path) -> None:
    """The home screen of the demo office (4 demo communes merged) on 23/11/2026."""
    from datetime import date

    from gnapp import demo
    from gnapp.db import connection
    from gnapp.ui.app import build_main_window

    path = tmp / "demo-office" / "gnapp.sqlite"
    db = connection.connect(path)
    demo.fill_office(db, tmp / "demo-office" / "communes", households=120)
    db.close()
    window = build_main_window(path, auto_backup=False)
    window.resize(1280, 900)
    window.home_page.today = lambda: date(2026, 11, 23)
    window.show()
    wait_until(app, window.isVisible)
    window.home_page.refresh()
    wait_until(app, lambda: bool(window.home_page.results))
    app.processEvents()
    save(window, out / "tong-quan-van-phong.png")
    window.close()


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
    shoot_projects(app, out, window)
    shoot_allocations(app, out, window)
    shoot_reports(app, out, window)
    shoot_progress(app, out, window)
    shoot_documents(app, out, window)
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


def shoot_projects(app, out: Path, window) -> None:
    """"Dự án, giải ngân" on the demo database, with a project and an allocation line added."""
    from datetime import date

    from gnapp.db import connection, reviews, sites
    from gnapp.db import disbursement as spending
    from gnapp.db import projects as pj

    db = connection.connect(window.db_path)
    w = sites.writer(db)
    decision = w.insert("allocation_decision", {
        "kind": "decision", "issuer": "UBND tỉnh Thanh Hóa", "number": "1277/QĐ-UBND",
        "signed_on": "2026-02-27", "year": 2026, "batch": 1, "programme": "GNBV-2021-2025"})
    lines = [w.insert("allocation_line", {
        "decision_id": decision["id"], "line_code": code, "source": "NSTW",
        "capital_type": "SN", "recipient_unit": COMMUNE, "recipient_name": "UBND xã",
        "amount": amount}) for code, amount in (("DA2", 500_000_000), ("DA3.TDA1", 300_000_000))]
    project = pj.create_project(
        w, name="Dự án chăn nuôi dê sinh sản", line_code="DA2", amount=500_000_000, year=2026,
        implementer="UBND xã, Hội Nông dân xã", starts_on="2026-03-01", ends_on="2026-12-31",
        management_group="Lê Văn Hùng (tổ trưởng), Phạm Thị Mai, Đỗ Văn Nam",
        supervision_group="Ban giám sát đầu tư cộng đồng xã",
        groups_decision="45/QĐ-UBND ngày 20/02/2026", allocation_line_id=lines[0]["id"])
    finished = next(r for r in reviews.rounds(db) if r["year"] == 2025)
    by_class: dict[str, list[str]] = {}
    for row in db.query("SELECT household_id, class FROM household_review WHERE round_id = ?",
                        [finished["id"]]):
        by_class.setdefault(row["class"], []).append(row["household_id"])
    chosen = by_class.get("poor", [])[:5] + by_class.get("near_poor", [])[:2] + \
        by_class.get("not_poor", [])[:4]
    for n, household_id in enumerate(chosen):
        pj.add_participant(w, project["id"], household_id, counterpart=(n % 3) * 1_000_000)
    pj.add_input(w, project["id"], item="Dê cái giống", quantity=3, unit="con",
                 delivered_on="2026-07-20", household_id=chosen[0])
    pj.add_input(w, project["id"], item="Thức ăn tinh", quantity="13.8", unit="kg",
                 delivered_on="2026-07-31")
    spending.add_payment(w, lines[0]["id"], amount=320_000_000, paid_on="2026-07-15",
                         document="PC 15/2026", content="Mua dê giống đợt 1")
    estimate = spending.prepare_estimate(w, lines[0]["id"], activity="Mua 120 con dê giống",
                                         amount=360_000_000, prepared_by="Công chức LĐTBXH",
                                         prepared_on="2026-03-05")
    spending.estimate_step(w, estimate["id"], "appraise", by="Kế toán – Ngân sách",
                           on="2026-03-08")
    spending.estimate_step(w, estimate["id"], "approve", by="Chủ tịch UBND xã", on="2026-03-10")
    spending.prepare_estimate(w, lines[0]["id"], activity="Tập huấn kỹ thuật chăn nuôi",
                              amount=20_000_000, prepared_by="Công chức LĐTBXH",
                              prepared_on="2026-06-02")
    db.close()

    window.show_area("Dự án, giải ngân")
    page = window.projects_page
    page.today = date(2026, 11, 20)
    page.refresh()
    page.detail_tabs.setCurrentIndex(1)
    page.search_edit.setText("nguyen")
    app.processEvents()
    page.candidate_table.setCurrentCell(0, 0)
    save(window, out / "du-an-ho-tham-gia.png")
    page.detail_tabs.setCurrentIndex(0)
    app.processEvents()
    save(window, out / "du-an-thong-tin.png")
    page.detail_tabs.setCurrentIndex(2)
    app.processEvents()
    save(window, out / "du-an-vat-tu.png")

    page.tabs.setCurrentIndex(1)
    from gnapp.ui.projects_page import select_id
    select_id(page.line_table, lines[0]["id"])        # the line of decision 1277/QĐ-UBND
    app.processEvents()
    page.pay_amount_edit.setText("200 triệu")
    page.pay_document_edit.setText("PC 21/2026")
    page.add_payment()                                  # refused: more than is left
    wait_until(app, page.payment_message.isVisible)
    page.estimate_table.setCurrentCell(1, 0)
    app.processEvents()
    save(window, out / "giai-ngan.png")



def shoot_allocations(app, out: Path, window) -> None:
    """"Phân bổ vốn" with the Bắc Kạn 2022 plan and its stated totals imported."""
    from gnapp.db import allocations as al
    from gnapp.db import connection, sites

    seeds = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "allocations"
    db = connection.connect(window.db_path)
    writer = sites.writer(db)
    al.import_file(writer, seeds / "bac_kan_2022_capital.csv", new_decision={
        "issuer": "UBND tỉnh Bắc Kạn", "year": 2022, "kind": "plan", "number": "635/KH-UBND",
        "signed_on": "25/10/2021"}, recipient="Tỉnh Bắc Kạn")
    al.import_file(writer, seeds / "bac_kan_2022_stated_totals.json", decision="635/KH-UBND")
    db.close()
    window.show_area("Phân bổ vốn")
    page = window.allocation_page
    page.reload()
    page.list.selectRow(next(i for i, r in enumerate(page.rows) if r["number"] == "635/KH-UBND"))
    app.processEvents()
    save(window, out / "phan-bo-von.png")
    page.tabs.setCurrentIndex(1)
    app.processEvents()
    save(window, out / "phan-bo-so-tong.png")
    page.tabs.setCurrentIndex(0)


def preview_report(app, window, form: str, folder: Path) -> None:
    """"Báo cáo" with ``form`` of the 2025 round previewed (its pages drawn), after two prints
    of the posting list (the second a copy, "BẢN SAO") so the book of printed copies has rows;
    the printed files go to ``folder``."""
    from gnapp.db import connection
    from gnapp.forms import printing

    db = connection.connect(window.db_path)
    for n in (1, 2):
        printing.print_form(db, "niem-yet", folder / f"niem-yet-{n}.pdf", round_year=2025)
    db.close()
    window.show_area("Báo cáo")
    page = window.reports_page
    page.reload()
    page.select_form(form)
    page.round_box.setCurrentIndex(page.round_box.findData(2025))
    page.show_preview()
    wait_until(app, lambda: page.preview_doc is not None and not page.tasks.busy)
    wait_for_pages(app, page.preview)


def shoot_reports(app, out: Path, window) -> None:
    """"Báo cáo": the recognition decision of 2025 previewed, two printed copies below."""
    preview_report(app, window, "quyet-dinh", window.db_path.parent)
    save(window, out / "bao-cao.png")


def shoot_documents(app, out: Path, window) -> None:
    """"Văn bản": a report made from the mid-term template, a block chosen; its preview."""
    window.show_area("Văn bản")
    page = window.documents_page
    page.ask_new_document = lambda: ("bao-cao-giua-ky", 2026, None)
    page.new_document()
    wait_until(app, lambda: page.current is not None and not page.tasks.busy)
    page.block_list.setCurrentRow(2)
    app.processEvents()
    save(window, out / "van-ban.png")
    page.show_preview()
    wait_until(app, lambda: page.preview_doc is not None and not page.tasks.busy)
    wait_for_pages(app, page.preview)
    save(window, out / "van-ban-ban-in.png")


def shoot_sync(app, out: Path, tmp: Path) -> None:
    """The "Đồng bộ" area: an office's console after a folder of packages, the import
    report with an unknown sender, the commune's sent packages, the conflict queue."""
    from gnapp.db import connection, sites, units
    from gnapp.db import households as hh
    from gnapp.sync import console, export, importer
    from gnapp.ui.app import build_main_window

    def path_of(name: str) -> Path:
        return tmp / "sync" / name / "gnapp.sqlite"

    def open_db(name: str, unit: str, role: str, user: str, full_name: str):
        db = connection.connect(path_of(name))
        sites.init_site(db, unit, role, user=user, user_full_name=full_name)
        return db

    commune = open_db("pc1", COMMUNE, "commune", "canbo", "Nguyễn Thị Hồng Nhung")
    w = sites.writer(commune)
    village = units.add_village(w, "Thôn Đồng Tâm")
    people = [("Nguyễn Văn Đức", "nam", "1975"), ("Lò Thị Mai", "nu", "1980"),
              ("Hoàng Văn Sơn", "nam", "1968"), ("Đặng Thị Hạnh", "nu", "1990")]
    for n, (name, sex, born) in enumerate(people, start=1):
        hh.add_household(w, village_id=village["id"], area="rural", code=f"01-{n:04d}",
                         head={"full_name": name, "sex": sex, "birth_date": born})
    usb = tmp / "sync" / "usb"
    export.export_package(commune, usb)
    # a second PC of the commune, which got the register from the first
    pc2 = open_db("pc2", COMMUNE, "commune", "canbo2", "Lê Văn Bình")
    direct = export.export_package(commune, tmp / "sync" / "direct", to_unit=COMMUNE)
    importer.import_files(pc2, direct.paths, trust=[sites.local_site(commune).fingerprint])
    head = hh.members(commune, hh.find_by_code(commune, "01-0001", COMMUNE)["id"])[0]
    hh.update_member(w, head["id"], {"full_name": "Nguyễn Văn Đức Anh"})
    hh.update_member(sites.writer(pc2), head["id"], {"full_name": "Nguyễn Văn Được",
                                                     "ethnicity": "Tày"})
    gone = hh.find_by_code(commune, "01-0004", COMMUNE)
    gone_head = hh.members(commune, gone["id"])[0]
    hh.delete_household(w, gone["id"], reason="Nhập trùng hộ 01-0003")
    hh.update_member(sites.writer(pc2), gone_head["id"], {"birth_date": "1991",
                                                          "ethnicity": "Kinh"})
    export.export_package(commune, usb)
    later = export.export_package(commune, tmp / "sync" / "later", to_unit=COMMUNE)
    importer.import_files(pc2, later.paths)             # a conflict at PC 2
    usb2 = tmp / "sync" / "usb-pc2"
    export.export_package(pc2, usb2)
    pc2.close()
    commune.close()

    open_db("office", "24", "office", "sonv", "Trần Văn Sơn").close()

    window = build_main_window(path_of("office"), auto_backup=False)
    window.resize(1280, 760)
    window.show()
    wait_until(app, window.isVisible)
    window.show_area("Đồng bộ")
    page = window.pages["Đồng bộ"]
    page.import_paths(console.package_files(usb))
    wait_until(app, lambda: page.report_dialog is not None and page.report_dialog.isVisible())
    save(page.report_dialog, out / "nhan-goi-chua-xac-nhan.png")
    dialog = page.report_dialog
    dialog.confirm_trust = lambda fingerprint, sender: True
    fingerprint, sender = dialog.unknown_senders()[0]
    dialog.trust(fingerprint, sender)
    wait_until(app, lambda: not dialog.trust_buttons)
    save(dialog, out / "bao-cao-nhan-goi.png")
    dialog.close()
    page.import_paths(console.package_files(usb2))      # the second PC: not confirmed yet
    wait_until(app, lambda: page.report_dialog is not dialog and page.report_dialog is not None)
    page.report_dialog.close()
    page.select_unit(COMMUNE)
    app.processEvents()
    save(window, out / "main-dong-bo-tinh.png")
    page.ask_folder = lambda title: tmp / "sync" / "down"
    page.send_to_selected()
    wait_until(app, lambda: "Đã tạo gói" in page.result_label.text())
    window.close()

    window = build_main_window(path_of("pc1"), auto_backup=False)
    window.resize(1280, 760)
    window.show()
    wait_until(app, window.isVisible)
    window.show_area("Đồng bộ")
    page = window.pages["Đồng bộ"]
    page.import_paths(console.package_files(tmp / "sync" / "down"))
    wait_until(app, lambda: page.report_dialog is not None and page.report_dialog.isVisible())
    page.report_dialog.confirm_trust = lambda fingerprint, sender: True
    page.report_dialog.trust(*page.report_dialog.unknown_senders()[0])
    wait_until(app, lambda: not page.report_dialog.trust_buttons)
    page.report_dialog.close()
    page.part_spin.setValue(20000)
    page.sent_table.selectRow(page.sent_table.rowCount() - 1)
    app.processEvents()
    save(window, out / "main-dong-bo-xa.png")
    from gnapp.ui.sync_page import SnapshotDialog
    snapshot = SnapshotDialog(page._snapshot_office(), (COMMUNE, page.unit_name()), page)
    snapshot.show()
    wait_until(app, snapshot.isVisible)
    save(snapshot, out / "gui-toan-bo.png")
    snapshot.reject()
    window.close()

    window = build_main_window(path_of("pc2"), auto_backup=False)
    window.show()
    wait_until(app, window.isVisible)
    window.show_area("Đồng bộ")
    dialog = window.pages["Đồng bộ"].open_conflict_dialog()
    wait_until(app, dialog.isVisible)
    dialog.field("full_name").theirs_radio.setChecked(True)
    dialog.field("ethnicity").typed_radio.setChecked(True)
    dialog.field("ethnicity").typed_edit.setText("Tày")
    app.processEvents()
    save(dialog, out / "xung-dot.png")
    deletion = next(i for i in dialog.conflict_ids() if i != dialog.current.id)
    dialog.select(deletion)
    wait_until(app, lambda: dialog.row_choice is not None)
    dialog.row_choice.choose("edited")
    app.processEvents()
    save(dialog, out / "xung-dot-xoa.png")
    dialog.reject()
    window.close()



def shoot_targets(app, out: Path, tmp: Path) -> None:
    """The poverty targets view with the Tân Yên annex and its printed total row."""
    import json

    from gnapp.db import connection, sites
    from gnapp.db import targets as dt
    from gnapp.ui.targets_view import TargetsView
    from gnapp.ui.tasks import TaskManager

    seeds = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "targets"
    db_path = tmp / "targets" / "gnapp.sqlite"
    db = connection.connect(db_path)
    sites.init_site(db, "24", "office", user="vanphong")
    totals = json.loads((seeds / "tan_yen_expected.json").read_text(encoding="utf-8"))
    source = tmp / "targets" / "tan_yen_tong.csv"
    source.write_text((seeds / "tan_yen_2015_2020.csv").read_text(encoding="utf-8") + "".join(
        f",Tổng,{v['year']},{v['households']},{v['poor_households']},{v['rate_printed']}\n"
        for v in totals["district_total_row_printed"]["values"]), encoding="utf-8")
    dt.import_file(sites.writer(db), source, plan="58/KH-UBND")
    tasks = TaskManager(db_path)
    view = TargetsView(lambda: db, tasks)
    view.resize(1400, 760)
    view.show()
    wait_until(app, view.isVisible)
    view.grid.scrollToBottom()
    app.processEvents()
    save(view, out / "chi-tieu.png")
    view.close()
    tasks.close()
    db.close()


def shoot_progress(app, out: Path, window) -> None:
    """"Tổng quan" and "Tiến độ" of the demo commune on 10/07/2026: the open 6-month period
    with BHYT cards whose parts exceed the whole."""
    from datetime import date

    from gnapp.db import connection, progress, sites
    from gnapp.domain import progress as rules

    today = date(2026, 7, 10)
    db = connection.connect(window.db_path)
    w = sites.writer(db)
    unit = sites.require_site(db).unit_code
    period = progress.find_period(db, unit, rules.HALF_YEAR, 2026) or \
        progress.create_period(w, rules.HALF_YEAR, 2026)
    if period["state"] == rules.OPEN:
        for code, value in (("CS.BHYT.THE", "1.250"), ("CS.BHYT.NGHEO", "980"),
                            ("CS.BHYT.CAN_NGHEO", "310")):
            progress.set_figure(w, period["id"], code, actual=value)
    if progress.find_period(db, unit, rules.YEAR, 2026) is None:
        progress.create_period(w, rules.YEAR, 2026)
    db.close()

    home = window.home_page
    home.today = lambda: today
    window.show_area("Tổng quan")
    home.refresh()
    app.processEvents()
    save(window, out / "tong-quan.png")
    bar = home.scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    app.processEvents()
    save(window, out / "tong-quan-bieu-do.png")
    bar.setValue(0)

    page = window.progress_page
    page.today = lambda: today
    window.show_area("Tiến độ")
    page.refresh()
    page.select_period(period["id"])
    page.grid.select_code("CS.BHYT.CAN_NGHEO")
    app.processEvents()
    save(window, out / "tien-do-loi.png")
    dialog = page.open_period_dialog()
    wait_until(app, dialog.isVisible)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(rules.AD_HOC))
    dialog.title_edit.setText("Hỗ trợ tiền điện quý III")
    app.processEvents()
    save(dialog, out / "them-ky-bao-cao.png")
    dialog.reject()
    app.processEvents()


def shoot_progress_office(app, out: Path, tmp: Path) -> None:
    """The office of Tỉnh Bắc Ninh after two communes sent their complete 6-month period of
    2026: the roll-up tab and the home screen."""
    from datetime import date

    from gnapp.db import connection, progress, sites
    from gnapp.domain import progress as rules
    from gnapp.sync import export, importer
    from gnapp.ui.app import build_main_window

    today = date(2026, 7, 10)
    office_path = tmp / "progress" / "office" / "gnapp.sqlite"
    office = connection.connect(office_path)
    sites.init_site(office, "24", "office", user="sonv", user_full_name="Trần Văn Sơn")
    others = [c["code"] for c in progress.office_communes(office, "24") if c["code"] != COMMUNE]
    figures = {COMMUNE: {"CS.BHYT.THE": ("1.250", "1.300"), "CS.BHYT.NGHEO": ("980", None),
                         "CS.DIEN.HO.Q1": ("112", None), "CS.TGPL.VU_VIEC": ("6", "5")},
               others[0]: {"CS.BHYT.THE": ("2.100", "2.000"), "CS.BHYT.NGHEO": ("1.420", None),
                           "CS.DIEN.HO.Q1": ("205", None), "CS.TGPL.VU_VIEC": ("9", "8")}}
    for n, (code, values) in enumerate(figures.items()):
        db = connection.connect(tmp / "progress" / code / "gnapp.sqlite")
        sites.init_site(db, code, "commune", user=f"canbo{n}")
        w = sites.writer(db)
        period = progress.create_period(w, rules.HALF_YEAR, 2026)
        for indicator, (actual, target) in values.items():
            progress.set_figure(w, period["id"], indicator, actual=actual, target=target)
        progress.complete_period(w, period["id"], today=date(2026, 6, 18))
        sent = export.export_package(db, tmp / "progress" / "usb")
        importer.import_files(office, sent.paths, trust=[sites.local_site(db).fingerprint])
        db.close()
    office.close()

    window = build_main_window(office_path, auto_backup=False)
    window.resize(1280, 800)
    window.home_page.today = lambda: today
    window.progress_page.today = lambda: today
    window.show()
    wait_until(app, window.isVisible)
    window.home_page.refresh()
    app.processEvents()
    save(window, out / "tong-quan-tinh.png")
    window.open_rollup(rules.HALF_YEAR, 2026)
    window.progress_page.select_commune(COMMUNE)
    app.processEvents()
    save(window, out / "tien-do-tong-hop.png")
    window.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
