"""Charts shaped like the dashboard's, with figures written out by hand (not computed)."""

from __future__ import annotations

from decimal import Decimal as D

from gnapp.domain.charts import BAR, LINE, PERCENT, Chart, Marker, Reference, Series

VILLAGES = ("Thôn Đông Thịnh", "Thôn Phú Khê 1", "Thôn Phú Khê 2", "Thôn Tân Lập",
            "Thôn Hòa Bình", "Thôn Đồng Tâm", "Thôn Bãi Sậy", "Thôn Ngọc Lâm")
POOR = (D("3.85"), D("12.40"), D("21.40"), D("8.75"), D("15.10"), D("6.02"), D("18.33"),
        D("10.00"))
NEAR_POOR = (D("5.10"), D("9.95"), D("14.20"), D("7.35"), D("11.80"), D("4.40"), None,
             D("8.15"))

INDICATORS = ("Việc làm", "Người phụ thuộc trong hộ", "Dinh dưỡng", "Bảo hiểm y tế",
              "Trình độ giáo dục của người lớn", "Tình trạng đi học của trẻ em",
              "Chất lượng nhà ở", "Diện tích nhà ở bình quân đầu người",
              "Nguồn nước sinh hoạt", "Nhà tiêu hợp vệ sinh", "Sử dụng dịch vụ viễn thông",
              "Phương tiện phục vụ tiếp cận thông tin")
DEPRIVED = (41, 17, 23, 6, 35, 4, 12, 9, 27, 31, 2, 14)

BUDGET_LINES = ("Dự án 1: Hỗ trợ đầu tư phát triển hạ tầng kinh tế - xã hội",
                "Dự án 2: Đa dạng hóa sinh kế, phát triển mô hình giảm nghèo",
                "Dự án 3: Hỗ trợ phát triển sản xuất, cải thiện dinh dưỡng",
                "Dự án 4: Phát triển giáo dục nghề nghiệp, việc làm bền vững",
                "Dự án 5: Hỗ trợ nhà ở cho hộ nghèo, hộ cận nghèo",
                "Dự án 6: Truyền thông và giảm nghèo về thông tin")
ALLOCATED = (D("1250.5"), D("860"), D("1420.75"), D("315"), D("540"), D("95.2"))
DISBURSED = (D("1010"), D("402.3"), D("1388"), D("120"), D("540"), D("12.5"))


def village_rates() -> Chart:
    return Chart(BAR, "Tỷ lệ hộ nghèo, hộ cận nghèo theo thôn – năm 2025", VILLAGES,
                 (Series("Hộ nghèo", POOR), Series("Hộ cận nghèo", NEAR_POOR)), PERCENT,
                 places=2, references=(Reference("Toàn xã", D("12.50"), 0),
                                       Reference("Toàn xã", D("8.90"), 1)),
                 note="Nguồn: kết quả rà soát định kỳ năm 2025; tỷ lệ tính trên tổng số hộ "
                      "của thôn.", name="ty-le-ngheo-theo-thon")


def deprivations() -> Chart:
    return Chart(BAR, "Số hộ nghèo thiếu hụt theo từng chỉ số dịch vụ xã hội cơ bản",
                 INDICATORS, (Series("Hộ nghèo", DEPRIVED),), "hộ", horizontal=True,
                 note="Một hộ có thể thiếu hụt nhiều chỉ số.", name="thieu-hut")


def rates_over_years() -> Chart:
    years = tuple(str(y) for y in range(2019, 2027))
    return Chart(LINE, "Tỷ lệ hộ nghèo, hộ cận nghèo qua các năm", years,
                 (Series("Hộ nghèo", (D("9.80"), D("8.15"), D("6.70"), D("14.20"), D("12.10"),
                                      D("10.45"), D("8.60"), None)),
                  Series("Hộ cận nghèo", (D("7.10"), D("6.85"), D("6.10"), D("9.30"),
                                          D("8.75"), D("8.05"), D("7.40"), None))),
                 PERCENT, places=2, markers=(Marker(3, "Chuẩn nghèo 2022–2025"),),
                 note="Từ năm 2022 áp dụng chuẩn nghèo đa chiều giai đoạn 2022–2025 "
                      "(Nghị định 07/2021/NĐ-CP): số liệu trước và sau không so sánh trực "
                      "tiếp được.", name="ty-le-qua-cac-nam")


def budget_lines() -> Chart:
    return Chart(BAR, "Vốn được giao và đã giải ngân theo dự án – năm 2025", BUDGET_LINES,
                 (Series("Vốn được giao", ALLOCATED), Series("Đã giải ngân", DISBURSED)),
                 "triệu đồng", places=1, horizontal=True, name="giai-ngan-theo-du-an")


def no_data() -> Chart:
    return Chart(BAR, "Tỷ lệ hộ nghèo theo thôn", VILLAGES[:3],
                 (Series("Hộ nghèo", (None, None, None)),), PERCENT, places=2)


ALL = (village_rates, deprivations, rates_over_years, budget_lines)
