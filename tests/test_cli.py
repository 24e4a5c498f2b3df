"""The command line contract of DESIGN.md §6, run as a user would."""

import json
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from gnapp import __version__
from gnapp.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def run(*args, code=0):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == code, result.output + result.stderr
    return result


def run_json(*args, code=0):
    return json.loads(run(*args, "--json", code=code).stdout)


def test_version():
    assert run("--version").output.strip() == f"gnapp {__version__}"


def test_init_creates_a_commune_site(db_path):
    data = run_json("init", "--db", db_path, "--unit", "07339", "--role", "commune")
    assert (data["unit_code"], data["unit_name"], data["role"]) == ("07339", "Xã Tân Yên",
                                                                      "commune")
    assert re.fullmatch(r"([0-9A-F]{4}-){4}[0-9A-F]{4}", data["fingerprint"])


def test_init_accepts_a_code_without_leading_zeros_and_an_office(tmp_path):
    assert run_json("init", "--db", tmp_path / "a.db", "--unit", "7339",
                    "--role", "commune")["unit_code"] == "07339"
    assert run_json("init", "--db", tmp_path / "b.db", "--unit", "24",
                    "--role", "office")["unit_name"] == "Tỉnh Bắc Ninh"


@pytest.mark.parametrize("unit, role, message", [
    ("99999", "commune", "Không có đơn vị hành chính mã «99999»"),
    ("24", "commune", "không dùng được cho vai trò xã"),
    ("07339", "office", "không dùng được cho vai trò cơ quan cấp trên"),
])
def test_init_refuses_a_unit_that_does_not_fit(db_path, unit, role, message):
    result = run("init", "--db", db_path, "--unit", unit, "--role", role, code=2)
    assert message in result.stderr


def test_init_twice_is_refused(site_path):
    result = run("init", "--db", site_path, "--unit", "07339", "--role", "commune", code=1)
    assert "đã được khởi tạo" in result.stderr


def test_check_json_on_a_good_database(site_path):
    data = run_json("check", "--db", site_path)
    assert data["ok"] is True and data["integrity"] == ["ok"] and data["foreign_keys"] == []


def test_check_exits_1_when_the_data_has_errors(fresh_db, db_path):
    data = run_json("check", "--db", db_path, code=1)
    assert data["ok"] is False and data["issues"][0]["code"] == "site.missing"


def test_units_search_json(site_path):
    data = run_json("units", "search", "ha noi", "--db", site_path)
    assert data["units"][0]["name"] == "Thành phố Hà Nội" and data["units"][0]["code"] == "01"
    duc = run_json("units", "search", "duc", "--level", "commune", "--limit", "500",
                   "--db", site_path)
    assert duc["count"] > 20 and any("Đức" in u["name"] for u in duc["units"])


def test_units_search_prints_a_line_per_unit(site_path):
    out = run("units", "search", "tan yen", "--db", site_path).output
    assert "03997     Xã Tân Yên – Tỉnh Sơn La" in out and "07339" in out


def test_villages_and_legacy_units_from_the_command_line(site_path):
    village = run_json("units", "add-village", "Thôn Đồng Tâm", "--db", site_path)["unit"]
    assert village["code"] == "07339.01"
    listed = run_json("units", "list", "--db", site_path)
    assert [u["name"] for u in listed["units"]] == ["Thôn Đồng Tâm"]
    legacy = run_json("units", "add-legacy", "--code", "218", "--name", "Huyện Tân Yên",
                      "--type", "huyện", "--parent", "24", "--db", site_path)["unit"]
    assert (legacy["legacy"], legacy["valid_to"]) == (1, "2025-06-30")
    bad = run("units", "add-legacy", "--code", "2x", "--name", "X", "--type", "huyện",
              "--db", site_path, code=2)
    assert "chữ số" in bad.stderr


def test_backup_then_restore_from_the_command_line(site_path):
    run("units", "add-village", "Thôn Một", "--db", site_path)
    made = run_json("backup", "--db", site_path)
    assert Path(made["path"]).is_file() and made["size"] > 0
    run("units", "add-village", "Thôn Hai", "--db", site_path)
    run("restore", made["path"], "--db", site_path, "--json", code=2)  # needs --yes with --json
    restored = run_json("restore", made["path"], "--yes", "--db", site_path)
    assert restored["replaces"] and restored["site_id"] != restored["replaces"]
    listed = run_json("units", "list", "--db", site_path)
    assert [u["name"] for u in listed["units"]] == ["Thôn Một"]


