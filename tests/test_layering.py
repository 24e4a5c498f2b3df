"""DESIGN.md §2: the layers below ui import no Qt; domain imports no SQL either."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "gnapp"


def imports_of(folder):
    for path in (PACKAGE / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                yield path, {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path, {node.module.split(".")[0]}


def test_domain_imports_neither_qt_nor_sql():
    bad = [(p.name, m) for p, mods in imports_of("domain")
           for m in mods & {"PySide6", "sqlite3", "sqlite_utils"}]
    assert bad == []


def test_db_sync_and_forms_import_no_qt():
    bad = [(p.name, m) for folder in ("db", "sync", "forms")
           for p, mods in imports_of(folder) for m in mods & {"PySide6"}]
    assert bad == []


def test_the_core_works_with_qt_unimportable(tmp_path):
    script = (
        "import sys; sys.modules['PySide6'] = None\n"
        "import gnapp.domain.text, gnapp.domain.numbers, gnapp.domain.dates, gnapp.db.store\n"
        "import gnapp.db.backup, gnapp.db.checks, gnapp.sync, gnapp.forms, gnapp.cli\n"
        "from gnapp.cli import main\n"
        f"sys.exit(main(['init', '--db', {str(tmp_path / 'x.db')!r}, '--unit', '07339',"
        " '--role', 'commune']))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Xã Tân Yên" in done.stdout
