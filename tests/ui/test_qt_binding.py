"""Pins the Qt binding: PySide6 6.12.0 lost a reference to True on every Python emit()
and aborted the interpreter after a few hundred signals; 6.11.3 (the pinned one) does not."""

import sys

from PySide6.QtCore import QObject, Signal


class Sender(QObject):
    changed = Signal(object)


def test_emitting_signals_does_not_leak_references_to_true(qapp):
    sender = Sender()
    received = []
    sender.changed.connect(received.append)
    before = sys.getrefcount(True)
    for i in range(2000):
        sender.changed.emit(i)
    assert abs(sys.getrefcount(True) - before) < 10  # the bug lost one per emit: 2000
    assert len(received) == 2000
