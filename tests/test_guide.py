"""The user guide (docs/huong-dan-su-dung.md): its pictures exist and come from the screenshot
script, the sections help opens exist, and it names what the screens really show."""

import importlib
import importlib.util
import re
import sys
from pathlib import Path

import pytest

from gnapp import paths
from gnapp.ui import help as ui_help
from gnapp.ui.main_window import AREAS

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "huong-dan-su-dung.md"
TEXT = GUIDE.read_text(encoding="utf-8")
FLAT = " ".join(TEXT.split())          # labels may wrap across lines

# button and field labels the guide tells the user to click, as the screens spell them
LABELS = ["Thêm hộ", "Sửa hộ", "Người có thể trùng…", "Thêm thành viên", "Sửa thành viên",
          "Bỏ thành viên vừa thêm", "Lưu và nhập phiếu rà soát", "Mở đợt rà soát…", "Mở đợt",
          "Nhập phiếu", "Dùng gợi ý", "Dùng tất cả gợi ý", "Lưu nháp", "Hoàn thành",
          "Mở lại phiếu", "Ghi họp dân…", "Ghi niêm yết…", "Ghi quyết định công nhận…",
          "Văn bản mới…", "Nhập từ tệp…", "Bảng phân bổ theo dự án và nguồn vốn",
          "Số tổng theo văn bản", "Xem trước", "Lưu PDF…", "Lưu Excel…", "Đánh dấu đã ký",
          "Mở khóa…", "Xuất gói đồng bộ…", "Mã hóa gói", "Nhận cả thư mục gói…", "Nhận gói…",
          "Nhận gói từ cấp trên…", "Xác nhận máy gửi…", "Gửi gói cho xã…", "Xung đột…",
          "Phê duyệt / trả lại đợt rà soát…", "Xem báo cáo nhận gói…", "Giá trị khác:",
          "Ghi quyết định", "Sao lưu ngay", "Sao lưu ra thư mục…", "Khôi phục bản đã chọn…",
          "Khôi phục từ tệp…", "Khôi phục…", "Kiểm tra dữ liệu", "Xóa hộ (nhập nhầm)…",
          "Xóa thành viên (nhập nhầm)…",
          "Thêm kỳ báo cáo…", "Hoàn thành kỳ báo cáo", "Tạo từ mẫu…", "Ký ban hành…",
          "Thêm dự án…", "Ghi khoản chi", "Đồng ý", "Đăng nhập", "Thêm người dùng…",
          "Đặt lại mật khẩu…", "Ngừng tài khoản", "Làm mới", "Chọn bản sao lưu khác…", "Tiếp theo >", "< Quay lại",
          "Bắt đầu sử dụng", "Xã, phường, đặc khu", "Cơ quan cấp trên (tỉnh)",
          "Điền dữ liệu mẫu để tập làm (hộ gia đình giả)",
          "Không cần đăng nhập trên máy này (máy một người dùng)"]


def _ui_source() -> str:
    return "\n".join(p.read_text(encoding="utf-8").replace("&", "")
                     for p in (ROOT / "gnapp" / "ui").glob("*.py"))


def _load_shots():
    spec = importlib.util.spec_from_file_location("guide_screenshots",
                                                  ROOT / "tools" / "guide_screenshots.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("guide_screenshots", module)
    spec.loader.exec_module(module)
    return module


def test_every_picture_of_the_guide_exists():
    images = ui_help.guide_images(TEXT)
    assert len(images) >= 10
    for name in images:
        path = GUIDE.parent / name
        assert path.is_file(), name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_the_pictures_are_the_screenshot_scripts():
    shots = {f"images/{shot.name}.png" for shot in _load_shots().SHOTS}
    used = set(ui_help.guide_images(TEXT))
    assert used <= shots, used - shots
    assert shots <= used, f"pictures taken but not shown: {shots - used}"


def test_every_area_has_a_section():
    anchors = ui_help.guide_anchors(TEXT)
    for title in AREAS:
        assert title in ui_help.AREA_TOPICS, title
        assert ui_help.AREA_TOPICS[title] in anchors, title
        assert f"**{title}**" in FLAT, title


@pytest.mark.parametrize("topic", sorted(set(ui_help.DIALOG_TOPICS.values()) | {
    ui_help.START_TOPIC, ui_help.SHORTCUTS_TOPIC}))
def test_every_section_help_opens_exists(topic):
    assert topic in ui_help.guide_anchors(TEXT)


@pytest.mark.parametrize("qualified", sorted(ui_help.DIALOG_TOPICS))
def test_every_dialog_of_the_table_exists(qualified):
    module, name = qualified.rsplit(".", 1)
    assert hasattr(importlib.import_module(module), name), qualified


def test_links_within_the_guide_lead_somewhere():
    anchors = ui_help.guide_anchors(TEXT)
    links = re.findall(r"\]\(#([^)]+)\)", TEXT)
    assert links
    for link in links:
        assert link in anchors, link


def test_section_ids_are_unique():
    ids = [h.anchor for h in ui_help.parse_guide(TEXT)[1] if h.anchor]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("label", LABELS)
def test_the_guide_names_labels_the_screens_show(label):
    assert f"**{label}**" in FLAT, label
    assert f'"{label}"' in _ui_source(), label


def test_parse_guide_strips_the_ids_and_keeps_code():
    text = ('<a id="mot"></a>\n\n## Một\n\n```sh\n# not a heading\n```\n'
            '<a id="hai"></a>\n### Hai ###\n\nchữ\n\n## Ba\n')
    markdown, headings = ui_help.parse_guide(text)
    assert "<a id" not in markdown and "# not a heading" in markdown
    assert [(h.anchor, h.level, h.title) for h in headings] == [
        ("mot", 2, "Một"), ("hai", 3, "Hai"), ("", 2, "Ba")]


def test_docs_dir_in_the_source_tree_and_the_frozen_build(monkeypatch, tmp_path):
    assert paths.docs_dir() == ROOT / "docs"
    assert ui_help.guide_path() == GUIDE
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.docs_dir() == tmp_path / "docs"
