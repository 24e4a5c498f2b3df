"""Help: the user guide (``docs/huong-dan-su-dung.md``) in a window, opened with F1 at the
section of the screen the user is on.

The guide is Markdown. A section that help can open carries an explicit id on the line before
its heading, ``<a id="ra-soat"></a>``, which GitHub shows as a link target and which this
module strips before handing the text to ``QTextBrowser.setMarkdown``; the heading blocks of
the rendered document are matched to the ids in order, so an id never depends on the wording
of its heading.

Which section F1 opens:

- a window or dialog with a ``help_topic`` attribute (a section id) opens that section; this is
  how a new dialog names its section without touching this module;
- otherwise a dialog class listed in ``DIALOG_TOPICS`` (by module and class name);
- otherwise the main window's current area (``AREA_TOPICS``, one id per area title);
- a dialog without either opens the section of the window it belongs to.

``install_help(window)`` is called once by the main window: F1 (``QKeySequence.HelpContents``)
anywhere in the window or its dialogs, and the "Trợ giúp" menu, open the one help window,
reused and never modal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QUrl
from PySide6.QtGui import (QDesktopServices, QImage, QKeyEvent, QKeySequence, QTextCursor,
                           QTextDocument, QTextImageFormat)
from PySide6.QtWidgets import (QApplication, QDialog, QHBoxLayout, QMainWindow, QTextBrowser,
                               QTreeWidget, QTreeWidgetItem, QWidget)

from gnapp.paths import docs_dir
from gnapp.ui.widgets import split_panes

GUIDE_NAME = "huong-dan-su-dung.md"
HELP_TITLE = "Hướng dẫn sử dụng"
MENU_TITLE = "&Trợ giúp"
MISSING_GUIDE = ("Không tìm thấy tệp hướng dẫn sử dụng ({path}). Hãy cài lại phần mềm hoặc "
                 "xem tệp docs/huong-dan-su-dung.md đi kèm mã nguồn.")

# the section opened when nothing more precise is known
START_TOPIC = "bat-dau"
SHORTCUTS_TOPIC = "phim-tat"

# each area of the main window (gnapp.ui.main_window.AREAS) → the id of its section
AREA_TOPICS: dict[str, str] = {
    "Tổng quan": "tong-quan",
    "Hộ gia đình": "ho-gia-dinh",
    "Rà soát": "ra-soat",
    "Phân bổ vốn": "phan-bo-von",
    "Dự án, giải ngân": "du-an-giai-ngan",
    "Tiến độ": "tien-do",
    "Văn bản": "van-ban",
    "Báo cáo": "bao-cao",
    "Thùng rác": "thung-rac",
    "Đồng bộ": "dong-bo",
    "Sao lưu": "sao-luu",
    "Người dùng": "nguoi-dung",
}

# dialogs that have their own section, by "module.Class" (a ``help_topic`` attribute on the
# dialog wins over this table)
DIALOG_TOPICS: dict[str, str] = {
    "gnapp.ui.first_start.FirstStartDialog": "lan-dau",
    "gnapp.ui.household_editor.HouseholdEditor": "nhap-ho",
    "gnapp.ui.household_editor.MemberForm": "thanh-vien",
    "gnapp.ui.duplicates.DuplicatesDialog": "nguoi-trung",
    "gnapp.ui.household_import_dialog.HouseholdImportDialog": "nhap-danh-sach-ho",
    "gnapp.ui.review_page.RoundDialog": "mo-dot",
    "gnapp.ui.review_form.ReviewForm": "phieu-ra-soat",
    "gnapp.ui.review_page.MeetingDialog": "hop-dan",
    "gnapp.ui.review_page.PostingDialog": "niem-yet",
    "gnapp.ui.review_page.DecisionDialog": "quyet-dinh-cong-nhan",
    "gnapp.ui.allocation_page.DecisionDialog": "van-ban-phan-bo",
    "gnapp.ui.allocation_page.ImportDialog": "nhap-tu-tep",
    "gnapp.ui.progress_page.PeriodDialog": "tien-do",
    "gnapp.ui.documents_page.NewDocumentDialog": "van-ban",
    "gnapp.ui.profile_dialog.ProfileDialog": "ho-so-don-vi",
    "gnapp.ui.documents_page.SignDialog": "van-ban",
    "gnapp.ui.sync_page.ImportReportDialog": "nhan-goi",
    "gnapp.ui.sync_page.RoundDecisionDialog": "phe-duyet",
    "gnapp.ui.conflict_dialog.ConflictDialog": "xung-dot",
    "gnapp.ui.users_page.LoginDialog": "dang-nhap",
    "gnapp.ui.users_page.ChangePasswordDialog": "dang-nhap",
    "gnapp.ui.users_page.UserDialog": "nguoi-dung",
    "gnapp.ui.recovery.RecoveryDialog": "su-co",
    "gnapp.ui.recovery.RestoreConfirmDialog": "sao-luu",
}

# pictures wider than this are shown scaled down (the screenshots are 1280 px wide)
IMAGE_MAX_WIDTH = 820

_ANCHOR_LINE = re.compile(r'^\s*<a\s+(?:id|name)="([A-Za-z0-9_-]+)"\s*>\s*</a>\s*$')
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def guide_path() -> Path:
    """The guide's Markdown file (source tree or frozen build)."""
    return docs_dir() / GUIDE_NAME


