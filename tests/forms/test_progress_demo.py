"""The demo commune's 6-month report of 2026, printed and read back, against figures counted
here from the tables with plain SQL."""

import pytest

from gnapp import demo
from gnapp.db import connection, progress
from gnapp.domain.numbers import format_int
from gnapp.forms import progress_reports as prr
from gnapp.forms.catalog import render
from readback import pdf_text, sheet


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("progress-demo")
    db = connection.connect(folder / "demo.sqlite")
    demo.fill(db, households=160)
    yield db, folder
    db.close()


def _sql(db, sql, *params):
    return db.execute(sql, params).fetchone()[0]


def test_the_demo_six_month_report_matches_the_tables(demo_db):
    db, folder = demo_db
    period = next(p for p in progress.periods(db) if p["kind"] == "half_year")
    assert period["year"] == 2026 and period["status"] == "open"
    poor = _sql(db, "SELECT count(*) FROM household_review x JOIN review_round r ON "
                    "r.id = x.round_id WHERE r.year = 2025 AND x.class = 'poor' AND x.deleted = 0")
    allocated = _sql(db, "SELECT sum(l.amount) FROM allocation_line l JOIN allocation_decision "
                         "d ON d.id = l.decision_id WHERE d.year = 2026 AND l.line_code = 'DA2'")
    paid = _sql(db, "SELECT sum(p.amount) FROM disbursement p JOIN allocation_line l ON "
                    "l.id = p.allocation_line_id JOIN allocation_decision d ON d.id = l.decision_id "
                    "WHERE d.year = 2026 AND l.line_code = 'DA2' AND p.paid_on <= '2026-06-30'")
    joined = _sql(db, "SELECT count(*) FROM project_participant x JOIN livelihood_project p ON "
                      "p.id = x.project_id WHERE p.line_code = 'DA2' AND x.deleted = 0")
    found = progress.figures(db, period["id"])
    assert found["GN.HO_NGHEO"].value == poor
    assert (found["DA2.VON"].value, found["DA2.GIAI_NGAN"].value, found["DA2.HO"].value) == \
        (allocated, paid, joined)
    assert found["CS.BHYT.THE"].actual == 1398
    assert not [i for i in progress.check_period(db, period["id"]) if i.severity == "error"]

    pdf = render(prr.period_report(db, period["id"]), folder / "6-thang.pdf")
    text = pdf_text(pdf)
    for figure in (format_int(allocated), format_int(paid), "1.398", "15.420.000.000"):
        assert figure in text
    ws = sheet(render(prr.period_report(db, period["id"]), folder / "6-thang.xlsx"))
    rows = {ws.cell(r, 2).value: ws.cell(r, 5).value for r in range(1, ws.max_row + 1)}
    assert rows["Hộ nghèo (*)"] == poor and rows["Vốn được phân bổ (*)"] is not None


def test_the_demo_year_2025_is_complete_with_its_figures_stored(demo_db):
    db, _ = demo_db
    year = next(p for p in progress.periods(db) if p["kind"] == "year")
    assert year["status"] == "complete"
    stored = {r["indicator"]: r for r in db.query(
        "SELECT * FROM indicator_value WHERE period_id = ?", [year["id"]])}
    assert stored["DA2.VON"]["source"] == "computed" and stored["DA2.VON"]["actual"] == \
        "950000000"
    assert stored["CS.TGPL.VU_VIEC"]["actual"] == "6"


def test_the_demo_six_month_report_and_annual_plan_print_the_database_figures(demo_db):
    """The documents of issue 7 on the demo: the 6-month report with its period's figures and
    the annual plan, drafts whose tables are read back from the PDF and the Word file."""
    from docx import Document as Docx

    from gnapp.db import sites
    from gnapp.forms import plan_document

    db, folder = demo_db
    period = next(p for p in progress.periods(db) if p["kind"] == "half_year")
    w = sites.writer(db)
    report = plan_document.new_from_template(w, "bao-cao-6-thang", year=2026,
                                             period_id=period["id"])
    plan = plan_document.new_from_template(w, "ke-hoach-nam", year=2026)
    found = progress.figures(db, period["id"])
    money = [format_int(int(found[c].value)) for c in ("DA2.VON", "DA2.GIAI_NGAN")]
    pdf = plan_document.write(db, report["id"], folder / "bao-cao-6-thang.pdf")
    text = pdf_text(pdf)
    assert "6 tháng đầu năm 2026" in text and "1.398" in text and all(m in text for m in money)
    word = plan_document.write(db, report["id"], folder / "bao-cao-6-thang.docx")
    cells = {c.text for t in Docx(word).tables for row in t.rows for c in row.cells}
    assert {"1.398", *money} <= cells
    plan_pdf = plan_document.write(db, plan["id"], folder / "ke-hoach-nam.pdf")
    assert "KẾ HOẠCH" in pdf_text(plan_pdf)
