"""Database work off the GUI thread: one worker thread owns the write connection.

Every task that touches the database is a function ``fn(db)`` sent to a single worker thread
(``ThreadPoolExecutor(max_workers=1)``), so tasks run one at a time, in the order they were
submitted, on a connection that only the worker uses. The worker opens that connection
lazily with ``gnapp.db.connection.connect``. Results and errors come back to the GUI thread
through a queued Qt signal, where the success or failure callback runs.

Task functions run in the worker thread: they must never touch a widget. The GUI thread keeps
its own connection for quick reads (WAL lets it read while the worker writes). A long read
that must not hold up the user's tasks (the full check after start: minutes on a province
office's file) runs beside the worker on a thread and connection of its own
(``run_in_background``).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from sqlite_utils import Database

from gnapp.db import connection
from gnapp.domain.cancel import Cancelled
from gnapp.domain.errors import GnappError
from gnapp.ui.widgets import ProgressDialog

SuccessHandler = Callable[[Any], None]
FailureHandler = Callable[[BaseException], None]

UNEXPECTED_ERROR = ("Đã xảy ra lỗi không mong muốn. Dữ liệu đã ghi trước đó vẫn được giữ "
                    "nguyên. Hãy chụp lại thông báo này (bấm «Xem chi tiết…» để xem chi tiết) "
                    "và gửi cho người hỗ trợ kỹ thuật.")


def message_box(parent: QWidget | None, icon: QMessageBox.Icon, text: str, *,
                title: str = "gnapp", details: str | None = None) -> None:
    """A modal message with Vietnamese buttons (Qt ships no Vietnamese translation)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.addButton("Đóng", QMessageBox.ButtonRole.AcceptRole)
    if details:
        box.setDetailedText(details)
        for button in box.buttons():
            if box.buttonRole(button) == QMessageBox.ButtonRole.ActionRole:
                button.setText("Xem chi tiết…")
    box.exec()


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """The standard error popup.

    A ``GnappError`` carries a message for the user and is shown as a warning (``Cancelled``,
    the user's own stop, as information); anything else is a program fault, shown with a
    short Vietnamese message and the traceback in the details.
    """
    if isinstance(exc, Cancelled):
        message_box(parent, QMessageBox.Icon.Information, str(exc))
    elif isinstance(exc, GnappError):
        message_box(parent, QMessageBox.Icon.Warning, str(exc))
    else:
        message_box(parent, QMessageBox.Icon.Critical, UNEXPECTED_ERROR, title="gnapp – Lỗi",
                    details="".join(traceback.format_exception(exc)))


