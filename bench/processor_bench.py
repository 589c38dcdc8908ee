"""Benchmark of `clickstream process` (PROCESSOR engineer), recorded in bench/RESULTS.md.

1. Throughput: N events (default 2,000,000) already in a 4-partition topic of a private broker;
   (a) plain librdkafka consume-and-discard (bench_processor_consume, the ceiling), then
   (b) `clickstream process --until-caught-up` into a fresh website.clicks; events/s of each,
   the ratio b/a, peak RSS of (b); pyiceberg checks that the table holds N rows.
2. Freshness: the processor runs with --commit-interval-ms 1000 while `clickstream produce`
   sends at a steady --rate for --seconds. For every event, freshness = commit time of the first
   metadata file whose recorded offsets (table properties) cover it - its Kafka create timestamp
   (stamped by the producer at send time); p50/p99/max over all events. The metadata files are
   read as they are committed (soak_bench.Monitor): older ones are deleted after later commits.

    ninja -C build clickstream bench_processor_consume
    .venv/bin/python bench/processor_bench.py --binary build/clickstream \
        --consume-bench build/bench/bench_processor_consume
"""

import argparse
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT / "bench"))

from pyiceberg.catalog.sql import SqlCatalog  # noqa: E402

from kafka_broker import Broker  # noqa: E402
from soak_bench import Monitor, event_times, freshness  # noqa: E402


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
        # Commit times and recorded offsets of every metadata file, read as they are written
        # (older ones are deleted after later commits: write.metadata.previous-versions-max).
        monitor = Monitor(env["CLICKSTREAM_CATALOG"], processor.pid, topic="fresh", table="fresh")
        monitor.start()
        time.sleep(8)  # joined the group and committed the first event
        run([args.binary, "produce", "--topic", "fresh", "--rate", args.rate,
             "--duration", args.seconds], env)
        time.sleep(4)
        processor.send_signal(signal.SIGTERM)
        _, status, usage = os.wait4(processor.pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        monitor.stop_event.set()
        monitor.join()
        monitor.poll()
        times, _ = event_times(broker.bootstrap, stride=1, topic="fresh")
        for stamps in times.values():
            stamps.pop(0, None)  # the warm-up event
        fresh = freshness(monitor.commits, times)
        print(f"freshness at {args.rate:,} events/s for {args.seconds} s, commit interval 1000 ms: "
              f"events={fresh['events']} p50={fresh['p50_ms']} ms p99={fresh['p99_ms']} ms "
              f"max={fresh['max_ms']} ms; processor peak RSS {usage.ru_maxrss / 1024:.0f} MiB, "
              f"commits seen={len(monitor.commits)}")


if __name__ == "__main__":
    main()
