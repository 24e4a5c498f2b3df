"""Screenshots of the GUI for review: ``python tools/screenshot.py OUTDIR``.

Builds the main window on a temporary database initialised for the commune 07339 (Xã Tân
Yên, Bắc Ninh) with a few backups, and saves into OUTDIR:

- ``main-sao-luu.png``: the main window on the backup page, after a data check;
- ``main-ho-gia-dinh.png``: the main window on the household page;
- ``first-start.png``: the first-start dialog on a fresh database.

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
    from gnapp.ui.tasks import TaskManager

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
    window.show_area("Hộ gia đình")
    window.statusBar().clearMessage()
    app.processEvents()
    save(window, out / "main-ho-gia-dinh.png")
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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
