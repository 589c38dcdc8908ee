"""`clickstream report` on the 10M-row analysis table (METRICS engineer), recorded in
bench/RESULTS.md. Target: under 3 s.

The table is the one bench/analysis_bench.py builds and keeps in bench/out/analysis/ (10 snapshots
of 1M events, 100,000 users), built here the same way when missing. First run, then the median of
5 further runs (the page cache is not dropped: the machine is shared). Each run is a new process: its time includes loading the DuckDB extensions and the catalog,
the three scans, drawing and writing the page. The journey is of user_42 (--user) and of the
busiest user (default).

    ninja -C build clickstream
    .venv/bin/python bench/report_bench.py [--rows 10000000]
"""

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from analysis_bench import build_table  # noqa: E402

WARM_RUNS = 5


def report_seconds(binary, env, out, *extra):
    started = time.monotonic()
    subprocess.run([str(binary), "report", "--out", str(out), *extra], env=env, check=True,
                   capture_output=True, text=True)
    return time.monotonic() - started


def query_seconds(binary, env):
    """One `clickstream query top-pages` on the same table: the scale of this machine right now."""
    started = time.monotonic()
    subprocess.run([str(binary), "query", "top-pages"], env=env, check=True, capture_output=True)
    return time.monotonic() - started


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=ROOT / "build" / "clickstream")
    ap.add_argument("--rows", type=int, default=10_000_000)
    args = ap.parse_args()
    out = ROOT / "bench" / "out" / "analysis"
    env = dict(os.environ)
    env["CLICKSTREAM_CATALOG"] = str(out / "catalog.db")
    env["CLICKSTREAM_WAREHOUSE"] = str(out / "warehouse")
    build_table(args.binary, out, args.rows, env)
    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        page = pathlib.Path(tmp) / "report.html"
        for label, extra in (("--user user_42", ["--user", "user_42"]), ("busiest user", [])):
            first = report_seconds(args.binary, env, page, *extra)
            warm = [report_seconds(args.binary, env, page, *extra) for _ in range(WARM_RUNS)]
            print(f"report ({label}) on {args.rows:,} rows: first run {first:.2f} s, "
                  f"warm median {statistics.median(warm):.2f} s (min {min(warm):.2f}, max "
                  f"{max(warm):.2f}), page {page.stat().st_size / 1024:.0f} KiB", flush=True)
    reference = [query_seconds(args.binary, env) for _ in range(WARM_RUNS)]
    print(f"query top-pages on the same table, same run: warm median "
          f"{statistics.median(reference):.2f} s")
    print(f"load average during the runs: {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
