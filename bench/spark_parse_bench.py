"""Spark's parse of one micro-batch, side by side in one JVM: the plain seed-style parse
(`from_json` + `to_timestamp`) against engines/spark/click_processor.parse_clicks (strict contract
rules, dead-letter reasons), on the same N events from `clickstream produce --stdout`, cached first.
Wall and JVM CPU seconds per variant (CPU time is the steadier figure when others share the cores).
Each variant writes to Spark's `noop` sink, so every output column is computed:

  plain                       from_json + to_timestamp, valid rows only
  ours, one pass              what BatchWriter does with a batch: parse_clicks, valid rows out,
                              counting and gathering the dead letters on the way (Observation with
                              DeadLetterCollector), then the gathered dead letters out
  ours, two passes            the fallback for a batch whose dead letters exceed the budget: the
                              same without gathering, then parse again, dead letters out

    .venv/bin/python bench/spark_parse_bench.py [--events 1000000] [--rounds 2] [--bad-ratio 0.01]
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
    ap.add_argument("--bad-ratio", default="0", help="share of malformed events (produce --bad-ratio)")
    args = ap.parse_args()

    from pyspark.sql import functions as F

    with tempfile.TemporaryDirectory(prefix="spark-parse-") as tmp:
        events = pathlib.Path(tmp) / "events.ndjson"
        with open(events, "w") as out:
            subprocess.run([str(args.binary), "produce", "--stdout", "--events", str(args.events),
                            "--seed", "1", "--bad-ratio", args.bad_ratio],
                           stdout=out, stderr=subprocess.DEVNULL, check=True)
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

        def one_pass():
            parsed, observation = writer.parsed(raw)
            noop(parsed.where("error IS NULL").select("user_id", "page", "click_timestamp"))
            _, bad, dead_letters = writer.observed(observation, 0)
            if dead_letters is not None:
                noop(dead_letters)
            return bad

        def two_passes():
            parsed, _ = writer.parsed(raw, gather=False)
            noop(parsed.where("error IS NULL").select("user_id", "page", "click_timestamp"))
            noop(click_processor.dead_letters_of(writer.parsed(raw, gather=False)[0]))

        jvm_pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()

        def jvm_cpu_seconds():
            """CPU time of the JVM so far (all threads): steadier than wall time on a shared machine."""
            with open(f"/proc/{jvm_pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        for round_ in range(args.rounds):
            times, cpu = {}, {}
            for name, fn in (("plain", plain), ("ours, one pass", one_pass),
                             ("ours, two passes", two_passes)):
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
