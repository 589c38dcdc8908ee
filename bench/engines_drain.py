"""The headline comparison: one topic already holding N click events, each engine drains it into a
fresh website.clicks until caught up; events/s and peak memory per engine.

    .venv/bin/python bench/engines_drain.py [--events 2000000] [--engines cpp,spark,spark-seed,flink]
        [--lakehouse] [--bad-ratio 0.01]

Starts its own broker (scripts/kafka on free ports, data under bench/out/), fills the topic once
with `clickstream produce` (or the Python producer when the binary is missing), then runs, one
after the other on the same topic:
  cpp    build/clickstream process --until-caught-up           (CLICKSTREAM_BINARY overrides)
  spark  ./scripts/spark-pipeline --until-caught-up            (local[2], driver 1g)
  spark-seed  bench/spark_seed_job.py: the plain seed-style Spark job, the peer at its best
         (one query, from_json + to_timestamp, no dead-letter table; same jars, master, memory)
  flink  ./scripts/flink-pipeline --until-caught-up            (MiniCluster, parallelism 2, 1g heap)
Each engine's wall time runs from process start to exit (JVM start-up included) and is checked
against the tables: the run counts only if website.clicks then holds exactly N rows (with
--bad-ratio, if clicks and clicks_dlq hold N together; the plain job, which drops what it cannot
parse, if clicks holds at most N). Peak memory
is the largest sum of RSS over the engine's process tree, sampled every 100 ms; CPU seconds are
the tree's user + system time (steadier than wall time when others share the cores).
An engine whose prerequisites are missing is reported as skipped with the reason.
With --lakehouse every engine writes through Apache Iceberg's REST reference server with the files
on S3Proxy (private scripts/lakehouse services on free ports, the environment `scripts/lakehouse
env` gives), the table dropped from the catalog before each engine, instead of a SQLite catalog and
a local warehouse per engine.
Results: a Markdown table on stdout and JSON in bench/out/engines_drain[_lakehouse].json.
"""

import argparse
import contextlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from kafka_broker import Broker  # noqa: E402
from lakehouse_services import Lakehouse  # noqa: E402
import jvm_pipelines as jp  # noqa: E402

OUT = ROOT / "bench" / "out"


def process_tree(pid):
    """`pid` and all its descendants (from /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except OSError:
            continue
    tree, stack = [], [pid]
    while stack:
        p = stack.pop()
        tree.append(p)
        stack.extend(children.get(p, []))
    return tree


def tree_rss_bytes(tree):
    """Sum of resident memory of the processes in `tree`."""
    total, page = 0, os.sysconf("SC_PAGE_SIZE")
    for p in tree:
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * page
        except OSError:
            pass
    return total


def cpu_seconds(pid):
    """User + system CPU seconds `pid` has used so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def run_measured(cmd, env, log_path):
    """Runs cmd to completion; returns (exit code, seconds, peak tree RSS in bytes, CPU seconds of
    the tree). CPU time is summed over every process seen, at its last sample (100 ms apart): the
    steadier figure when other work shares the cores."""
    peak, cpu = 0, {}
    with open(log_path, "w") as log:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample():
            nonlocal peak
            while not done.is_set():
                tree = process_tree(proc.pid)
                peak = max(peak, tree_rss_bytes(tree))
                for p in tree:
                    cpu[p] = max(cpu.get(p, 0.0), cpu_seconds(p))
                done.wait(0.1)

        sampler = threading.Thread(target=sample)
        sampler.start()
        code = proc.wait()
        seconds = time.monotonic() - start
        done.set()
        sampler.join()
    return code, seconds, peak, sum(cpu.values())


def open_catalog(lake, services):
    """pyiceberg's view of where the engine wrote: the lakehouse REST catalog, or lake's SQLite."""
    if services is not None:
        return services.pyiceberg_catalog()
    from pyiceberg.catalog.sql import SqlCatalog

    return SqlCatalog(
        "catalog", uri=f"sqlite:///{lake / 'catalog.db'}", warehouse=f"file://{lake / 'warehouse'}"
    )


def drop_tables(catalog):
    """Drops website.clicks and website.clicks_dlq where they exist (the engines share one REST catalog)."""
    for name in ("website.clicks", "website.clicks_dlq"):
        if catalog.table_exists(name):
            catalog.drop_table(name)


