"""The command line: thin wrappers over the functions the GUI calls (DESIGN.md §6).

Exit status: 0 on success, 1 when the data has errors, 2 on bad usage or bad input.
With ``--json`` a command prints exactly one JSON object on standard output.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from gnapp import __version__, cli_text
from gnapp.domain.errors import GnappError, InputError
from gnapp.paths import default_db_path

cli_text.install()      # before the commands are built (they name their path options' kinds)

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _emit(as_json: bool, data: dict, text: str | Callable[[], str]) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text() if callable(text) else text)


def command_options(*, json_flag: bool = True):
    """``--db`` (and ``--json``) on a command, plus the mapping of errors to exit codes."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, db_path: Path | None, **kwargs):
            from gnapp.db import users

            as_json = kwargs.get("as_json", False)
            users.logout()      # each command logs in for itself (``_user``)
            try:
                return fn(*args, db_path=db_path or default_db_path(), **kwargs)
            except GnappError as exc:
                code = 2 if isinstance(exc, InputError) else 1
                if as_json:
                    click.echo(json.dumps({"ok": False, "error": exc.message}, ensure_ascii=False))
                click.echo(f"Lỗi: {exc.message}", err=True)
                sys.exit(code)

        wrapper = click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
                               help="Tệp cơ sở dữ liệu (mặc định: thư mục dữ liệu của người dùng).")(wrapper)
        if json_flag:
            wrapper = click.option("--json", "as_json", is_flag=True,
                                   help="In kết quả dạng JSON.")(wrapper)
        return wrapper

    return decorate


def _open(db_path: Path, *, must_exist: bool = True):
    from gnapp.db import connection

    if must_exist and not db_path.exists():
        raise GnappError(f"Không có tệp dữ liệu {db_path}. Hãy chạy «gnapp init» trước.")
    db = connection.connect(db_path)
    if os.environ.get("GNAPP_USER"):
        _user(db, None)
    return db


def _user(db, user: str | None) -> str | None:
    """The user a command acts for: ``--user`` or the environment variable GNAPP_USER (None:
    the current user). A named user must be an active user of this installation; where
    login is asked, the password comes from GNAPP_PASSWORD or is asked (hidden)."""
    from gnapp.db import users

    name = user or os.environ.get("GNAPP_USER")
    if not name:
        return None
    found = users.get(db, name)
    if found is None or not found["active"]:
        names = ", ".join(u["name"] for u in users.all_users(db) if u["active"])
        raise InputError(f"Không có người dùng «{name}» đang hoạt động trên máy này "
                         f"(có: {names}).", field="--user")
    if users.login_required(db) and users.session_user() != found["name"]:
        password = os.environ.get("GNAPP_PASSWORD")
        if password is None:
            password = click.prompt(f"Mật khẩu của {found['name']}", hide_input=True,
                                    err=True)
        users.login(db, found["name"], password)
    return found["name"]


@click.group(invoke_without_command=True, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="gnapp", message="%(prog)s %(version)s")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp cơ sở dữ liệu mở trong giao diện.")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None) -> None:
    """gnapp – quản lý Chương trình MTQG giảm nghèo bền vững cấp xã.

    Không có lệnh: mở giao diện trên cơ sở dữ liệu mặc định.
    """
    if ctx.invoked_subcommand is None:
        from gnapp.ui.app import run

        sys.exit(run(db_path or default_db_path()))


@cli.command(context_settings=CONTEXT)
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị hành chính (xã 5 chữ số, tỉnh 2 chữ số).")
@click.option("--role", type=click.Choice(["commune", "office"]), required=True,
              help="commune: máy của xã; office: cơ quan cấp trên.")
@click.option("--name", "display_name", help="Tên hiển thị của máy (mặc định: tên đơn vị).")
@click.option("--user", default="admin", show_default=True, help="Tên đăng nhập của người dùng đầu tiên.")
@click.option("--full-name", help="Họ và tên người dùng đầu tiên.")
@click.option("--legacy-name", help='Đơn vị cũ chưa có trong danh mục: tên, ví dụ "Huyện Tân Yên".')
@click.option("--legacy-type", help="Đơn vị cũ: loại (huyện, quận, thị xã, thành phố, xã, thị trấn).")
@click.option("--legacy-parent", help="Đơn vị cũ: mã đơn vị cấp trên.")
@command_options()
def init(unit_code, role, display_name, user, full_name, legacy_name, legacy_type, legacy_parent,
         db_path, as_json):
    """Tạo cơ sở dữ liệu cho một máy (site) của đơn vị.

    Ví dụ: gnapp init --unit 07339 --role commune; cơ quan cấp huyện cũ:
    gnapp init --unit 218 --role office --legacy-name "Huyện Tân Yên" --legacy-type huyện
    --legacy-parent 24
    """
    from gnapp.db import sites, units

    legacy = None
    if legacy_name or legacy_type:
        if not (legacy_name and legacy_type):
            raise InputError("Đơn vị cũ cần cả --legacy-name và --legacy-type.")
        legacy = {"name": legacy_name, "unit_type": legacy_type, "parent_code": legacy_parent}
    db = _open(db_path, must_exist=False)
    site = sites.init_site(db, unit_code, role, display_name=display_name, user=user,
                           user_full_name=full_name, legacy=legacy)
    unit = units.get_unit(db, site.unit_code)
    data = {"ok": True, "db": str(db_path), "site_id": site.id, "unit_code": site.unit_code,
            "unit_name": unit["name"], "role": role, "fingerprint": site.fingerprint}
    _emit(as_json, data, f"Đã khởi tạo {db_path} cho {unit['name']} ({site.unit_code}), "
                         f"vai trò {sites.ROLES[role]}.\nDấu vân tay khóa: {site.fingerprint}")


@cli.command(context_settings=CONTEXT)
@click.option("--office", "office_folder", type=click.Path(file_okay=False, path_type=Path),
              help="Tạo dữ liệu mẫu của Tỉnh Thanh Hóa: các xã mẫu (cơ sở dữ liệu và gói đồng "
                   "bộ ghi vào thư mục này) đã gửi gói lên tỉnh.")
@command_options()
def demo(office_folder, db_path, as_json):
    """Điền bộ dữ liệu mẫu (khởi tạo xã mẫu nếu cơ sở dữ liệu còn trống)."""
    from gnapp import demo as demo_data

    db = _open(db_path, must_exist=False)
    if office_folder is not None:
        found = demo_data.fill_office(db, office_folder)
        _emit(as_json, {"ok": True, "db": str(db_path), **found},
              lambda: f"Dữ liệu mẫu của Tỉnh Thanh Hóa trong {db_path}: "
                      f"{len(found['communes'])} xã mẫu ({', '.join(found['communes'])}), "
                      f"{found['households']} hộ, nhận {found['packages_imported']} gói; "
                      f"cơ sở dữ liệu của các xã ở {found['folder']}.")
        return
    summary = demo_data.fill(db)
    _emit(as_json, {"ok": True, "db": str(db_path), **summary},
          lambda: f"Dữ liệu mẫu trong {db_path}: đơn vị {summary['unit_name']} "
                  f"({summary['unit_code']}), {summary['villages']} thôn "
                  f"(thêm mới {summary['villages_added']}), {summary['households']} hộ "
                  f"(thêm mới {summary['households_added']}), "
                  f"thêm {summary['reviews_added']} phiếu rà soát.")


@cli.command(context_settings=CONTEXT)
@command_options()
def check(db_path, as_json):
    """Kiểm tra toàn vẹn, khóa ngoại và các quy tắc dữ liệu; mã thoát 1 nếu có lỗi."""
    from gnapp.db import checks

    result = checks.check(_open(db_path))

    def text() -> str:
        lines = [f"Toàn vẹn: {', '.join(result.integrity)}",
                 f"Khóa ngoại: {'ok' if not result.foreign_keys else len(result.foreign_keys)}"]
        lines += [f"[{'LỖI' if i.severity == 'error' else 'cảnh báo'}] {i.message}"
                  for i in result.issues]
        lines.append("Dữ liệu không có lỗi." if result.ok else "Dữ liệu có lỗi.")
        return "\n".join(lines)

    _emit(as_json, {"db": str(db_path), **result.as_dict()}, text)
    sys.exit(0 if result.ok else 1)


