"""The home screen ("Tổng quan") on real database files: the unit, the periods due (overdue in
red, each a link into "Tiến độ"), and at an office the communes still missing."""

from datetime import date

import pytest
from PySide6.QtCore import Qt

from gnapp.db import connection, progress, sites
from gnapp.domain import progress as rules
from gnapp.domain.progress import last_due_period
from gnapp.domain.text import sort_key
from gnapp.ui.home_page import AREA_TITLE, ERROR_COLOR, NOTHING_DUE
from gnapp.ui.main_window import AREAS
from tests.conftest import COMMUNE, PROVINCE
from tests.ui.test_progress_page import TODAY, _office_db_template, commune_path, office_path

# The fixtures of the progress page's tests, used here by name.
__all__ = ["_office_db_template", "commune_path", "office_path"]

CALENDAR = {kind: rules.Deadline("commune", kind, month, day) for kind, month, day in (
    (rules.HALF_YEAR, 6, 20), (rules.NINE_MONTHS, 10, 5), (rules.YEAR, 12, 5))}


@pytest.mark.parametrize("today, expected", [
    (date(2026, 1, 10), (rules.YEAR, 2025, date(2025, 12, 5))),
    (date(2026, 6, 19), (rules.YEAR, 2025, date(2025, 12, 5))),
    (date(2026, 6, 20), (rules.HALF_YEAR, 2026, date(2026, 6, 20))),
    (date(2026, 10, 5), (rules.NINE_MONTHS, 2026, date(2026, 10, 5))),
    (date(2026, 12, 31), (rules.YEAR, 2026, date(2026, 12, 5))),
])
def test_the_current_period_is_the_one_whose_deadline_passed_last(today, expected):
    assert last_due_period(CALENDAR, today) == expected
    assert last_due_period({}, today) is None


def test_the_window_opens_on_the_home_screen_with_the_unit(window):
    assert AREAS[0] == AREA_TITLE
    page = window.pages[AREA_TITLE]
    assert window.stack.currentWidget() is page
    assert page.unit_label.text() == "<b>Xã Tân Yên</b>"
    assert page.role_label.text() == "Xã Tân Yên (07339) – Tỉnh Bắc Ninh · Máy của xã, phường"
    assert [label.text() for label in page.due_labels] == [NOTHING_DUE]
    assert not page.office_frame.isVisible()


def test_overdue_periods_are_red_and_open_progress_on_click(make_window, site_path, qtbot):
    db = connection.connect(site_path)
    w = sites.writer(db)
    year = progress.create_period(w, rules.YEAR, 2024)
    half = progress.create_period(w, rules.HALF_YEAR, 2024)
    done = progress.create_period(w, rules.YEAR, 2023)
    progress.complete_period(w, done["id"], today=TODAY)
    db.close()
    window = make_window(site_path)
    page = window.pages[AREA_TITLE]
    page.today = lambda: TODAY
    page.refresh()
    # soonest due first; the complete period is not listed
    assert [label.property("period_id") for label in page.due_labels] == [half["id"],
                                                                          year["id"]]
    overdue, coming = page.due_labels
    assert overdue.property("overdue") and not coming.property("overdue")
    assert "6 tháng đầu năm 2024" in overdue.text()
    assert "hạn nộp 20/06/2024 – quá hạn 20 ngày – đang nhập số liệu" in overdue.text()
    assert f'color:{ERROR_COLOR}' in overdue.text()
    assert "hạn nộp 05/12/2024 – còn 148 ngày" in coming.text()
    assert ERROR_COLOR not in coming.text()

    overdue.linkActivated.emit(half["id"])
    progress_page = window.progress_page
    assert window.stack.currentWidget() is progress_page
    assert progress_page.period["id"] == half["id"]
    assert progress_page.period_header.text().startswith("6 tháng đầu năm 2024")
    coming.linkActivated.emit(year["id"])
    assert progress_page.period["id"] == year["id"]


def test_an_office_sees_how_many_communes_are_missing(make_window, office_path, qtbot):
    window = make_window(office_path)
    page = window.pages[AREA_TITLE]
    page.today = lambda: TODAY
    page.refresh()
    assert page.office_frame.isVisible()
    db = connection.connect(office_path)
    communes = len(progress.office_communes(db, PROVINCE))
    db.close()
    assert page.missing == (rules.HALF_YEAR, 2024, communes - 1, communes)
    text = page.missing_label.text()
    assert "Kỳ 6 tháng đầu năm 2024 (hạn nộp của xã 20/06/2024)" in text
    assert f"<b>{communes - 1}/{communes}</b> xã, phường chưa có số liệu" in text
    page.missing_label.linkActivated.emit("rollup:half_year:2024")
    progress_page = window.progress_page
    assert window.stack.currentWidget() is progress_page
    assert progress_page.tabs.currentWidget() is progress_page.rollup_tab
    assert progress_page.commune_rows()[-1][1] == COMMUNE