def table_rows(catalog, table="website.clicks"):
    """Rows of `table`; 0 when it or its snapshot is missing."""
    if not catalog.table_exists(table):
        return 0
    snapshot = catalog.load_table(table).current_snapshot()
    return int(snapshot.summary["total-records"]) if snapshot else 0


# Engines that route every message that is not a valid click to website.clicks_dlq.
WITH_DEAD_LETTERS = ("cpp", "spark")


def rows_check(name, catalog, events):
    """(clicks rows, dead letters, valid): an engine with a dead-letter table must hold every event
    in exactly one of the two tables; the plain job, which has none, at most every event."""
    rows = table_rows(catalog)
    dead = table_rows(catalog, "website.clicks_dlq")
    if name in WITH_DEAD_LETTERS:
        return rows, dead, rows + dead == events
    return rows, dead, 0 < rows <= events


def engine_command(name, broker, topic, lake, binary, services=None):
    """(command, extra env) for one engine, or a reason string when it cannot run here."""
    common_env = {
        "CLICKSTREAM_BROKERS": broker.bootstrap,
        "CLICKSTREAM_CATALOG": str(lake / "catalog.db"),
        "CLICKSTREAM_WAREHOUSE": str(lake / "warehouse"),
    }
    if services is not None:
        common_env.update(services.env, CLICKSTREAM_BROKERS=broker.bootstrap)
    if name == "cpp":
        if not binary.exists():
            return f"{binary} is missing (build it first)", None
        help_text = subprocess.run([str(binary), "--help"], capture_output=True, text=True).stdout
        if " process " not in help_text and "\n  process" not in help_text:
            return f"{binary} has no `process` subcommand yet", None
        return [str(binary), "process", "--topic", topic, "--group", "bench_cpp", "--until-caught-up"], common_env
    if name == "spark":
        if not (ROOT / ".deps" / "spark-jars").is_dir():
            return "Spark jars missing (./scripts/setup)", None
        return [
            str(ROOT / "scripts" / "spark-pipeline"), "--until-caught-up", "--topic", topic,
            "--checkpoint", str(lake / "spark-checkpoints"),
        ], common_env
    if name == "spark-seed":
        if not (ROOT / ".deps" / "spark-jars").is_dir():
            return "Spark jars missing (./scripts/setup)", None
        return [
            str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "bench" / "spark_seed_job.py"),
            "--topic", topic, "--checkpoint", str(lake / "spark-checkpoints"),
        ], {**common_env, "PYSPARK_PYTHON": str(ROOT / ".venv" / "bin" / "python")}
    if name == "flink":
        if not (ROOT / ".venv-flink" / "bin" / "python").exists():
            return ".venv-flink missing (./scripts/setup)", None
        return [
            str(ROOT / "scripts" / "flink-pipeline"), "--until-caught-up", "--topic", topic,
            "--group", "bench_flink", "--state-dir", str(lake / "flink-state"),
        ], {**common_env, "CLICKSTREAM_FLINK_LOG_DIR": str(lake / "flink-logs")}
    raise ValueError(name)


