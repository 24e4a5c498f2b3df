"""Where things live: the per-user data folder and the bundled resources."""

from __future__ import annotations

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


def default_db_path() -> Path:
    """The database opened when no ``--db`` is given."""
    return data_dir() / DEFAULT_DB_NAME


def resource_dir() -> Path:
    """The top-level ``resources/`` folder, from the source tree or the frozen build."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
