"""The PyInstaller one-folder build (``build.spec``): built once per session into a temporary
folder (never the repository's dist/), then its self-test is run and its content checked.

About 30 s to build and 3 s to run here; marked ``slow`` but part of ``make test``."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PyInstaller")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
BUILD_TIMEOUT_S = 900
HAVE_QTPDF = importlib.util.find_spec("PySide6.QtPdf") is not None
DROPPED_PLUGIN_DIRS = {"egldeviceintegrations", "generic", "networkinformation", "tls",
                       "wayland-decoration-client", "wayland-graphics-integration-client",
                       "wayland-shell-integration"}
DROPPED_PLUGINS = {"qgtk3", "qeglfs", "qlinuxfb", "qminimalegl", "qvkkhrdisplay", "qvnc",
                   "qwayland-egl", "qwayland-generic", "qdirect2d", "qicns", "qtga", "qtiff",
                   "qwbmp", "qwebp"}


def plugin_stem(name: str) -> str:
    name = name.split(".")[0]
    return name[3:] if name.startswith("lib") else name


@pytest.fixture(scope="session")
def bundle(tmp_path_factory) -> Path:
    """dist/gnapp built from build.spec into a temporary folder; the path of _internal/."""
    base = tmp_path_factory.mktemp("pyinstaller")
    done = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(base / "dist"), "--workpath", str(base / "work"),
         str(ROOT / "build.spec")],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", errors="replace",
        timeout=BUILD_TIMEOUT_S)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return base / "dist" / "gnapp"


def internal(bundle: Path) -> Path:
    return bundle / "_internal"


def test_the_frozen_selftest_passes(bundle, tmp_path):
    out = tmp_path / "selftest"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("GNAPP_HOME", None)
    done = subprocess.run([str(bundle / f"gnapp{EXE_SUFFIX}"), "--selftest", str(out)],
                          env=env, capture_output=True, timeout=300)
    record = json.loads((out / "selftest.json").read_text(encoding="utf-8"))
    failed = [c for c in record["checks"] if not c["ok"]]
    assert done.returncode == 0, (failed, done.stderr.decode("utf-8", "replace")[-2000:])
    assert record["ok"] is True and record["frozen"] is True and failed == []
    assert record["utf8_mode"] is True                   # build.spec: ("X utf8", …, "OPTION")
    assert [c["name"] for c in record["checks"]] == [
        "demo_data", "fonts", "window", "pdf", "print", "xlsx", "fts"]


def test_the_console_executable_runs_the_cli(bundle):
    done = subprocess.run([str(bundle / f"gnapp-cli{EXE_SUFFIX}"), "report", "list", "--json"],
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert json.loads(done.stdout)["count"] > 0


def test_licences_ship_with_the_build(bundle):
    licences = internal(bundle) / "licenses"
    for name in ("README.txt", "LGPL-3.0.txt", "LICENSE", "LICENSE-Liberation-OFL.txt",
                 "python/LICENSE.txt"):
        assert (licences / name).is_file(), name
    assert "GNU GENERAL PUBLIC LICENSE" in (licences / "LICENSE").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in (licences / "LICENSE-Liberation-OFL.txt").read_text(
        encoding="utf-8").upper()
    packages = {p.name.rsplit("-", 1)[0].lower().replace("_", "-")
                for p in (licences / "python-packages").iterdir() if any(p.iterdir())}
    assert {"sqlite-utils", "openpyxl", "reportlab", "babel", "cryptography", "python-docx",
            "lxml"} <= packages


def test_resources_and_the_guide_are_bundled(bundle):
    fonts = internal(bundle) / "resources" / "fonts"
    assert len(list(fonts.glob("Liberation*.ttf"))) == 6
    assert (internal(bundle) / "resources" / "standards").is_dir()
    assert list((internal(bundle) / "vietnam_provinces").rglob("*.json"))
    if (ROOT / "docs" / "huong-dan-su-dung.md").is_file():
        assert (internal(bundle) / "docs" / "huong-dan-su-dung.md").is_file()


@pytest.mark.skipif(not HAVE_QTPDF, reason="PySide6.QtPdf (pyside6-pdf) is not installed")
def test_qtpdf_is_kept(bundle):
    names = {p.name for p in internal(bundle).rglob("*")}
    assert any(n.startswith(("libQt6Pdf.so", "Qt6Pdf.dll")) for n in names)
    assert any(n.startswith("QtPdf.") for n in names)
    assert any(n.startswith(("libQt6Network.so", "Qt6Network.dll")) for n in names)


def test_dropped_plugins_and_locales_are_not_bundled(bundle):
    plugins = [p for root in ("PySide6/Qt/plugins", "PySide6/plugins")
               for p in (internal(bundle) / root).glob("*/*")]
    assert plugins, "no Qt plugin found at all"
    assert {p.parent.name for p in plugins} & DROPPED_PLUGIN_DIRS == set()
    assert {plugin_stem(p.name) for p in plugins} & DROPPED_PLUGINS == set()
    assert {plugin_stem(p.name) for p in plugins} >= {"qoffscreen"}
    locales = {p.name for p in (internal(bundle) / "babel" / "locale-data").iterdir()}
    assert locales == {"root.dat", "vi.dat", "vi_VN.dat", "en.dat", "en_US.dat"}
