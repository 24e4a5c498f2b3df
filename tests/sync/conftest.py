"""Sites that exchange packages: a commune (two PCs) and its provincial office."""

import shutil
from pathlib import Path

import pytest

from gnapp.db import connection, sites, units
from gnapp.db import households as hh
from tests.conftest import COMMUNE, PROVINCE, _template


@pytest.fixture(scope="session")
def _office_template(tmp_path_factory) -> Path:
    return _template(tmp_path_factory.mktemp("office"), lambda db: sites.init_site(
        db, PROVINCE, "office", user="sonv", user_full_name="Trần Văn Sơn"))


@pytest.fixture(scope="session")
def _second_pc_template(tmp_path_factory) -> Path:
    return _template(tmp_path_factory.mktemp("pc2"), lambda db: sites.init_site(
        db, COMMUNE, "commune", user="canbo2", user_full_name="Lê Văn Bình"))


def _open(template: Path, path: Path):
    shutil.copy(template, path)
    return connection.connect(path)


@pytest.fixture
def commune(_site_template, tmp_path):
    db = _open(_site_template, tmp_path / "commune.sqlite")
    yield db
    db.close()


@pytest.fixture
def office(_office_template, tmp_path):
    db = _open(_office_template, tmp_path / "office.sqlite")
    yield db
    db.close()


@pytest.fixture
def pc2(_second_pc_template, tmp_path):
    db = _open(_second_pc_template, tmp_path / "pc2.sqlite")
    yield db
    db.close()


@pytest.fixture
def outbox(tmp_path) -> Path:
    path = tmp_path / "outbox"
    path.mkdir()
    return path


def register_two_households(db) -> dict:
    """A village with two households (one of two members); returns their rows by code."""
    w = sites.writer(db)
    village = units.add_village(w, "Thôn Đồng Tâm")
    one = hh.add_household(w, village_id=village["id"], area="rural", code="01-0001",
                           head={"full_name": "Nguyễn Văn Đức", "sex": "nam",
                                 "birth_date": "1975"})
    two = hh.add_household(w, village_id=village["id"], area="rural", code="01-0002",
                           head={"full_name": "Lò Thị Mai", "sex": "nu", "birth_date": "1980"})
    hh.add_member(w, two["id"], {"full_name": "Lò Văn Pọm", "sex": "nam", "birth_date": "2005",
                                 "relation": "child"})
    return {"village": village, "01-0001": one, "01-0002": two}
