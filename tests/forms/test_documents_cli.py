"""``gnapp documents …``: templates, new, list, print, docx, sign; output and exit codes."""

import json

import docx
from click.testing import CliRunner

from gnapp.cli import cli
from tests.forms.readback import pdf_text


def run(*args, code=0):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == code, result.output + result.stderr
    return result


def run_json(*args, code=0):
    return json.loads(run(*args, "--json", code=code).stdout)


def test_templates_lists_the_shipped_templates():
    data = run_json("documents", "templates")
    assert {t["name"]: t["kind"] for t in data["templates"]} == {
        "ke-hoach-nam": "plan", "bao-cao-giua-ky": "report", "bao-cao-6-thang": "report"}
    assert "ke-hoach-nam" in run("documents", "templates").output


def test_new_list_print_docx_and_sign(commune, tmp_path):
    db = commune.path
    made = run_json("documents", "new", "bao-cao-giua-ky", "--year", "2025", "--db", db)
    doc = made["document"]
    assert (doc["kind"], doc["year"], doc["state"], doc["number"]) == \
        ("report", 2025, "draft", None)
    listed = run_json("documents", "list", "--db", db)
    assert [d["id"] for d in listed["documents"]] == [doc["id"]]
    assert "Dự thảo, chưa có số" in run("documents", "list", "--db", db).output

    pdf = run_json("documents", "print", doc["id"][:28], "--out", tmp_path / "bc.pdf",
                   "--db", db)["path"]
    text = pdf_text(pdf)
    assert "BÁO CÁO" in text and "I. CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH" in text
    assert "VII. PHỤ LỤC BÁO CÁO" in text and "Số:" in text
    word = docx.Document(run_json("documents", "docx", doc["id"], "--out",
                                  tmp_path / "bc.docx", "--db", db)["path"])
    assert "VII. PHỤ LỤC BÁO CÁO" in [p.text for p in word.paragraphs]

    signed = run_json("documents", "sign", doc["id"], "--number", "12", "--date",
                      "15/07/2025", "--db", db)["document"]
    assert (signed["state"], signed["number"], signed["signed_on"]) == \
        ("signed", "12/BC-UBND", "2025-07-15")
    text = pdf_text(run_json("documents", "print", doc["id"], "--out", tmp_path / "s.pdf",
                             "--db", db)["path"])
    assert "Số: 12/BC-UBND" in text and "ngày 15 tháng 7 năm 2025" in text
    again = run("documents", "sign", doc["id"], "--db", db, code=1)
    assert "đã ký ban hành" in again.stderr


def test_bad_usage_exits_2_with_a_vietnamese_message(commune, tmp_path):
    db = commune.path
    assert "Không có mẫu văn bản «x»" in run("documents", "new", "x", "--year", "2025",
                                              "--db", db, code=2).stderr
    doc = run_json("documents", "new", "ke-hoach-nam", "--year", "2026", "--db", db)["document"]
    assert "đuôi .pdf" in run("documents", "print", doc["id"], "--out", tmp_path / "a.docx",
                              "--db", db, code=2).stderr
    assert "«--date»" in run("documents", "sign", doc["id"], "--date", "31/02/2026", "--db", db,
                            code=2).stderr
    assert "Không tìm thấy đúng một văn bản" in run("documents", "print", "zzz", "--out",
                                                    tmp_path / "a.pdf", "--db", db,
                                                    code=2).stderr
