"""Spark's parse of one micro-batch, side by side in one JVM: the plain seed-style parse
(`from_json` + `to_timestamp`) against engines/spark/click_processor.parse_clicks (strict contract
rules, dead-letter reasons), on the same N events from `clickstream produce --stdout`, cached first.
Wall and JVM CPU seconds per variant (CPU time is the steadier figure when others share the cores).
Each variant writes to Spark's `noop` sink, so every output column is computed:

  plain                       from_json + to_timestamp, valid rows only
  ours, clean batch           what BatchWriter does with a batch without dead letters: one pass,
                              parse_clicks counting the dead letters (Observation), valid rows out
  ours, with dead letters     the same, then the second pass a batch with dead letters takes
                              (parse again, dead letters out)
  ours, cached (before)       the job before 2026-12-04: parse once, cache narrow, write clicks
                              and dead letters (two actions on the cache)

    .venv/bin/python bench/spark_parse_bench.py [--events 1000000] [--rounds 2]
"""

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "engines" / "spark"))

import click_processor  # noqa: E402
import spark_session  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=ROOT / "build" / "clickstream")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()

    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    with tempfile.TemporaryDirectory(prefix="spark-parse-") as tmp:
        events = pathlib.Path(tmp) / "events.ndjson"
        with open(events, "w") as out:
            subprocess.run([str(args.binary), "produce", "--stdout", "--events", str(args.events),
                            "--seed", "1"], stdout=out, stderr=subprocess.DEVNULL, check=True)
        spark = spark_session.build_base_session("spark-parse-bench")
        raw = spark.read.text(str(events)).select(
            F.col("value").cast("binary").alias("value"), F.lit("t").alias("topic"),
            F.lit(0).alias("partition"), F.monotonically_increasing_id().alias("offset"),
            F.current_timestamp().alias("timestamp")).cache()
        raw.count()

        def noop(df):
            df.write.format("noop").mode("overwrite").save()

        def plain():
            parsed = raw.select(F.from_json(F.col("value").cast("string"),
                                            "user_id STRING, page STRING, event_ts STRING").alias("e"))
            noop(parsed.select("e.user_id", "e.page", F.to_timestamp("e.event_ts").alias("ts"))
                 .where("ts IS NOT NULL"))

        writer = click_processor.BatchWriter(spark, click_processor.parse_args([]))

        def clean_batch():
            parsed, counts = writer.parsed(raw)
            noop(parsed.where("error IS NULL").select("user_id", "page", "click_timestamp"))
            return counts.get["bad"]

        def with_dead_letters():
            clean_batch()
            noop(click_processor.dead_letters_of(writer.parsed(raw)[0]))

        def cached():
            parsed = (click_processor.parse_clicks(raw)
                      .withColumn("value", F.expr("CASE WHEN error IS NOT NULL THEN value END"))
                      .persist(StorageLevel.MEMORY_AND_DISK))
            noop(parsed.where("error IS NULL").select("user_id", "page", "click_timestamp"))
            noop(click_processor.dead_letters_of(parsed))
            parsed.unpersist()

        jvm_pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()

        def jvm_cpu_seconds():
            """CPU time of the JVM so far (all threads): steadier than wall time on a shared machine."""
            with open(f"/proc/{jvm_pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        for round_ in range(args.rounds):
            times, cpu = {}, {}
            for name, fn in (("plain", plain), ("ours, clean batch", clean_batch),
                             ("ours, with dead letters", with_dead_letters),
                             ("ours, cached (before)", cached)):
                started, cpu_started = time.monotonic(), jvm_cpu_seconds()
                fn()
                times[name] = time.monotonic() - started
                cpu[name] = jvm_cpu_seconds() - cpu_started
            print(f"round {round_}: " + ", ".join(
                f"{name} {times[name]:.1f} s wall ({times[name] / times['plain']:.2f}x), "
                f"{cpu[name]:.1f} s CPU ({cpu[name] / cpu['plain']:.2f}x)" for name in times), flush=True)
        spark.stop()


if __name__ == "__main__":
    main()
