"""`make bench` / `make bench-quick`: generate (or reuse) the synthetic province, then measure
every figure of issue 9 with, for write-heavy operations, a baseline measured in the same run;
print each figure with its ratio and target, and write ``bench/results.json``.

Run: ``python -m bench --size quick|full`` or ``--communes N --households M`` for a fraction
of the full size; ``--cache DIR`` for where the province is kept (default
``bench/.cache/<size>/``), ``--out FILE`` for the results (default ``bench/results.json``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import sqlite3
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from bench import core, measure
from bench import province as pv

importlib.import_module("bench.home_screen")   # registers its entry in measure.ENTRY_FUNCTIONS
RESULTS = pv.ROOT / "results.json"


def machine() -> dict:
    """CPU model, cores, RAM, Python and SQLite versions of this machine."""
    cpu = platform.processor() or platform.machine()
    ram = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_bytes": ram,
            "ram_gb": round(ram / 1024**3, 1) if ram else None,
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform()}


def line(e: measure.Entry) -> str:
    """One printed line: figure, baseline and ratio, target and whether it is met."""
    text = f"{e.name:<62} {e.value:>12,.4f} {e.unit}"
    if e.baseline is not None:
        text += f"  baseline {e.baseline:,.4f} {e.unit}  ratio {e.ratio:.2f}"
    if e.target is not None:
        text += f"  target {e.target['op']} {e.target['value']:g}: " \
                + ("đạt" if e.met else "KHÔNG ĐẠT")
    return text


def run(communes: int, households: int, *, cache: Path | None = None,
        out: Path = RESULTS, work: Path | None = None, core_rows: int = core.ROWS,
        skip: Sequence[str] = (), jobs: int | None = None) -> dict:
    """Generate or reuse the province (missing communes in ``jobs`` processes), run every
    entry function, write ``out``."""
    started = time.perf_counter()
    province = pv.generate(communes, households, folder=cache, jobs=jobs)
    work = Path(work or province.folder / "work")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ctx = measure.Context(province=province, work=work, log=print)
    entries: list[measure.Entry] = []
    errors: list[dict] = []
    functions = [*measure.ENTRY_FUNCTIONS, *core.CORE_FUNCTIONS]
    for fn in functions:
        if fn.__name__ in skip:
            continue
        print(f"-- {fn.__name__}", flush=True)
        try:
            made = fn(ctx, core_rows) if fn in (core.write_path,) else fn(ctx)
        except Exception as exc:  # one broken measurement must not lose the others
            traceback.print_exc()
            errors.append({"function": fn.__name__, "error": f"{type(exc).__name__}: {exc}"})
            continue
        for e in made:
            print(line(e), flush=True)
        entries += made
    errors += ctx.errors
    gen = province.generation()
    merge = ctx.extra.get("merge", {})
    results = {
        "size": {"label": pv.size_label(communes, households), "communes": communes,
                 "households_per_commune": households,
                 "households": gen["households"], "members": gen["members"],
                 "rows": gen["rows"], "fraction_of_full": round(
                     communes * households / (pv.SIZES["full"][0] * pv.SIZES["full"][1]), 4),
                 "office_households": merge.get("households")},
        "machine": machine(),
        "run_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "entries": [e.as_dict() for e in entries],
        "details": {"merge": merge, "generation": gen},
        "errors": errors,
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, ensure_ascii=False, indent=1) + "\n"
    out.write_text(text, encoding="utf-8")
    (province.folder / "results.json").write_text(text, encoding="utf-8")  # per size
    missed = [e for e in entries if e.met is False]
    print(f"\n{len(entries)} số đo, {sum(1 for e in entries if e.met)} đạt, {len(missed)} "
          f"không đạt mục tiêu; kết quả: {out}")
    for error in errors:
        print(f"LỖI khi đo {error['function']}: {error['error']}", file=sys.stderr)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(pv.SIZES), default="full")
    parser.add_argument("--communes", type=int, help="communes (a fraction of the size)")
    parser.add_argument("--households", type=int, help="households per commune")
    parser.add_argument("--cache", type=Path, help="folder of the province "
                                                   "(default bench/.cache/<size>)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file")
    parser.add_argument("--rows", type=int, default=core.ROWS,
                        help="rows of the write-path benchmark")
    parser.add_argument("--skip", action="append", default=[],
                        help="an entry function not to run (e.g. cold_start)")
    parser.add_argument("--jobs", type=int, default=pv.JOBS,
                        help=f"communes generated at once (default {pv.JOBS})")
    args = parser.parse_args(argv)
    communes, households = pv.size_of(args.size)
    results = run(args.communes or communes, args.households or households, cache=args.cache,
                  out=args.out, core_rows=args.rows, skip=args.skip, jobs=args.jobs)
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
