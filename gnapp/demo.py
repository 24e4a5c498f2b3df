"""The demo dataset (``gnapp demo``): a commune with its villages.

Later parts of the app (register, review, allocations, projects, progress) add their own
demo data here. Filling is idempotent: running it twice adds nothing the second time.
"""

from __future__ import annotations

from sqlite_utils import Database

from gnapp.db import sites, units

DEMO_COMMUNE = "15865"  # Xã Hoằng Hóa, Thanh Hóa (the commune of source document [003])
DEMO_VILLAGES = ("Thôn Kim Sơn", "Thôn Phú Kim", "Thôn Đông Kim", "Thôn Trung Kim", "Thôn Bắc Kim",
                 "Thôn Hồng Kim", "Thôn Quang Kim", "Thôn Tân Kim")


def fill(db: Database) -> dict:
    """Initialise the demo commune if the database is empty, then add what is missing."""
    site = sites.local_site(db) or sites.init_site(
        db, DEMO_COMMUNE, "commune", user="canbo", user_full_name="Lê Thị Hương")
    if site.role != "commune":
        raise sites.GnappError("Dữ liệu mẫu chỉ dùng cho máy của xã.")
    writer = sites.writer(db)
    have = {v["name"] for v in units.children(db, site.unit_code, level="village")}
    missing = [name for name in DEMO_VILLAGES if name not in have]
    writer.transact(lambda w: [units.add_village(w, name) for name in missing])
    unit = units.get_unit(db, site.unit_code)
    return {"unit_code": site.unit_code, "unit_name": unit["name"],
            "villages": len(units.children(db, site.unit_code, level="village")),
            "villages_added": len(missing)}