@cli.command(context_settings=CONTEXT)
@click.option("--to", "--out", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục lưu, ví dụ thẻ nhớ USB (mặc định: backups/ cạnh tệp dữ liệu, "
                   "nơi các bản cũ được xóa bớt; thư mục tự chọn thì giữ mọi bản).")
@click.option("--budget-gb", type=int, metavar="GB",
              help="Dung lượng dành cho các bản trong backups/, tính bằng GB (0: tự động, một "
                   "phần tư ổ đĩa); ghi nhớ cho các lần sau, như trang «Sao lưu».")
@command_options()
def backup(folder, budget_gb, db_path, as_json):
    """Sao lưu cơ sở dữ liệu an toàn (kể cả khi đang mở) và xoay vòng bản cũ."""
    from gnapp.db import backup as backups

    if budget_gb is not None:
        db = _open(db_path)
        try:
            backups.set_budget_gb(db, budget_gb)
        finally:
            db.close()
    info = (backups.make_backup(db_path) if folder is None
            else backups.make_backup(db_path, folder=folder, rule=None))
    _emit(as_json, {"ok": True, "path": str(info.path), "size": info.size,
                    "taken_at": info.taken_at.isoformat()},
          f"Đã sao lưu vào {info.path}")


@cli.command(context_settings=CONTEXT)
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP")
@click.option("--yes", is_flag=True, help="Không hỏi lại.")
@command_options()
def restore(backup_file, yes, db_path, as_json):
    """Khôi phục cơ sở dữ liệu từ một bản sao lưu.

    Dữ liệu hiện tại được sao lưu trước; bản khôi phục trở thành một máy (site) mới.
    """
    from gnapp.db import backup as backups

    if not yes:
        if as_json:
            raise InputError("Thêm --yes để khôi phục khi dùng --json.")
        click.confirm(f"Thay dữ liệu {db_path} bằng bản sao lưu {backup_file.name}?", abort=True)
    site = backups.restore(backup_file, db_path)
    _emit(as_json, {"ok": True, "db": str(db_path), "restored_from": str(backup_file),
                    "site_id": site.id, "replaces": site.replaces,
                    "fingerprint": site.fingerprint},
          f"Đã khôi phục {db_path} từ {backup_file.name}. Máy mới {site.id} "
          f"(thay cho {site.replaces}); dấu vân tay khóa: {site.fingerprint}")


@cli.group(context_settings=CONTEXT)
def trash():
    """Thùng rác: hộ, thành viên, văn bản đã xóa do nhập nhầm; khôi phục lại."""


@trash.command("list", context_settings=CONTEXT)
@command_options()
def trash_list(db_path, as_json):
    """Liệt kê các dòng trong thùng rác (mới xóa trước)."""
    from gnapp.db import sites
    from gnapp.db import trash as trash_db

    db = _open(db_path)
    rows = trash_db.list_deleted(db, sites.require_site(db).unit_code)

    def text() -> str:
        if not rows:
            return "Thùng rác trống."
        return "\n".join(f"{r['table']} {r['id']}  {r['kind']}: {r['label']} ({r['detail']}); "
                         f"xóa {r['deleted_at'] or '?'} bởi {r['deleted_by'] or '?'}: {r['reason']}"
                         for r in rows)

    _emit(as_json, {"ok": True, "rows": rows, "note": trash_db.LEDGER_NOTE}, text)


@trash.command("restore", context_settings=CONTEXT)
@click.argument("table", type=click.Choice(["household", "member", "plan_document"]))
@click.argument("row_id", metavar="MÃ_DÒNG")
@click.option("--reason", required=True, help="Lý do khôi phục (bắt buộc, ghi vào nhật ký).")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def trash_restore(table, row_id, reason, user, db_path, as_json):
    """Khôi phục một dòng từ thùng rác (một hộ cùng các thành viên xóa cùng hộ)."""
    from gnapp.db import sites
    from gnapp.db import trash as trash_db

    db = _open(db_path)
    trash_db.restore(sites.writer(db, user), table, row_id, reason)
    _emit(as_json, {"ok": True, "table": table, "id": row_id},
          f"Đã khôi phục {table} {row_id}.")


@cli.group(context_settings=CONTEXT)
def units():
    """Đơn vị hành chính: tra cứu, đơn vị cũ, thôn."""


def _unit_json(row: dict) -> dict[str, Any]:
    keys = ("code", "name", "type", "level", "parent_code", "parent_name", "legacy",
            "valid_from", "valid_to")
    return {k: row.get(k) for k in keys}


def _unit_line(row: dict) -> str:
    parent = f" – {row['parent_name']}" if row.get("parent_name") else ""
    closed = f" (đến {row['valid_to']})" if row.get("valid_to") else ""
    return f"{row['code']:<9} {row['name']}{parent}{closed}"


@units.command("search", context_settings=CONTEXT)
@click.argument("text", metavar="CHỮ")
@click.option("--level", type=click.Choice(["province", "district", "commune", "village"]),
              help="Chỉ tìm ở một cấp.")
@click.option("--all", "include_closed", is_flag=True, help="Cả đơn vị cũ, đã hết hiệu lực.")
@click.option("--limit", default=50, show_default=True, help="Số kết quả tối đa.")
@command_options()
def units_search(text, level, include_closed, limit, db_path, as_json):
    """Tìm đơn vị theo tên, không phân biệt dấu (ví dụ: "ha noi", "duc")."""
    from gnapp.db import units as unit_db

    db = _open(db_path)
    unit_db.ensure_official_units(db)
    rows = unit_db.search_units(db, text, level=level, include_closed=include_closed, limit=limit)
    _emit(as_json, {"query": text, "count": len(rows), "units": [_unit_json(r) for r in rows]},
          lambda: "\n".join(map(_unit_line, rows)) or "Không tìm thấy đơn vị nào.")


@units.command("add-legacy", context_settings=CONTEXT)
@click.option("--code", required=True, help="Mã cũ (huyện 3 chữ số, xã 5 chữ số).")
@click.option("--name", required=True, help='Tên, ví dụ "Huyện Bạch Thông".')
@click.option("--type", "unit_type", required=True, help="huyện, quận, thị xã, thành phố, xã, phường, thị trấn.")
@click.option("--parent", "parent_code", help="Mã đơn vị cấp trên.")
@click.option("--valid-from", default="1900-01-01", show_default=True, help="Hiệu lực từ (YYYY-MM-DD).")
@click.option("--valid-to", default="2025-06-30", show_default=True, help="Hiệu lực đến (YYYY-MM-DD).")
@click.option("--replaced-by", "replaced_by_code", help="Mã đơn vị mới thay thế.")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def units_add_legacy(code, name, unit_type, parent_code, valid_from, valid_to, replaced_by_code,
                     user, db_path, as_json):
    """Thêm đơn vị hành chính cũ (trước 01/7/2025)."""
    from gnapp.db import sites, units as unit_db

    db = _open(db_path)
    row = unit_db.add_legacy_unit(sites.writer(db, _user(db, user)), code=code, name=name,
                                  unit_type=unit_type, parent_code=parent_code,
                                  valid_from=valid_from, valid_to=valid_to,
                                  replaced_by_code=replaced_by_code)
    _emit(as_json, {"ok": True, "unit": _unit_json(row)}, f"Đã thêm {_unit_line(row)}")


@units.command("add-village", context_settings=CONTEXT)
@click.argument("name", metavar="TÊN")
@click.option("--type", "unit_type", default="thôn", show_default=True,
              help="thôn, bản, tổ dân phố, khu phố, buôn, ấp, …")
@click.option("--commune", "commune_code", help="Mã xã (mặc định: xã của máy này).")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def units_add_village(name, unit_type, commune_code, user, db_path, as_json):
    """Thêm thôn, bản, tổ dân phố vào xã."""
    from gnapp.db import sites, units as unit_db

    db = _open(db_path)
    row = unit_db.add_village(sites.writer(db, _user(db, user)), name, unit_type=unit_type,
                              commune_code=commune_code)
    _emit(as_json, {"ok": True, "unit": _unit_json(row)}, f"Đã thêm {_unit_line(row)}")


@units.command("list", context_settings=CONTEXT)
@click.argument("parent_code", required=False, metavar="MÃ")
@command_options()
def units_list(parent_code, db_path, as_json):
    """Liệt kê đơn vị trực thuộc (mặc định: các thôn của xã này; không có mã tỉnh: các tỉnh)."""
    from gnapp.db import sites, units as unit_db

    db = _open(db_path)
    site = sites.local_site(db)
    code = parent_code or (site.unit_code if site else None)
    rows = unit_db.children(db, code) if code else unit_db.provinces(db)
    _emit(as_json, {"parent_code": code, "count": len(rows), "units": [_unit_json(r) for r in rows]},
          lambda: "\n".join(map(_unit_line, rows)) or "Không có đơn vị nào.")


@cli.group(context_settings=CONTEXT)
def households():
    """Sổ hộ gia đình: nhập và xuất danh sách hộ, người có thể trùng, nhập sổ hộ của xã cũ."""


@households.command("export", context_settings=CONTEXT)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp XLSX sẽ ghi.")
@command_options()
def households_export(out, db_path, as_json):
    """Xuất sổ hộ và kết quả rà soát gần nhất ra tệp Excel (XLSX)."""
    from gnapp.db.household_export import export_households

    if out.suffix.lower() != ".xlsx":
        raise InputError(f"Tệp xuất phải có đuôi .xlsx: {out.name}")
    path = export_households(_open(db_path), out)
    _emit(as_json, {"ok": True, "path": str(path)}, f"Đã xuất {path}")


@households.command("duplicates", context_settings=CONTEXT)
@click.option("--all", "include_closed", is_flag=True,
              help="Liệt kê cả các cặp đã xác định không phải một người.")
@command_options()
def households_duplicates(include_closed, db_path, as_json):
    """Liệt kê người có thể trùng trong sổ hộ (trùng CCCD, trùng họ tên và năm sinh…) để
    người dùng xác định; không tự gộp."""
    from gnapp.db import households as hh
    from gnapp.db import sites

    db = _open(db_path)
    cases = hh.duplicate_cases(db, sites.require_site(db).unit_code,
                               include_closed=include_closed)

    def person(p) -> dict:
        return {"member_id": p.member_id, "household_id": p.household_id,
                "household_code": p.household_code, "name": p.name,
                "birth": p.birth.display() if p.birth else None, "id_number": p.id_number}

    data = {"ok": True, "count": len(cases), "pairs": [
        {"a": person(c.pair.a), "b": person(c.pair.b), "reason": c.pair.reason,
         "strength": c.pair.strength, "explanation": c.pair.explanation,
         "same_household": c.pair.same_household, "decision": c.decision, "note": c.note}
        for c in cases]}

    def text() -> str:
        if not cases:
            return "Không có người nào có thể trùng."
        lines = [f"{len(cases)} cặp người có thể trùng:"]
        for n, c in enumerate(cases, 1):
            state = hh.DUPLICATE_DECISIONS.get(c.decision, "chưa xác định")
            lines.append(f"{n}. {c.pair.explanation} — {state}")
            lines.append(f"   mã dòng: {c.pair.a.member_id} {c.pair.b.member_id}")
        return "\n".join(lines)

    _emit(as_json, data, text)


@households.command("decide-duplicate", context_settings=CONTEXT)
@click.argument("member_a", metavar="MÃ_DÒNG_1")
@click.argument("member_b", metavar="MÃ_DÒNG_2")
@click.option("--decision", type=click.Choice(["different", "same"]), required=True,
              help="different: không phải một người (bỏ khỏi danh sách); same: là một người, "
                   "cần sửa sổ hộ (vẫn trong danh sách đến khi sửa).")
@click.option("--note", help="Ghi chú (đã kiểm tra giấy tờ gì…).")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def households_decide_duplicate(member_a, member_b, decision, note, user, db_path, as_json):
    """Ghi quyết định về hai người có thể trùng (mã dòng lấy từ «households duplicates»)."""
    from gnapp.db import households as hh
    from gnapp.db import sites

    db = _open(db_path)
    row = hh.decide_duplicate(sites.writer(db, _user(db, user)), member_a, member_b, decision, note=note)
    _emit(as_json, {"ok": True, "id": row["id"], "decision": decision},
          f"Đã ghi: {hh.DUPLICATE_DECISIONS[decision]}.")


@households.command("merge", context_settings=CONTEXT)
@click.argument("former_db", type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP_XÃ_CŨ")
@click.option("--dry-run", is_flag=True, help="Chỉ báo trước, không ghi gì.")
@click.option("--village", "village_pairs", multiple=True, metavar="THÔN_CŨ=THÔN",
              help='Thôn của xã cũ nhập vào thôn đã có của xã này (mã hoặc tên) hoặc đổi tên, '
                   'ví dụ "Thôn Đồng Tâm=07339.01".')
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def households_merge(former_db, dry_run, village_pairs, user, db_path, as_json):
    """Nhập sổ hộ từ cơ sở dữ liệu gnapp của một xã cũ (xã sáp nhập từ 01/7/2025)."""
    from gnapp.db import merge, sites

    villages = {}
    for pair in village_pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise InputError(f"«{pair}» phải có dạng THÔN_CŨ=THÔN.", field="--village")
        villages[old.strip()] = new.strip()
    db = _open(db_path)
    report = merge.merge_former_commune(sites.writer(db, _user(db, user)), former_db, dry_run=dry_run,
                                        villages=villages)
    _emit(as_json, {"ok": True, "dry_run": dry_run, **report.as_dict()},
          lambda: (f"{'Sẽ nhập' if dry_run else 'Đã nhập'} {report.households} hộ, "
                   f"{report.members} nhân khẩu của {report.former_name} ({report.former_unit}); "
                   f"{len(report.villages)} thôn; đổi mã {len(report.rekeyed)} hộ trùng mã; "
                   f"{report.reviews} phiếu rà soát, {report.requests} giấy đề nghị, "
                   f"{report.steps} bước họp dân/niêm yết"
                   + (f" (thêm đợt: {', '.join(report.rounds_added)})"
                      if report.rounds_added else "")
                   + (f"; {report.steps_left} bước của riêng xã cũ (quyết định cấp xã) không "
                      "chép" if report.steps_left else "")
                   + f"; {report.duplicates} cặp người có thể trùng cần xem lại."))


@households.command("import", context_settings=CONTEXT)
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP")
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False, path_type=Path),
              help='Tệp ánh xạ cột (JSON {"cột trong tệp": "trường"}); tệp xuất của phần mềm '
                   "rà soát quốc gia không cần.")
