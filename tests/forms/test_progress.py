"""Report periods and their figures on a commune's site: computed from the register and the
ledger, typed and checked, completed only without errors, printed (issue 7 items 1–3)."""

from datetime import date
from decimal import Decimal

import pytest

from gnapp.db import allocations, disbursement, progress, report_data, sites
from gnapp.db.store import WriteError
from gnapp.domain import progress as rules
from gnapp.domain.errors import InputError
from gnapp.forms import progress_reports as prr
from gnapp.forms.catalog import render
from tests.forms.readback import pdf_text, sheet

TODAY = date(2026, 7, 10)


@pytest.fixture
def period(commune):
    return progress.create_period(sites.writer(commune.db), rules.HALF_YEAR, 2026)


def _round_total(db, year):
    scope = report_data.resolve_scope(db, round_year=year, today=TODAY)
    counts = report_data.result_counts(db, scope).values()
    return (sum(c.households for c in counts), sum(c.poor_households for c in counts),
            sum(c.persons for c in counts))


def test_a_period_takes_its_dates_and_due_date_from_the_calendar(commune, period):
    assert (period["starts_on"], period["ends_on"], period["due_on"]) == \
        ("2026-01-01", "2026-06-30", "2026-06-20")
    assert period["label"] == "6 tháng đầu năm 2026"
    [listed] = progress.periods(commune.db, today=TODAY)
    assert listed["overdue"] and listed["status"] == "open"
    assert progress.due_list(commune.db, today=TODAY)[0]["id"] == period["id"]
    assert not progress.periods(commune.db, today=date(2026, 6, 1))[0]["overdue"]
    # the same period twice is refused; an ad hoc one needs its subject
    w = sites.writer(commune.db)
    with pytest.raises(InputError, match="Đã có kỳ báo cáo 6 tháng đầu năm 2026"):
        progress.create_period(w, rules.HALF_YEAR, 2026)
    with pytest.raises(InputError, match="cần ghi nội dung"):
        progress.create_period(w, rules.AD_HOC, 2026)
    first = progress.create_period(w, rules.AD_HOC, 2026, title="Rà soát nhà ở")
    second = progress.create_period(w, rules.AD_HOC, 2026, title="Tiền điện quý III")
    assert (first["seq"], second["seq"]) == (1, 2)
    assert first["due_on"] is None


def test_a_deadline_set_for_the_level_replaces_the_shipped_one(commune):
    w = sites.writer(commune.db)
    progress.set_deadline(w, level="commune", kind="year", due="28/11", basis="CV 12/UBND")
    created = progress.create_period(w, rules.YEAR, 2026)
    assert created["due_on"] == "2026-11-28"
    with pytest.raises(InputError, match="Hạn nộp «31/2»"):
        progress.set_deadline(w, level="commune", kind="year", due="31/2")


def test_figures_the_register_knows_are_computed_not_typed(commune, period):
    households, poor, persons = _round_total(commune.db, 2025)
    found = progress.figures(commune.db, period["id"], today=TODAY)
    assert found["GN.HO"].value == households and found["GN.HO_NGHEO"].value == poor
    assert found["GN.NHAN_KHAU"].value == persons
    assert found["GN.TL_NGHEO"].value == rules.rate_value(Decimal(poor), Decimal(households))
    w = sites.writer(commune.db)
    with pytest.raises(InputError, match="được tính từ dữ liệu, không nhập tay"):
        progress.set_figure(w, period["id"], "GN.HO", actual="12")
    # the figure a document states is kept beside it, and a difference is a warning
    progress.set_figure(w, period["id"], "GN.HO", stated=str(households + 1), target="10")
    [warning] = [i for i in progress.check_period(commune.db, period["id"], today=TODAY)
                 if i.code == "figure.stated"]
    assert warning.severity == "warning" and f"khác số tính từ dữ liệu {households} hộ" in \
        warning.message


def test_money_and_projects_come_from_the_ledger_up_to_the_period_end(commune, period):
    w = sites.writer(commune.db)
    decision = allocations.create_decision(w, issuer="UBND tỉnh Bắc Ninh", year=2026,
                                           number="15/QĐ-UBND", signed_on="2026-02-01")
    line = allocations.set_amount(w, decision["id"], line_code="DA2", source="NSTW",
                                  capital_type="SN", amount=600_000_000)
    disbursement.add_payment(w, line["id"], amount=150_000_000, paid_on="2026-05-02",
                             document="PC 01")
    disbursement.add_payment(w, line["id"], amount=90_000_000, paid_on="2026-08-15",
                             document="PC 02")
    found = progress.figures(commune.db, period["id"], today=TODAY)
    assert found["DA2.VON"].value == 600_000_000
    assert found["DA2.GIAI_NGAN"].value == 150_000_000        # August is after the period
    assert found["DA2.TL_GIAI_NGAN"].value == Decimal("25.00")
    year = progress.create_period(w, rules.YEAR, 2026)
    assert progress.figures(commune.db, year["id"])["DA2.GIAI_NGAN"].value == 240_000_000


