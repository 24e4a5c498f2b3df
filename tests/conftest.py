"""Shared fixtures. Tests run offscreen and never touch the user's own data folder."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

import shutil
import sqlite3
from pathlib import Path

import pytest

from gnapp.db import connection, sites, units, users

COMMUNE = "07339"  # Xã Tân Yên, Bắc Ninh
PROVINCE = "24"    # Tỉnh Bắc Ninh


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    """Point the per-user data folder at a temporary one; nobody is logged in."""
    monkeypatch.setenv("GNAPP_HOME", str(tmp_path / "home"))
    users.set_session(None)
    yield
    users.set_session(None)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "gnapp.sqlite"


@pytest.fixture
def fresh_db(db_path):
    """A migrated database file with no site yet."""
    db = connection.connect(db_path)
    yield db
    db.close()


def _template(folder: Path, prepare) -> Path:
    """A database file prepared once per session, with its WAL folded into the main file
    so that copying the one file copies the whole database."""
    path = folder / "gnapp.sqlite"
    db = connection.connect(path)
    prepare(db)
    db.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture(scope="session")
def _site_template(tmp_path_factory) -> Path:
    return _template(tmp_path_factory.mktemp("site"), lambda db: sites.init_site(
        db, COMMUNE, "commune", user="canbo", user_full_name="Nguyễn Thị Hồng Nhung"))


@pytest.fixture(scope="session")
def _units_template(tmp_path_factory) -> Path:
    return _template(tmp_path_factory.mktemp("units"), units.ensure_official_units)


@pytest.fixture
def units_path(_units_template, db_path) -> Path:
    """A database file with the official units and no site yet (copied from a template)."""
    shutil.copy(_units_template, db_path)
    return db_path


@pytest.fixture
def site_path(_site_template, db_path) -> Path:
    """A database file initialised for the commune 07339 (copied from a template)."""
    shutil.copy(_site_template, db_path)
    return db_path


@pytest.fixture
def site_db(site_path):
    """An open database of a commune site (07339, Xã Tân Yên), with the official units."""
    db = connection.connect(site_path)
    yield db
    db.close()


@pytest.fixture
def writer(site_db):
    return sites.writer(site_db)


# -- the demo commune and the demo office -------------------------------------------------------

DEMO_HOUSEHOLDS = 60


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory) -> Path:
    from gnapp import demo
    return _template(tmp_path_factory.mktemp("demo"),
                     lambda db: demo.fill(db, households=DEMO_HOUSEHOLDS))


@pytest.fixture
def demo_path(_demo_template, db_path) -> Path:
    """The demo commune (Xã Hoằng Hóa, 60 households, rounds 2025 and 2026, allocations,
    projects, report periods), copied from a template."""
    shutil.copy(_demo_template, db_path)
    return db_path


@pytest.fixture
def demo_db(demo_path):
    db = connection.connect(demo_path)
    yield db
    db.close()


@pytest.fixture(scope="session")
def _demo_office_template(tmp_path_factory) -> Path:
    from gnapp import demo
    folder = tmp_path_factory.mktemp("demo_office")
    return _template(folder, lambda db: demo.fill_office(db, folder / "communes", communes=3,
                                                         households=40))


@pytest.fixture
def demo_office_path(_demo_office_template, db_path) -> Path:
    """The demo office (Tỉnh Thanh Hóa) holding 3 demo communes of 40 households."""
    shutil.copy(_demo_office_template, db_path)
    return db_path


@pytest.fixture
def demo_office_db(demo_office_path):
    db = connection.connect(demo_office_path)
    yield db
    db.close()