def fill_topic(broker, topic, events, partitions, binary, bad_ratio=0.0):
    """Writes `events` generated events (a `bad_ratio` share malformed) to a new topic; returns
    seconds taken."""
    start = time.monotonic()
    if binary.exists():
        env = dict(os.environ, CLICKSTREAM_BROKERS=broker.bootstrap)
        proc = subprocess.run(
            [str(binary), "produce", "--topic", topic, "--events", str(events), "--partitions",
             str(partitions), "--seed", "1", "--rate", "0", "--bad-ratio", str(bad_ratio)],
            capture_output=True, text=True, env=env,
        )
        if proc.returncode != 0:
            raise SystemExit(f"produce failed: {proc.stderr.strip()}")
    else:
        if bad_ratio:
            raise SystemExit("--bad-ratio needs the clickstream binary (build it first)")
        messages, _, _ = jp.make_messages(events, seed=1)
        jp.produce(broker.bootstrap, topic, messages, partitions=partitions)
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--engines", default="cpp,spark,spark-seed,flink")
    parser.add_argument("--lakehouse", action="store_true",
                        help="write through the REST catalog to S3 (private scripts/lakehouse services)")
    parser.add_argument("--bad-ratio", type=float, default=0.0,
                        help="share of malformed messages in the topic (clickstream produce's "
                             "--bad-ratio); engines with a dead-letter table must hold each event "
                             "in clicks or clicks_dlq")
    parser.add_argument(
        "--binary", type=pathlib.Path,
        default=pathlib.Path(os.environ.get("CLICKSTREAM_BINARY", ROOT / "build" / "clickstream")),
    )
    args = parser.parse_args()

    work = OUT / ("engines_drain_lakehouse" if args.lakehouse else "engines_drain")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    results = {"events": args.events, "partitions": args.partitions, "lakehouse": args.lakehouse,
               "bad_ratio": args.bad_ratio, "engines": {}}
    services_context = (Lakehouse(work / "lakehouse", storage="s3") if args.lakehouse
                        else contextlib.nullcontext())
    with Broker(work / "kafka") as broker, services_context as services:
        topic = "bench_clicks"
        seconds = fill_topic(broker, topic, args.events, args.partitions, args.binary, args.bad_ratio)
        print(f"topic {topic}: {args.events} events in {args.partitions} partitions, bad ratio "
              f"{args.bad_ratio} ({seconds:.1f} s)", file=sys.stderr)
        for name in args.engines.split(","):
            lake = work / name
            lake.mkdir()
            cmd, env = engine_command(name, broker, topic, lake, args.binary, services)
            if env is None:
                results["engines"][name] = {"skipped": cmd}
                print(f"{name}: skipped ({cmd})", file=sys.stderr)
                continue
            if services is not None:
                drop_tables(open_catalog(lake, services))
            print(f"{name}: draining ...", file=sys.stderr)
            code, secs, peak, cpu = run_measured(cmd, {**os.environ, **env}, lake / "run.log")
            rows, dead, valid = (rows_check(name, open_catalog(lake, services), args.events)
                                 if code == 0 else (0, 0, False))
            entry = {
                "exit_code": code,
                "seconds": round(secs, 2),
                "rows": rows,
                "dead_letters": dead,
                "events_per_second": round(args.events / secs) if code == 0 else None,
                "peak_rss_mib": round(peak / 2**20),
                "cpu_seconds": round(cpu, 1),
                "valid": valid,
                "log": str(lake / "run.log"),
            }
            results["engines"][name] = entry
            print(f"{name}: {entry}", file=sys.stderr)

    cpp = results["engines"].get("cpp", {})
    print(f"| engine | events | seconds | events/s | CPU seconds | peak RSS (MiB) | rows (dead letters) check |")
    print(f"| --- | --- | --- | --- | --- | --- | --- |")
    for name, e in results["engines"].items():
        if "skipped" in e:
            print(f"| {name} | skipped: {e['skipped']} | | | | | |")
            continue
        check = (f"{e['rows']} ({e['dead_letters']}) ok" if e["valid"]
                 else f"FAILED (exit {e['exit_code']}, {e['rows']} rows, {e['dead_letters']} dead letters)")
        print(f"| {name} | {args.events} | {e['seconds']} | {e['events_per_second']} | {e['cpu_seconds']} | {e['peak_rss_mib']} | {check} |")
    if cpp.get("valid"):
        for name in ("spark", "spark-seed", "flink"):
            other = results["engines"].get(name, {})
            if other.get("valid"):
                ratio = cpp["events_per_second"] / other["events_per_second"]
                results[f"cpp_over_{name}"] = round(ratio, 2)
                print(f"\nC++/{name}: {ratio:.2f}x")
    spark, seed = results["engines"].get("spark", {}), results["engines"].get("spark-seed", {})
    if spark.get("valid") and seed.get("valid"):
        results["spark_over_spark_seed"] = round(spark["seconds"] / seed["seconds"], 2)
        results["spark_over_spark_seed_cpu"] = round(spark["cpu_seconds"] / seed["cpu_seconds"], 2)
        print(f"\nspark/spark-seed: {results['spark_over_spark_seed']}x wall, "
              f"{results['spark_over_spark_seed_cpu']}x CPU")
    (OUT / f"{work.name}.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0 if all(e.get("valid", True) for e in results["engines"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
