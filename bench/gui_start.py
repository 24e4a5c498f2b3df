"""Cold start of the GUI, run in a fresh process: ``python -m bench.gui_start DB``.

Runs the app's own entry point (``gnapp --db DB``, the console script's ``main``) and prints
``READY`` when the main window has been shown and the event loop has come round once (the
window answers input from then on); then it ends at once: what the window does on closing
(its exit backup takes minutes on a province office's file of several GB) is not part of a
start. The caller measures the wall time from starting the process to that line. Backups and
checks the window starts may still run in the background, as the target allows.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QTimer

    import gnapp.ui.app as gui
    from gnapp.cli import main as gnapp_main

    shown = gui.MainWindow

    class Probe(shown):  # type: ignore[misc, valid-type]
        def showEvent(self, event) -> None:
            """Overrides QWidget.showEvent: say READY once the loop has run after showing."""
            super().showEvent(event)
            QTimer.singleShot(0, self._ready)

        def _ready(self) -> None:
            print("READY", flush=True)
            os._exit(0)

    gui.MainWindow = Probe
    return gnapp_main(["--db", argv[0]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
