"""TargetsView on real SQLite files, offscreen: the Tân Yên table, its flags, import, print and
a target set by hand (typed as a person would)."""

import pytest

from gnapp.db import connection, sites
from gnapp.db import targets as dt
from gnapp.ui.targets_view import FLAG_BACKGROUND, TargetsView
from gnapp.ui.tasks import TaskManager
from tests.targets_helpers import CSV, PLAN, expected, tan_yen_office, with_total_row


@pytest.fixture
def office_path(units_path, tmp_path):
    db = connection.connect(units_path)
    tan_yen_office(db)
    dt.import_file(sites.writer(db), with_total_row(tmp_path), plan=PLAN)
    db.close()
    return units_path


@pytest.fixture
def view(qtbot, office_path, shown_errors, monkeypatch):
    monkeypatch.setattr("gnapp.ui.targets_view.show_error",
                        lambda parent, exc: shown_errors.append(exc))
    db = connection.connect(office_path)
    tasks = TaskManager(office_path)
    widget = TargetsView(lambda: db, tasks)
    qtbot.addWidget(widget)
    widget.resize(1500, 800)
    widget.show()
    yield widget
    tasks.close()
    db.close()


def _find_row(view, name):
    return next(r for r in range(view.grid.rowCount())
                if view.grid.item(r, 2) and view.grid.item(r, 2).text() == name)


def test_the_table_shows_totals_the_printed_row_and_the_seven_flags(view):
    assert view.current_plan() == PLAN
    assert view.grid.columnCount() == 3 + 18
    total = _find_row(view, "Tổng cộng các dòng")
    for i, t in enumerate(expected()["district_totals_computed"]):
        col = 3 + 3 * i
        assert view.grid.item(total, col).text() == f"{t['households']:,}".replace(",", ".")
        assert view.grid.item(total, col + 2).text() == t["rate_percent"].replace(".", ",")
    flagged = [(view.grid.item(r, 2).text(), view.grid.horizontalHeaderItem(c).text()[:4])
               for r in range(view.grid.rowCount()) for c in range(3, view.grid.columnCount())
               if view.grid.item(r, c)
               and view.grid.item(r, c).background().color().name() == FLAG_BACKGROUND]
    assert sorted(flagged) == sorted((c["unit_name"], str(c["year"]))
                                     for c in expected()["cell_check"]["flagged_cells"])
    hop_duc = _find_row(view, "Hợp Đức")
    tip = view.grid.item(hop_duc, 5).toolTip()
    assert "in 7,26%" in tip and "9,26%" in tip
    gap = _find_row(view, "Chênh lệch")
    assert view.grid.item(gap, 3 + 15 + 1).text() == "−3"          # 2020 poor households
    assert "7 ô tỷ lệ in không khớp" in view.summary_label.text()


def test_import_goes_through_the_worker_and_refreshes(view, qtbot, monkeypatch, tmp_path):
    monkeypatch.setattr(view, "ask_import_file", lambda: (CSV, "Bản sao 58"))
    view.import_button.click()
    qtbot.waitUntil(lambda: "Đã nhập" in view.status_label.text(), timeout=10000)
    assert view.current_plan() == "Bản sao 58"
    assert "mới 144" in view.status_label.text()
    bad = tmp_path / "sai.csv"
    bad.write_text("unit_name,year,households,poor_households\nAn Dương,2015,10,11\n",
                   encoding="utf-8")
    monkeypatch.setattr(view, "ask_import_file", lambda: (bad, PLAN))
    view.import_button.click()
    qtbot.waitUntil(lambda: "chưa ghi gì" in view.status_label.text(), timeout=10000)
    assert "Tệp sai.csv, dòng 2, trường «poor_households»" in view.status_label.text()


def test_print_writes_the_file(view, qtbot, monkeypatch, tmp_path):
    out = tmp_path / "chi-tieu.pdf"
    monkeypatch.setattr(view, "ask_print_path", lambda: out)
    view.print_button.click()
    qtbot.waitUntil(lambda: "Đã in" in view.status_label.text(), timeout=20000)
    assert out.exists() and out.read_bytes().startswith(b"%PDF")


def test_a_commune_target_with_the_rate_first(view, qtbot, type_vi, office_path):
    type_vi(view.unit_edit, "07339")
    view.year_spin.setValue(2026)
    type_vi(view.households_edit, "2.345")
    type_vi(view.rate_edit, "1,5")
    view.set_button.click()
    qtbot.waitUntil(lambda: "Đã ghi chỉ tiêu" in view.status_label.text(), timeout=10000)
    assert "số hộ nghèo tính ra 35" in view.status_label.text()
    assert view.current_plan() == dt.ASSIGNED_PLAN
    db = connection.connect(office_path)
    (row,) = db.query("SELECT * FROM poverty_target WHERE unit_code = '07339'")
    db.close()
    assert (row["households"], row["poor_households"], row["rate_first"]) == (2345, 35, 1)


def test_a_wrong_target_is_refused_with_its_reason(view, qtbot, type_vi):
    type_vi(view.unit_edit, "15865")
    type_vi(view.households_edit, "100")
    type_vi(view.poor_edit, "3")
    view.set_button.click()
    qtbot.waitUntil(lambda: "Không ghi được" in view.status_label.text(), timeout=10000)
    assert "không thuộc đơn vị của máy này" in view.status_label.text()
