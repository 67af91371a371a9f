"""Run every measurement, print the table and write it as Markdown.

    python -m bench            full run (township and county sets; builds them once, cached in bench/cache/)
    python -m bench --quick    small sets, one repetition: checks that every measurement runs (CI)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sqlite3
import sys
from pathlib import Path

from bench.core import Result, fmt

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    import sqlalchemy
    import textual

    try:
        import sqlmodel

        sqlmodel_version = sqlmodel.__version__
    except AttributeError:
        sqlmodel_version = "?"
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            names = [line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")]
            if names:
                cpu = f"{names[0]} × {len(names)}"
    except OSError:
        pass
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, textual {textual.__version__}, sqlmodel {sqlmodel_version}, "
            f"SQLAlchemy {sqlalchemy.__version__}")


def markdown(results: list[Result], quick: bool) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Run {dt.datetime.now():%Y-%m-%d %H:%M} on: {machine()}" + (" — QUICK MODE (small sets; not for judging speed)" if quick else ""),
        "",
        "| measurement | median | min | max | floor | floor median | ratio | target | verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        m, f = r.measured, r.floor
        target = []
        if r.target_ratio is not None:
            target.append(f"≤ {r.target_ratio:g}×")
        if r.target_abs is not None:
            target.append(f"< {fmt(r.target_abs, m.unit)}")
        lines.append(
            f"| {r.name} | {fmt(m.median, m.unit)} | {fmt(min(m.samples), m.unit)} | {fmt(max(m.samples), m.unit)} "
            f"| {f.name if f else '-'} | {fmt(f.median, f.unit) if f else '-'} "
            f"| {f'{r.ratio:.2f}×' if r.ratio is not None else '-'} | {' and '.join(target) or '-'} | {r.verdict} |"
        )
    notes = [f"- {r.name}: {r.note}" for r in results if r.note]
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small sets, one repetition (checks that it runs)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--only", action="append", help="run only measurements whose module name contains this")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "RESULTS.md")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    reps = 1 if args.quick else args.reps
    from bench import datasets, m_export, m_hostile, m_merge, m_report, m_save, m_search, m_startup, m_workbook

    results: list[Result] = []
    small = "grid" if args.quick else "township"

    def wanted(name: str) -> bool:
        return not args.only or any(o in name for o in args.only)

    if wanted("save"):
        results += m_save.measure(max(reps * 20, 20))
    if wanted("startup"):
        results += m_startup.measure(datasets.demo_db(small), reps, small)
    if wanted("search"):
        results += m_search.measure(datasets.demo_db(small), small, reps, 0.015)
        if not args.quick:
            results += m_search.measure(datasets.demo_db("county"), "county", reps, 0.050)
    if wanted("report"):
        results += m_report.measure(datasets.demo_db(small), small, reps)
        if not args.quick:
            results += m_report.measure(datasets.demo_db("county"), "county", max(1, reps // 2))
    if wanted("workbook"):
        results += m_workbook.measure(datasets.demo_db(small), small, reps)
        if not args.quick:
            results += m_workbook.measure(datasets.demo_db("county"), "county", max(1, reps // 2))
    shape = (4, 30) if args.quick else (40, 150)  # grids x residents of the township's bundles
    if wanted("export"):
        from bench.township_bundles import build, merged

        bundles, _township = build(*shape)
        results += m_export.measure(bundles.parent / "workers" / "G01.db", merged(*shape), reps)
    if wanted("merge"):
        township = m_merge.measure(reps, *shape)
        results += township
        county_shape = (8, 20) if args.quick else (800, 150)
        results += m_merge.measure_county(*county_shape, township_peak=township[-1].measured)
    if wanted("county"):  # the county on PostgreSQL (a server of its own unless CI started one)
        from bench import m_county

        results += m_county.measure(2, "grid") if args.quick else m_county.measure(20, "township")
    if wanted("hostile"):
        results += m_hostile.measure(args.quick)
    text = markdown(results, args.quick)
    print(text)
    args.out.write_text(text, encoding="utf-8")
    return 0
