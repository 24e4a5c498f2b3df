"""Reading a JSON file a user gives (a programme structure, stated totals, a plan's goals)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gnapp.domain.errors import InputError


def read_json(path: str | Path) -> Any:
    """The content of the JSON file at ``path``.

    :raises InputError: no such file, or not valid JSON in UTF-8 (the file named)
    """
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"Không có tệp {path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"Tệp không phải JSON hợp lệ (UTF-8): {exc}", source=path.name) from None
