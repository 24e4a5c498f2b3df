"""tools/screenshot.py drives every screen with real data: it must keep working as the
screens change (it broke once when the Phiếu C codes changed)."""

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ["main-sao-luu", "first-start", "main-ho-gia-dinh", "ho-gia-dinh-tim", "ho-gia-dinh-sua",
         "thanh-vien", "thanh-vien-loi", "ho-gia-dinh-moi", "main-ra-soat", "mo-dot", "hop-dan",
         "phieu-ra-soat", "phieu-ra-soat-goi-y", "phieu-ra-soat-c", "phieu-ra-soat-loi", "bao-cao",
         "nhan-goi-chua-xac-nhan", "bao-cao-nhan-goi", "main-dong-bo-tinh", "main-dong-bo-xa",
         "gui-toan-bo", "xung-dot", "xung-dot-xoa", "tong-quan", "tien-do-loi", "them-ky-bao-cao", "tien-do-tong-hop",
         "tong-quan-tinh", "tong-quan-bieu-do", "tong-quan-van-phong"]


def test_the_screenshot_tool_saves_every_screen(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DISPLAY", None)
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "screenshot.py"),
                             str(tmp_path)], env=env, capture_output=True, text=True,
                            timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    for name in SHOTS:
        image = QImage(str(tmp_path / f"{name}.png"))
        assert not image.isNull(), name
        assert image.width() >= 300 and image.height() >= 150, name
