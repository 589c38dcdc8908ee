"""Compaction: `clickstream tables rewrite-data-files` vs Spark's
`CALL catalog.system.rewrite_data_files` on the same table of ~15,000 small files, each engine on
its own copy; then every reader (pyiceberg, DuckDB, Spark) must read exactly the loaded rows.

    .venv/bin/python bench/compaction_bench.py [--loads 230] [--events-per-load 6000]

The small-file table is what a stream leaves behind: `--loads` snapshots, each one small file per
page (`clickstream tables load` of `--events-per-load` events; 67 pages), made once under
bench/out/compaction/ and kept as a pristine copy. Before each engine's run the copy is restored to
the same absolute path (metadata holds absolute paths) and the page cache dropped when permitted.
Times are wall seconds of the compaction alone: the `clickstream` process from start to exit, and
for Spark the CALL in an already started session (its start is reported apart); CPU seconds (user +
system) of the same span, from getrusage for `clickstream` and /proc/<JVM pid>/stat for Spark, are
the fairer figure on a machine shared with other work.
"""

import argparse
import os
import resource
import pathlib
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "engines" / "spark"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from iceberg_readers import arrow_rows, duckdb_rows, ndjson_rows, open_catalog  # noqa: E402

OUT = ROOT / "bench" / "out" / "compaction"
LIVE = OUT / "table"
PRISTINE = OUT / "pristine"


def env_for(directory):
    env = dict(os.environ)
    env["CLICKSTREAM_CATALOG"] = str(directory / "catalog.db")
    env["CLICKSTREAM_WAREHOUSE"] = str(directory / "warehouse")
    return env


def run(cmd, env):
    return subprocess.run([str(c) for c in cmd], env=env, check=True, capture_output=True, text=True)


def build_table(binary, loads, events):
    marker = PRISTINE / f"loads-{loads}-events-{events}"
    if marker.exists():
        return
    shutil.rmtree(OUT, ignore_errors=True)
    LIVE.mkdir(parents=True)
    env = env_for(LIVE)
    run([binary, "tables", "create", "website.clicks"], env)
    events_file = OUT / "events.ndjson"
    with open(events_file, "w") as f:
        subprocess.run([str(binary), "produce", "--stdout", "--events", str(loads * events),
                        "--users", "10000", "--seed", "7"], check=True, stdout=f)
    lines = events_file.read_text().splitlines(keepends=True)
    started = time.monotonic()
    chunk = OUT / "chunk.ndjson"
    for i in range(loads):
        chunk.write_text("".join(lines[i * events:(i + 1) * events]))
        run([binary, "tables", "load", "website.clicks", chunk], env)
        if (i + 1) % 50 == 0:
            print(f"  {i + 1} loads ({time.monotonic() - started:.0f} s)", flush=True)
    chunk.unlink()
    shutil.copytree(LIVE, PRISTINE, symlinks=True)
    marker.write_text("")


def restore():
    shutil.rmtree(LIVE, ignore_errors=True)
    shutil.copytree(PRISTINE, LIVE, symlinks=True)
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


def process_cpu(pid):
    """User + system CPU seconds of a running process, from /proc."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def table_stats(env):
    table = open_catalog(env["CLICKSTREAM_CATALOG"], env["CLICKSTREAM_WAREHOUSE"]).load_table(
        "website.clicks")
    files = list(table.scan().plan_files())
    size = sum(t.file.file_size_in_bytes for t in files)
    return table, len(files), size


def check_readers(env, spark_reader, expected):
    table, files, size = table_stats(env)
    pyiceberg_ok = arrow_rows(table.scan().to_arrow()) == expected
    duckdb_ok = duckdb_rows(table.metadata_location) == expected
    spark_ok = arrow_rows(spark_reader.read_table(env["CLICKSTREAM_CATALOG"],
                                                  env["CLICKSTREAM_WAREHOUSE"],
                                                  "website.clicks")) == expected
    return files, size, pyiceberg_ok, duckdb_ok, spark_ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--loads", type=int, default=230)
    parser.add_argument("--events-per-load", type=int, default=6000)
    parser.add_argument("--binary", default=str(ROOT / "build" / "clickstream"))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    build_table(args.binary, args.loads, args.events_per_load)
    env = env_for(LIVE)
    expected = ndjson_rows(OUT / "events.ndjson")
    restore()
    _, files_before, bytes_before = table_stats(env)
    print(f"table: {len(expected):,} rows in {files_before:,} files, {bytes_before / 2**20:.1f} MiB "
          f"({bytes_before / files_before / 1024:.1f} KiB per file)", flush=True)

    from spark_reader import SparkReader

    results, cpu = {}, {}
    dropped = restore()
    started, cpu_before = time.monotonic(), children_cpu()
    out = run([args.binary, "tables", "rewrite-data-files", "website.clicks",
               "--threads", args.threads], env)
    results["clickstream"] = time.monotonic() - started
    cpu["clickstream"] = children_cpu() - cpu_before
    print(f"  clickstream: {results['clickstream']:.2f} s: {out.stdout.strip()}", flush=True)
    started = time.monotonic()
    spark = SparkReader("compaction-bench")
    session = spark.session(env["CLICKSTREAM_CATALOG"], env["CLICKSTREAM_WAREHOUSE"])
    session.sql("SELECT 1").collect()
    spark_start = time.monotonic() - started
    checks = {"clickstream": check_readers(env, spark, expected)}

    restore()
    spark.stop()
    spark = SparkReader("compaction-bench")
    session = spark.session(env["CLICKSTREAM_CATALOG"], env["CLICKSTREAM_WAREHOUSE"])
    session.sql("SELECT 1").collect()
    jvm = session._jvm.java.lang.ProcessHandle.current().pid()
    started, cpu_before = time.monotonic(), process_cpu(jvm)
    answer = session.sql("CALL catalog.system.rewrite_data_files(table => 'website.clicks')").collect()
    results["spark"] = time.monotonic() - started
    cpu["spark"] = process_cpu(jvm) - cpu_before
    print(f"  spark: {results['spark']:.2f} s: {answer}", flush=True)
    checks["spark"] = check_readers(env, spark, expected)
    spark.stop()

    print()
    print(f"load average (1/5/15 min) at the end: "
          f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores; page cache "
          f"dropped before each run: {'yes' if dropped else 'no (not permitted)'}; Spark session "
          f"start (not in its time): {spark_start:.1f} s")
    print("| engine | wall s | CPU s | files after | MiB after | pyiceberg | DuckDB | Spark |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for engine, seconds in results.items():
        files, size, *oks = checks[engine]
        marks = ["same rows" if ok else "DIFFERENT" for ok in oks]
        print(f"| {engine} | {seconds:.2f} | {cpu[engine]:.2f} | {files} | {size / 2**20:.1f} | "
              f"{' | '.join(marks)} |")
    print(f"Spark / clickstream: wall {results['spark'] / results['clickstream']:.1f}x, "
          f"CPU {cpu['spark'] / cpu['clickstream']:.1f}x")


if __name__ == "__main__":
    main()