@click.option("--save-mapping", "save_mapping_file",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Lưu ánh xạ cột đã dùng vào tệp này để lần sau dùng lại (--mapping).")
@click.option("--dry-run", is_flag=True, help="Chỉ xem trước: không ghi gì vào cơ sở dữ liệu.")
@click.option("--create-villages", is_flag=True,
              help="Thêm các thôn chưa có trong danh mục của xã (mặc định: từ chối dòng đó).")
@click.option("--round", "round_year", type=int,
              help="Năm đợt rà soát định kỳ cho các dòng không ghi năm.")
@click.option("--former-unit", metavar="MÃ",
              help="Tệp là sổ hộ của xã cũ này (sáp nhập 01/7/2025): mỗi hộ giữ mã xã cũ, "
                   "mã hộ trùng được đổi thành <mã xã cũ>-<mã hộ> (giữ mã cũ).")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def households_import(source, mapping_file, save_mapping_file, dry_run, create_villages,
                      round_year, former_unit, user, db_path, as_json):
    """Nhập danh sách hộ từ tệp .xlsx, .csv hoặc .json (kể cả tệp xuất của phần mềm rà soát).

    In từng dòng với loại: mới, cập nhật, không đổi, trùng lặp giống hệt, xung đột, cần xem
    lại, bị từ chối, và lý do. Mã thoát 1 nếu có dòng bị từ chối hoặc xung đột.
    """
    from gnapp.db import household_import, sites
    from gnapp.domain.import_rows import save_mapping

    db = _open(db_path)
    plan = household_import.plan_import(db, source, mapping=mapping_file, round_year=round_year,
                                        create_villages=create_villages,
                                        former_unit=former_unit)
    if save_mapping_file:
        save_mapping(save_mapping_file, plan.mapping)
    written = None
    if not dry_run:
        written = household_import.apply_import(db, plan, sites.writer(db, _user(db, user))).result
    data = {"ok": not plan.has_problems, "dry_run": dry_run, "written": written,
            **plan.as_dict()}

    def text() -> str:
        lines = household_import.report_lines(plan)
        lines.append("Chạy thử: chưa ghi gì." if dry_run else
                     f"Đã ghi: thêm {written['households_added']} hộ, cập nhật "
                     f"{written['households_updated']} hộ, {written['reviews_saved']} phiếu "
                     "rà soát.")
        return "\n".join(lines)

    _emit(as_json, data, text)
    sys.exit(1 if plan.has_problems else 0)


class _ReportGroup(click.Group):
    """``gnapp report list`` and ``gnapp report NAME …``: any other name is a report name."""

    def get_command(self, ctx: click.Context, cmd_name: str):
        found = super().get_command(ctx, cmd_name)
        return found if found is not None else report_make


@cli.group(cls=_ReportGroup, context_settings=CONTEXT)
def report():
    """Biểu mẫu và báo cáo: «gnapp report list» liệt kê; «gnapp report TÊN --out TỆP.pdf»
    (hoặc .xlsx) lập một báo cáo, ví dụ gnapp report bao-cao-1 --out bc1.pdf --round 2026."""


@report.command("list", context_settings=CONTEXT)
@command_options()
def report_list(db_path, as_json):
    """Liệt kê các báo cáo lập được (tên dùng cho «gnapp report TÊN»)."""
    from gnapp.forms.catalog import REPORTS

    items = [{"name": r.name, "label": r.label, "title": r.title,
              "needs_previous_round": r.needs_previous} for r in REPORTS.values()]
    _emit(as_json, {"ok": True, "count": len(items), "reports": items},
          lambda: "\n".join(f"{r.name:<10} {r.label}: {r.title}" for r in REPORTS.values()))


@click.command("TÊN", context_settings=CONTEXT)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp sẽ ghi: .pdf (bản in) hoặc .xlsx (Excel).")
@click.option("--round", "round_year", type=int,
              help="Năm của đợt rà soát (mặc định: đợt hiện tại).")
@click.option("--unit", "unit_code", metavar="MÃ",
              help="Mã xã (mặc định) hoặc mã một thôn của xã (15865.01): báo cáo riêng thôn "
                   "đó. Máy cơ quan cấp trên: mã tỉnh (mặc định; mỗi xã một dòng) hoặc mã xã.")
@click.option("--village", "village_code", metavar="MÃ",
              help="Mã thôn (như --unit): biên bản họp dân, phiếu, danh sách của một thôn.")
@click.option("--household", metavar="MÃ_HỘ",
              help="Mã hộ: giấy chứng nhận của hộ, hoặc phiếu A/B/C điền sẵn cho một hộ.")
@click.option("--blank", is_flag=True, help="Phiếu A/B/C trắng (không điền sẵn).")
@click.option("--chart", is_flag=True,
              help="Kèm biểu đồ sau bảng số liệu (Báo cáo 1: tỷ lệ theo thôn hoặc theo xã; "
                   "Báo cáo 5: tỷ lệ thiếu hụt theo chỉ số).")
@click.option("--issue", is_flag=True,
              help="Ban hành: cấp số văn bản tiếp theo trong sổ và ngày hôm nay (quyết định, "
                   "giấy chứng nhận, thông báo niêm yết); in lại giữ số đã cấp.")
@click.option("--number", type=int, help="Cấp đúng số này (từ chối nếu số đã từng được cấp).")
@click.option("--user", help="Người in (ghi vào sổ bản in và nhật ký).")
@command_options()
def report_make(out, round_year, unit_code, village_code, household, blank, chart, issue, number,
                user, db_path, as_json):
    """Lập báo cáo hoặc biểu mẫu TÊN (xem «gnapp report list») ra tệp PDF hoặc XLSX.

    Mỗi lần in được ghi vào sổ bản in (mã dữ liệu, người in, thời gian); in lại cùng văn bản
    với cùng dữ liệu thì bản in ghi «BẢN SAO».
    """
    from gnapp.forms import catalog, printing

    name = click.get_current_context().info_name
    spec = catalog.spec(name)
    if unit_code and village_code and unit_code != village_code:
        raise InputError("Chỉ dùng một trong --unit và --village.")
    db = _open(db_path)
    printed = printing.print_form(db, spec.name, out, user=_user(db, user),
                                  round_year=round_year, unit_code=unit_code or village_code,
                                  issue=issue, number=number, household=household, blank=blank,
                                  chart=chart)
    extra = f" (bản in số {printed.copy['copy_no']}" if printed.copy else ""
    if printed.copy:
        extra += (", BẢN SAO" if printed.is_copy else "") + (
            f", số {printed.copy['number_text']}" if printed.copy["number_text"] else "") + ")"
    _emit(as_json, {"ok": True, "report": spec.name, **printed.as_dict()},
          f"Đã lập {spec.label} vào {printed.path}{extra}")


def _copy_json(row: dict) -> dict:
    keys = ("id", "form", "title", "doc_key", "number_text", "issued_on", "fingerprint",
            "copy_no", "is_copy", "printed_at", "printed_by", "file_format", "state", "signed_at",
            "signed_by", "unlocked_at", "unlock_reason")
    return {**{k: row.get(k) for k in keys}, "rows": len(json.loads(row["shown_rows"] or "[]"))}


@report.command("printed", context_settings=CONTEXT)
@click.option("--limit", default=100, show_default=True, help="Số bản in tối đa (mới nhất trước).")
@command_options()
def report_printed(limit, db_path, as_json):
    """Sổ bản in: mỗi lần in biểu mẫu (văn bản, số, mã dữ liệu, người in, thời gian, trạng thái)."""
    from gnapp.db import documents
    from gnapp.domain.documents import COPY_STATES, local_time

    rows = documents.printed_copies(_open(db_path), limit=limit)
    _emit(as_json, {"ok": True, "count": len(rows), "printed": [_copy_json(r) for r in rows]},
          lambda: "\n".join(
              f"{r['id'][:13]}  {local_time(r['printed_at'])}  {r['printed_by']:<8} "
              f"{r['title']}{' – số ' + r['number_text'] if r['number_text'] else ''}"
              f"{' (BẢN SAO)' if r['is_copy'] else ''}  mã {r['fingerprint'][:12]}  "
              f"{COPY_STATES[r['state']]}" for r in rows) or "Chưa in văn bản nào.")


@report.command("sign", context_settings=CONTEXT)
@click.argument("copy_id", metavar="MÃ_BẢN_IN")
@click.option("--user", help="Người đánh dấu (ghi vào nhật ký).")
@command_options()
def report_sign(copy_id, user, db_path, as_json):
    """Đánh dấu bản in MÃ_BẢN_IN (mã hoặc phần đầu mã, xem «report printed») là đã ký: dữ liệu
    văn bản thể hiện bị khóa, không sửa được cho đến khi mở khóa có lý do."""
    from gnapp.db import documents, sites

    db = _open(db_path)
    copy = documents.find_copy(db, copy_id)
    row = documents.mark_signed(sites.writer(db, _user(db, user)), copy["id"])
    locked = len(json.loads(row["shown_rows"] or "[]"))
    _emit(as_json, {"ok": True, "printed": _copy_json(row), "locked_rows": locked},
          f"Đã đánh dấu đã ký: {row['title']}; khóa {locked} dòng dữ liệu.")


@report.command("unlock", context_settings=CONTEXT)
@click.argument("copy_id", metavar="MÃ_BẢN_IN")
@click.option("--reason", required=True, help="Lý do mở khóa (bắt buộc, ghi vào nhật ký).")
@click.option("--user", help="Người mở khóa (ghi vào nhật ký).")
@command_options()
def report_unlock(copy_id, reason, user, db_path, as_json):
    """Mở khóa dữ liệu của một văn bản đã ký (MÃ_BẢN_IN: mã bản in), có lý do, ghi nhật ký."""
    from gnapp.db import documents, sites

    db = _open(db_path)
    copy = documents.find_copy(db, copy_id)
    row = documents.unlock(sites.writer(db, _user(db, user)), copy["id"], reason=reason)
    _emit(as_json, {"ok": True, "printed": _copy_json(row)},
          f"Đã mở khóa dữ liệu của {row['title']}. Lý do: {reason}")


@report.command("profile", context_settings=CONTEXT)
@click.option("--issuer-parent",
              help='Dòng trên của cơ quan ban hành (mặc định "ỦY BAN NHÂN DÂN").')
@click.option("--issuer-name", help='Tên cơ quan ban hành, chữ in hoa ("XÃ HOẰNG HÓA").')
@click.option("--place", help='Địa danh ở dòng ngày tháng ("Hoằng Hóa").')
@click.option("--signer", "signers", multiple=True, metavar="CHỨC_VỤ:HỌ_TÊN:TỪ_NGÀY",
              help="Thêm người ký: chairman|vice_chairman, họ tên, ngày bắt đầu (YYYY-MM-DD); "
                   'ví dụ "chairman:Lê Quang Thành:2021-07-01". Lặp lại được.')
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def report_profile(issuer_parent, issuer_name, place, signers, user, db_path, as_json):
    """Thông tin cơ quan ban hành văn bản, người ký theo thời kỳ và sổ số văn bản; không có
    tùy chọn thì chỉ in ra."""
    from gnapp.db import documents, sites
    from gnapp.domain.documents import SIGNER_ROLES, number_text

    db = _open(db_path)
    w = sites.writer(db, _user(db, user))
    parsed = []
    for text in signers:
        parts = text.split(":")
        if len(parts) != 3:
            raise InputError(f"--signer «{text}» phải có dạng CHỨC_VỤ:HỌ_TÊN:TỪ_NGÀY.")
        parsed.append(parts)

    def apply(w) -> None:
        if issuer_parent or issuer_name or place:
            documents.save_profile(w, issuer_parent=issuer_parent, issuer_name=issuer_name,
                                   place=place)
        for role, name, start in parsed:
            documents.add_signer(w, role=role.strip(), name=name, valid_from=start.strip())

    w.transact(apply)
    unit = w.actor.unit_code
    prof = documents.profile(db, unit)
    signer_rows = documents.signer_rows(db, unit)
    book = documents.numbers(db, unit)
    data = {"ok": True, "issuer": list(prof["issuer"]), "place": prof["place"],
            "recipients": {k: list(v) for k, v in prof["recipients"].items()},
            "signers": [{k: r[k] for k in ("role", "name", "valid_from", "valid_to")}
                        for r in signer_rows],
            "numbers": [{"number": number_text(r["number"], r["symbol"]), "year": r["year"],
                         "issued_on": r["issued_on"], "subject": r["subject"],
                         "cancelled": bool(r["deleted"])} for r in book]}

    def text() -> str:
        lines = ["Cơ quan ban hành: " + " / ".join(prof["issuer"]), f"Địa danh: {prof['place']}"]
        lines += [f"Người ký: {SIGNER_ROLES.get(r['role'], r['role'])} {r['name']} từ "
                  f"{r['valid_from']}{' đến ' + r['valid_to'] if r['valid_to'] else ''}"
                  for r in signer_rows] or ["Chưa có người ký (khối chữ ký để trống tên)."]
        lines += [f"Số {n['number']} ngày {n['issued_on']}: {n['subject']}"
                  + (" (đã hủy, số không dùng lại)" if n["cancelled"] else "")
                  for n in data["numbers"]]
        return "\n".join(lines)

    _emit(as_json, data, text)


@cli.group(context_settings=CONTEXT)
def programme():
    """Cơ cấu chương trình (dự án, tiểu dự án, dòng kinh phí) theo từng giai đoạn."""


@programme.command("list", context_settings=CONTEXT)
@command_options()
def programme_list(db_path, as_json):
    """Liệt kê các cơ cấu chương trình có trong máy (đi kèm phần mềm và đã nạp)."""
    from gnapp.db import programme as programme_db

    known = programme_db.programmes(_open(db_path))
    items = [{"id": p.id, "name": p.name, "period": [p.period_from, p.period_to],
              "status": p.status, "lines": [i.code for i in p.lines()],
              "items": len(p.items)} for p in known.values()]
    _emit(as_json, {"ok": True, "count": len(items), "programmes": items},
          lambda: "\n".join(f"{p['id']:<16} {p['period'][0]}–{p['period'][1]} "
                            f"({'tạm thời' if p['status'] != 'official' else 'chính thức'}, "
                            f"{len(p['lines'])} dòng kinh phí): {p['name']}" for p in items))


@programme.command("load", context_settings=CONTEXT)
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def programme_load(source, user, db_path, as_json):
    """Nạp cơ cấu chương trình từ tệp JSON (máy của cơ quan cấp trên); bản lưu được gửi xuống
    xã trong gói đồng bộ. Nạp lại cùng mã thì cập nhật."""
    from gnapp.db import programme as programme_db
    from gnapp.db import sites

    db = _open(db_path)
    counts = programme_db.load_programme(sites.writer(db, _user(db, user)), source)
    _emit(as_json, {"ok": True, **counts},
          f"Đã nạp {counts['programme']}: thêm {counts['added']}, cập nhật {counts['updated']}, "
          f"không đổi {counts['unchanged']}, bỏ {counts['removed']} mục.")


@cli.group(context_settings=CONTEXT)
def allocations():
    """Phân bổ vốn: quyết định, kế hoạch vốn, các dòng phân bổ và số tổng theo văn bản."""


def _money_text(dong: int) -> str:
    from gnapp.domain.money import show

    return f"{show(dong)} đồng"


@allocations.command("list", context_settings=CONTEXT)
@click.option("--year", type=int, help="Chỉ các văn bản của năm này.")
@command_options()
def allocations_list(year, db_path, as_json):
    """Liệt kê các quyết định phân bổ vốn và kế hoạch vốn với tổng các dòng."""
    from gnapp.db import allocations as al

    rows = al.decisions(_open(db_path), year=year)
    keys = ("id", "kind", "issuer", "number", "signed_on", "year", "batch", "programme",
            "recipient_name", "total", "carry_over", "lines", "differences", "label")
    _emit(as_json, {"ok": True, "count": len(rows), "decisions": [
        {k: r[k] for k in keys} for r in rows]},
        lambda: "\n".join(
            f"{r['id']}  {r['label']} – {r['issuer']}: {r['lines']} dòng, tổng "
            f"{_money_text(r['total'])}"
            + (f", chuyển nguồn {_money_text(r['carry_over'])}" if r['carry_over'] else "")
            + (f"; {r['differences']} số tổng lệch với văn bản" if r['differences'] else "")
            for r in rows) or "Chưa có quyết định phân bổ vốn nào.")


@allocations.command("import", context_settings=CONTEXT)
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP")
@click.option("--decision", "decision_ref", metavar="SỐ|MÃ",
              help="Nhập vào văn bản có sẵn (số như 635/KH-UBND hoặc mã dòng); bắt buộc với "
                   "tệp số tổng .json.")
@click.option("--issuer", help='Văn bản mới: cơ quan ban hành, ví dụ "UBND tỉnh Bắc Kạn".')
@click.option("--year", type=int, help="Văn bản mới: năm kế hoạch vốn.")
@click.option("--kind", "decision_kind", type=click.Choice(["decision", "plan"]),
              default="decision", show_default=True,
              help="Văn bản mới: decision (quyết định phân bổ) hoặc plan (kế hoạch, nhu cầu vốn).")
@click.option("--number", help="Văn bản mới: số, ví dụ 1277/QĐ-UBND.")
@click.option("--date", "signed_on", help="Văn bản mới: ngày ký (dd/mm/yyyy).")
@click.option("--batch", type=int, help="Văn bản mới: đợt phân bổ.")
@click.option("--legal-basis", help="Văn bản mới: căn cứ pháp lý.")
@click.option("--title", help="Văn bản mới: trích yếu.")
@click.option("--programme", "programme_id", help="Văn bản mới: mã cơ cấu chương trình "
              "(mặc định theo năm).")
@click.option("--line", help="Dự án, tiểu dự án cho mọi dòng khi tệp không có cột này (DA2).")
@click.option("--source", "money_source", help="Nguồn vốn cho mọi dòng khi tệp không có cột "
              "này (NSTW, NSDP, KHAC…).")
@click.option("--capital-type", help="Loại vốn cho mọi dòng khi tệp không có cột này "
              "(DTPT hoặc SN).")
@click.option("--unit", "money_unit", type=click.Choice(["dong", "nghin", "trieu"]),
              help="Đơn vị số tiền khi tên cột không ghi đơn vị.")
@click.option("--carry-over", is_flag=True,
              help="Các dòng là kinh phí năm trước chuyển sang (không phải phân bổ trong năm).")
@click.option("--recipient", help="Đơn vị nhận (mã hoặc tên) khi tệp không có cột đơn vị.")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và đếm, không ghi gì.")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def allocations_import(source, decision_ref, issuer, year, decision_kind, number, signed_on,
                       batch, legal_basis, title, programme_id, line, money_source,
                       capital_type, money_unit, carry_over, recipient, dry_run, user, db_path,
                       as_json):
    """Nhập các dòng phân bổ vốn (.csv, .xlsx) hoặc số tổng theo văn bản (.json) rồi so sánh
    số tổng theo văn bản với tổng các dòng. Tệp có dòng sai thì không ghi gì (mã thoát 2)."""
    from gnapp.db import allocations as al
    from gnapp.db import sites

    db = _open(db_path)
    new_decision = {k: v for k, v in {
        "issuer": issuer, "year": year, "kind": decision_kind, "number": number,
        "signed_on": signed_on, "batch": batch, "legal_basis": legal_basis, "title": title,
        "programme": programme_id}.items() if v is not None}
    report = al.import_file(sites.writer(db, _user(db, user)), source, decision=decision_ref,
                            new_decision=new_decision, line=line, source=money_source,
                            capital_type=capital_type, unit=money_unit,
                            kind="carry_over" if carry_over else "allocation",
                            recipient=recipient, dry_run=dry_run)
    differences = [c for c in report.comparisons if not c["agrees"]]

    def text() -> str:
        what = "dòng" if report.kind == "lines" else "số tổng theo văn bản"
        lines = [f"{'Chạy thử' if dry_run else 'Đã nhập'} {report.file} vào {report.decision}"
                 + (" (văn bản mới)" if report.created_decision else "") + ":",
                 f"  {what}: mới {report.new}, cập nhật {report.updated}, không đổi "
                 f"{report.unchanged}"]
        if report.total is not None:
            lines.append(f"  tổng các dòng trong tệp: {_money_text(report.total)}")
        if report.carried_down:
            lines.append("  ô đơn vị trống lấy theo dòng trên: dòng "
                         + ", ".join(map(str, report.carried_down)))
        if report.ignored_columns:
            lines.append("  cột không dùng: " + ", ".join(report.ignored_columns))
        for c in differences:
            lines.append(f"  LỆCH {c['label']}: theo văn bản {_money_text(c['stated'])}, "
                         f"cộng các dòng {_money_text(c['computed'])}, chênh lệch "
                         f"{_money_text(c['difference'])}")
        return "\n".join(lines)

    _emit(as_json, {"ok": True, **report.as_dict(), "differences": len(differences)}, text)


