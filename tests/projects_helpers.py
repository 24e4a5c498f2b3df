"""Builders for the project and disbursement tests: a commune with households whose review
history puts each in a known group, allocation lines, and a project."""

from __future__ import annotations

from gnapp.db import households as hh
from gnapp.db import procedure, reviews, units
from gnapp.db import projects as pj

COMMUNE = "07339"
PROJECT_START = "2024-03-01"

# key → (head's name, sex, class in the 2022 round, class in the 2023 round, extra)
HOUSEHOLDS = {
    "poor": ("Lò Văn Pụ", "nam", "poor", "poor", {}),
    "near_poor": ("Hoàng Thị Lả", "nu", "near_poor", "near_poor", {}),
    "escaped": ("Nông Văn Thắng", "nam", "poor", "not_poor", {}),
    "disabled": ("Đinh Văn Sáng", "nam", "not_poor", "not_poor", {"disabled": "Đinh Thị Nụ"}),
    "minority": ("Triệu Văn Lềnh", "nam", "not_poor", "not_poor", {"ethnic_minority": 1}),
    "other": ("Nguyễn Văn An", "nam", "not_poor", "not_poor", {}),
    "other2": ("Trần Thị Bích", "nu", "not_poor", "not_poor", {}),
}


def make_line(w, amount: int, *, kind: str = "allocation", line_code: str = "DA2",
              number: str = "725/QĐ-UBND") -> dict:
    """An allocation decision of the district with one line for the commune."""
    decision = w.insert("allocation_decision", {
        "kind": "decision", "issuer": "UBND huyện Hoằng Hóa", "number": number,
        "signed_on": "2024-02-29", "year": 2024, "batch": 1, "programme": "GNBV-2021-2025"})
    return w.insert("allocation_line", {
        "decision_id": decision["id"], "kind": kind, "line_code": line_code, "source": "NSTW",
        "capital_type": "SN", "recipient_unit": COMMUNE, "recipient_name": "UBND xã Tân Yên",
        "amount": amount})


def _classify(w, round_id: str, household_id: str, klass: str) -> None:
    reviews.save_review(w, round_id, household_id, override_class=klass,
                        override_reason="Kết quả rà soát theo biên bản họp dân",
                        reviewer="Tổ rà soát", review_date="2023-10-01")


def build_commune(w) -> dict[str, str]:
    """Two villages, the households of ``HOUSEHOLDS`` and two reviewed rounds (2022, 2023,
    the 2023 list recognised on 20/12/2023); returns key → household id."""
    def op(w):
        villages = [units.add_village(w, name) for name in ("Thôn Nà Pài", "Thôn Bản Chiêng")]
        round_22 = reviews.create_round(w, year=2022, kind="periodic")
        round_23 = reviews.create_round(w, year=2023, kind="periodic")
        procedure.record_decision(w, round_23["id"], number="125/QĐ-UBND",
                                  signed_on="2023-12-20", signer="Chủ tịch UBND xã")
        ids = {}
        for n, (key, (name, sex, c22, c23, extra)) in enumerate(HOUSEHOLDS.items()):
            flags = {k: v for k, v in extra.items() if k == "ethnic_minority"}
            home = hh.add_household(
                w, village_id=villages[n % 2]["id"], area="rural", on_date="2020-01-01",
                head={"full_name": name, "sex": sex, "birth_date": "1980",
                      "ethnicity": "Tày", "employment": "self_employed"}, **flags)
            if "disabled" in extra:
                hh.add_member(w, home["id"], {"full_name": extra["disabled"], "sex": "nu",
                                              "birth_date": "2001", "relation": "child",
                                              "disability": 1, "employment": "not_working"})
            _classify(w, round_22["id"], home["id"], c22)
            _classify(w, round_23["id"], home["id"], c23)
            ids[key] = home["id"]
        return ids

    return w.transact(op).result


def make_project(w, **values) -> dict:
    fields = {"name": "Dự án chăn nuôi dê sinh sản", "line_code": "DA2", "kind": "project",
              "implementer": "UBND xã Tân Yên", "amount": 400_000_000, "year": 2024,
              "starts_on": PROJECT_START, "ends_on": "2024-12-31",
              "management_group": "Tổ quản lý: Hoàng Văn Bảo (tổ trưởng), Lý Thị Dung",
              "supervision_group": "Tổ giám sát: Ban giám sát đầu tư cộng đồng xã",
              "groups_decision": "45/QĐ-UBND ngày 20/02/2024"}
    fields.update(values)
    return pj.create_project(w, **fields)
