"""Where things live: the per-user data folder and the bundled resources."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

APP_NAME = "gnapp"
DEFAULT_DB_NAME = "gnapp.sqlite"


def data_dir() -> Path:
    """The per-user data folder (not created here).

    ``GNAPP_HOME`` overrides it (tests, portable installs). Otherwise
    ``%LOCALAPPDATA%\\gnapp`` on Windows, ``~/Library/Application Support/gnapp`` on
    macOS and ``$XDG_DATA_HOME/gnapp`` (default ``~/.local/share/gnapp``) elsewhere.
    """
    override = os.environ.get("GNAPP_HOME")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_NAME


def location_file() -> Path:
    """Where the first-start wizard records a data or backup folder chosen by the user."""
    return data_dir() / "location.json"


def _locations() -> dict:
    try:
        value = json.loads(location_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def save_locations(db_path: Path, *, make_default: bool = False,
                   backups: Path | None = None) -> None:
    """Remember ``db_path`` as the database to open by default, and/or the folder its
    backups go to."""
    values = _locations()
    if make_default:
        values["db"] = str(Path(db_path).resolve())
    if backups is not None:
        values.setdefault("backups", {})[str(Path(db_path).resolve())] = \
            str(Path(backups).resolve())
    location_file().parent.mkdir(parents=True, exist_ok=True)
    location_file().write_text(json.dumps(values, ensure_ascii=False, indent=1),
                               encoding="utf-8")


def chosen_backup_dir(db_path: str | Path) -> Path | None:
    """The backup folder chosen for ``db_path`` at first start, if one was."""
    folder = _locations().get("backups", {}).get(str(Path(db_path).resolve()))
    return Path(folder) if folder else None


def default_db_path() -> Path:
    """The database opened when no ``--db`` is given: the one chosen at first start, else
    ``gnapp.sqlite`` in the data folder."""
    chosen = _locations().get("db")
    return Path(chosen) if chosen else data_dir() / DEFAULT_DB_NAME


def resource_dir() -> Path:
    """The top-level ``resources/`` folder, from the source tree or the frozen build."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def docs_dir() -> Path:
    """The ``docs/`` folder holding the user guide and its pictures: ``<repo>/docs`` in the
    source tree, ``docs`` inside the frozen build (``build.spec`` bundles the guide there)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "docs"
    return Path(__file__).resolve().parent.parent / "docs"