@allocations.command("check", context_settings=CONTEXT)
@click.option("--decision", "decision_ref", metavar="SỐ|MÃ",
              help="Chỉ kiểm tra một văn bản (mặc định: tất cả).")
@command_options()
def allocations_check(decision_ref, db_path, as_json):
    """So sánh từng số tổng theo văn bản với tổng các dòng; mã thoát 1 nếu có chênh lệch."""
    from gnapp.db import allocations as al

    db = _open(db_path)
    decision_id = al.find_decision(db, decision_ref)["id"] if decision_ref else None
    pairs = al.check(db, decision_id)
    differences = [p for p in pairs if not p["agrees"]]

    def text() -> str:
        if not pairs:
            return "Chưa có số tổng theo văn bản nào để so sánh."
        lines = []
        for p in pairs:
            state = "khớp" if p["agrees"] else f"LỆCH {_money_text(p['difference'])}"
            lines.append(f"{p['decision']} – {p['label']}: theo văn bản "
                         f"{_money_text(p['stated'])}, cộng các dòng "
                         f"{_money_text(p['computed'])}: {state}")
        lines.append(f"{len(differences)} số tổng lệch với tổng các dòng." if differences
                     else "Mọi số tổng theo văn bản khớp với tổng các dòng.")
        return "\n".join(lines)

    _emit(as_json, {"ok": not differences, "count": len(pairs),
                    "differences": len(differences), "pairs": pairs}, text)
    sys.exit(1 if differences else 0)


@allocations.command("print", context_settings=CONTEXT)
@click.argument("decision_ref", metavar="SỐ|MÃ")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp sẽ ghi: .pdf (bản in) hoặc .xlsx (Excel).")
@click.option("--table", "which", type=click.Choice(["von", "danh-sach"]), default="von",
              show_default=True,
              help="von: bảng vốn theo dự án × nguồn vốn × loại vốn; danh-sach: danh sách "
                   "phân bổ theo đơn vị và dự án.")
@click.option("--unit", "money_unit", type=click.Choice(["dong", "nghin", "trieu"]),
              help="Đơn vị tính khi in (mặc định: triệu đồng cho bảng vốn, đồng cho danh sách).")
@command_options()
def allocations_print(decision_ref, out, which, money_unit, db_path, as_json):
    """In bảng vốn hoặc danh sách phân bổ của một văn bản ra PDF hoặc XLSX."""
    from gnapp.db import allocations as al
    from gnapp.forms import allocation_reports as ar

    db = _open(db_path)
    decision = al.find_decision(db, decision_ref)
    path = ar.produce(db, which, decision["id"], out, unit=money_unit)
    _emit(as_json, {"ok": True, "table": which, "path": str(path),
                    "format": path.suffix.lower().lstrip(".")},
          f"Đã in {ar.PRINTS[which].lower()} vào {path}")


@cli.group(context_settings=CONTEXT)
def projects():
    """Dự án, mô hình hỗ trợ phát triển sản xuất và danh sách hộ tham gia."""


def _project_json(row: dict) -> dict[str, Any]:
    keys = ("id", "name", "kind", "line_code", "implementer", "amount", "year", "starts_on",
            "ends_on", "status", "participants", "counterpart")
    return {k: row.get(k) for k in keys}


@projects.command("list", context_settings=CONTEXT)
@command_options()
def projects_list(db_path, as_json):
    """Liệt kê các dự án, mô hình của xã (mã dùng cho các lệnh khác)."""
    from gnapp.db import projects as pj
    from gnapp.db import sites
    from gnapp.domain.numbers import format_int

    db = _open(db_path)
    rows = pj.list_projects(db, sites.require_site(db).unit_code)
    _emit(as_json, {"ok": True, "count": len(rows), "projects": [_project_json(r) for r in rows]},
          lambda: "\n".join(f"{r['id']}  {r['line_code']:<9} {r['name']} – {r['participants']} "
                            f"hộ, {format_int(r['amount'])} đồng" for r in rows)
          or "Chưa có dự án nào.")


@projects.command("participants", context_settings=CONTEXT)
@click.argument("project_id", metavar="MÃ_DỰ_ÁN")
@command_options()
def projects_participants(project_id, db_path, as_json):
    """Danh sách hộ tham gia một dự án: nhóm đối tượng, lý do, vốn đối ứng, tỷ lệ 50 %/70 %."""
    from gnapp.db import projects as pj
    from gnapp.domain import projects as rules

    db = _open(db_path)
    project = pj.project(db, project_id)
    people = pj.participants(db, project_id)
    found = rules.shares(p.eligibility for p in people)
    data = {"ok": True, "project": _project_json(project), "count": len(people),
            "participants": [{"household_id": p.household_id, "code": p.code, "head": p.head,
                              "village": p.village, "group": p.eligibility.group,
                              "group_label": p.eligibility.label, "target": p.eligibility.target,
                              "priority": p.eligibility.priority, "reason": p.eligibility.reason,
                              "counterpart": p.counterpart} for p in people],
            "shares": {"participants": found.participants, "target": found.target,
                       "priority": found.priority,
                       "target_rate": str(found.target_rate) if found.participants else None,
                       "priority_rate": str(found.priority_rate) if found.participants else None,
                       "meets_target_rule": found.meets_target_rule,
                       "has_priority": found.has_priority}}

    def text() -> str:
        lines = [f"{n}. {p.code} {p.head} ({p.village}) – {p.eligibility.label}: "
                 f"{p.eligibility.reason}" for n, p in enumerate(people, 1)]
        lines += [rules.share_text(found), rules.priority_text(found)]
        return "\n".join(line for line in lines if line)

    _emit(as_json, data, text)


@projects.command("print", context_settings=CONTEXT)
@click.argument("project_id", metavar="MÃ_DỰ_ÁN")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp sẽ ghi: .pdf (bản in) hoặc .xlsx (Excel).")
@command_options()
def projects_print(project_id, out, db_path, as_json):
    """In danh sách hộ tham gia dự án ra tệp PDF hoặc XLSX."""
    from gnapp.forms.project_reports import produce_participant_list

    path = produce_participant_list(_open(db_path), project_id, out)
    _emit(as_json, {"ok": True, "path": str(path)}, f"Đã lập danh sách vào {path}")


@cli.group(context_settings=CONTEXT)
def payments():
    """Giải ngân: các khoản chi theo dòng phân bổ vốn, tỷ lệ giải ngân."""


def _line_json(summary) -> dict[str, Any]:
    b = summary.balance
    return {"id": summary.id, "label": summary.label, "line_code": summary.line["line_code"],
            "available": b.available, "disbursed": b.disbursed, "remaining": b.remaining,
            "rate": str(b.rate) if b.rate is not None else None, "state": b.state,
            "settled": b.settled}


@payments.command("list", context_settings=CONTEXT)
@click.option("--year", type=int, help="Chỉ các quyết định của năm này.")
@command_options()
def payments_list(year, db_path, as_json):
    """Các dòng vốn của xã với số đã giải ngân, còn lại và tỷ lệ giải ngân."""
    from gnapp.db import disbursement as spending
    from gnapp.db import sites
    from gnapp.domain.disbursement import LINE_STATES
    from gnapp.domain.numbers import format_int, format_rate

    db = _open(db_path)
    found = spending.line_summaries(db, sites.require_site(db).unit_code, year)
    _emit(as_json, {"ok": True, "count": len(found), "lines": [_line_json(s) for s in found]},
          lambda: "\n".join(
              f"{s.id}  {s.label}: đã giải ngân {format_int(s.balance.disbursed)}/"
              f"{format_int(s.balance.available)} đồng"
              f"{' (' + format_rate(s.balance.rate) + ')' if s.balance.rate is not None else ''}"
              f" – {LINE_STATES[s.balance.state]}" for s in found)
          or "Chưa có dòng phân bổ vốn nào.")


@payments.command("add", context_settings=CONTEXT)
@click.argument("line_id", metavar="MÃ_DÒNG_VỐN")
@click.option("--amount", required=True, help="Số tiền: 150.000.000, 150 triệu, 1,5 tỷ…")
@click.option("--date", "paid_on", required=True, help="Ngày chi (dd/mm/yyyy).")
@click.option("--document", required=True, help="Số chứng từ, ví dụ PC 12/2024.")
@click.option("--content", help="Nội dung chi.")
@click.option("--estimate", "estimate_id", help="Mã dự toán chi tiết đã phê duyệt (nếu chi theo "
                                                "dự toán).")
@click.option("--project", "project_id", help="Mã dự án được chi.")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def payments_add(line_id, amount, paid_on, document, content, estimate_id, project_id, user,
                 db_path, as_json):
    """Ghi một khoản chi vào dòng vốn; từ chối nếu vượt số vốn còn lại (mã thoát 1)."""
    from gnapp.db import disbursement as spending
    from gnapp.db import sites
    from gnapp.domain.dates import parse_date
    from gnapp.domain.numbers import format_int, format_rate, parse_amount

    db = _open(db_path)
    dong = parse_amount(amount, field="--amount")
    day = parse_date(paid_on, field="--date")
    row = spending.add_payment(sites.writer(db, _user(db, user)), line_id, amount=dong, paid_on=day,
                               document=document, content=content, estimate_id=estimate_id,
                               project_id=project_id)
    summary = next(s for s in spending.line_summaries(db) if s.id == line_id)
    _emit(as_json, {"ok": True, "payment_id": row["id"], "line": _line_json(summary)},
          f"Đã ghi khoản chi {format_int(dong)} đồng. {summary.label}: đã giải ngân "
          f"{format_int(summary.balance.disbursed)}/{format_int(summary.balance.available)} "
          f"đồng ({format_rate(summary.balance.rate)}).")


@cli.group(context_settings=CONTEXT)
def package():
    """Gói đồng bộ giữa xã và cơ quan cấp trên (USB, thư điện tử)."""


