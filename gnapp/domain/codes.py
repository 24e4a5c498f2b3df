"""Code lists of the register and the review, with their Vietnamese labels.

Stored values are the ASCII codes on the left; what a person reads is the label. Lists that
a standard defines (the deprivation indicators) live in the standard files instead
(``resources/standards``).
"""

from __future__ import annotations

SEX = {"nam": "Nam", "nu": "Nữ"}

AREA = {"rural": "Nông thôn", "urban": "Thành thị"}

# Relation of a member to the head of household (quan hệ với chủ hộ).
RELATION = {
    "head": "Chủ hộ",
    "spouse": "Vợ/chồng",
    "child": "Con",
    "child_in_law": "Con dâu/con rể",
    "grandchild": "Cháu",
    "parent": "Bố/mẹ",
    "parent_in_law": "Bố/mẹ vợ/chồng",
    "grandparent": "Ông/bà",
    "sibling": "Anh/chị/em",
    "other": "Khác",
}

# Schooling status of a member (tình trạng đi học).
SCHOOLING = {
    "not_yet": "Chưa đi học",
    "preschool": "Mầm non",
    "primary": "Tiểu học",
    "lower_secondary": "Trung học cơ sở",
    "upper_secondary": "Trung học phổ thông",
    "vocational": "Học nghề, trung cấp, cao đẳng",
    "university": "Đại học trở lên",
    "dropped_out": "Bỏ học",
    "finished": "Đã thôi học",
}

# Employment status of a member (việc làm).
EMPLOYMENT = {
    "employed_contract": "Có việc làm, có hợp đồng lao động",
    "employed_no_contract": "Làm công ăn lương không có hợp đồng",
    "self_employed": "Tự làm (nông nghiệp, buôn bán…)",
    "unemployed": "Thất nghiệp, đang tìm việc",
    "student": "Đang đi học",
    "not_working": "Không làm việc (già, ốm, nội trợ…)",
}

# Household flags (target groups) and their labels.
HOUSEHOLD_FLAGS = {
    "ethnic_minority": "Hộ dân tộc thiểu số",
    "revolution_merit": "Hộ có người có công với cách mạng",
    "no_labour": "Hộ không có khả năng lao động",
    "social_protection": "Hộ có đối tượng bảo trợ xã hội",
    "single_no_support": "Người đơn thân không nơi nương tựa",
    "farm_household": "Hộ làm nông, lâm, ngư nghiệp, diêm nghiệp",
}

# Result of a household review (phân loại).
CLASS = {
    "poor": "Hộ nghèo",
    "near_poor": "Hộ cận nghèo",
    "average": "Hộ làm NLNDN có mức sống trung bình",
    "not_poor": "Không nghèo",
}

# Phiếu C: causes of poverty and support needs (domain.md §4.3). The stored codes are those
# of the national review software's export (``reason.<code>``, ``support.<code>``).
POVERTY_CAUSES = {
    "lackProductionLand": "Thiếu đất sản xuất",
    "lackCapital": "Thiếu vốn",
    "lackLabor": "Thiếu lao động",
    "lackProductionTools": "Thiếu phương tiện sản xuất",
    "lackProductionKnowledge": "Thiếu kiến thức sản xuất",
    "lackLaborSkill": "Thiếu kỹ năng lao động",
    "illnessOrAccident": "Ốm đau, tai nạn",
    "other": "Khác",
}
SUPPORT_NEEDS = {
    "health": "Y tế",
    "education": "Giáo dục",
    "production": "Sản xuất",
    "credit": "Tín dụng",
    "housing": "Nhà ở",
    "other": "Khác",
}

# The 12 deprivation indicators of CN2022, in report order (Báo cáo 4–5 columns); the
# codes are those of the national review software's export (``deprivation.<code>``).
CN2022_INDICATORS = (
    "employment", "dependentPerson", "nutrition", "healthInsurance", "adultEducation",
    "childSchoolAttendance", "housingQuality", "housingArea", "cleanWater", "hygienicToilet",
    "telecommunication", "informationAccessAssets",
)

# Household events: changes of the register that are recorded, never deletions.
EVENT = {
    "created": "Lập hộ",
    "split": "Tách hộ",
    "merged": "Nhập hộ",
    "moved_in": "Chuyển đến",
    "moved_out": "Chuyển đi",
    "death": "Chết",
}

# The 54 ethnic groups of Vietnam, the most numerous first (dân tộc).
ETHNIC_GROUPS = (
    "Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Mông", "Dao", "Gia Rai", "Ê Đê",
    "Ba Na", "Sán Chay", "Chăm", "Cơ Ho", "Xơ Đăng", "Sán Dìu", "Hrê", "Ra Glai", "Mnông",
    "Thổ", "Xtiêng", "Khơ Mú", "Bru Vân Kiều", "Cơ Tu", "Giáy", "Tà Ôi", "Mạ", "Giẻ Triêng",
    "Co", "Chơ Ro", "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "La Chí", "Kháng", "Phù Lá",
    "La Hủ", "La Ha", "Pà Thẻn", "Lự", "Ngái", "Chứt", "Lô Lô", "Mảng", "Cơ Lao", "Bố Y",
    "Cống", "Si La", "Pu Péo", "Rơ Măm", "Brâu", "Ơ Đu",
)
