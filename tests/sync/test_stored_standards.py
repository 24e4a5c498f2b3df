"""An office completes the provisional standard and sends it down; communes classify with it."""

import json

import pytest

from gnapp.db import reviews, sites
from gnapp.db import standards as stored
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.standards import to_dict
from tests.conftest import COMMUNE
from tests.sync.conftest import register_two_households
from tests.sync.test_round_trip import send
from tests.test_cli import run, run_json


def test_the_completed_cn2027_travels_down_and_classifies_farm_households(
        commune, office, outbox, tmp_path):
    rows = register_two_households(commune)
    send(commune, office, outbox / "up")  # the office knows the commune (and vice versa later)
    exported = tmp_path / "CN2027.json"
    run("standards", "export", "CN2027", "--db", tmp_path / "office.sqlite", "--out", exported)
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["mstb_factor"]["value"] is None
    data["mstb_factor"] = {"value": "1.5", "certainty": "V",
                           "note": "Theo hướng dẫn của Bộ (giả định trong phép thử)"}
    exported.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    loaded = run_json("standards", "load", exported, "--db", tmp_path / "office.sqlite")
    assert (loaded["id"], loaded["version"]) == ("CN2027", 1)
    _, reports = send(office, commune, outbox / "down", to_unit=COMMUNE)
    assert reports[0].tables == {"new": {"poverty_standard": 1}}
    assert str(reviews.standard("CN2027", commune).mstb_factor) == "1.5"
    assert reviews.standard("CN2027").mstb_factor is None  # the shipped file is unchanged
    listed = run_json("standards", "list", "--db", tmp_path / "commune.sqlite")["standards"]
    assert [(s["id"], s["stored_by"]) for s in listed] == [("CN2022", None), ("CN2027", "24")]

    w = sites.writer(commune)
    w.update("household", rows["01-0001"]["id"], {"farm_household": 1})
    round_ = reviews.create_round(w, year=2026, kind="periodic")
    assert round_["standard_id"] == "CN2027"
    review, result = reviews.save_review(
        w, round_["id"], rows["01-0001"]["id"], income_per_person=2_600_000,
        farm_income_per_person=3_000_000, reviewer="Hà Văn Tâm", review_date="2026-10-02",
        deprivations={code: False for code in reviews.standard("CN2027", commune).indicator_codes})
    # 3.0 M ≤ 1.5 × 2.2 M: average living standard, and still labelled provisional
    assert review["computed_class"] == "average" and review["provisional"] == 1


def test_an_official_standard_is_not_replaced(commune, office, tmp_path):
    with pytest.raises(GnappError, match="Chỉ máy của cơ quan cấp trên"):
        stored.store(sites.writer(commune), to_dict(reviews.standard("CN2027")))
    data = to_dict(reviews.standard("CN2022"))
    data["cutoff"]["value"] = 4
    with pytest.raises(InputError, match="CN2022 là chuẩn chính thức"):
        stored.store(sites.writer(office), data)
    bad = tmp_path / "hong.json"
    bad.write_text('{"id": "CN2027", "format": 1', encoding="utf-8")
    result = run("standards", "load", bad, "--db", tmp_path / "office.sqlite", code=2)
    assert "hong.json" in result.stderr
    broken = to_dict(reviews.standard("CN2027"))
    broken["cutoff"]["value"] = "ba"
    path = tmp_path / "CN2027-sai.json"
    path.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    result = run("standards", "load", path, "--db", tmp_path / "office.sqlite", code=2)
    assert "CN2027-sai.json" in result.stderr and "cutoff" in result.stderr
    assert office.execute("SELECT count(*) FROM poverty_standard").fetchone()[0] == 0
