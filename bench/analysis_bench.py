"""The seed's three questions on a 10M-row website.clicks: DuckDB through `clickstream query` versus
Spark SQL (Iceberg runtime, local[2]) running the same engines/sql text, cold and warm.

    .venv/bin/python bench/analysis_bench.py [--rows 10000000] [--binary build/clickstream]

The table is written once by the project's own writer (`clickstream produce --stdout` in chunks of
1M events, each appended by `clickstream tables load`: 10 snapshots) into bench/out/analysis/ and
reused by later runs. Cold: the OS page cache is dropped first (when /proc/sys/vm/drop_caches is
writable, else said so) and, for Spark, the first query of a new SparkSession (JVM start is
reported apart). Warm: median of 5 further runs. Each `clickstream query` run is a new process, so
its time includes process start, loading the DuckDB extensions and reading the table's metadata.
"""

import argparse
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "engines" / "spark"))

CHUNK = 1_000_000
USERS = 100_000
ACTIVE_USER = "user_42"
WARM_RUNS = 5


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, **kwargs)


def build_table(binary, out, rows, env):
    marker = out / f"rows-{rows}"
    if marker.exists():
        return
    subprocess.run(["rm", "-rf", str(out)], check=True)
    out.mkdir(parents=True)
    run([binary, "tables", "create", "website.clicks"], env)
    started = time.monotonic()
    for i in range(rows // CHUNK):
        events = out / "chunk.ndjson"
        with open(events, "w") as f:
            subprocess.run(
                [binary, "produce", "--stdout", "--events", str(CHUNK), "--users", str(USERS),
                 "--seed", str(1000 + i)],
                env=env, check=True, stdout=f,
            )
        run([binary, "tables", "load", "website.clicks", str(events)], env)
        events.unlink()
        print(f"  loaded {(i + 1) * CHUNK:,} rows ({time.monotonic() - started:.0f} s)", flush=True)
    marker.write_text("")


def drop_page_cache():
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("1\n")
        return True
    except OSError:
        return False


QUESTIONS = {
    "top-pages": ["top-pages", "--limit", "10"],
    "unique-users": ["unique-users"],
    "user-activity": ["user-activity", ACTIVE_USER],
}


def sql_file(name):
    return (ROOT / "engines" / "sql" / f"{name}.sql").read_text().strip().rstrip(";")


# The same wrapping `clickstream query` applies to the shared files (src/analysis/named_queries.cc).
SPARK_SQL = {
    "top-pages": f"SELECT * FROM (\n{sql_file('top_pages')}\n) AS top_pages ORDER BY clicks DESC, page LIMIT 10",
    "unique-users": sql_file("unique_users"),
    "user-activity": f"SELECT * FROM (\n{sql_file('user_activity')}\n) AS activity "
    f"WHERE user_id = '{ACTIVE_USER}' ORDER BY click_number",
}


def time_duckdb(binary, env, args):
    """Wall seconds of one `clickstream query` process (its CPU seconds are kept in CPU_SECONDS)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    run([binary, "query", *args], env)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_SECONDS.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


CPU_SECONDS = []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--binary", default=str(ROOT / "build" / "clickstream"))
    args = parser.parse_args()
    out = ROOT / "bench" / "out" / "analysis"
    env = dict(os.environ)
    env["CLICKSTREAM_CATALOG"] = str(out / "catalog.db")
    env["CLICKSTREAM_WAREHOUSE"] = str(out / "warehouse")
    build_table(args.binary, out, args.rows, env)
    count = run([args.binary, "sql", "SELECT count(*) AS n FROM website.clicks", "--format", "csv"], env)
    rows = int(count.stdout.split()[1])
    print(f"website.clicks: {rows:,} rows", flush=True)

    results = {}
    dropped = drop_page_cache()
    for name, question in QUESTIONS.items():
        drop_page_cache()
        cold = time_duckdb(args.binary, env, question)
        CPU_SECONDS.clear()
        warm = statistics.median(time_duckdb(args.binary, env, question) for _ in range(WARM_RUNS))
        cpu = statistics.median(CPU_SECONDS)
        results[name] = {"duckdb_cold": cold, "duckdb_warm": warm, "duckdb_cpu": cpu}
        print(f"  duckdb {name}: cold {cold:.3f} s, warm {warm:.3f} s, warm CPU {cpu:.3f} s", flush=True)

    import spark_session

    drop_page_cache()
    started = time.monotonic()
    spark = spark_session.build_session(
        "analysis-bench", env["CLICKSTREAM_CATALOG"], env["CLICKSTREAM_WAREHOUSE"], driver_memory="4g"
    )
    spark.sql("USE catalog")
    jvm_start = time.monotonic() - started
    print(f"  spark session start: {jvm_start:.1f} s", flush=True)
    for name, text in SPARK_SQL.items():
        started = time.monotonic()
        spark.sql(text).collect()
        cold = time.monotonic() - started
        warm_times = []
        for _ in range(WARM_RUNS):
            started = time.monotonic()
            spark.sql(text).collect()
            warm_times.append(time.monotonic() - started)
        results[name]["spark_cold"] = cold
        results[name]["spark_warm"] = statistics.median(warm_times)
        print(f"  spark {name}: cold {cold:.3f} s, warm {results[name]['spark_warm']:.3f} s", flush=True)
    spark.stop()

    print()
    print(f"load average (1/5/15 min) at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"rows: {rows:,}; page cache dropped before cold runs: {'yes' if dropped else 'no (not permitted)'}; "
          f"Spark session start (not in the times): {jvm_start:.1f} s")
    print("| question | DuckDB cold (s) | DuckDB warm (s) | DuckDB warm CPU (s) | Spark cold (s) | Spark warm (s) | Spark/DuckDB cold | Spark/DuckDB warm |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r in results.items():
        print(f"| {name} | {r['duckdb_cold']:.3f} | {r['duckdb_warm']:.3f} | {r['duckdb_cpu']:.3f} | {r['spark_cold']:.3f} | "
              f"{r['spark_warm']:.3f} | {r['spark_cold'] / r['duckdb_cold']:.1f}x | "
              f"{r['spark_warm'] / r['duckdb_warm']:.1f}x |")


if __name__ == "__main__":
    main()
