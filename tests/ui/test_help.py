"""F1 opens the user guide at the section of the screen in use; the guide's pictures load."""

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QDialog

from gnapp.ui import help as ui_help


def press_f1(qtbot, widget):
    qtbot.keyClick(widget, Qt.Key.Key_F1)
    help_window = widget.window().help_controller.help_window if hasattr(
        widget.window(), "help_controller") else None
    return help_window


def opened(qtbot, window):
    help_window = window.help_controller.help_window
    assert help_window is not None
    qtbot.addWidget(help_window)
    qtbot.waitUntil(help_window.isVisible)
    return help_window


def test_f1_opens_the_section_of_the_current_area(qtbot, window):
    window.show_area("Rà soát")
    qtbot.keyClick(window, Qt.Key.Key_F1)
    help_window = opened(qtbot, window)
    assert help_window.windowTitle() == "Hướng dẫn sử dụng"
    assert help_window.current_topic == "ra-soat"
    assert help_window.heading_visible("ra-soat")
    assert help_window.heading_rect("ra-soat").top() < 10          # at the top of the text
    assert help_window.visible_section() == "ra-soat"
    assert help_window.browser.textCursor().block().text().startswith("Một đợt rà soát")
    assert help_window.toc.currentItem().text(0) == "Một đợt rà soát từng bước"
    assert not help_window.isModal()


def test_another_area_then_f1_lands_elsewhere_in_the_same_window(qtbot, window):
    window.show_area("Phân bổ vốn")
    qtbot.keyClick(window, Qt.Key.Key_F1)
    help_window = opened(qtbot, window)
    assert help_window.visible_section() == "phan-bo-von"
    first_top = help_window.browser.verticalScrollBar().value()

    window.show_area("Sao lưu")
    window.activateWindow()
    qtbot.keyClick(window.nav, Qt.Key.Key_F1)
    assert window.help_controller.help_window is help_window       # reused, not a second one
    assert help_window.current_topic == "sao-luu"
    assert help_window.heading_visible("sao-luu")
    assert help_window.browser.verticalScrollBar().value() > first_top


def test_every_area_opens_a_section_of_the_guide(qtbot, window):
    from gnapp.ui.main_window import AREAS

    for title in AREAS:
        window.show_area(title)
        qtbot.keyClick(window, Qt.Key.Key_F1)
        help_window = opened(qtbot, window)
        assert help_window.current_topic == ui_help.AREA_TOPICS[title], title
        assert help_window.heading_visible(help_window.current_topic), title


def test_f1_in_the_household_editor_opens_its_section(qtbot, register_window):
    page = register_window.household_page
    page.select_row(0)
    page.edit_row(0)
    editor = page.editor
    qtbot.waitUntil(editor.isVisible)
    qtbot.keyClick(editor.roster, Qt.Key.Key_F1)
    help_window = opened(qtbot, register_window)
    assert help_window.current_topic == "nhap-ho"
    assert help_window.heading_visible("nhap-ho")
    assert editor.isVisible()                    # help does not close or block the editor
    editor.reject()


def test_a_dialog_names_its_section_with_help_topic(qtbot, window):
    dialog = QDialog(window)
    dialog.help_topic = "xung-dot"
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_F1)
    help_window = opened(qtbot, window)
    assert help_window.current_topic == "xung-dot"
    dialog.close()


def test_an_unknown_dialog_opens_the_section_of_its_window(qtbot, window):
    window.show_area("Đồng bộ")
    dialog = QDialog(window)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_F1)
    assert opened(qtbot, window).current_topic == "dong-bo"
    dialog.close()


def test_the_help_menu(qtbot, window):
    menu_titles = [a.text() for a in window.menuBar().actions()]
    assert "&Trợ giúp" in menu_titles
    window.show_area("Báo cáo")
    window.help_controller.guide_action.trigger()
    assert opened(qtbot, window).current_topic == "bao-cao"
    window.help_controller.shortcuts_action.trigger()
    assert opened(qtbot, window).current_topic == "phim-tat"


def test_the_pictures_load_and_fit(qtbot, window):
    help_window = window.help_controller.show_help("bat-dau")
    qtbot.addWidget(help_window)
    doc = help_window.browser.document()
    text = ui_help.guide_path().read_text(encoding="utf-8")
    names = ui_help.guide_images(text)
    assert names
    for name in names:
        image = doc.resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
        assert image is not None and not image.isNull(), name
    widths = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                widths.append(fmt.toImageFormat().width())
            it += 1
        block = block.next()
    assert len(widths) == len(names)
    assert all(0 < w <= ui_help.IMAGE_MAX_WIDTH for w in widths)


def test_the_table_of_contents_and_links_move_in_the_guide(qtbot, window):
    help_window = window.help_controller.show_help(None)
    qtbot.addWidget(help_window)
    assert help_window.current_topic == ui_help.START_TOPIC
    item = help_window.items["dong-bo"]
    help_window.toc.itemClicked.emit(item, 0)
    assert help_window.heading_visible("dong-bo")
    help_window.browser.anchorClicked.emit(QUrl("#sao-luu"))
    assert help_window.current_topic == "sao-luu"


def test_a_missing_guide_says_so(qtbot, tmp_path):
    help_window = ui_help.HelpWindow(tmp_path / "khong-co.md")
    qtbot.addWidget(help_window)
    assert "Không tìm thấy tệp hướng dẫn" in help_window.browser.toPlainText()
    help_window.show_topic("ra-soat")                # no crash, the message stays
    assert help_window.current_topic is None


def test_closing_the_main_window_closes_help(qtbot, window):
    help_window = window.help_controller.show_help("tong-quan")
    qtbot.addWidget(help_window)
    window.close()
    assert not help_window.isVisible()


def test_f1_in_the_first_start_wizard_before_any_main_window(qtbot, units_path):
    from gnapp.ui.first_start import FirstStartDialog
    from gnapp.ui.help import add_help_key

    dialog = FirstStartDialog(units_path)
    qtbot.addWidget(dialog)
    add_help_key(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog.display_name_edit, Qt.Key.Key_F1)     # passed up by the field
    qtbot.waitUntil(lambda: getattr(dialog, "help_window", None) is not None)
    assert dialog.help_window.isVisible()
    assert dialog.help_window.visible_section() == "lan-dau"
    dialog.tasks.close()
