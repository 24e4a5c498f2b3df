"""The "Người có thể trùng" dialog: pairs read in the worker, decided by a person, never
merged (commune 07339 with two likely duplicates)."""

import pytest
from PySide6.QtCore import Qt

from gnapp.db import connection, sites, units
from gnapp.db import households as hh


@pytest.fixture
def twins_path(site_path):
    db = connection.connect(site_path)
    w = sites.writer(db)
    village = units.add_village(w, "Thôn Đồng Tâm")
    for code, name, number in (("01-0001", "Hoàng Văn Sơn", "024069001234"),
                               ("01-0002", "Hoang Van Son", None),
                               ("01-0003", "Lý Thị Hoa", "024180004321"),
                               ("01-0004", "Lý Thị Hòa", "024180004321")):
        hh.add_household(w, village_id=village["id"], area="rural", code=code,
                         head={"full_name": name, "sex": "nu" if "Thị" in name else "nam",
                               "birth_date": "1969" if "Sơn" in name or "Son" in name
                               else "1980", "id_number": number})
    db.close()
    return site_path


def test_pairs_are_shown_decided_and_the_household_opened(make_window, twins_path, qtbot,
                                                         type_vi):
    window = make_window(twins_path)
    page = window.household_page
    dialog = page.open_duplicates()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2 and not dialog._busy)
    texts = [[dialog.table.item(r, c).text() for c in range(5)] for r in range(2)]
    assert texts[0][0] == "Trùng số CCCD/CMND"
    assert texts[0][1].startswith("Lý Thị") and texts[0][3] == "Chưa xác định"
    assert texts[1][0] == "Trùng họ tên và năm sinh"
    assert "Hoàng Văn Sơn (hộ 01-0001, 1969" in texts[1][1] + texts[1][2]
    assert dialog.message_label.text() == "2 cặp; 2 cặp chưa xác định."

    dialog.select_row(1)
    type_vi(dialog.note_edit, "Đã hỏi trưởng thôn: hai người khác nhau")
    qtbot.mouseClick(dialog.different_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1 and not dialog._busy)
    dialog.select_row(0)
    qtbot.mouseClick(dialog.same_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog._busy
                    and dialog.table.item(0, 3).text() == "Là một người: cần sửa sổ hộ")

    dialog.closed_check.setChecked(True)                # the closed pair comes back
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2 and not dialog._busy)
    closed = next(r for r in range(2)
                  if dialog.table.item(r, 3).text() == "Không phải một người")
    assert dialog.table.item(closed, 4).text() == "Đã hỏi trưởng thôn: hai người khác nhau"

    db = connection.connect(twins_path)
    decisions = sorted(r["decision"] for r in db.query("SELECT * FROM duplicate_decision"))
    assert decisions == ["different", "same"]
    assert hh.count_households(db) == 4                 # nothing merged
    db.close()

    dialog.select_row(closed)
    qtbot.mouseClick(dialog.open_a_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.editor is not None and page.editor.isVisible())
    assert page.editor.windowTitle().startswith("Sửa hộ 01-000")