def test_typed_figures_are_checked_for_their_unit(commune, period):
    w = sites.writer(commune.db)
    with pytest.raises(InputError, match="phải là số nguyên"):
        progress.set_figure(w, period["id"], "CS.BHYT.THE", actual="12,5")
    with pytest.raises(InputError, match="không được là số âm"):
        progress.set_figure(w, period["id"], "CS.BHYT.THE", actual="-3")
    with pytest.raises(InputError, match="không đúng định dạng"):
        progress.set_figure(w, period["id"], "CS.BHYT.THE", actual="mười")
    progress.set_figure(w, period["id"], "CS.GIAO_DUC.AN.GAO.HK2", actual="1.250,5")
    progress.set_figure(w, period["id"], "CS.DIEN.LUOT.Q2", actual="20.109")
    found = progress.figures(commune.db, period["id"])
    assert found["CS.GIAO_DUC.AN.GAO.HK2"].actual == Decimal("1250.5")
    assert found["CS.DIEN.LUOT.Q2"].actual == 20109
    # quarters and semesters outside the first six months are not in the period
    assert "CS.DIEN.LUOT.Q3" not in found and "CS.GIAO_DUC.AN.GAO.HK1" not in found


def test_a_period_completes_only_without_errors_and_then_stays_as_reported(commune, period):
    w = sites.writer(commune.db)
    progress.set_figure(w, period["id"], "CS.BHYT.THE", actual="100")
    progress.set_figure(w, period["id"], "CS.BHYT.NGHEO", actual="80")
    progress.set_figure(w, period["id"], "CS.BHYT.CAN_NGHEO", actual="30")
    with pytest.raises(WriteError, match="còn 1 lỗi") as refused:
        progress.complete_period(w, period["id"], today=TODAY)
    assert "cộng lại 110 thẻ, lớn hơn tổng 100 thẻ" in str(refused.value)
    assert progress.get_period(commune.db, period["id"])["state"] == "open"

    progress.set_figure(w, period["id"], "CS.BHYT.CAN_NGHEO", actual="20")
    households, *_ = _round_total(commune.db, 2025)
    done = progress.complete_period(w, period["id"], today=TODAY)
    assert done["state"] == "complete" and done["completed_by"] == "canbo"
    stored = {r["indicator"]: r for r in commune.db.query(
        "SELECT * FROM indicator_value WHERE period_id = ?", [period["id"]])}
    assert stored["GN.HO"]["actual"] == str(households) and stored["GN.HO"]["source"] == "computed"
    with pytest.raises(WriteError, match="hãy mở lại kỳ báo cáo"):
        progress.set_figure(w, period["id"], "CS.BHYT.THE", actual="101")

    # a household added later does not change the reported period
    from gnapp.db import households as hh
    village = next(iter(commune.villages.values()))
    hh.add_household(w, village_id=village["id"], area="rural", on_date="2026-03-01",
                     head={"full_name": "Đặng Văn Long", "sex": "nam", "birth_date": "1980"})
    assert progress.figures(commune.db, period["id"])["GN.HO"].value == households
    with pytest.raises(InputError, match="lý do"):
        progress.reopen_period(w, period["id"], reason=" ")
    progress.reopen_period(w, period["id"], reason="Bổ sung số thẻ BHYT")
    assert progress.get_period(commune.db, period["id"])["state"] == "open"


def test_a_jump_from_the_same_period_last_year_is_a_warning(commune):
    w = sites.writer(commune.db)
    before = progress.create_period(w, rules.YEAR, 2025)
    now = progress.create_period(w, rules.YEAR, 2026)
    progress.set_figure(w, before["id"], "CS.TGPL.VU_VIEC", actual="20")
    progress.set_figure(w, now["id"], "CS.TGPL.VU_VIEC", actual="45")
    progress.set_figure(w, before["id"], "CS.THONG_TIN.BUOI", actual="20")
    progress.set_figure(w, now["id"], "CS.THONG_TIN.BUOI", actual="24")
    jumps = [i for i in progress.check_period(commune.db, now["id"]) if i.code == "figure.jump"]
    assert [i.field for i in jumps] == ["CS.TGPL.VU_VIEC"]
    assert "tăng 125%" in jumps[0].message and jumps[0].severity == "warning"


def test_the_period_prints_its_figures_to_pdf_and_xlsx(commune, period, tmp_path):
    w = sites.writer(commune.db)
    progress.set_figure(w, period["id"], "CS.BHYT.THE", actual="1.234", target="1.500")
    households, poor, _ = _round_total(commune.db, 2025)
    doc = prr.period_report(commune.db, period["id"], today=TODAY)
    pdf = render(doc, tmp_path / "tien-do.pdf")
    text = pdf_text(pdf)
    assert "6 THÁNG ĐẦU NĂM 2026" in text and "Bản nháp" in text
    assert "Thẻ bảo hiểm y tế được cấp" in text and "1.234" in text and "82,27" in text
    ws = sheet(render(doc, tmp_path / "tien-do.xlsx"))
    cells = {ws.cell(r, 2).value: [ws.cell(r, c).value for c in range(3, 8)]
             for r in range(1, ws.max_row + 1)}
    assert cells["Tổng số hộ dân cư (*)"][:3] == ["hộ", None, households]
    assert cells["Hộ nghèo (*)"][2] == poor
    assert cells["Thẻ bảo hiểm y tế được cấp"] == ["thẻ", 1500, 1234, pytest.approx(82.27), None]