@package.command("export", context_settings=CONTEXT)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi gói (ví dụ ổ USB).")
@click.option("--to", "to_unit", metavar="MÃ",
              help="Đơn vị nhận (mặc định với máy xã: tỉnh của xã).")
@click.option("--kind", type=click.Choice(["changes", "snapshot", "ack", "recovery"]),
              default="changes", show_default=True,
              help="changes: thay đổi từ gói trước; snapshot: toàn bộ dữ liệu của đơn vị; ack: "
                   "chỉ xác nhận đã nhận; recovery (máy cấp trên): dữ liệu của một xã cho máy "
                   "mới của xã.")
@click.option("--encrypt", is_flag=True, help="Mã hóa dữ liệu bằng khóa của đơn vị nhận.")
@click.option("--max-size", "max_mb", type=float, default=0,
              help="Chia gói thành nhiều phần, mỗi phần tối đa bấy nhiêu MB (gửi thư).")
@click.option("--resend", "resend_no", type=int, metavar="SỐ",
              help="Ghi lại gói số SỐ đã gửi (đúng từng byte).")
@click.option("--force", is_flag=True, help="Tạo gói cả khi không có thay đổi mới.")
@command_options()
def package_export(out_dir, to_unit, kind, encrypt, max_mb, resend_no, force, db_path, as_json):
    """Tạo gói đồng bộ tiếp theo gửi đơn vị nhận."""
    from gnapp.sync import export

    db = _open(db_path)
    max_bytes = int(max_mb * 1024 * 1024)
    if resend_no is not None:
        paths = export.resend(db, resend_no, out_dir, to_unit=to_unit, max_bytes=max_bytes)
        _emit(as_json, {"ok": True, "package_no": resend_no, "files": [str(p) for p in paths]},
              f"Đã ghi lại gói số {resend_no}: " + ", ".join(p.name for p in paths))
        return
    result = export.export_package(db, out_dir, to_unit=to_unit, kind=kind, encrypt=encrypt,
                                   max_bytes=max_bytes, force=force)
    _emit(as_json, {"ok": True, **result.as_dict()},
          lambda: "\n".join([result.message, *(f"  {p}" for p in result.paths)]))


@package.command("import", context_settings=CONTEXT)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path), metavar="TỆP")
@click.option("--dry-run", is_flag=True, help="Chỉ xem trước từng dòng sẽ ra sao, không ghi gì.")
@click.option("--trust", multiple=True, metavar="MÃ_KHÓA",
              help="Xác nhận máy gửi có mã khóa này (đã đối chiếu qua điện thoại, giấy tờ).")
@click.option("--accept-recovery", is_flag=True,
              help="Nhận gói khôi phục của cơ quan cấp trên (máy này thay máy cũ bị mất).")
@click.option("--user", help="Người nhập gói (ở cơ quan cấp trên cần quyền gộp gói).")
@command_options()
def package_import(files, dry_run, trust, accept_recovery, user, db_path, as_json):
    """Nhận các gói đồng bộ (tệp .gnsync, các phần, hoặc cả thư mục)."""
    from gnapp.sync import importer
    from gnapp.sync import package as pkg

    paths: list[Path] = []
    for path in files:
        if path.is_dir():
            paths += sorted(p for p in path.iterdir() if pkg.SUFFIX in p.name)
        else:
            paths.append(path)
    if not paths and not trust:
        raise InputError("Chưa chọn tệp gói nào.", field="FILES")
    db = _open(db_path)
    reports = importer.import_files(db, paths, dry_run=dry_run, trust=trust,
                                    accept_recovery=accept_recovery, user=_user(db, user))
    problems = [r for r in reports if r.status in ("refused", "fork")
                or r.counts["refused"] or r.counts["conflict"]]
    data = {"ok": not problems, "packages": [r.as_dict() for r in reports]}

    def text() -> str:
        lines = []
        for r in reports:
            lines.append(r.summary())
            if r.status == "untrusted":
                lines.append(f"  Mã khóa máy gửi: {r.fingerprint}; nếu đúng là của đơn vị "
                             f"gửi, nhận lại với --trust {r.fingerprint}")
            if r.clock_warning:
                lines.append(f"  {r.clock_warning}")
            for p in r.rows:
                if p.action in ("refused", "conflict"):
                    lines.append(f"  {p.table} {p.row_id}: {p.reason}")
        return "\n".join(lines) or "Không có gói nào."

    _emit(as_json, data, text)
    if problems:
        sys.exit(1)


@package.command("status", context_settings=CONTEXT)
@command_options()
def package_status(db_path, as_json):
    """Các luồng gói: đã gửi, đã được xác nhận, đã nhận, đang chờ, xung đột."""
    from gnapp.sync import importer

    db = _open(db_path)
    data = importer.status(db)

    def text() -> str:
        lines = [f"Máy này: đơn vị {data['unit']}, mã khóa {data['fingerprint']}"]
        for s in data["sent"]:
            lines.append(f"Gửi {s['to_unit']}: đến gói số {s['last_sent']}, "
                         f"đã được xác nhận đến gói số {s['acknowledged_up_to']}")
        for r in data["received"]:
            line = (f"Nhận từ {r['name'] or r['from_site']} ({r['from_unit']}): "
                    f"đã nhận đến gói số {r['applied_up_to']}")
            if r["waiting_for"]:
                line += f", chờ gói số {r['waiting_for']}"
            if r["forks"]:
                line += f", trùng số gói {', '.join(map(str, r['forks']))}"
            if not r["trusted"]:
                line += ", chưa xác nhận máy gửi"
            lines.append(line)
        lines.append(f"Xung đột đang chờ quyết định: {data['open_conflicts']}")
        return "\n".join(lines)

    _emit(as_json, {"ok": True, **data}, text)


@package.command("conflicts", context_settings=CONTEXT)
@command_options()
def package_conflicts(db_path, as_json):
    """Các xung đột đang chờ quyết định, từng trường hai giá trị."""
    from gnapp.sync import conflicts

    db = _open(db_path)
    found = conflicts.open_conflicts(db)

    def text() -> str:
        lines = []
        for c in found:
            lines.append(f"Xung đột số {c.id}: {c.label} {c.row_id} (đơn vị {c.owner_unit}, "
                         f"từ {c.sender_name or c.from_site})")
            if c.is_deletion:
                lines.append(f"  {'máy này' if c.deleted_side == 'ours' else 'máy gửi'} đã "
                             "xóa dòng, nơi kia đã sửa: quyết định cả dòng bằng --row deleted "
                             "(giữ bản đã xóa) hoặc --row edited (giữ bản đã sửa, khôi phục)")
            for f in c.as_dict()["fields"]:
                lines.append(f"  {f['field']}: ở đây «{f['ours']}» — máy gửi «{f['theirs']}»")
        return "\n".join(lines) or "Không có xung đột nào."

    _emit(as_json, {"ok": True, "conflicts": [c.as_dict() for c in found]}, text)


@package.command("resolve", context_settings=CONTEXT)
@click.argument("conflict_id", type=int, metavar="SỐ")
@click.option("--ours", multiple=True, metavar="TRƯỜNG", help="Giữ giá trị ở máy này.")
@click.option("--theirs", multiple=True, metavar="TRƯỜNG", help="Lấy giá trị của máy gửi.")
@click.option("--set", "typed", multiple=True, metavar="TRƯỜNG=GIÁ_TRỊ",
              help="Gõ giá trị khác cho trường.")
@click.option("--row", "row_choice", type=click.Choice(["deleted", "edited"]),
              help="Xung đột giữa xóa và sửa: giữ bản đã xóa, hoặc giữ bản đã sửa (khôi phục).")
@click.option("--user", help="Người quyết định (ghi vào nhật ký).")
@command_options()
def package_resolve(conflict_id, ours, theirs, typed, row_choice, user, db_path, as_json):
    """Quyết định một xung đột, từng trường (hoặc cả dòng với --row khi một nơi đã xóa)."""
    from gnapp.sync import conflicts

    choices: dict = {conflicts.ROW: row_choice} if row_choice else {}
    choices.update({f: "ours" for f in ours})
    choices.update({f: "theirs" for f in theirs})
    for item in typed:
        name, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"«{item}» phải có dạng TRƯỜNG=GIÁ_TRỊ.", field="--set")
        choices[name.strip()] = {"value": value}
    db = _open(db_path)
    row = conflicts.resolve(db, conflict_id, choices, user=_user(db, user))
    _emit(as_json, {"ok": True, "row_id": row["id"], "version": row["version"]},
          f"Đã quyết định xung đột số {conflict_id}; dòng có phiên bản {row['version']}.")


@cli.group(context_settings=CONTEXT)
def approval():
    """Phê duyệt hoặc trả lại kết quả rà soát của xã (máy cơ quan cấp trên)."""


def _approval_options(fn):
    fn = click.option("--user", help="Người quyết định (ghi vào nhật ký).")(fn)
    fn = click.option("--village", metavar="MÃ_THÔN", help="Chỉ một thôn của xã.")(fn)
    fn = click.option("--kind", type=click.Choice(["periodic", "regular", "general"]),
                      default="periodic", show_default=True, help="Loại đợt rà soát.")(fn)
    fn = click.option("--round", "year", type=int, required=True, help="Năm của đợt rà soát.")(fn)
    return click.option("--commune", required=True, metavar="MÃ_XÃ", help="Mã xã.")(fn)


def _decide(state, commune, year, kind, village, comment, user, db_path, as_json):
    from gnapp.db.approvals import STATE_LABELS
    from gnapp.sync import approvals

    db = _open(db_path)
    row = approvals.decide(db, commune=commune, year=year, kind=kind, village=village,
                           state=state, comment=comment, user=_user(db, user))
    _emit(as_json, {"ok": True, "approval_id": row["id"], "state": state,
                    "fingerprint": row["fingerprint"], "reviews": row["row_count"]},
          f"Đã ghi: {STATE_LABELS[state]} ({row['row_count']} phiếu rà soát). Quyết định được "
          f"gửi xuống xã trong gói đồng bộ tiếp theo.")


@approval.command("approve", context_settings=CONTEXT)
@_approval_options
@click.option("--comment", help="Ý kiến kèm theo.")
@command_options()
def approval_approve(commune, year, kind, village, user, comment, db_path, as_json):
    """Phê duyệt đợt rà soát của xã (khóa các phiếu đã duyệt)."""
    _decide("approved", commune, year, kind, village, comment, user, db_path, as_json)


@approval.command("return", context_settings=CONTEXT)
@_approval_options
@click.option("--comment", required=True, help="Ý kiến: xã cần sửa gì.")
@command_options()
def approval_return(commune, year, kind, village, user, comment, db_path, as_json):
    """Trả lại đợt rà soát cho xã kèm ý kiến (mở khóa để xã sửa)."""
    _decide("returned", commune, year, kind, village, comment, user, db_path, as_json)


@approval.command("list", context_settings=CONTEXT)
@click.option("--commune", metavar="MÃ_XÃ", help="Chỉ một xã.")
@command_options()
def approval_list(commune, db_path, as_json):
    """Các quyết định phê duyệt, trả lại và trạng thái hiện tại (kể cả phê duyệt đã cũ)."""
    from gnapp.db import approvals

    db = _open(db_path)
    sql = ("SELECT a.*, r.year, v.name AS village_name FROM approval a "
           "JOIN review_round r ON r.id = a.round_id LEFT JOIN admin_unit v ON v.id = a.village_id "
           "WHERE a.deleted = 0")
    rows = list(db.query(sql + (" AND a.unit_code = ?" if commune else "")
                         + " ORDER BY a.unit_code, r.year", [commune] if commune else []))
    items = [{"commune": r["unit_code"], "year": r["year"], "village": r["village_name"],
              "state": r["state"], "status": approvals.status(db, r),
              "status_label": approvals.STATE_LABELS[approvals.status(db, r)],
              "comment": r["comment"], "decided_on": r["decided_on"],
              "reviews": r["row_count"]} for r in rows]
    _emit(as_json, {"ok": True, "approvals": items},
          lambda: "\n".join(f"{i['commune']} đợt {i['year']}"
                            f"{' – ' + i['village'] if i['village'] else ''}: {i['status_label']}"
                            f"{' — ' + i['comment'] if i['comment'] else ''}"
                            for i in items) or "Chưa có quyết định nào.")


@cli.group(context_settings=CONTEXT)
def standards():
    """Chuẩn nghèo: xem, xuất ra tệp để sửa, nạp bản đã sửa (máy cơ quan cấp trên)."""


@standards.command("list", context_settings=CONTEXT)
@command_options()
def standards_list(db_path, as_json):
    """Các chuẩn nghèo có hiệu lực ở máy này (kèm nguồn: đi kèm phần mềm hay do cấp trên nạp)."""
    from gnapp.db import standards as stored

    db = _open(db_path)
    mine = {r[0]: r[1] for r in db.execute(
        "SELECT code, owner_unit FROM poverty_standard WHERE deleted = 0")}
    items = [{"id": s.id, "title": s.title, "status": s.status,
              "from": s.valid_from.isoformat(), "to": s.valid_to.isoformat(),
              "stored_by": mine.get(s.id)} for s in stored.standards(db).values()]
    _emit(as_json, {"ok": True, "standards": items},
          lambda: "\n".join(f"{i['id']} ({i['from']} – {i['to']}), {i['title']}"
                            + (f" — do {i['stored_by']} nạp" if i["stored_by"] else "")
                            for i in items))