@dataclass(frozen=True)
class Heading:
    """A heading of the guide: its explicit id ("" when it has none), level and text."""

    anchor: str
    level: int
    title: str


def parse_guide(text: str) -> tuple[str, list[Heading]]:
    """The guide's Markdown without the ``<a id>`` lines, and its headings in order.

    :param text: the guide as written
    """
    out: list[str] = []
    headings: list[Heading] = []
    pending = ""
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            out.append(line)
            continue
        if not fenced:
            anchor = _ANCHOR_LINE.match(line)
            if anchor:
                pending = anchor.group(1)
                continue
            heading = _HEADING.match(line)
            if heading:
                headings.append(Heading(pending, len(heading.group(1)), heading.group(2)))
            pending = "" if line.strip() or heading else pending
        out.append(line)
    return "\n".join(out) + "\n", headings


def guide_anchors(text: str) -> set[str]:
    """The section ids of the guide (for the tests and for checking the tables above)."""
    return {h.anchor for h in parse_guide(text)[1] if h.anchor}


def guide_images(text: str) -> list[str]:
    """The pictures the guide shows, as written (relative to the docs folder)."""
    return _IMAGE.findall(text)


def dialog_topic(widget: QWidget) -> str | None:
    """The section of a window or dialog of its own: its ``help_topic``, or the table's."""
    topic = getattr(widget, "help_topic", None)
    if isinstance(topic, str) and topic:
        return topic
    for cls in type(widget).__mro__:
        found = DIALOG_TOPICS.get(f"{cls.__module__}.{cls.__qualname__}")
        if found:
            return found
    return None


def is_help_key(event: QKeyEvent) -> bool:
    """Whether a key press asks for help (F1, or the platform's help key)."""
    return event.matches(QKeySequence.StandardKey.HelpContents) or (
        event.key() == Qt.Key.Key_F1 and event.modifiers() == Qt.KeyboardModifier.NoModifier)


