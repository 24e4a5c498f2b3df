"""An extrapolation of a fraction run's results.json to the full size (100 × 8,000): an
estimate, not a measurement. ``python -m bench.extrapolate [bench/results.json]`` prints a
Markdown table with the rule used for each figure (``--measured``: the measured figures).

Rules (stated with each row):
- figures of one commune (export, package size, a commune's reports and list, its cold
  start, the core benchmarks) do not depend on the number of communes: kept as measured,
  and so is the next page of the list (keyset paging seeks an index);
- figures over the whole province (its reports, its list, search over all members, the
  office's cold start) are taken to grow linearly with the province's households: a
  straight line through this run and a smaller run of the same suite (``--with``, by
  default the quick run's ``bench/.cache/quick/results.json``) when there is one and the
  figure grew between them (else kept as measured), or in proportion to the households
  without a smaller run;
- the merge holds one package in memory at a time: its peak RSS depends on the size of a
  commune, not on their number, so a run with communes of the full size keeps it as
  measured (a run with smaller communes scales it to the full commune size);
- the merge keeps its rate per row (rows/s), so its time grows with the rows.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from bench import province as pv

FULL_COMMUNES, FULL_HOUSEHOLDS = pv.SIZES["full"]


def _key(name: str) -> str:
    """An entry's name without its sizes, to pair the entries of two runs."""
    return re.sub(r"\d+", "N", name)


def _grows(value: float, households: int, full: int, smaller: dict | None,
           key: str) -> tuple[float, str]:
    """The estimate of a figure that grows with the province's households."""
    if smaller is not None:
        before = {_key(e["name"]): e["value"] for e in smaller["entries"]}.get(key)
        x0 = smaller["size"]["households"]
        if before is not None and x0 < households:
            slope = (value - before) / (households - x0)
            if slope <= 0:
                return value, f"no growth from {x0} to {households} households: as measured"
            return (value + slope * (full - households),
                    f"straight line through {x0} and {households} households")
    scale = full / max(households, 1)
    return value * scale, f"× {scale:g} (in proportion to the households)"


def rows(results: dict, smaller: dict | None = None) -> list[dict]:
    """One row per entry: name, unit, measured value, estimate at full size, rule, target.

    :param smaller: the results of a smaller run of the suite, for a straight-line fit
    """
    size = results["size"]
    full = FULL_COMMUNES * FULL_HOUSEHOLDS
    households = max(size["households"], 1)
    scale = full / households
    merge = results.get("details", {}).get("merge", {})
    out = []
    for e in results["entries"]:
        name, value = e["name"], e["value"]
        if "next page" in name:
            estimate, rule = value, "keyset paging seeks an index: as measured"
        elif name == "office merge: peak RSS":
            per_commune = FULL_HOUSEHOLDS / max(size["households_per_commune"], 1)
            estimate = value * max(per_commune, 1)
            rule = ("one package at a time, communes of the full size: as measured"
                    if per_commune <= 1 else f"× {per_commune:g} (communes of the full size)")
        elif "province" in name and not name.startswith("office merge"):
            estimate, rule = _grows(value, households, full, smaller, _key(name))
        elif name.startswith("office merge of all packages"):
            seconds = merge.get("rows", 0) * scale / value if value else 0
            estimate, rule = value, f"same rate per row: {seconds / 60:.0f} min for the province"
        elif name.startswith("generation"):
            gen = results["details"]["generation"]
            seconds = gen["seconds"] * scale
            estimate, rule = value, f"same rate: {seconds / 3600:.1f} h for the province"
        elif name.startswith(("office merge with no Python", "office merge: time inside")):
            estimate, rule = value, "depends on the size of the office: as measured at this size"
        elif name.startswith("office merge: ratio"):
            estimate, rule = value, "same rates per row: as measured"
        else:
            estimate, rule = value, "does not depend on the number of communes: as measured"
        met = None
        if e["target"] is not None:
            limit = e["target"]["value"]
            met = estimate <= limit if e["target"]["op"] == "<=" else estimate >= limit
        if "province" in name:
            name = name.replace(f"of {size['households']}", f"of {full}")
        out.append({"name": name,
                    "unit": e["unit"], "measured": value, "estimate": estimate, "rule": rule,
                    "target": e["target"], "met": met})
    return out


def markdown(results: dict, smaller: dict | None = None) -> str:
    lines = ["| số đo (ƯỚC TÍNH cho 100 × 8.000, không phải số đo) | ước tính | mục tiêu | "
             "đạt? | cách ước tính |", "|---|---:|---|---|---|"]
    for r in rows(results, smaller):
        target = f"{r['target']['op']} {r['target']['value']:g}" if r["target"] else ""
        met = {True: "có", False: "**không**", None: ""}[r["met"]]
        lines.append(f"| {r['name']} | {_figure(r['estimate'])} {r['unit']} | {target} | {met} | "
                     f"{r['rule']} |")
    return "\n".join(lines)


def _figure(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def measured_markdown(results: dict) -> str:
    """The measured figures as a Markdown table (the README's table)."""
    lines = ["| số đo | giá trị | mốc SQLite (baseline) | tỷ lệ | mục tiêu | đạt? |",
             "|---|---:|---:|---:|---|---|"]
    for e in results["entries"]:
        base = f"{_figure(e['baseline'])} {e['unit']}" if e["baseline"] is not None else ""
        ratio = f"{e['ratio']:.2f}×" if e["ratio"] is not None else ""
        target = f"{e['target']['op']} {e['target']['value']:g}" if e["target"] else ""
        met = {True: "có", False: "**không**", None: ""}[e["met"]]
        lines.append(f"| {e['name']} | {_figure(e['value'])} {e['unit']} | {base} | {ratio} | "
                     f"{target} | {met} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="?", type=Path, default=pv.ROOT / "results.json")
    parser.add_argument("--with", dest="smaller", type=Path,
                        default=pv.DEFAULT_CACHE / "quick" / "results.json",
                        help="results of a smaller run, for a straight-line fit")
    parser.add_argument("--measured", action="store_true", help="the measured figures")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text(encoding="utf-8"))
    smaller = json.loads(args.smaller.read_text(encoding="utf-8")) \
        if args.smaller and args.smaller.exists() else None
    print(measured_markdown(results) if args.measured else markdown(results, smaller))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