@standards.command("export", context_settings=CONTEXT)
@click.argument("standard_id", metavar="MÃ_CHUẨN")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp JSON ghi ra.")
@command_options()
def standards_export(standard_id, out, db_path, as_json):
    """Ghi một chuẩn nghèo ra tệp JSON (để sửa rồi nạp lại)."""
    from gnapp.db import standards as stored
    from gnapp.domain.standards import to_dict

    db = _open(db_path)
    data = to_dict(stored.standard(db, standard_id))
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _emit(as_json, {"ok": True, "path": str(out)}, f"Đã ghi chuẩn {standard_id} vào {out}")


@standards.command("load", context_settings=CONTEXT)
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP")
@click.option("--note", help="Ghi chú (ví dụ: căn cứ văn bản hướng dẫn mới).")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def standards_load(source, note, user, db_path, as_json):
    """Nạp chuẩn nghèo tạm thời đã bổ sung, hoặc chuẩn riêng của tỉnh; gửi xuống xã theo gói."""
    from gnapp.db import sites
    from gnapp.db import standards as stored

    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"không đọc được tệp chuẩn nghèo ({exc})", source=source.name) from None
    db = _open(db_path)
    row = stored.store(sites.writer(db, _user(db, user)), data, note=note, name=source.name)
    _emit(as_json, {"ok": True, "id": row["code"], "version": row["version"]},
          f"Đã nạp chuẩn {row['code']} (lần {row['version']}); chuẩn được gửi xuống xã trong gói "
          "đồng bộ tiếp theo.")


@cli.group(context_settings=CONTEXT)
def targets():
    """Chỉ tiêu giảm nghèo của từng đơn vị theo năm: nhập từ bảng của kế hoạch, giao cho xã,
    kiểm tra, in và so sánh với kết quả rà soát."""


def _target_issue_line(issue) -> str:
    mark = "LỖI" if issue.severity == "error" else "CẢNH BÁO"
    return f"  {mark}: {issue.message}"


@targets.command("list", context_settings=CONTEXT)
@command_options()
def targets_list(db_path, as_json):
    """Liệt kê các kế hoạch có chỉ tiêu: số đơn vị, các năm, dòng tổng theo văn bản."""
    from gnapp.db import targets as dt

    rows = dt.plans(_open(db_path))
    _emit(as_json, {"ok": True, "count": len(rows), "plans": rows},
          lambda: "\n".join(
              f"{r['plan']}: {r['units']} đơn vị, năm {r['first_year']}–{r['last_year']}, "
              f"{r['rows']} dòng" + (f", {r['stated']} ô dòng tổng theo văn bản"
                                     if r["stated"] else "") + f" (đơn vị {r['owner_unit']})"
              for r in rows) or "Chưa có chỉ tiêu nào.")


@targets.command("import", context_settings=CONTEXT)
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP")
@click.option("--plan", required=True, help="Kế hoạch (văn bản) của bảng, ví dụ 58/KH-UBND.")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và đếm, không ghi gì.")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def targets_import(source, plan, dry_run, user, db_path, as_json):
    """Nhập bảng chỉ tiêu (.csv: stt_printed, unit_name, year, households, poor_households,
    rate_printed; dòng «Tổng» là dòng tổng của văn bản). Tệp có dòng sai thì không ghi gì."""
    from gnapp.db import sites
    from gnapp.db import targets as dt

    db = _open(db_path)
    report = dt.import_file(sites.writer(db, _user(db, user)), source, plan=plan, dry_run=dry_run)

    def text() -> str:
        lines = [f"{'Chạy thử' if dry_run else 'Đã nhập'} {report.file} vào kế hoạch "
                 f"{report.plan}: mới {report.new}, cập nhật {report.updated}, không đổi "
                 f"{report.unchanged} ({report.unit_rows} dòng đơn vị, {report.stated_rows} "
                 "dòng tổng theo văn bản)"]
        if report.matched:
            lines.append("  khớp mã đơn vị: " + ", ".join(
                f"{name} = {code}" for name, code in report.matched.items()))
        if report.unmatched:
            lines.append("  giữ tên như văn bản (chưa có mã): " + ", ".join(report.unmatched))
        if report.ignored_columns:
            lines.append("  cột không dùng: " + ", ".join(report.ignored_columns))
        return "\n".join(lines)

    _emit(as_json, {"ok": True, **report.as_dict()}, text)


@targets.command("check", context_settings=CONTEXT)
@click.option("--plan", required=True, help="Kế hoạch cần kiểm tra, ví dụ 58/KH-UBND.")
@click.option("--goals", "goals_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp JSON các mục tiêu bằng lời của kế hoạch (max_rate, max_rate_year, "
                   "decrease, decrease_from, decrease_to, decrease_above).")
@command_options()
def targets_check(plan, goals_file, db_path, as_json):
    """Kiểm tra bảng chỉ tiêu: tổng từng năm, dòng tổng theo văn bản, tỷ lệ in không khớp số
    hộ, mục tiêu của kế hoạch; mã thoát 1 nếu có điều cần xem."""
    from gnapp.db import targets as dt

    db = _open(db_path)
    goals = dt.read_goals(goals_file) if goals_file else None
    result = dt.check(db, plan, goals)

    def text() -> str:
        lines = [f"Kế hoạch {result.plan}: {len(result.rows)} ô đơn vị × năm, "
                 f"{len(result.flags)} ô tỷ lệ không khớp số hộ, {len(result.rate_first)} ô "
                 "đặt tỷ lệ trước (không đánh dấu)."]
        for total in result.totals.values():
            lines.append(f"  Tổng năm {total.year}: {total.households} hộ, "
                         f"{total.poor_households} hộ nghèo, tỷ lệ "
                         f"{'—' if total.rate is None else str(total.rate).replace('.', ',')}%")
        lines += [_target_issue_line(i) for i in result.issues]
        if not result.issues:
            lines.append("Không có gì cần xem.")
        return "\n".join(lines)

    _emit(as_json, {
        "ok": not result.issues, "plan": result.plan,
        "totals": [{"year": t.year, "households": t.households,
                    "poor_households": t.poor_households,
                    "rate": None if t.rate is None else str(t.rate)}
                   for t in result.totals.values()],
        "flagged": [{"unit_name": f.row.unit_name, "year": f.row.year,
                     "households": f.row.households, "poor_households": f.row.poor_households,
                     "rate_printed": f.row.rate_text, "rate_computed": str(f.computed_rate)}
                    for f in result.flags],
        "rate_first": len(result.rate_first),
        "differences": [{"year": x.year, "field": x.field, "printed": x.printed,
                         "computed": x.computed} for x in result.differences],
        "issues": [i.as_dict() for i in result.issues]}, text)
    sys.exit(1 if result.issues else 0)


@targets.command("print", context_settings=CONTEXT)
@click.option("--plan", required=True, help="Kế hoạch cần in, ví dụ 58/KH-UBND.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp sẽ ghi: .pdf (bản in) hoặc .xlsx (Excel).")
@click.option("--goals", "goals_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp JSON các mục tiêu của kế hoạch để đối chiếu dưới bảng.")
@command_options()
def targets_print(plan, out, goals_file, db_path, as_json):
    """In bảng chỉ tiêu của một kế hoạch (khổ A4 ngang) ra PDF hoặc XLSX."""
    from gnapp.db import targets as dt
    from gnapp.forms import target_reports as trp

    db = _open(db_path)
    goals = dt.read_goals(goals_file) if goals_file else None
    path = trp.print_plan(db, plan, out, goals=goals)
    _emit(as_json, {"ok": True, "plan": plan, "path": str(path)},
          f"Đã in chỉ tiêu của kế hoạch {plan} vào {path}")


@targets.command("set", context_settings=CONTEXT)
@click.argument("unit_code", metavar="MÃ_XÃ")
@click.argument("year", type=int, metavar="NĂM")
@click.option("--households", type=int, required=True, help="Tổng số hộ.")
@click.option("--poor", "poor_households", type=int, help="Số hộ nghèo (tỷ lệ tính từ số hộ).")
@click.option("--rate", help="Tỷ lệ hộ nghèo đặt trước (%, ví dụ 1,5): số hộ nghèo được tính "
              "bằng làm tròn nửa lên tỷ lệ × số hộ ÷ 100.")
@click.option("--plan", help="Kế hoạch (mặc định «Giao chỉ tiêu hằng năm»).")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def targets_set(unit_code, year, households, poor_households, rate, plan, user, db_path,
                as_json):
    """Giao chỉ tiêu của một xã cho một năm: số hộ và số hộ nghèo, hoặc số hộ và tỷ lệ."""
    from gnapp.db import sites
    from gnapp.db import targets as dt

    db = _open(db_path)
    row = dt.set_target(sites.writer(db, _user(db, user)), unit_code, year, households=households,
                        poor_households=poor_households, rate=rate, plan=plan)
    rate_text = f", tỷ lệ đặt trước {row['rate'].replace('.', ',')}%" if row["rate_first"] \
        else ""
    _emit(as_json, {"ok": True, "target": {k: row[k] for k in (
        "id", "plan", "unit_code", "unit_name", "year", "households", "poor_households", "rate",
        "rate_first")}},
          f"Đã ghi chỉ tiêu năm {year} của {row['unit_name']} ({row['plan']}): "
          f"{row['households']} hộ, {row['poor_households']} hộ nghèo{rate_text}")