class TaskProgress(QObject):
    """Progress of one task and the user's wish to stop it.

    The task calls the object (``progress(done, total, label)``, from the worker thread)
    between batches; ``changed`` reaches the GUI thread queued, in the order of the calls.
    After ``cancel()`` (GUI thread) the next call raises ``Cancelled`` in the task, which
    rolls its transaction back. ``total`` 0 means the amount of work is not known (busy).
    """

    changed = Signal(int, int, str)
    # the task reported back (success, failure or cancel): a progress display closes
    finished = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._cancel = threading.Event()
        self.future: Future | None = None
        self.dialog: QWidget | None = None      # the ProgressDialog showing it, if any

    def __call__(self, done: int, total: int, label: str) -> None:
        self.check()
        self.changed.emit(done, total, label)

    def check(self) -> None:
        """Raise ``Cancelled`` if the user asked to stop (call it from the task)."""
        if self._cancel.is_set():
            raise Cancelled()

    def cancel(self) -> None:
        """Ask the task to stop at its next progress report."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


class TaskManager(QObject):
    """Runs ``fn(db)`` tasks one at a time on the worker thread that owns the connection.

    :param db_path: the database the worker opens (lazily, in the worker thread)
    :param parent: the Qt parent; error popups are shown over the active window
    """

    # (future, on_success, on_failure), emitted from the worker, received on the GUI thread
    _finished = Signal(object)
    # the same for the tasks of run_in_background, which are not counted as busy
    _finished_background = Signal(object)
    # True when the first task of a batch starts, False when no task is left
    busy_changed = Signal(bool)

    def __init__(self, db_path: str | Path, parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gnapp-db")
        self._worker_db: Database | None = None     # touched only in the worker thread
        self._worker_thread: threading.Thread | None = None
        self._pending = 0
        self._closed = False
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gnapp-bg")
        self._background_epoch = 0   # moves on when the file is replaced: stops those reads
        self._background_dbs: set[Database] = set()     # their open connections
        self._finished_background.connect(self._deliver_background,
                                          Qt.ConnectionType.QueuedConnection)

    # -- public API ------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a task submitted through ``run`` has not reported back yet."""
        return self._pending > 0

    @property
    def closed(self) -> bool:
        return self._closed

    def run(self, fn: Callable[[Database], Any], on_success: SuccessHandler | None = None,
            on_failure: FailureHandler | None = None) -> Future:
        """Run ``fn(db)`` on the worker; call ``on_success(result)`` on the GUI thread.

        Without ``on_failure``, errors go to ``show_error``. ``fn`` must not touch widgets.
        Returns the ``Future`` (do not wait on it from the GUI thread except at exit).
        """
        return self._submit(lambda: fn(self._connection()), on_success, on_failure)

    def run_with_progress(self, fn: Callable[[Database, TaskProgress], Any],
                          on_success: SuccessHandler | None = None,
                          on_failure: FailureHandler | None = None, *,
                          parent: QWidget | None = None, label: str = "",
                          dialog: bool = True, without_db: bool = False) -> TaskProgress:
        """Run ``fn(db, progress)`` on the worker, showing its progress with a "Hủy" button.

        ``fn`` calls ``progress(done, total, label)`` between batches; "Hủy" makes the next
        call raise ``Cancelled``, which rolls back what the task wrote and reaches
        ``on_failure`` (without one: "Đã hủy. Không có gì thay đổi." is shown).
        With ``dialog`` a ``ProgressDialog`` over ``parent`` shows the progress (after a
        short delay, so quick tasks show nothing); without, the caller shows it
        (``progress.changed``) and closes it on ``progress.finished``.

        With ``without_db`` the worker's connection is closed first and ``fn(progress)``
        is called, for work that replaces the database file (see ``run_without_db``).

        :returns: the progress object (its ``future`` is the task's ``Future``)
        """
        progress = TaskProgress(self)

        def finish() -> None:
            progress.finished.emit()
            progress.deleteLater()

        def ok(result: Any) -> None:
            finish()
            if on_success is not None:
                on_success(result)

        def failed(exc: BaseException) -> None:
            finish()
            if on_failure is not None:
                on_failure(exc)
            else:
                show_error(parent or QApplication.activeWindow(), exc)

        if dialog:
            progress.dialog = ProgressDialog(progress, label, parent)
        if without_db:
            self._stop_background()         # as run_without_db

            def job():
                self._close_connection()
                return fn(progress)
        else:
            def job():
                return fn(self._connection(), progress)
        progress.future = self._submit(job, ok, failed)
        return progress

    def wait_with_progress(self, fn: Callable[..., Any], *, parent: QWidget | None = None,
                           label: str = "", without_db: bool = True) -> Any:
        """Run ``fn(progress)`` without a connection (``without_db``), or ``fn(db,
        progress)``, and wait for it in a local event loop, the progress dialog with «Hủy»
        shown meanwhile: for work before the main window exists (restoring a backup at
        start) or as it closes (the exit backup). Returns its result or raises its error
        (``Cancelled`` after «Hủy»)."""
        outcome: dict[str, Any] = {}
        loop = QEventLoop()

        def ok(result: Any) -> None:
            outcome["result"] = result
            loop.quit()

        def failed(exc: BaseException) -> None:
            outcome["error"] = exc
            loop.quit()

        self.run_with_progress(fn, ok, failed, parent=parent, label=label,
                               without_db=without_db)
        loop.exec()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]

    def run_without_db(self, fn: Callable[[], Any], on_success: SuccessHandler | None = None,
                       on_failure: FailureHandler | None = None) -> Future:
        """Run ``fn()`` on the worker after closing the worker's connection.

        For work that replaces the database file (restore). The next task opens a new
        connection. The GUI thread must close its own read connection first. Reads of
        ``run_in_background`` still running stop, and their results are dropped.
        """
        self._stop_background()

        def job():
            self._close_connection()
            return fn()
        return self._submit(job, on_success, on_failure)

    def run_in_background(self, fn: Callable[[Database], Any],
                          on_success: SuccessHandler | None = None,
                          on_failure: FailureHandler | None = None) -> Future:
        """Run ``fn(db)`` beside the worker, on a thread and connection of its own, for a long
        read that must not hold up the user's tasks; ``fn`` must not write. It does not make
        the manager busy; closing the manager or replacing the file (``run_without_db``)
        stops it, and its result is then dropped.
        """
        if self._closed:
            raise RuntimeError("TaskManager is closed")
        epoch = self._background_epoch

        def stopped() -> bool:
            return self._closed or epoch != self._background_epoch

        def job():
            db = connection.connect(self.db_path, migrate=False)
            # stopping interrupts the statement running (an integrity check calls no
            # progress handler) and the handler stops those that start later
            db.conn.set_progress_handler(stopped, 1000)
            self._background_dbs.add(db)
            try:
                if stopped():
                    raise Cancelled()
                return fn(db)
            finally:
                self._background_dbs.discard(db)
                db.close()

        future = self._background.submit(job)
        future.add_done_callback(
            lambda f: self._finished_background.emit((f, on_success, on_failure, stopped)))
        return future

    def call(self, fn: Callable[[Database], Any], timeout: float | None = None) -> Any:
        """Run ``fn(db)`` on the worker and wait for its result (raises its error).

        Blocks the GUI thread: only for the last task before the program closes.
        """
        if threading.current_thread() is self._worker_thread:
            raise RuntimeError("TaskManager.call() from the worker thread would deadlock")
        return self._executor.submit(lambda: fn(self._connection())).result(timeout)

    def close(self, wait: bool = True) -> None:
        """Close the worker's connection (as a last task) and stop the worker.

        Results of tasks still running are no longer delivered.
        """
        if self._closed:
            return
        self._closed = True
        self._stop_background()
        self._background.shutdown(wait=wait)
        self._executor.submit(self._close_connection)
        self._executor.shutdown(wait=wait)
        if self._pending:
            self._pending = 0
            self.busy_changed.emit(False)

    def _stop_background(self) -> None:
        """Stop the reads of ``run_in_background`` (their results are dropped)."""
        self._background_epoch += 1
        for db in list(self._background_dbs):
            db.conn.interrupt()

    # -- worker side -----------------------------------------------------------------------

    def _connection(self) -> Database:
        if self._worker_db is None:
            self._worker_thread = threading.current_thread()
            self._worker_db = connection.connect(self.db_path)
        return self._worker_db

    def _close_connection(self) -> None:
        if self._worker_db is not None:
            db, self._worker_db = self._worker_db, None
            db.close()

    # -- GUI side --------------------------------------------------------------------------

    def _submit(self, job: Callable[[], Any], on_success: SuccessHandler | None,
                on_failure: FailureHandler | None) -> Future:
        if self._closed:
            raise RuntimeError("TaskManager is closed")
        future = self._executor.submit(job)
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        # runs in the worker thread once the job is done; the signal is queued to the GUI thread
        future.add_done_callback(lambda f: self._finished.emit((f, on_success, on_failure)))
        return future

    def _deliver_background(self, item: tuple[Future, SuccessHandler | None,
                                              FailureHandler | None,
                                              Callable[[], bool]]) -> None:
        future, on_success, on_failure, stopped = item
        if not stopped():
            self._dispatch(future, on_success, on_failure)

    def _deliver(self, item: tuple[Future, SuccessHandler | None, FailureHandler | None]) -> None:
        if self._closed:
            return
        self._pending -= 1
        try:
            self._dispatch(*item)
        finally:
            if self._pending == 0:
                self.busy_changed.emit(False)

    @staticmethod
    def _dispatch(future: Future, on_success: SuccessHandler | None,
                  on_failure: FailureHandler | None) -> None:
        exc = future.exception()
        if exc is not None:
            if on_failure is not None:
                on_failure(exc)
            else:
                show_error(QApplication.activeWindow(), exc)
        elif on_success is not None:
            on_success(future.result())


WRITE_FAULT = "Không ghi được do lỗi của phần mềm; dữ liệu chưa thay đổi."


def refusal(exc: BaseException) -> str | None:
    """The message of a write the rules refused, or None for a program fault."""
    return str(exc) if isinstance(exc, GnappError) else None


def report_failure(parent: QWidget | None, exc: BaseException, say: Callable[[str], None],
                   describe: Callable[[BaseException], str | None] = refusal) -> None:
    """Say why a write failed: the refusal ``describe`` finds, or, for a program fault,
    that nothing changed, with the error shown (``show_error``)."""
    text = describe(exc)
    say(WRITE_FAULT if text is None else text)
    if text is None:
        show_error(parent, exc)
