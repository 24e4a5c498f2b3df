"""The fonts shipped with gnapp (Liberation Sans and Serif), registered with Qt.

Registering them makes the interface independent of the fonts installed on the PC: a
Windows or Linux box without any Vietnamese-capable font still shows every diacritic.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFontDatabase

from gnapp.paths import resource_dir

UI_FAMILY = "Liberation Sans"
UI_POINT_SIZE = 10

_registered: dict[Path, list[str]] = {}


class FontError(RuntimeError):
    """A bundled font file is missing or Qt cannot load it."""


def font_dir() -> Path:
    return resource_dir() / "fonts"


def register_fonts() -> list[str]:
    """Register every ``resources/fonts/*.ttf`` with Qt; return the family names, sorted.

    Call after the ``QApplication`` exists. Calling again does not register a file twice.

    :raises FontError: no font files, or a file Qt cannot load
    """
    files = sorted(font_dir().glob("*.ttf"))
    if not files:
        raise FontError(f"Không tìm thấy phông chữ nào trong thư mục {font_dir()} "
                        "(bản cài đặt gnapp bị thiếu tệp).")
    families: set[str] = set()
    for ttf in files:
        if ttf not in _registered:
            font_id = QFontDatabase.addApplicationFont(str(ttf))
            if font_id == -1:
                raise FontError(f"Không nạp được phông chữ {ttf} (tệp hỏng hoặc không đọc được).")
            _registered[ttf] = list(QFontDatabase.applicationFontFamilies(font_id))
        families.update(_registered[ttf])
    return sorted(families)
