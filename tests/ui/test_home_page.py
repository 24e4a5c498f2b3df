"""The home screen ("Tổng quan") on real database files: the unit, the periods due (overdue in
red, each a link into "Tiến độ"), and at an office the communes still missing."""

from datetime import date

import pytest

from gnapp.db import connection, progress, sites
from gnapp.domain import progress as rules
from gnapp.domain.progress import last_due_period
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
    page.missing_label.linkActivated.emit("half_year:2024")
    progress_page = window.progress_page
    assert window.stack.currentWidget() is progress_page
    assert progress_page.tabs.currentWidget() is progress_page.rollup_tab
    assert progress_page.commune_rows()[-1][1] == COMMUNE
