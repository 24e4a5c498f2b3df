"""``gnapp progress …`` run as a user would, bad input included."""

from tests.forms.readback import pdf_text
from tests.test_cli import run, run_json


def test_a_period_from_opening_to_completion(commune, tmp_path):
    db = commune.path
    opened = run_json("progress", "open", "half_year", "2026", "--db", db)
    assert opened["period"]["due_on"] == "2026-06-20"
    run_json("progress", "set", "half_year/2026", "CS.BHYT.THE", "--actual", "1.200",
             "--target", "1.300", "--db", db)
    run_json("progress", "set", "6thang/2026", "CS.BHYT.NGHEO", "--actual", "1.250", "--db", db)
    bad = run_json("progress", "set", "half_year/2026", "CS.BHYT.THE", "--actual", "12,5",
                   "--db", db, code=2)
    assert "phải là số nguyên" in bad["error"]
    computed = run_json("progress", "set", "half_year/2026", "GN.HO", "--actual", "9",
                        "--db", db, code=2)
    assert "tính từ dữ liệu" in computed["error"]
    unknown = run_json("progress", "set", "half_year/2026", "KHONG.CO", "--actual", "9",
                       "--db", db, code=2)
    assert "Không có chỉ tiêu mã «KHONG.CO»" in unknown["error"]

    checked = run_json("progress", "check", "half_year/2026", "--db", db, code=1)
    assert [i["code"] for i in checked["issues"]] == ["figure.parts"]
    refused = run("progress", "complete", "half_year/2026", "--db", db, code=1)
    assert "còn 1 lỗi" in refused.stderr
    run_json("progress", "set", "half_year/2026", "CS.BHYT.NGHEO", "--actual", "250", "--db", db)
    done = run_json("progress", "complete", "half_year/2026", "--db", db)
    assert done["period"]["state"] == "complete"
    figures = run_json("progress", "figures", "half_year/2026", "--db", db)["figures"]
    by_code = {f["code"]: f for f in figures}
    assert by_code["CS.BHYT.THE"]["actual"] == "1200" and by_code["GN.HO"]["computed"]
    listed = run("progress", "periods", "--db", db).stdout
    assert "6 tháng đầu năm 2026" in listed and "đã hoàn thành" in listed
    out = tmp_path / "tien-do.pdf"
    run("progress", "print", "half_year/2026", "--out", out, "--db", db)
    assert "Thẻ bảo hiểm y tế được cấp" in pdf_text(out)
    reopened = run_json("progress", "reopen", "half_year/2026", "--reason", "Sửa số thẻ",
                        "--db", db)
    assert reopened["period"]["state"] == "open"
    missing = run_json("progress", "figures", "year/2031", "--db", db, code=2)
    assert "Chưa có kỳ báo cáo «year/2031»" in missing["error"]
    indicators = run_json("progress", "indicators", "--year", "2026", "--db", db)["indicators"]
    assert any(i["code"] == "DA2.TL_GIAI_NGAN" and i["rate_of"] for i in indicators)
