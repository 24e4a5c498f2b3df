"""``gnapp --selftest DIR`` from the source tree: the record it writes, the exit status, and
that one failing check neither hides the others nor passes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gnapp import __main__ as entry
from gnapp import selftest

ALL_CHECKS = ["demo_data", "fonts", "window", "pdf", "print", "xlsx", "fts"]
ROOT = Path(__file__).resolve().parents[2]


def read_record(folder: Path) -> dict:
    return json.loads((folder / selftest.RESULT_FILE).read_text(encoding="utf-8"))


def test_selftest_from_source_passes_and_writes_its_record(tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "gnapp", "--selftest", str(out)], cwd=ROOT,
                          env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    record = read_record(out)
    assert record["ok"] is True
    assert [c["name"] for c in record["checks"]] == ALL_CHECKS
    assert all(c["ok"] and c["detail"] and c["seconds"] >= 0 for c in record["checks"])
    assert record["frozen"] is False and record["version"] and record["platform"]
    for name in ("window.png", "report.pdf", "printed.pdf", "report.xlsx"):
        assert (out / name).stat().st_size > 0
    assert done.stdout.count("[ĐẠT]") == len(ALL_CHECKS)
    assert f"đạt {len(ALL_CHECKS)}/{len(ALL_CHECKS)} mục" in done.stdout


def test_selftest_never_writes_to_the_user_data_folder(tmp_path, monkeypatch):
    home = tmp_path / "home"                     # GNAPP_HOME of every test (tests/conftest.py)
    monkeypatch.setattr(selftest, "CHECKS", [selftest.CHECKS[0]])
    assert selftest.main([str(tmp_path / "out")]) == 0
    assert not home.exists()
    assert os.environ["GNAPP_HOME"] == str(home)


def test_a_failing_check_fails_the_run_without_hiding_the_others(tmp_path, monkeypatch):
    def broken(ctx):
        raise RuntimeError("hỏng giả")

    checks = [("broken", "Hỏng", broken),
              next(c for c in selftest.CHECKS if c[0] == "fts")]
    monkeypatch.setattr(selftest, "CHECKS", checks)
    assert selftest.main([str(tmp_path)]) == 1
    record = read_record(tmp_path)
    assert record["ok"] is False
    first, second = record["checks"]
    assert (first["name"], first["ok"]) == ("broken", False)
    assert "RuntimeError: hỏng giả" in first["detail"]
    assert "test_selftest.py" in first["detail"]          # where it was raised
    assert (second["name"], second["ok"]) == ("fts", True)


def test_checks_needing_the_demo_data_fail_when_it_cannot_be_made(tmp_path, monkeypatch):
    from gnapp import demo

    def no_demo(*args, **kwargs):
        raise OSError("đĩa đầy")

    monkeypatch.setattr(demo, "fill", no_demo)
    names = {"demo_data", "fts"}
    monkeypatch.setattr(selftest, "CHECKS", [c for c in selftest.CHECKS if c[0] in names])
    assert selftest.main([str(tmp_path)]) == 1
    demo_data, fts = read_record(tmp_path)["checks"]
    assert not demo_data["ok"] and "OSError: đĩa đầy" in demo_data["detail"]
    assert not fts["ok"] and "Không có dữ liệu mẫu" in fts["detail"]


@pytest.mark.parametrize("argv", [[], ["a", "b"], ["--json"], [""]])
def test_usage_errors_exit_2(argv, capsys):
    assert selftest.main(argv) == 2
    assert "gnapp --selftest THƯ_MỤC" in capsys.readouterr().out


@pytest.mark.parametrize("argv, expected", [
    (["--selftest", "out"], ["out"]),
    (["--selftest=out"], ["out"]),
    (["--selftest"], []),
])
def test_the_entry_point_hands_selftest_to_gnapp_selftest(argv, expected, monkeypatch):
    seen = []
    monkeypatch.setattr(selftest, "main", lambda args: seen.append(args) or 7)
    assert entry.main(argv) == 7
    assert seen == [expected]


def test_other_arguments_go_to_the_cli(capsys):
    assert entry.main(["--help"]) == 0
    assert "selftest" not in capsys.readouterr().err


def test_pdf_fonts_reads_reportlab_font_dictionaries():
    data = (b"<< /BaseFont /AAAAAA+LiberationSerif /FontFile2 12 0 R >>"
            b"<< /BaseFont /BAAAAA+LiberationSerif-Bold /FontFile2 13 0 R >>"
            b"<< /BaseFont /Helvetica /Subtype /Type1 >>")
    assert selftest.pdf_fonts(data) == (
        ["Helvetica", "LiberationSerif", "LiberationSerif-Bold"], 2)


def test_a_message_box_during_the_window_check_is_closed_and_fails_it(tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from gnapp.ui import app

    real = app.build_main_window

    def with_box(db_path, **kwargs):
        box = QMessageBox(QMessageBox.Icon.Critical, "Lỗi", "Không mở được dữ liệu")
        box.exec()                                  # modal: the check must close it
        return real(db_path, **kwargs)

    monkeypatch.setattr(app, "build_main_window", with_box)
    monkeypatch.setattr(selftest, "CHECKS", [c for c in selftest.CHECKS if c[0] == "window"])
    assert selftest.main([str(tmp_path)]) == 1
    (window,) = read_record(tmp_path)["checks"]
    assert not window["ok"]
    assert "hộp thông báo: Lỗi / Không mở được dữ liệu" in window["detail"]
