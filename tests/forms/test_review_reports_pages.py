"""Page layout of the review reports: the signatures never stand alone on a page, and a
landscape page keeps the Nghị định 30/2020 margins as it is read."""

import pytest
from pypdf import PdfReader

from gnapp import demo
from gnapp.db import connection
from gnapp.forms import catalog
from readback import pdf_pages, sheet

MM = 72 / 25.4
WIDTH, HEIGHT = 842, 595            # A4 landscape, points


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = connection.connect(tmp_path_factory.mktemp("pages") / "demo.sqlite")
    demo.fill(db, households=120)
    yield db
    db.close()


@pytest.mark.parametrize("n", [1, 4, 8, 15])
def test_the_signatures_share_their_page_with_the_last_rows(demo_db, tmp_path, n):
    path = catalog.produce(demo_db, f"bao-cao-{n}", tmp_path / f"bc{n}.pdf", round_year=2026)
    pages = pdf_pages(path)
    (signed,) = [p for p in pages if "NGƯỜI LẬP BIỂU" in p]
    last_village = demo.DEMO_VILLAGES[-1]
    expected = f"{last_village}: " if n == 15 else last_village
    assert expected in signed, f"Báo cáo {n}: the signatures are on a page of their own"
    if n == 1:
        assert len(pages) == 2          # 8 villages: the case that left the signatures alone


def _text_positions(path):
    """(x, y) where each text run starts, per page (device space, points)."""
    pages = []
    for page in PdfReader(path).pages:
        found = []

        def visit(text, cm, tm, font, size, found=found):
            if text.strip():
                x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
                y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
                found.append((x, y, text.strip()))
        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def test_landscape_pages_keep_the_margins_as_read(demo_db, tmp_path):
    path = catalog.produce(demo_db, "bao-cao-15", tmp_path / "bc15.pdf", round_year=2026)
    reader = PdfReader(path)
    assert all(round(float(p.mediabox.width)) == WIDTH and p.get("/Rotate", 0) == 0
               for p in reader.pages)
    for number, runs in enumerate(_text_positions(path), 1):
        body = [(x, y, t) for x, y, t in runs
                if not t.startswith("Mã dữ liệu") and t != str(number)]
        assert min(x for x, _, _ in body) >= 30 * MM - 0.5          # left 30 mm
        assert max(x for x, _, _ in body) <= WIDTH - 15 * MM          # right 15 mm
        assert max(y for _, y, _ in body) <= HEIGHT - 20 * MM         # top 20 mm
        assert min(y for _, y, _ in body) >= 20 * MM                  # bottom 20 mm
        assert min(x for x, _, _ in body) <= 33 * MM              # the table starts at the margin
    ws = sheet(catalog.produce(demo_db, "bao-cao-15", tmp_path / "bc15.xlsx", round_year=2026))
    assert ws.page_setup.orientation == "landscape"
    margins = ws.page_margins
    assert (round(margins.left * 25.4), round(margins.right * 25.4), round(margins.top * 25.4),
            round(margins.bottom * 25.4)) == (30, 15, 20, 20)


def _short_table_doc(rows: int, filler: int):
    from gnapp.forms import document as d

    table = d.Table((d.Column(20, d.TEXT), d.Column(60, d.TEXT), d.Column(30)),
                    ((d.Cell("TT"), d.Cell("Tên"), d.Cell("Số hộ")),),
                    tuple(d.Row((str(i), f"Dòng thứ {i}", i)) for i in range(1, rows + 1)),
                    notes=("Ghi chú dưới bảng.",))
    body = tuple(d.Para("Nội dung báo cáo " * 40) for _ in range(filler)) + (table,)
    return d.Document(issuer=("ỦY BAN NHÂN DÂN", "XÃ TÂN YÊN"), title=("BÁO CÁO",),
                      place="Tân Yên", month=11, year=2026, body=body,
                      signatures=(d.Signature((), "NGƯỜI LẬP BIỂU"),
                                  d.Signature(("TM. ỦY BAN NHÂN DÂN",), "CHỦ TỊCH")),
                      orientation=d.LANDSCAPE, fingerprint="cd" * 32)


@pytest.mark.parametrize("rows", [1, 3, 6])
def test_a_short_table_at_the_foot_of_a_page_takes_its_last_rows_along(tmp_path, rows):
    from gnapp.forms.pdf import render_pdf

    for filler in range(2, 7):          # push the table down until the closing spills over
        pages = pdf_pages(render_pdf(_short_table_doc(rows, filler), tmp_path / "x.pdf"))
        if len(pages) > 1:
            break
    assert len(pages) == 2
    (signed,) = [p for p in pages if "NGƯỜI LẬP BIỂU" in p]
    assert f"Dòng thứ {rows}" in signed and "Ghi chú dưới bảng." in signed
    if rows >= 3:                       # two rows go along; the others stay on page 1
        assert f"Dòng thứ {rows - 2}" in pages[0] and f"Dòng thứ {rows - 1}" in signed
