"""``gnapp report list`` and ``gnapp report NAME --out FILE``: output and exit codes."""

import json

from click.testing import CliRunner

from gnapp.cli import cli
from readback import pdf_text, sheet


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_report_list_names_every_report():
    result = run("report", "list", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    names = [r["name"] for r in data["reports"]]
    assert names[:15] == [f"bao-cao-{n}" for n in range(1, 16)]      # the review reports
    assert "bao-cao-1" in run("report", "list").output


def test_report_writes_a_pdf_and_gives_its_path(commune, tmp_path):
    out = tmp_path / "bc1.pdf"
    result = run("report", "bao-cao-1", "--out", out, "--round", "2025", "--db", commune.path,
                 "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {k: data[k] for k in ("ok", "report", "path", "format", "copy_no", "is_copy")} == {
        "ok": True, "report": "bao-cao-1", "path": str(out), "format": "pdf", "copy_no": 1,
        "is_copy": False}
    assert f"Mã dữ liệu: {data['fingerprint'][:12]}" in pdf_text(out)   # recorded, in the footer
    assert "TỔNG HỢP KẾT QUẢ CHÍNH THỨC" in pdf_text(out)


def test_report_for_one_village_in_xlsx(commune, tmp_path):
    out = tmp_path / "bc4.xlsx"
    code = commune.villages["Thôn Một"]["code"]
    result = run("report", "4", "--out", out, "--round", "2025", "--unit", code,
                 "--db", commune.path)
    assert result.exit_code == 0, result.output
    assert "Đã lập Báo cáo 4" in result.output
    names = [sheet(out).cell(r, 2).value for r in range(1, 40)]
    assert "Thôn Một" in names and "Thôn Hai" not in names


def test_report_exit_codes(commune, tmp_path):
    db = commune.path
    bad_suffix = run("report", "bao-cao-1", "--out", tmp_path / "x.docx", "--db", db)
    assert bad_suffix.exit_code == 2 and ".pdf hoặc .xlsx" in bad_suffix.output
    unknown = run("report", "bao-cao-99", "--out", tmp_path / "x.pdf", "--db", db)
    assert unknown.exit_code == 2 and "Không có báo cáo «bao-cao-99»" in unknown.output
    bad_unit = run("report", "bao-cao-1", "--out", tmp_path / "x.pdf", "--unit", "01001",
                   "--db", db)
    assert bad_unit.exit_code == 2
    no_previous = run("report", "bao-cao-2", "--out", tmp_path / "x.pdf", "--round", "2024",
                      "--db", db, "--json")
    assert no_previous.exit_code == 1
    assert json.loads(no_previous.output.splitlines()[0])["ok"] is False
    no_round = run("report", "bao-cao-1", "--out", tmp_path / "x.pdf", "--round", "2010",
                   "--db", db)
    assert no_round.exit_code == 1 and "Không có đợt rà soát năm 2010" in no_round.output
    assert not (tmp_path / "x.pdf").exists()
    missing = run("report", "bao-cao-1", "--out", tmp_path / "x.pdf", "--db",
                  tmp_path / "none.sqlite")
    assert missing.exit_code == 1
    assert run("report", "bao-cao-1", "--db", db).exit_code == 2      # --out is required