class HelpWindow(QDialog):
    """The guide with its table of contents; ``show_topic(id)`` opens it at a section.

    Not modal: the user keeps working while it is open. Links to ``#id`` jump within the
    guide, other links open in the system's browser.

    :param path: the guide's Markdown file (default: ``guide_path()``)
    """

    def __init__(self, path: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.path = path or guide_path()
        self.headings: list[Heading] = []
        self.blocks: dict[str, int] = {}          # section id → block number
        self.items: dict[str, QTreeWidgetItem] = {}
        self.current_topic: str | None = None
        self.setWindowTitle(HELP_TITLE)
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.WindowMinMaxButtonsHint, True)
        self.resize(1180, 800)

        self.toc = QTreeWidget()
        self.toc.setHeaderHidden(True)
        self.toc.setMinimumWidth(220)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setSearchPaths([str(self.path.parent)])
        splitter = split_panes((self.toc, 0), (self.browser, 1), sizes=[280, 900])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)

        self.toc.itemActivated.connect(self._toc_chosen)
        self.toc.itemClicked.connect(self._toc_chosen)
        self.browser.anchorClicked.connect(self._link)
        self.browser.verticalScrollBar().valueChanged.connect(self._follow_scroll)
        self.load()

    # -- loading ---------------------------------------------------------------------------

    def load(self) -> None:
        """Read the guide again (also after the screenshots were retaken)."""
        self.blocks.clear()
        self.items.clear()
        self.toc.clear()
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            self.headings = []
            self.browser.setPlainText(MISSING_GUIDE.format(path=self.path))
            return
        markdown, self.headings = parse_guide(text)
        doc = self.browser.document()
        doc.setMarkdown(markdown)
        self._fit_images(doc)
        self._index_headings(doc)

    def _fit_images(self, doc: QTextDocument) -> None:
        """Load every picture once and give it a size no wider than IMAGE_MAX_WIDTH."""
        found: list[tuple[int, int, QTextImageFormat]] = []
        block = doc.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                fmt = fragment.charFormat()
                if fmt.isImageFormat():
                    found.append((fragment.position(), fragment.length(), fmt.toImageFormat()))
                it += 1
            block = block.next()
        for position, length, fmt in found:
            image = QImage(str(self.path.parent / fmt.name()))
            if image.isNull():
                continue
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(fmt.name()), image)
            scale = min(1.0, IMAGE_MAX_WIDTH / image.width())
            fmt.setWidth(round(image.width() * scale))
            fmt.setHeight(round(image.height() * scale))
            cursor = QTextCursor(doc)
            cursor.setPosition(position)
            cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(fmt)

    def _index_headings(self, doc: QTextDocument) -> None:
        """Pair the heading blocks with the parsed headings; fill the table of contents."""
        numbers = []
        block = doc.begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0:
                numbers.append(block.blockNumber())
            block = block.next()
        parents: dict[int, QTreeWidgetItem] = {}
        for n, (heading, number) in enumerate(zip(self.headings, numbers)):
            anchor = heading.anchor or f"muc-{n}"
            self.blocks[anchor] = number
            if heading.level == 1 or heading.level > 3:
                continue
            item = QTreeWidgetItem([doc.findBlockByNumber(number).text()])
            item.setData(0, Qt.ItemDataRole.UserRole, anchor)
            if heading.level == 2:
                self.toc.addTopLevelItem(item)
                parents[2] = item
            elif 2 in parents:
                parents[2].addChild(item)
            else:
                self.toc.addTopLevelItem(item)
            self.items[anchor] = item

    # -- moving around ---------------------------------------------------------------------

    def has_topic(self, topic: str) -> bool:
        return topic in self.blocks

    def show_topic(self, topic: str | None = None) -> None:
        """Show the window (raised) with the section ``topic`` at the top; an unknown or no
        topic shows the start of the guide."""
        if not self.isVisible():
            self.show()
        self.raise_()
        self.activateWindow()
        self.scroll_to(topic if topic in self.blocks else START_TOPIC)

    def scroll_to(self, topic: str) -> None:
        """Put the heading of ``topic`` at the top of the text (as far as the text goes)."""
        number = self.blocks.get(topic)
        doc = self.browser.document()
        block = doc.findBlockByNumber(number) if number is not None else doc.begin()
        self.current_topic = topic if number is not None else None
        self.browser.setTextCursor(QTextCursor(block))
        layout = doc.documentLayout()
        layout.blockBoundingRect(doc.lastBlock())        # lay the whole text out first
        top = layout.blockBoundingRect(block).top()
        self.browser.verticalScrollBar().setValue(round(top))
        self._select_item(topic)

    def heading_rect(self, topic: str):
        """Where the heading of ``topic`` is now, in viewport coordinates (QRectF)."""
        doc = self.browser.document()
        block = doc.findBlockByNumber(self.blocks[topic])
        rect = doc.documentLayout().blockBoundingRect(block)
        return rect.translated(-self.browser.horizontalScrollBar().value(),
                               -self.browser.verticalScrollBar().value())

    def heading_visible(self, topic: str) -> bool:
        """Whether the heading of ``topic`` is inside the visible part of the text."""
        rect = self.heading_rect(topic)
        return rect.top() >= -1 and rect.bottom() <= self.browser.viewport().height()

    def visible_section(self) -> str | None:
        """The id of the last section whose heading is at or above the top of the text."""
        doc = self.browser.document()
        layout = doc.documentLayout()
        top = self.browser.verticalScrollBar().value() + 4
        current = None
        for anchor, number in sorted(self.blocks.items(), key=lambda kv: kv[1]):
            if layout.blockBoundingRect(doc.findBlockByNumber(number)).top() <= top:
                current = anchor
        return current

    def _select_item(self, topic: str | None) -> None:
        item = self.items.get(topic) if topic else None
        blocked = self.toc.blockSignals(True)
        if item is not None:
            self.toc.setCurrentItem(item)
            self.toc.scrollToItem(item)
        else:
            self.toc.clearSelection()
        self.toc.blockSignals(blocked)

    def _toc_chosen(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self.scroll_to(item.data(0, Qt.ItemDataRole.UserRole))

    def _follow_scroll(self, _value: int) -> None:
        section = self.visible_section()
        if section in self.items and self.toc.currentItem() is not self.items[section]:
            self._select_item(section)

    def _link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
        elif url.hasFragment() and url.fragment() in self.blocks:
            self.scroll_to(url.fragment())


class HelpController(QObject):
    """F1 and the "Trợ giúp" menu of one main window; owns the (reused) help window.

    Installed as an application event filter so that F1 works in every dialog of the window,
    modal or not, without each dialog knowing about help.
    """

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.help_window: HelpWindow | None = None
        self._attached_to: QWidget | None = None
        QApplication.instance().installEventFilter(self)
        window.destroyed.connect(lambda *_: self._window_gone())
        menu = window.menuBar().addMenu(MENU_TITLE)
        self.guide_action = menu.addAction("&Hướng dẫn sử dụng\tF1")
        self.guide_action.triggered.connect(lambda: self.show_help(self.current_topic()))
        self.shortcuts_action = menu.addAction("&Phím tắt")
        self.shortcuts_action.triggered.connect(lambda: self.show_help(SHORTCUTS_TOPIC))

    # -- which section ---------------------------------------------------------------------

    def area_topic(self) -> str:
        """The section of the main window's current area."""
        item = self.window.nav.currentItem() if hasattr(self.window, "nav") else None
        return AREA_TOPICS.get(item.text(), START_TOPIC) if item is not None else START_TOPIC

    def topic_for(self, widget: QWidget) -> str | None:
        """The section for F1 pressed in ``widget``; None when the widget is not part of this
        main window (nor one of its dialogs)."""
        topic = None
        w: QWidget | None = widget
        while w is not None:
            if w is self.window:
                return topic or self.area_topic()
            if topic is None and w.isWindow():
                topic = dialog_topic(w)
            w = w.parentWidget()
        return None

    def current_topic(self) -> str:
        """The section of whatever the user is looking at in this window."""
        active = QApplication.activeModalWidget() or QApplication.activeWindow()
        found = self.topic_for(active) if active is not None else None
        return found or self.area_topic()

    # -- showing ---------------------------------------------------------------------------

    def show_help(self, topic: str | None, over: QWidget | None = None) -> HelpWindow:
        """Open the help window at ``topic``; ``over`` is the window F1 was pressed in."""
        if self.help_window is None:
            self.help_window = HelpWindow()
        self._attach(over)
        self.help_window.show_topic(topic)
        return self.help_window

    def _attach(self, over: QWidget | None) -> None:
        """An application-modal dialog blocks every other window: the help window is then
        made a window of that dialog (so it can be read and scrolled) until it closes."""
        help_window = self.help_window
        modal = over is not None and over.isModal() and \
            over.windowModality() == Qt.WindowModality.ApplicationModal
        target = over if modal else None
        if help_window.parentWidget() is target:
            return
        visible = help_window.isVisible()
        help_window.setParent(target, help_window.windowFlags() | Qt.WindowType.Window)
        if target is not None and isinstance(target, QDialog):
            target.finished.connect(self._detach)
        self._attached_to = target
        if visible:
            help_window.show()

    def _detach(self, *_args) -> None:
        help_window = self.help_window
        if help_window is None or help_window.parentWidget() is None:
            return
        visible = help_window.isVisible()
        help_window.setParent(None, help_window.windowFlags() | Qt.WindowType.Window)
        self._attached_to = None
        if visible:
            help_window.show()

    def _window_gone(self) -> None:
        help_window, self.help_window = self.help_window, None
        if help_window is not None and shiboken6.isValid(help_window):
            help_window.close()
            help_window.deleteLater()

    # -- events ----------------------------------------------------------------------------

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Overrides QObject.eventFilter: F1 in this window or its dialogs opens help; closing
        the main window closes help."""
        kind = event.type()
        if kind == QEvent.Type.KeyPress and isinstance(obj, QWidget) and is_help_key(event):
            top = obj.window()
            if self.help_window is not None and top is self.help_window:
                return False
            topic = self.topic_for(top)
            if topic is None:
                return False
            self.show_help(topic, over=top)
            return True
        if kind == QEvent.Type.Close and obj is self.window and self.help_window is not None:
            self.help_window.close()
        return False


def install_help(window: QMainWindow) -> HelpController:
    """Give a main window F1 help and a "Trợ giúp" menu (once, from its set-up)."""
    controller = HelpController(window)
    window.help_controller = controller
    return controller


class _DialogHelpKey(QObject):
    """F1 pressed in a dialog (or passed up to it by its fields) opens the guide there."""

    def __init__(self, dialog: QDialog):
        super().__init__(dialog)
        self.dialog = dialog
        dialog.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Overrides QObject.eventFilter."""
        if event.type() == QEvent.Type.KeyPress and is_help_key(event):
            window = getattr(self.dialog, "help_window", None)
            if window is None:
                window = self.dialog.help_window = HelpWindow(parent=self.dialog)
            window.show_topic(dialog_topic(self.dialog))
            return True
        return False


def add_help_key(dialog: QDialog) -> None:
    """F1 in a dialog shown before there is a main window (first start, login, recovery):
    the guide at that dialog's section, in a help window of the dialog."""
    _DialogHelpKey(dialog)