def test_demo_is_idempotent(db_path):
    first = run_json("demo", "--db", db_path)
    second = run_json("demo", "--db", db_path)
    assert first["villages_added"] == first["villages"] >= 8
    assert second["villages_added"] == 0 and second["villages"] == first["villages"]
    assert run_json("check", "--db", db_path)["ok"] is True
    from gnapp.db import connection, documents

    db = connection.connect(db_path)
    signers = [(s["role"], s["name"]) for s in documents.signer_rows(db, first["unit_code"])]
    db.close()
    assert signers == [("chairman", "Lê Đình Hải"), ("vice_chairman", "Nguyễn Thị Thu Hà")]


def test_commands_on_a_missing_database_say_so(tmp_path):
    result = run("check", "--db", tmp_path / "none.sqlite", code=1)
    assert "Không có tệp dữ liệu" in result.stderr


def test_the_console_script_runs(site_path):
    out = subprocess.run([sys.executable, "-m", "gnapp", "check", "--db", str(site_path),
                          "--json"], capture_output=True, text=True, check=True).stdout
    assert json.loads(out)["ok"] is True


def all_commands(group, prefix=()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from all_commands(command, prefix + (name,))
        else:
            yield prefix + (name,), command


def test_every_command_has_help_and_is_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    for path, command in all_commands(cli):
        assert command.help, path
        assert f"gnapp {' '.join(path)}" in readme, f"README does not document {path}"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, (path, param.name)


def test_an_office_can_be_created_for_a_legacy_district(db_path):
    data = run_json("init", "--db", db_path, "--unit", "218", "--role", "office",
                    "--legacy-name", "Huyện Tân Yên", "--legacy-type", "huyện",
                    "--legacy-parent", "24")
    assert (data["unit_code"], data["unit_name"], data["role"]) == ("218", "Huyện Tân Yên",
                                                                      "office")
    found = run_json("units", "search", "tan yen", "--level", "district", "--all",
                     "--db", db_path)["units"]
    assert [(u["code"], u["legacy"], u["parent_code"]) for u in found] == [("218", 1, "24")]
    assert run_json("check", "--db", db_path)["ok"] is True


def test_a_legacy_commune_cannot_host_an_office(db_path):
    result = run("init", "--db", db_path, "--unit", "7306", "--role", "office",
                 "--legacy-name", "Thị trấn Nhã Nam", "--legacy-type", "thị trấn", code=2)
    assert "không dùng được cho vai trò cơ quan cấp trên" in result.stderr
    assert run_json("check", "--db", db_path, code=1)["issues"][0]["code"] == "site.missing"


def test_households_export_writes_a_readable_workbook(db_path, tmp_path):
    from openpyxl import load_workbook

    run("demo", "--db", db_path)
    out = tmp_path / "so-ho.xlsx"
    assert run_json("households", "export", "--out", out, "--db", db_path)["path"] == str(out)
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["Hộ gia đình", "Thành viên"]
    homes = list(wb["Hộ gia đình"].iter_rows(values_only=True))
    assert homes[0][0] == "DANH SÁCH HỘ GIA ĐÌNH" and homes[1][:5] == (
        "Mã hộ", "Thôn", "Địa chỉ", "Khu vực", "Chủ hộ")
    assert len(homes) == 2 + 500
    assert {row[14] for row in homes[2:]} >= {"Hộ nghèo", "Hộ cận nghèo", "Không nghèo"}
    members = list(wb["Thành viên"].iter_rows(values_only=True))
    assert members[2][6] == "Chủ hộ" and members[2][3] in ("Nam", "Nữ")
    assert run("households", "export", "--out", tmp_path / "x.csv", "--db", db_path,
               code=2).stderr.startswith("Lỗi: Tệp xuất phải có đuôi .xlsx")


def test_households_merge_from_the_command_line(site_path, tmp_path):
    former = tmp_path / "former.sqlite"
    run("init", "--db", former, "--unit", "07306", "--role", "commune")
    run("units", "add-village", "Thôn Nam Cầu", "--db", former)
    preview = run_json("households", "merge", former, "--dry-run", "--db", site_path)
    assert preview["dry_run"] is True and preview["villages"] == [
        {"former": "Thôn Nam Cầu", "new": "Thôn Nam Cầu"}]
    assert run_json("units", "list", "--db", site_path)["count"] == 0
    run_json("households", "merge", former, "--db", site_path)
    assert run_json("units", "list", "--db", site_path)["count"] == 1


def test_duplicates_are_listed_and_decided_from_the_command_line(site_path):
    from gnapp.db import connection, sites, units
    from gnapp.db import households as hh

    db = connection.connect(site_path)
    w = sites.writer(db)
    village = units.add_village(w, "Thôn Đồng Tâm")
    for name in ("Hoàng Văn Sơn", "Hoang Van Son"):
        hh.add_household(w, village_id=village["id"], area="rural",
                         head={"full_name": name, "sex": "nam", "birth_date": "1969"})
    db.close()
    listed = run_json("households", "duplicates", "--db", site_path)
    assert listed["count"] == 1
    pair = listed["pairs"][0]
    assert pair["reason"] == "same_name_birth_year" and pair["decision"] is None
    assert "Trùng họ tên (không kể dấu) và năm sinh 1969" in run(
        "households", "duplicates", "--db", site_path).output
    run("households", "decide-duplicate", pair["a"]["member_id"], pair["b"]["member_id"],
        "--decision", "different", "--note", "Hai người khác nhau", "--db", site_path)
    assert run_json("households", "duplicates", "--db", site_path)["count"] == 0
    everything = run_json("households", "duplicates", "--all", "--db", site_path)
    assert everything["pairs"][0]["decision"] == "different"
    run("households", "decide-duplicate", pair["a"]["member_id"], "nobody", "--decision",
        "same", "--db", site_path, code=1)


def test_click_speaks_vietnamese_in_help_and_usage_errors(site_path):
    """What click itself prints (usage, headings, errors of a mistyped command, option or
    value) is in Vietnamese, naming what was wrong."""
    shown = run("backup", "--help").output
    assert re.search(r"^Cách dùng: \S+ backup \[TÙY_CHỌN\]$", shown, re.M)
    assert "Tùy chọn:" in shown
    assert re.search(r"^Cách dùng: \S+ restore \[TÙY_CHỌN\] TỆP$", run("restore", "-h").output,
                     re.M)
    assert re.search(r"^Cách dùng: \S+ units \[TÙY_CHỌN\] LỆNH \[THAM_SỐ\]\.\.\.$",
                     run("units", "-h").output, re.M)
    assert "--to, --out THƯ_MỤC" in shown and "--db TỆP" in shown
    assert "In hướng dẫn này rồi thoát." in shown
    mistyped = run("nosuch", code=2).stderr
    assert "Cách dùng: " in mistyped and "Xem hướng dẫn: " in mistyped
    top = run("--help").output
    assert "Lệnh:" in top and "In số phiên bản rồi thoát." in top
    for args, code, said in [
            (["nosuch"], 2, "Lỗi: Không có lệnh «nosuch»."),
            (["backup", "--jsn", "--db", site_path], 2,
             "Lỗi: Không có tùy chọn «--jsn». Có phải là '--json'?"),
            (["init", "--db", site_path], 2, "Lỗi: Thiếu tùy chọn '--unit'."),
            (["backup", "--to"], 2, "Lỗi: Tùy chọn «--to» cần một giá trị."),
            (["package", "resolve", "một", "--db", site_path], 2,
             "Giá trị của 'SỐ' không hợp lệ: «một» không phải là số hợp lệ."),
            (["backup", "--db", site_path, "thừa"], 2, "Lỗi: Thừa tham số (thừa)")]:
        result = run(*args, code=code)
        assert said in result.stderr, result.stderr
        english = ("Usage:", "Error:", "No such", "Missing", "Invalid value", "Try '", "Got ")
        assert not any(word in result.stderr for word in english), result.stderr


def test_backup_sets_the_space_for_backups_and_refuses_a_bad_one(site_path):
    from gnapp.db import backup as backups
    from gnapp.db import connection

    def budget():
        db = connection.connect(site_path)
        try:
            return backups.budget_gb(db)
        finally:
            db.close()

    made = run_json("backup", "--budget-gb", 3, "--db", site_path)
    assert Path(made["path"]).is_file() and budget() == 3
    bad = run("backup", "--budget-gb", -1, "--db", site_path, code=2)
    assert "từ 0 (tự động) đến 100.000, không phải «-1»" in bad.stderr
    assert budget() == 3
    assert len(list(Path(made["path"]).parent.glob("*.gnbak"))) == 1    # refused: no backup
    run_json("backup", "--budget-gb", 0, "--db", site_path)
    assert budget() == 0