@targets.command("compare", context_settings=CONTEXT)
@click.option("--year", type=int, required=True, help="Năm so sánh (đợt rà soát của năm đó).")
@click.option("--unit", "unit_code", metavar="MÃ", help="Chỉ một xã (máy của cơ quan cấp trên).")
@click.option("--plan", help="Chỉ chỉ tiêu của kế hoạch này.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="In ra tệp .pdf hoặc .xlsx.")
@command_options()
def targets_compare(year, unit_code, plan, out, db_path, as_json):
    """So sánh chỉ tiêu của năm với kết quả đợt rà soát năm đó (số hộ, hộ nghèo, tỷ lệ)."""
    from gnapp.db import targets as dt
    from gnapp.domain import targets as tg
    from gnapp.forms import target_reports as trp

    db = _open(db_path)
    found = dt.comparison(db, year, unit_code, plan)
    path = trp.print_comparison(db, year, out, unit_code=unit_code, plan=plan) if out else None

    def rate_text(value) -> str:
        return "—" if value is None else f"{str(value).replace('.', ',')}%"

    def text() -> str:
        lines = [f"{c.unit_name} ({c.unit_code}): chỉ tiêu "
                 + (f"{c.target.households} hộ, {c.target.poor_households} hộ nghèo, "
                    f"{rate_text(c.target_rate)}" if c.target else "—")
                 + "; kết quả "
                 + (f"{c.households} hộ, {c.poor_households} hộ nghèo, "
                    f"{rate_text(c.result_rate)}" if c.households else "—")
                 + f": {tg.VERDICTS[c.verdict]}" for c in found]
        if not found:
            lines.append(f"Chưa có chỉ tiêu hay kết quả rà soát nào của năm {year}.")
        if path:
            lines.append(f"Đã in vào {path}")
        return "\n".join(lines)

    _emit(as_json, {"ok": True, "year": year, "path": str(path) if path else None,
                    "units": [{"unit_code": c.unit_code, "unit_name": c.unit_name,
                               "target_households": c.target.households if c.target else None,
                               "target_poor_households":
                                   c.target.poor_households if c.target else None,
                               "target_rate": None if c.target_rate is None
                               else str(c.target_rate),
                               "households": c.households,
                               "poor_households": c.poor_households,
                               "rate": None if c.result_rate is None else str(c.result_rate),
                               "verdict": c.verdict} for c in found]}, text)


# -- plans and reports (documents) -------------------------------------------------------------

@cli.group(context_settings=CONTEXT)
def documents():
    """Kế hoạch, báo cáo của xã: lập từ mẫu, in PDF, xuất Word, ký ban hành."""


def _document_json(row: dict) -> dict[str, Any]:
    return {"id": row["id"], "kind": row["kind"], "year": row["year"],
            "subject": row["subject"], "state": row["state"], "template": row["template"],
            "period_id": row["period_id"],
            "number": f"{row['number']}/{row['symbol']}" if row.get("number") else None,
            "signed_on": row["signed_on"]}


def _document_line(row: dict) -> str:
    from gnapp.domain import plan_docs

    number = f"số {row['number']}/{row['symbol']}" if row.get("number") else "chưa có số"
    return (f"{row['id']}  {plan_docs.KINDS[row['kind']]} năm {row['year']}: {row['subject']} "
            f"– {plan_docs.STATES[row['state']]}, {number}")


@documents.command("templates", context_settings=CONTEXT)
@command_options()
def documents_templates(db_path, as_json):
    """Các mẫu kế hoạch, báo cáo đi kèm phần mềm."""
    from gnapp.forms import plan_document

    found = plan_document.templates()
    _emit(as_json, {"ok": True, "templates": [
        {"name": name, "kind": t["kind"], "label": t["label"],
         "description": t.get("description")} for name, t in found.items()]},
          lambda: "\n".join(f"{name}  {t['label']}" for name, t in found.items()))


@documents.command("new", context_settings=CONTEXT)
@click.argument("template_name", metavar="MẪU")
@click.option("--year", type=int, required=True, help="Năm của kế hoạch, báo cáo.")
@click.option("--period", "period_id", help="Mã kỳ báo cáo (nếu văn bản báo cáo một kỳ).")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def documents_new(template_name, year, period_id, user, db_path, as_json):
    """Lập văn bản mới (dự thảo) từ mẫu, điền năm, tên xã và kỳ báo cáo."""
    from gnapp.db import sites
    from gnapp.forms import plan_document

    db = _open(db_path)
    row = sites.writer(db, _user(db, user)).transact(
        lambda w: plan_document.new_from_template(w, template_name, year=year,
                                                  period_id=period_id)).result
    _emit(as_json, {"ok": True, "document": _document_json(row)},
          f"Đã lập dự thảo: {_document_line(row)}")


@documents.command("list", context_settings=CONTEXT)
@command_options()
def documents_list(db_path, as_json):
    """Các kế hoạch, báo cáo: mã, loại, năm, trích yếu, trạng thái, số."""
    from gnapp.db import plan_documents

    found = plan_documents.documents(_open(db_path))
    _emit(as_json, {"ok": True, "count": len(found),
                    "documents": [_document_json(r) for r in found]},
          lambda: "\n".join(_document_line(r) for r in found) or "Chưa có văn bản nào.")


def _write_document(doc_ref: str, out: Path, suffix: str, db_path: Path, as_json: bool) -> None:
    from gnapp.db import plan_documents
    from gnapp.forms import plan_document

    if out.suffix.lower() != suffix:
        raise InputError(f"Tệp phải có đuôi {suffix}: {out.name}", field="--out")
    db = _open(db_path)
    row = plan_documents.find(db, doc_ref)
    picture = None
    if suffix == ".docx":         # charts go into Word as pictures, drawn by Qt
        from gnapp.ui.charts import chart_png, ensure_gui

        ensure_gui()
        picture = chart_png
    path = plan_document.write(db, row["id"], out, picture=picture)
    _emit(as_json, {"ok": True, "path": str(path), "document": _document_json(row)},
          f"Đã ghi {path}")


@documents.command("print", context_settings=CONTEXT)
@click.argument("doc_ref", metavar="MÃ")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Tệp PDF ghi ra.")
@command_options()
def documents_print(doc_ref, out, db_path, as_json):
    """In văn bản ra PDF (dự thảo: số liệu hiện tại; đã ký: đúng như khi ký)."""
    _write_document(doc_ref, out, ".pdf", db_path, as_json)


@documents.command("docx", context_settings=CONTEXT)
@click.argument("doc_ref", metavar="MÃ")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Tệp Word (.docx) ghi ra.")
@command_options()
def documents_docx(doc_ref, out, db_path, as_json):
    """Xuất văn bản ra Word (.docx) để hoàn thiện câu chữ."""
    _write_document(doc_ref, out, ".docx", db_path, as_json)


@documents.command("sign", context_settings=CONTEXT)
@click.argument("doc_ref", metavar="MÃ")
@click.option("--number", type=int, help="Số văn bản (mặc định: số tiếp theo trong sổ văn bản).")
@click.option("--date", "signed_on", help="Ngày ký (dd/mm/yyyy; mặc định: hôm nay).")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def documents_sign(doc_ref, number, signed_on, user, db_path, as_json):
    """Ký ban hành: cấp số, ghi ngày, chốt số liệu các bảng; sau đó văn bản không sửa được."""
    from datetime import date

    from gnapp.db import plan_documents, sites
    from gnapp.domain.dates import parse_date
    from gnapp.forms import plan_document

    db = _open(db_path)
    day = parse_date(signed_on, field="--date") if signed_on else date.today()
    row = plan_documents.find(db, doc_ref)
    signed = plan_document.sign(sites.writer(db, _user(db, user)), row["id"], day=day, number=number)
    _emit(as_json, {"ok": True, "document": _document_json(signed)},
          f"Đã ký ban hành: {_document_line(signed)}")


# -- progress reporting -------------------------------------------------------------------------

@cli.group(context_settings=CONTEXT)
def progress():
    """Kỳ báo cáo tiến độ: số liệu chỉ tiêu, kiểm tra, hoàn thành, tổng hợp của cấp trên."""


_PERIOD_ALIASES = {"6thang": "half_year", "9thang": "nine_months", "nam": "year"}
_PERIOD_HELP = ("KỲ: mã kỳ báo cáo, hoặc LOẠI/NĂM (half_year/2026, nine_months/2026, "
                "year/2026; viết tắt 6thang, 9thang, nam)")


def _period(db, ref: str) -> dict:
    from gnapp.db import progress as pg
    from gnapp.db import sites
    from gnapp.domain.errors import InputError

    if "/" in ref:
        kind, _, year = ref.partition("/")
        kind = _PERIOD_ALIASES.get(kind.strip().lower(), kind.strip())
        if not year.strip().isdigit():
            raise InputError(f"Kỳ «{ref}»: năm không đúng.", field="period")
        found = pg.find_period(db, sites.require_site(db).unit_code, kind, int(year))
        if found is None:
            raise InputError(f"Chưa có kỳ báo cáo «{ref}»; mở kỳ bằng «gnapp progress open».",
                             field="period")
        return found
    matches = [p for p in pg.periods(db) if p["id"] == ref or p["id"].endswith(ref)]
    if len(matches) != 1:
        raise InputError(f"Không tìm thấy một kỳ báo cáo có mã «{ref}».", field="period")
    return matches[0]


def _period_json(p: dict) -> dict:
    return {k: p.get(k) for k in ("id", "kind", "year", "seq", "title", "label", "starts_on",
                                  "ends_on", "due_on", "state", "status", "status_label",
                                  "comment", "overdue")}


def _kind_option(fn):
    from gnapp.domain.progress import PERIOD_KINDS

    return click.argument("kind", type=click.Choice(list(PERIOD_KINDS)))(fn)


@progress.command("indicators", context_settings=CONTEXT)
@click.option("--year", type=int, default=None, help="Năm (mặc định: năm nay).")
@command_options()
def progress_indicators(year, db_path, as_json):
    """Khung chỉ tiêu: nhóm, mã, tên, đơn vị tính, nguồn số liệu."""
    from datetime import date

    from gnapp.db import progress as pg

    db = _open(db_path)
    frame = pg.framework(db, year or date.today().year)
    items = [{"code": i.code, "group": i.group, "name": i.name, "unit": frame.unit_label(i),
              "part_of": i.part_of, "computed": i.computed,
              "rate_of": list(i.rate_of) if i.rate_of else None} for i in frame.indicators]
    _emit(as_json, {"ok": True, "indicators": items},
          lambda: "\n".join(f"{i['code']:<28} {i['name']} ({i['unit']})"
                             + (" [tính từ dữ liệu]" if i["computed"] or i["rate_of"] else "")
                             for i in items))


@progress.command("add-indicator", context_settings=CONTEXT)
@click.argument("code", metavar="MÃ")
@click.option("--group", required=True, help="Nhóm (mã nhóm có sẵn như CS.BHYT, hoặc nhóm mới).")
@click.option("--name", required=True, help="Tên chỉ tiêu.")
@click.option("--unit", required=True, help="Đơn vị tính (mã: ho, nguoi, luot_nguoi, dong, kg, …).")
@click.option("--part-of", help="Mã chỉ tiêu tổng mà chỉ tiêu này là một phần («trong đó»).")
@click.option("--group-name", help="Tên nhóm mới.")
@click.option("--per", type=click.Choice(["quarter", "semester"]),
              help="Báo cáo theo quý hoặc theo học kỳ.")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def progress_add_indicator(code, group, name, unit, part_of, group_name, per, user, db_path,
                           as_json):
    """Máy cấp trên bổ sung chỉ tiêu vào khung chỉ tiêu của cấp dưới (đi xuống trong gói)."""
    from gnapp.db import progress as pg
    from gnapp.db import sites

    db = _open(db_path)
    row = pg.add_indicator(sites.writer(db, _user(db, user)), code=code, group=group, name=name, unit=unit,
                           part_of=part_of, group_name=group_name, per=per)
    _emit(as_json, {"ok": True, "indicator_def_id": row["id"], "code": row["code"]},
          f"Đã bổ sung chỉ tiêu {row['code']}; chỉ tiêu đi xuống cấp dưới trong gói tiếp theo.")


@progress.command("periods", context_settings=CONTEXT)
@command_options()
def progress_periods(db_path, as_json):
    """Các kỳ báo cáo của đơn vị: hạn nộp, trạng thái (quá hạn, bị trả lại kèm ý kiến)."""
    from gnapp.db import progress as pg

    db = _open(db_path)
    rows = pg.periods(db)
    _emit(as_json, {"ok": True, "periods": [_period_json(p) for p in rows]},
          lambda: "\n".join(
              f"{p['id'][-8:]}  {p['label']:<42} hạn {p['due_on'] or '—':<10} {p['status_label']}"
              + (" — QUÁ HẠN" if p["overdue"] else "")
              + (f" — ý kiến: {p['comment']}" if p["comment"] else "") for p in rows)
          or "Chưa có kỳ báo cáo nào.")


@progress.command("open", context_settings=CONTEXT)
@_kind_option
@click.argument("year", type=int, metavar="NĂM")
@click.option("--title", help="Nội dung (bắt buộc với báo cáo đột xuất).")
@click.option("--from", "starts_on", help="Ngày bắt đầu (dd/mm/yyyy).")
@click.option("--to", "ends_on", help="Ngày kết thúc (dd/mm/yyyy).")
@click.option("--due", "due_on", help="Hạn nộp (dd/mm/yyyy; mặc định theo lịch báo cáo).")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def progress_open(kind, year, title, starts_on, ends_on, due_on, user, db_path, as_json):
    """Mở một kỳ báo cáo; hạn nộp lấy theo lịch báo cáo của cấp mình."""
    from gnapp.db import progress as pg
    from gnapp.db import sites
    from gnapp.domain.dates import parse_date

    db = _open(db_path)
    days = {k: parse_date(v, field=f"--{k}") if v else None for k, v in
            (("from", starts_on), ("to", ends_on), ("due", due_on))}
    row = pg.create_period(sites.writer(db, _user(db, user)), kind, year, title=title,
                           starts_on=days["from"], ends_on=days["to"], due_on=days["due"])
    _emit(as_json, {"ok": True, "period": _period_json({**row, "status": row["state"]})},
          f"Đã mở kỳ báo cáo {row['label']} (mã {row['id'][-8:]}), hạn nộp "
          f"{row['due_on'] or 'chưa đặt'}.")


@progress.command("figures", context_settings=CONTEXT)
@click.argument("period_ref", metavar="KỲ")
@click.option("--all", "show_all", is_flag=True, help="Cả các chỉ tiêu chưa có số liệu.")
@command_options()
def progress_figures(period_ref, show_all, db_path, as_json):
    """Số liệu của kỳ: kế hoạch, ước, thực hiện (số tính từ dữ liệu có dấu *), theo văn bản."""
    from gnapp.db import progress as pg
    from gnapp.domain.progress import store_text

    db = _open(db_path)
    period = _period(db, period_ref)
    found = pg.figures(db, period["id"])
    items = [{"code": code, "name": f.indicator.name, "target": store_text(f.target),
              "estimate": store_text(f.estimate), "actual": store_text(f.value),
              "stated": store_text(f.stated), "computed": f.computed is not None,
              "note": f.note} for code, f in found.items()]
    if not show_all:
        items = [i for i in items if any(i[k] is not None for k in ("target", "estimate",
                                                                     "actual", "stated"))]
    _emit(as_json, {"ok": True, "period": _period_json(period), "figures": items},
          lambda: f"{period['label']}:\n" + "\n".join(
              f"{i['code']:<28} KH {i['target'] or '':>12} TH {i['actual'] or '':>14}"
              f"{'*' if i['computed'] else ' '} VB {i['stated'] or ''}  {i['name']}"
              for i in items))


@progress.command("set", context_settings=CONTEXT)
@click.argument("period_ref", metavar="KỲ")
@click.argument("code", metavar="MÃ_CHỈ_TIÊU")
@click.option("--target", help="Kế hoạch (ví dụ 1.500).")
@click.option("--estimate", help="Ước thực hiện cả năm.")
@click.option("--actual", help="Thực hiện (chỉ với chỉ tiêu nhập tay).")
@click.option("--stated", help="Số theo văn bản (để đối chiếu với số tính từ dữ liệu).")
@click.option("--note", help="Ghi chú.")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def progress_set(period_ref, code, target, estimate, actual, stated, note, user, db_path,
                 as_json):
    """Nhập số liệu của một chỉ tiêu trong kỳ (số viết kiểu Việt Nam: 1.234,5)."""
    from gnapp.db import progress as pg
    from gnapp.db import sites

    db = _open(db_path)
    period = _period(db, period_ref)
    columns = {k: v for k, v in (("target", target), ("estimate", estimate),
                                 ("actual", actual), ("stated", stated)) if v is not None}
    row = pg.set_figure(sites.writer(db, _user(db, user)), period["id"], code, note=note, **columns)
    _emit(as_json, {"ok": True, "indicator": code, "row_id": row["id"] if row else None},
          f"Đã ghi số liệu {code} của kỳ {period['label']}.")


def _issues_text(found) -> str:
    if not found:
        return "Không có lỗi hay cảnh báo."
    return "\n".join(f"{'LỖI' if i.severity == 'error' else 'Cảnh báo'}: {i.message}"
                     for i in found)


@progress.command("check", context_settings=CONTEXT)
@click.argument("period_ref", metavar="KỲ")
@command_options()
def progress_check(period_ref, db_path, as_json):
    """Kiểm tra số liệu của kỳ: lỗi (chặn hoàn thành) và cảnh báo. Mã thoát 1 khi có lỗi."""
    from gnapp.db import progress as pg
    from gnapp.domain.issues import has_errors

    db = _open(db_path)
    found = pg.check_period(db, _period(db, period_ref)["id"])
    _emit(as_json, {"ok": not has_errors(found), "issues": [i.as_dict() for i in found]},
          lambda: _issues_text(found))
    if has_errors(found):
        sys.exit(1)


@progress.command("complete", context_settings=CONTEXT)
@click.argument("period_ref", metavar="KỲ")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def progress_complete(period_ref, user, db_path, as_json):
    """Hoàn thành kỳ báo cáo (chỉ khi không còn lỗi); số liệu được chốt và gửi lên cấp trên."""
    from gnapp.db import progress as pg
    from gnapp.db import sites

    db = _open(db_path)
    row = pg.complete_period(sites.writer(db, _user(db, user)), _period(db, period_ref)["id"])
    _emit(as_json, {"ok": True, "period": _period_json({**row, "status": row["state"]})},
          f"Đã hoàn thành kỳ báo cáo {row['label']}; số liệu đi lên cấp trên trong gói "
          "đồng bộ tiếp theo.")


@progress.command("reopen", context_settings=CONTEXT)
@click.argument("period_ref", metavar="KỲ")
@click.option("--reason", required=True, help="Lý do mở lại.")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def progress_reopen(period_ref, reason, user, db_path, as_json):
    """Mở lại kỳ báo cáo đã hoàn thành để sửa (không được khi cấp trên đã phê duyệt)."""
    from gnapp.db import progress as pg
    from gnapp.db import sites

    db = _open(db_path)
    row = pg.reopen_period(sites.writer(db, _user(db, user)), _period(db, period_ref)["id"], reason=reason)
    _emit(as_json, {"ok": True, "period": _period_json({**row, "status": row["state"]})},
          f"Đã mở lại kỳ báo cáo {row['label']}.")


@progress.command("print", context_settings=CONTEXT)
@click.argument("period_ref", metavar="KỲ")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Tệp .pdf hoặc .xlsx.")
@command_options()
def progress_print(period_ref, out, db_path, as_json):
    """In biểu kết quả thực hiện của kỳ (PDF hoặc XLSX)."""
    from gnapp.forms import progress_reports
    from gnapp.forms.catalog import render

    db = _open(db_path)
    path = render(progress_reports.period_report(db, _period(db, period_ref)["id"]), out)
    _emit(as_json, {"ok": True, "path": str(path)}, f"Đã lập {path}.")


@progress.command("rollup", context_settings=CONTEXT)
@_kind_option
@click.argument("year", type=int, metavar="NĂM")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="In bảng tổng hợp ra tệp .pdf hoặc .xlsx.")
@command_options()
def progress_rollup(kind, year, out, db_path, as_json):
    """Máy cấp trên: cộng số liệu các xã đã hoàn thành kỳ, liệt kê các xã còn thiếu."""
    from gnapp.db import progress as pg
    from gnapp.domain.progress import store_text
    from gnapp.forms import progress_reports
    from gnapp.forms.catalog import render

    db = _open(db_path)
    found = pg.rollup(db, kind, year)
    path = render(progress_reports.rollup_report(db, kind, year), out) if out else None
    data = {"ok": True, "label": found.label,
            "included": [c["code"] for c in found.included],
            "missing": [{"code": c["code"], "name": c["name"], "reason": r}
                        for c, r in found.missing],
            "totals": {code: store_text(f.value) for code, f in found.totals.items()
                       if f.value is not None},
            "path": str(path) if path else None}
    _emit(as_json, data, lambda: (
        f"{found.label}: {len(found.included)} đơn vị có số liệu, {len(found.missing)} "
        "đơn vị còn thiếu.\n" + "\n".join(f"  thiếu {c['name']} ({c['code']}): {r}"
                                            for c, r in found.missing)
        + (f"\nĐã lập {path}." if path else "")))


