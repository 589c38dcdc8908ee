"""Benchmark of `clickstream process` (PROCESSOR engineer), recorded in bench/RESULTS.md.

1. Throughput: N events (default 2,000,000) already in a 4-partition topic of a private broker;
   (a) plain librdkafka consume-and-discard (bench_processor_consume, the ceiling), then
   (b) `clickstream process --until-caught-up` into a fresh website.clicks; events/s of each,
   the ratio b/a, peak RSS of (b); pyiceberg checks that the table holds N rows.
2. Freshness: the processor runs with --commit-interval-ms 1000 while `clickstream produce`
   sends at a steady --rate for --seconds. For every event, freshness = commit time of the first
   snapshot whose recorded offsets cover it (snapshot timestamp-ms) - its Kafka create timestamp
   (stamped by the producer at send time); p50/p99/max over all events.

    ninja -C build clickstream bench_processor_consume
    .venv/bin/python bench/processor_bench.py --binary build/clickstream \
        --consume-bench build/bench/bench_processor_consume
"""

import argparse
import bisect
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from confluent_kafka import Consumer, TopicPartition  # noqa: E402
from pyiceberg.catalog.sql import SqlCatalog  # noqa: E402

from kafka_broker import Broker  # noqa: E402


def run(cmd, env, **kwargs):
    started = time.monotonic()
    proc = subprocess.Popen([str(c) for c in cmd], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    out, err = proc.stdout.read(), proc.stderr.read()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{cmd[:2]} failed ({code}): {err.strip()}")
    return out, err, seconds, usage.ru_maxrss / 1024  # MiB


def message_times(bootstrap, topic):
    """{partition: [create timestamp ms of each offset, from offset 0]}."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-times",
                         "enable.auto.commit": False, "enable.partition.eof": True})
    meta = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, 0) for p in meta])
    times, open_ = {p: [] for p in meta}, set(meta)
    while open_:
        for msg in consumer.consume(num_messages=10000, timeout=1.0):
            if msg.error():
                open_.discard(msg.partition())
                continue
            times[msg.partition()].append(msg.timestamp()[1])
    consumer.close()
    return times


def percentile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=ROOT / "build" / "clickstream")
    ap.add_argument("--consume-bench", default=ROOT / "build" / "bench" / "bench_processor_consume")
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--rate", type=int, default=50_000)
    ap.add_argument("--seconds", type=int, default=30)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="processor-bench-") as tmp, \
            Broker(pathlib.Path(tmp) / "kafka") as broker:
        env = dict(os.environ, **broker.env)
        env["CLICKSTREAM_CATALOG"] = f"{tmp}/catalog.db"
        env["CLICKSTREAM_WAREHOUSE"] = f"{tmp}/warehouse"
        catalog = SqlCatalog("catalog", uri=f"sqlite:///{tmp}/catalog.db",
                             warehouse=f"file://{tmp}/warehouse")

        run([args.binary, "produce", "--topic", "bench", "--events", args.events,
             "--partitions", 4, "--rate", 0], env)
        out, _, _, _ = run([args.consume_bench, broker.bootstrap, "bench"], env)
        raw = dict(kv.split("=") for kv in out.split())
        raw_rate = float(raw["messages_per_s"])
        out, _, seconds, rss = run([args.binary, "process", "--topic", "bench",
                                    "--until-caught-up"], env)
        rows = len(catalog.load_table("website.clicks").scan().to_arrow())
        assert rows == args.events == int(raw["messages"]), (rows, raw)
        proc_rate = args.events / seconds
        print(f"events={args.events} partitions=4")
        print(f"(a) librdkafka consume-and-discard: {raw_rate:,.0f} events/s "
              f"({float(raw['seconds']):.2f} s)")
        print(f"(b) clickstream process --until-caught-up: {proc_rate:,.0f} events/s "
              f"({seconds:.2f} s wall, process start to exit), peak RSS {rss:.0f} MiB")
        print(f"ratio b/a: {proc_rate / raw_rate:.2f}")
        print(f"    {out.strip()}")

        # Freshness at a steady rate with a 1 s commit interval.
        run([args.binary, "produce", "--topic", "fresh", "--events", 1, "--partitions", 4], env)
        processor = subprocess.Popen(
            [str(args.binary), "process", "--topic", "fresh", "--table", "website.fresh",
             "--commit-interval-ms", "1000"], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        time.sleep(8)  # joined the group and committed the first event
        run([args.binary, "produce", "--topic", "fresh", "--rate", args.rate,
             "--duration", args.seconds], env)
        time.sleep(4)
        processor.send_signal(signal.SIGTERM)
        _, status, usage = os.wait4(processor.pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0

        table = catalog.load_table("website.fresh")
        times = message_times(broker.bootstrap, "fresh")
        # Commits in order: per partition, the first snapshot whose next offset passes an event.
        commits = {p: [] for p in times}
        for snap in sorted(table.snapshots(), key=lambda s: s.sequence_number):
            for key, value in snap.summary.additional_properties.items():
                prefix = "kafka.click_processor.fresh."
                if key.startswith(prefix):
                    commits[int(key[len(prefix):])].append((int(value), snap.timestamp_ms))
        freshness = []
        for p, stamps in times.items():
            ends = [end for end, _ in commits[p]]
            for offset, created in enumerate(stamps):
                if offset == 0:
                    continue  # the warm-up event
                i = bisect.bisect_right(ends, offset)
                assert i < len(ends), f"partition {p} offset {offset} never committed"
                freshness.append(commits[p][i][1] - created)
        freshness.sort()
        print(f"freshness at {args.rate:,} events/s for {args.seconds} s, commit interval 1000 ms: "
              f"events={len(freshness)} p50={percentile(freshness, 0.5)} ms "
              f"p99={percentile(freshness, 0.99)} ms max={freshness[-1]} ms; "
              f"processor peak RSS {usage.ru_maxrss / 1024:.0f} MiB, "
              f"snapshots={len(table.snapshots())}")


if __name__ == "__main__":
    main()
