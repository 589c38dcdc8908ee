"""`query user-activity` cold and warm on the 10M-row analysis table (bench/analysis_bench.py makes
it: 670 files, one per page per 1M-row load) before and after
`tables rewrite-data-files --sort-by user_id,click_timestamp`, which rewrites each page's files into
one file sorted by user, with row groups small enough for their user_id statistics to let DuckDB
skip all but one row group per file.

    .venv/bin/python bench/analysis_bench.py ...   # once, to make bench/out/analysis
    .venv/bin/python bench/compaction_sort_bench.py [--row-group-rows 16384]

The table is copied to bench/out/analysis-sorted (same rows; the copy is re-made from
bench/out/analysis-pristine, a copy of the unsorted table taken on first run, at the same path).
Cold: page cache dropped before the run (when permitted). Warm: median of 5 further runs.
"""

import argparse
import os
import resource
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
TABLE = OUT / "analysis"
PRISTINE = OUT / "analysis-pristine"
USER = "user_42"
WARM_RUNS = 5


def env_for(directory):
    env = dict(os.environ)
    env["CLICKSTREAM_CATALOG"] = str(directory / "catalog.db")
    env["CLICKSTREAM_WAREHOUSE"] = str(directory / "warehouse")
    return env


def drop_page_cache():
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("1\n")
        return True
    except OSError:
        return False


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd, env):
    """Wall seconds, CPU seconds (user + system) and stdout of one process."""
    started, cpu = time.monotonic(), children_cpu()
    out = subprocess.run([str(c) for c in cmd], env=env, check=True, capture_output=True, text=True)
    return time.monotonic() - started, children_cpu() - cpu, out.stdout


def user_activity(binary, env):
    """(cold wall, cold CPU, warm wall, warm CPU, answer)."""
    drop_page_cache()
    cold, cold_cpu, answer = timed([binary, "query", "user-activity", USER], env)
    warm = [timed([binary, "query", "user-activity", USER], env) for _ in range(WARM_RUNS)]
    return (cold, cold_cpu, statistics.median(w[0] for w in warm),
            statistics.median(w[1] for w in warm), answer)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / "build" / "clickstream"))
    parser.add_argument("--row-group-rows", type=int, default=0)
    args = parser.parse_args()
    if not TABLE.exists() and not PRISTINE.exists():
        sys.exit("no bench/out/analysis: run bench/analysis_bench.py first")
    if not PRISTINE.exists():
        shutil.copytree(TABLE, PRISTINE, symlinks=True)
    shutil.rmtree(TABLE, ignore_errors=True)
    shutil.copytree(PRISTINE, TABLE, symlinks=True)
    env = env_for(TABLE)

    before = user_activity(args.binary, env)
    print(f"unsorted: cold {before[0]:.3f} s, warm {before[2]:.3f} s", flush=True)
    rewrite = [args.binary, "tables", "rewrite-data-files", "website.clicks",
               "--sort-by", "user_id,click_timestamp"]
    if args.row_group_rows:
        rewrite += ["--row-group-rows", args.row_group_rows]
    seconds, _, line = timed(rewrite, env)
    print(f"rewrite ({seconds:.1f} s): {line.strip()}", flush=True)
    after = user_activity(args.binary, env)
    print(f"sorted:   cold {after[0]:.3f} s, warm {after[2]:.3f} s", flush=True)
    print(f"same answer for {USER}: {'yes' if before[4] == after[4] else 'NO'}")
    _, _, count = timed([args.binary, "sql", "SELECT count(*) AS n FROM website.clicks",
                      "--format", "csv"], env)
    print(f"rows after: {count.split()[1]}; page cache dropped: "
          f"{'yes' if drop_page_cache() else 'no (not permitted)'}; load average "
          f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print("| table | user-activity cold (s) | cold CPU (s) | warm (s) | warm CPU (s) |")
    print("| --- | --- | --- | --- | --- |")
    for name, r in (("670 files, unsorted", before), ("sorted by user_id,click_timestamp", after)):
        print(f"| {name} | {r[0]:.3f} | {r[1]:.3f} | {r[2]:.3f} | {r[3]:.3f} |")


if __name__ == "__main__":
    main()