@progress.command("deadline", context_settings=CONTEXT)
@click.argument("level", type=click.Choice(["commune", "district", "province"]))
@_kind_option
@click.argument("due", metavar="NGÀY/THÁNG")
@click.option("--recipient", help="Nơi nhận báo cáo.")
@click.option("--basis", help="Căn cứ (văn bản quy định hạn nộp).")
@click.option("--user", help="Người thực hiện (ghi vào nhật ký).")
@command_options()
def progress_deadline(level, kind, due, recipient, basis, user, db_path, as_json):
    """Máy cấp trên đặt hạn nộp báo cáo cho cấp dưới (ví dụ commune year 05/12)."""
    from gnapp.db import progress as pg
    from gnapp.db import sites

    db = _open(db_path)
    row = pg.set_deadline(sites.writer(db, _user(db, user)), level=level, kind=kind, due=due,
                          recipient=recipient, basis=basis)
    _emit(as_json, {"ok": True, "deadline_id": row["id"]},
          f"Đã đặt hạn nộp {row['due_day']:02d}/{row['due_month']:02d} cho báo cáo {kind} "
          f"của cấp {level}; hạn đi xuống trong gói đồng bộ tiếp theo.")


def _period_decision(state, commune, kind, year, comment, user, db_path, as_json):
    from gnapp.db.progress import STATE_LABELS
    from gnapp.sync import approvals

    db = _open(db_path)
    row = approvals.decide_period(db, commune=commune, kind=kind, year=year, state=state,
                                  comment=comment, user=_user(db, user))
    _emit(as_json, {"ok": True, "decision_id": row["id"], "state": state,
                    "fingerprint": row["fingerprint"], "figures": row["row_count"]},
          f"Đã ghi: {STATE_LABELS[state]} ({row['row_count']} số liệu). Quyết định được gửi "
          "xuống xã trong gói đồng bộ tiếp theo.")


@progress.command("approve", context_settings=CONTEXT)
@click.option("--commune", required=True, metavar="MÃ_XÃ", help="Mã xã.")
@_kind_option
@click.argument("year", type=int, metavar="NĂM")
@click.option("--user", help="Người quyết định (ghi vào nhật ký).")
@command_options()
def progress_approve(commune, kind, year, user, db_path, as_json):
    """Máy cấp trên phê duyệt kỳ báo cáo của xã (khóa số liệu đã duyệt)."""
    _period_decision("approved", commune, kind, year, None, user, db_path, as_json)


@progress.command("return", context_settings=CONTEXT)
@click.option("--commune", required=True, metavar="MÃ_XÃ", help="Mã xã.")
@_kind_option
@click.argument("year", type=int, metavar="NĂM")
@click.option("--comment", required=True, help="Ý kiến: xã cần sửa gì.")
@click.option("--user", help="Người quyết định (ghi vào nhật ký).")
@command_options()
def progress_return(commune, kind, year, comment, user, db_path, as_json):
    """Máy cấp trên trả lại kỳ báo cáo cho xã kèm ý kiến (xã mở lại để sửa)."""
    _period_decision("returned", commune, kind, year, comment, user, db_path, as_json)


@cli.group(context_settings=CONTEXT)
def users() -> None:
    """Người dùng của máy này: vai trò, mật khẩu, khóa tài khoản, bật tắt đăng nhập.

    Vai trò: officer (cán bộ xã: nhập liệu), leader (lãnh đạo xã: duyệt, ký, mở khóa),
    supervisor (cán bộ cấp trên: gộp gói, duyệt, trả lại), admin (quản trị: tất cả, người dùng,
    cài đặt). Các lệnh thay đổi cần --user của một quản trị.
    """


_ROLE_CHOICE = click.Choice(["officer", "leader", "supervisor", "admin"])


def _user_line(u: dict) -> str:
    state = "đang hoạt động" if u["active"] else "đã ngừng"
    if u.get("locked_until"):
        state += f", khóa đến {u['locked_until']}"
    return f"{u['name']:<14} {u['full_name']:<28} {u['role_label']:<16} {state}"


@users.command("list", context_settings=CONTEXT)
@command_options()
def users_list(db_path, as_json):
    """Danh sách người dùng (không in mật khẩu)."""
    from gnapp.db import users as users_db

    db = _open(db_path)
    rows = users_db.all_users(db)
    _emit(as_json, {"ok": True, "login_required": users_db.login_required(db), "users": rows},
          lambda: "\n".join([_user_line(u) for u in rows]
                            + [f"Đăng nhập khi mở phần mềm: "
                               f"{'có' if users_db.login_required(db) else 'không'}"]))


def _new_password() -> str:
    """A new user's password: GNAPP_NEW_PASSWORD, or asked twice (hidden)."""
    password = os.environ.get("GNAPP_NEW_PASSWORD")
    if password is None:
        password = click.prompt("Mật khẩu mới", hide_input=True, confirmation_prompt=
                                "Nhập lại mật khẩu mới", err=True)
    return password


@users.command("add", context_settings=CONTEXT)
@click.argument("name", metavar="TÊN")
@click.option("--full-name", required=True, help="Họ và tên.")
@click.option("--role", type=_ROLE_CHOICE, required=True, help="Vai trò.")
@click.option("--user", help="Quản trị thực hiện.")
@command_options()
def users_add(name, full_name, role, user, db_path, as_json):
    """Thêm người dùng TÊN (mật khẩu hỏi khi chạy hoặc lấy từ GNAPP_NEW_PASSWORD)."""
    from gnapp.db import users as users_db

    db = _open(db_path)
    by = _user(db, user)
    row = users_db.add(db, by, name, full_name, role=role, password=_new_password())
    _emit(as_json, {"ok": True, "user": row["name"], "role": role},
          f"Đã thêm người dùng {row['name']} ({users_db.role_label(role)}).")


@users.command("set-role", context_settings=CONTEXT)
@click.argument("name", metavar="TÊN")
@click.argument("role", type=_ROLE_CHOICE)
@click.option("--user", help="Quản trị thực hiện.")
@command_options()
def users_set_role(name, role, user, db_path, as_json):
    """Đổi vai trò của người dùng TÊN."""
    from gnapp.db import users as users_db

    db = _open(db_path)
    row = users_db.set_role(db, _user(db, user), name, role)
    _emit(as_json, {"ok": True, "user": row["name"], "role": role},
          f"{row['name']}: vai trò {users_db.role_label(role)}.")


@users.command("deactivate", context_settings=CONTEXT)
@click.argument("name", metavar="TÊN")
@click.option("--user", help="Quản trị thực hiện.")
@command_options()
def users_deactivate(name, user, db_path, as_json):
    """Ngừng tài khoản TÊN (giữ lại tên trong nhật ký)."""
    from gnapp.db import users as users_db

    db = _open(db_path)
    row = users_db.set_active(db, _user(db, user), name, False)
    _emit(as_json, {"ok": True, "user": row["name"], "active": False},
          f"Đã ngừng tài khoản {row['name']}.")


@users.command("unlock", context_settings=CONTEXT)
@click.argument("name", metavar="TÊN")
@click.option("--user", help="Quản trị thực hiện.")
@command_options()
def users_unlock(name, user, db_path, as_json):
    """Mở khóa tài khoản TÊN bị khóa do nhập sai mật khẩu."""
    from gnapp.db import users as users_db

    db = _open(db_path)
    row = users_db.unlock(db, _user(db, user), name)
    _emit(as_json, {"ok": True, "user": row["name"]}, f"Đã mở khóa tài khoản {row['name']}.")


@users.command("reset-password", context_settings=CONTEXT)
@click.argument("name", metavar="TÊN")
@click.option("--password", "password", help="Mật khẩu mới (mặc định: tạo ngẫu nhiên và in ra).")
@command_options()
def users_reset_password(name, password, db_path, as_json):
    """Khôi phục mật khẩu của TÊN (kể cả quản trị quên mật khẩu) ngay trên máy này.

    Chỉ cần quyền mở tệp dữ liệu trên máy: ai mở được tệp thì cũng sửa được tệp, nên việc
    bảo vệ tệp dữ liệu (tài khoản Windows, khóa máy) là ranh giới an toàn. Người dùng phải đổi
    mật khẩu ở lần đăng nhập tới; nhật ký ghi lại việc khôi phục.
    """
    from gnapp.db import users as users_db

    db = _open(db_path)
    new = users_db.reset_password(db, None, name, password=password, recovery=True)
    _emit(as_json, {"ok": True, "user": name, "password": new},
          f"Mật khẩu mới của {name}: {new}\nHãy đăng nhập và đổi mật khẩu ngay.")


@users.command("login-required", context_settings=CONTEXT)
@click.argument("state", type=click.Choice(["on", "off"]))
@click.option("--user", help="Quản trị thực hiện.")
@command_options()
def users_login_required(state, user, db_path, as_json):
    """Bật (on) hoặc tắt (off) việc đăng nhập khi mở phần mềm (tắt: máy một người dùng)."""
    from gnapp.db import users as users_db

    db = _open(db_path)
    users_db.set_login_required(db, _user(db, user), state == "on")
    _emit(as_json, {"ok": True, "login_required": state == "on"},
          "Từ nay phải đăng nhập khi mở phần mềm." if state == "on"
          else "Từ nay không cần đăng nhập khi mở phần mềm.")


cli_text.name_placeholders(cli, report_make)


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="gnapp", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
