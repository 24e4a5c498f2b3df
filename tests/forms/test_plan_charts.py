"""Charts in plans and reports (the home screen's charts as blocks of a document) on the demo
commune: drawn in the PDF, pictures in Word (or their figures without a way to draw), frozen
with the document when it is signed."""

from datetime import date

import docx
import pytest

from gnapp.db import dashboard, plan_documents, sites
from gnapp.domain import charts
from gnapp.domain import plan_docs as rules
from gnapp.forms import plan_document
from tests.forms.readback import pdf_text

TODAY = date(2026, 11, 23)
BODY = {"blocks": [
    {"type": "heading", "level": 1, "text": "Kết quả rà soát"},
    {"type": "table", "source": "chart_rates_by_village", "params": {"year": 2025}},
    {"type": "table", "source": "chart_rates_over_years", "params": {}},
    {"type": "heading", "level": 1, "text": "Nguồn vốn"},
    {"type": "table", "source": "chart_money", "params": {"year": 2026}},
    {"type": "table", "source": "chart_deprivations", "params": {"year": 2026}},
], "closing": "Trên đây là báo cáo./."}


@pytest.fixture
def report(demo_db):
    w = sites.writer(demo_db)
    assert rules.check_blocks(BODY["blocks"]) == []
    return plan_documents.create(w, kind="report", year=2026, subject="Kết quả giảm nghèo",
                                 body=BODY)


def test_chart_blocks_are_drawn_in_the_pdf(demo_db, report, tmp_path):
    text = pdf_text(plan_document.write(demo_db, report["id"], tmp_path / "bc.pdf", TODAY))
    for title in (dashboard.VILLAGE_TITLE, "Tỷ lệ hộ nghèo, hộ cận nghèo qua các năm",
                  "Giải ngân theo nguồn vốn năm 2026",
                  "Tỷ lệ hộ nghèo thiếu hụt theo từng chỉ số"):
        assert title in text, title
    assert "Chuẩn nghèo mới" in text           # the break of the standard is marked


def test_word_gets_pictures_or_the_figures(demo_db, report, tmp_path):
    from gnapp.ui.charts import chart_png

    with_pictures = docx.Document(plan_document.write(
        demo_db, report["id"], tmp_path / "a.docx", TODAY, picture=chart_png))
    assert len(with_pictures.inline_shapes) == 4
    plain = docx.Document(plan_document.write(demo_db, report["id"], tmp_path / "b.docx", TODAY))
    assert len(plain.inline_shapes) == 0
    cells = {c.text for t in plain.tables for r in t.rows for c in r.cells}
    assert "Dự án 2" in cells and "Việc làm" in cells


def test_a_signed_document_keeps_its_charts(demo_db, report, tmp_path):
    w = sites.writer(demo_db)
    plan_document.sign(w, report["id"], day=TODAY)
    row = plan_documents.get(demo_db, report["id"])
    frozen = [t for t in plan_document.resolve(demo_db, row)["tables"].values()]
    money = next(charts.chart_from_json(t["chart"]) for t in frozen
                 if t["chart"]["name"] == "giai-ngan")
    before = pdf_text(plan_document.write(demo_db, report["id"], tmp_path / "a.pdf"))
    line = demo_db.execute("SELECT id FROM allocation_line WHERE line_code = 'DA2' AND "
                           "deleted = 0 ORDER BY rowid DESC LIMIT 1").fetchone()[0]
    from gnapp.db import disbursement
    disbursement.add_payment(w, line, amount=100_000_000, paid_on="2026-11-20",
                             document="PC 99")
    after = pdf_text(plan_document.write(demo_db, report["id"], tmp_path / "b.pdf"))
    assert after == before
    now = plan_document.resolve(demo_db, {**row, "state": "draft"})["tables"]
    fresh = next(charts.chart_from_json(t["chart"]) for t in now.values()
                 if t["chart"]["name"] == "giai-ngan")
    assert fresh.series[1].values[0] == money.series[1].values[0] + 100