# -- the demo commune and the demo office ---------------------------------------------------------

DEMO_TODAY = date(2026, 11, 23)


def _home(make_window, path):
    window = make_window(path)
    page = window.pages[AREA_TITLE]
    page.today = lambda: DEMO_TODAY
    page.refresh()
    return window, page


def test_a_commune_sees_its_round_and_every_figure_opens_its_list(make_window, demo_path,
                                                                  qtbot):
    window, page = _home(make_window, demo_path)
    o = page.overview
    assert page.round_heading.text() == "Đợt rà soát định kỳ năm 2026"
    assert f">{o.now.poor}</a>" in page.poor_label.text()
    assert f"Năm 2025: {o.before.poor} (" in page.poor_label.text()
    assert "tạm tính" in page.pending_label.text()
    # the village table, in Vietnamese order of names
    names = [page.village_table.item(r, page.V_NAME).text()
             for r in range(page.village_table.rowCount())]
    assert names == sorted(names, key=sort_key) and len(names) == 8
    assert "Thôn Đông Kim" in names
    # the big "not reviewed" figure opens the household list on exactly those households
    page.todo_label.linkActivated.emit("households:review_state=none")
    households = window.household_page
    assert window.stack.currentWidget() is households
    assert households.model.rowCount() == o.not_reviewed
    assert households.review_combo.currentData() == "none"
    # a village's poor households, from its cell
    window.show_area(AREA_TITLE)
    row = next(r for r in range(page.village_table.rowCount())
               if page.village_table.item(r, page.V_POOR).text().split(" ")[0] not in ("0", ""))
    village_id = page.village_table.item(row, page.V_NAME).data(Qt.ItemDataRole.UserRole)
    expected = next(v for v in o.villages if v.village_id == village_id).now.poor
    page.village_table.cellDoubleClicked.emit(row, page.V_POOR)
    assert households.model.rowCount() == expected
    assert households.village_combo.currentData() == village_id
    assert households.class_combo.currentData() == "poor"
    # the village's name opens "Rà soát" on it
    window.show_area(AREA_TITLE)
    page.village_table.cellDoubleClicked.emit(row, page.V_NAME)
    assert window.stack.currentWidget() is window.review_page
    assert window.review_page.selected_village_id() == village_id
    # money and packages open their areas
    window.show_area(AREA_TITLE)
    page.money_label.linkActivated.emit("area:Phân bổ vốn")
    assert window.stack.currentWidget() is window.allocation_page
    # the four charts carry data
    shown = {name: view.chart() for name, view in page.chart_views.items()
             if not view.isHidden()}
    assert set(shown) == {"villages", "history", "deprivations", "money"}
    assert all(chart is not None and not chart.empty for chart in shown.values())


def test_an_office_lists_its_communes_attention_first(make_window, demo_office_path, qtbot):
    window, page = _home(make_window, demo_office_path)
    assert page.office_frame.isVisible() and not page.commune_frame.isVisible()
    qtbot.waitUntil(lambda: bool(page.results), timeout=20000)
    table = page.commune_table
    received = [r for r in range(table.rowCount()) if table.item(r, page.C_POOR).text()]
    assert len(received) == 3
    for r in received:
        code = table.item(r, page.C_NAME).data(Qt.ItemDataRole.UserRole)
        rates = page.results[code].rates
        assert table.item(r, page.C_POOR).text().startswith(f"{rates.poor} (")
    attention = [s.needs_attention for s in page.standings]
    assert attention == sorted(attention, reverse=True)
    chart = page.chart_views["communes"].chart()
    assert chart is not None and len(chart.categories) == 3
    # sorting by name follows Vietnamese order
    table.sortItems(page.C_NAME)
    names = [table.item(r, page.C_NAME).text() for r in range(table.rowCount())]
    assert names == sorted(names, key=sort_key)


def test_packages_not_acknowledged_are_counted_and_open_sync(make_window, demo_path, tmp_path):
    from gnapp.sync import export

    db = connection.connect(demo_path)
    sent = export.export_package(db, tmp_path / "usb")
    db.close()
    window, page = _home(make_window, demo_path)
    text = page.sync_label.text()
    assert ">1</a>" in text and f"gói số {sent.package_no} gửi lúc" in text
    page.sync_label.linkActivated.emit("area:Đồng bộ")
    assert window.stack.currentWidget() is window.sync_page
