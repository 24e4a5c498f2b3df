"""How values are shown in the interface (presentation only, no rules).

Numbers and dates go through ``gnapp.domain.numbers`` and ``gnapp.domain.dates``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from gnapp.domain.dates import format_date
from gnapp.domain.numbers import format_int

# Why a backup was made (gnapp.db.backup.make_backup's label), as the user reads it.
BACKUP_KINDS = {
    "manual": "thủ công",
    "start": "khi mở",
    "exit": "khi đóng",
    "auto": "tự động",
    "before-restore": "trước khi khôi phục",
}


def format_datetime(moment: datetime) -> str:
    """``dd/mm/yyyy HH:MM``: "05/03/2025 14:07"."""
    return f"{format_date(moment.date())} {moment:%H:%M}"


def backup_kind(label: str) -> str:
    return BACKUP_KINDS.get(label, label)


def size_kb(size: int) -> str:
    """A file size in KB (1 KB = 1024 bytes), rounded up, in Vietnamese notation: "1.234"."""
    return format_int(-(-size // 1024))


def unit_line(unit: Mapping, parent: Mapping | None) -> str:
    """"Xã Tân Yên (07339) – Tỉnh Bắc Ninh" (without the parent for a province)."""
    text = f"{unit['name']} ({unit['code']})"
    if parent is not None:
        text += f" – {parent['name']}"
    return text
