"""gnapp targets …: import, check, print, set, compare, list from the command line."""

import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from gnapp.cli import cli
from gnapp.db import connection
from tests.targets_helpers import CSV, FIXTURES, PLAN, expected, tan_yen_office, with_total_row


@pytest.fixture
def office_path(units_path):
    db = connection.connect(units_path)
    tan_yen_office(db)
    db.close()
    return units_path


def run(path, *args):
    return CliRunner().invoke(cli, [*args, "--db", str(path)])


def test_import_check_print_and_list(office_path, tmp_path):
    source = with_total_row(tmp_path)
    dry = run(office_path, "targets", "import", str(source), "--plan", PLAN, "--dry-run",
              "--json")
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["new"] == 150
    done = run(office_path, "targets", "import", str(source), "--plan", PLAN)
    assert done.exit_code == 0 and "mới 150" in done.output
    assert "An Dương = 07330" in done.output and "Cao xá" in done.output
    again = run(office_path, "targets", "import", str(source), "--plan", PLAN, "--json")
    assert json.loads(again.output)["unchanged"] == 150

    check = run(office_path, "targets", "check", "--plan", PLAN, "--json", "--goals",
                str(FIXTURES / "tan_yen_goals.json"))
    assert check.exit_code == 1
    data = json.loads(check.output)
    assert len(data["flagged"]) == 7 and data["rate_first"] == 78
    assert [(t["year"], t["households"], t["poor_households"], t["rate"])
            for t in data["totals"]] == [
        (t["year"], t["households"], t["poor_households"], t["rate_percent"])
        for t in expected()["district_totals_computed"]]
    assert len(data["differences"]) == 5
    assert any(i["code"] == "target.goal_max_rate" for i in data["issues"])

    text = run(office_path, "targets", "check", "--plan", PLAN)
    assert "LỖI: Năm 2020, dòng tổng, số hộ nghèo: văn bản in 850" in text.output

    out = tmp_path / "chi-tieu.xlsx"
    printed = run(office_path, "targets", "print", "--plan", PLAN, "--out", str(out))
    assert printed.exit_code == 0, printed.output
    ws = load_workbook(out).active
    assert any(ws.cell(r, 3).value == "Tổng cộng các dòng" for r in range(1, ws.max_row + 1))

    listed = run(office_path, "targets", "list", "--json")
    (plan,) = json.loads(listed.output)["plans"]
    assert (plan["plan"], plan["units"], plan["rows"], plan["stated"]) == (PLAN, 24, 144, 6)


def test_a_bad_file_exits_2_and_names_file_row_and_field(office_path, tmp_path):
    bad = tmp_path / "sai.csv"
    bad.write_text(CSV.read_text(encoding="utf-8").replace("2,Cao Thượng,2015,1837,135",
                                                           "2,Cao Thượng,2015,1837,-135"),
                   encoding="utf-8")
    result = run(office_path, "targets", "import", str(bad), "--plan", PLAN)
    assert result.exit_code == 2
    assert "Tệp sai.csv, dòng 8, trường «poor_households»" in result.output
    assert json.loads(run(office_path, "targets", "list", "--json").output)["count"] == 0


def test_set_with_the_rate_first_and_compare(office_path, tmp_path):
    result = run(office_path, "targets", "set", "07339", "2026", "--households", "1000",
                 "--rate", "1,25", "--json")
    assert result.exit_code == 0, result.output
    target = json.loads(result.output)["target"]
    assert (target["poor_households"], target["rate"], target["rate_first"]) == (13, "1.25", 1)
    both = run(office_path, "targets", "set", "07339", "2026", "--households", "1000",
               "--rate", "1", "--poor", "3")
    assert both.exit_code == 2 and "một trong hai" in both.output
    out = tmp_path / "so-sanh.pdf"
    compared = run(office_path, "targets", "compare", "--year", "2026", "--out", str(out),
                   "--json")
    assert compared.exit_code == 0, compared.output
    (unit,) = json.loads(compared.output)["units"]
    assert (unit["unit_code"], unit["target_poor_households"], unit["verdict"]) == \
        ("07339", 13, "no_result")
    assert out.exists() and out.stat().st_size > 0
