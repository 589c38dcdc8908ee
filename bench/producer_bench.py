"""Producer benchmark: the same number of events through four producers into one Kafka broker.

  clickstream     `clickstream produce --rate 0` (C++, librdkafka)
  kafka-perf      Kafka's own kafka-producer-perf-test (org.apache.kafka.tools.ProducerPerformance)
                  with records of the clickstream events' average size
  confluent-py    confluent-kafka Python (bench/python_producers.py confluent)
  seed-py         the seed's way: kafka-python KafkaProducer + JSON serializer (python_producers.py seed)

Each writes its own fresh 4-partition topic, after an unmeasured warm-up run. By default a private broker is started (scripts/kafka
on free ports, a temp data dir) and stopped afterwards; --brokers uses a running one instead.
Prints a table: events/s measured by each tool itself (first send to last acknowledgement) and by
wall clock around the whole process (start-up included), and the ratios to clickstream.

  .venv/bin/python bench/producer_bench.py [--events 1000000] [--binary build/clickstream]
"""

import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from kafka_broker import Broker  # noqa: E402


def run(cmd, timeout=3600):
    start = time.monotonic()
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{proc.stderr}{proc.stdout}")
    return proc, wall


def create_topic(bootstrap, topic):
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, 4, 1)])[topic].result(30)


def average_event_size(binary, n=100_000):
    proc = subprocess.run([str(binary), "produce", "--stdout", "--events", str(n)],
                          capture_output=True, check=True)
    lines = proc.stdout.split(b"\n")[:-1]
    return round(sum(map(len, lines)) / len(lines))


def bench(bootstrap, args):
    size = average_event_size(args.binary)
    results = []
    tag = int(time.time())
    # Warm the broker (JIT, page cache, log segments) so the first producer measured is not
    # penalised; not measured.
    create_topic(bootstrap, f"bench_warmup_{tag}")
    run([args.binary, "--brokers", bootstrap, "produce", "--topic", f"bench_warmup_{tag}",
         "--events", min(args.events, 500_000), "--rate", 0])

    topic = f"bench_clickstream_{tag}"
    create_topic(bootstrap, topic)
    proc, wall = run([args.binary, "--brokers", bootstrap, "produce", "--topic", topic,
                      "--events", args.events, "--rate", 0])
    m = re.search(r"in ([\d.]+)s, \d+ events/s; delivered (\d+), not delivered 0", proc.stderr)
    assert m and int(m.group(2)) == args.events, proc.stderr
    results.append(("clickstream produce --rate 0", float(m.group(1)), wall))

    # Kafka's tool twice: with its default producer settings (batch.size 16 KiB, linger.ms 5), and
    # with the batching clickstream's producer uses (batches up to 1 MB, linger.ms 10).
    for props, label in (([], "defaults"), (["batch.size=1000000", "linger.ms=10"],
                                            "batch.size=1MB linger.ms=10")):
        topic = f"bench_perf_{len(props)}_{tag}"
        create_topic(bootstrap, topic)
        proc, wall = run(["java", "-Xmx512m", "-cp", f"{ROOT}/.deps/kafka/lib/*",
                          "org.apache.kafka.tools.ProducerPerformance", "--topic", topic,
                          "--num-records", args.events, "--record-size", size, "--throughput", -1,
                          "--producer-props", f"bootstrap.servers={bootstrap}", *props])
        m = re.search(r"(\d+) records sent, ([\d.]+) records/sec",
                      proc.stdout.strip().splitlines()[-1])
        assert m and int(m.group(1)) == args.events, proc.stdout
        results.append((f"kafka-producer-perf-test, {size}-byte records, {label}",
                        args.events / float(m.group(2)), wall))

    for mode, label in (("confluent", "confluent-kafka Python"),
                        ("seed", "seed-style kafka-python + JSON serializer")):
        if mode in args.skip:
            continue
        topic = f"bench_{mode}_{tag}"
        create_topic(bootstrap, topic)
        proc, wall = run([sys.executable, ROOT / "bench" / "python_producers.py", mode,
                          "--brokers", bootstrap, "--topic", topic, "--events", args.events])
        n, seconds, delivered = proc.stdout.split()
        assert int(delivered) == args.events, proc.stdout
        results.append((label, float(seconds), wall))

    base = args.events / results[0][1]
    load = open("/proc/loadavg").read().split()[:3]
    print(f"\n{args.events} events per producer, one run each, broker {bootstrap}, "
          f"average event {size} bytes, load average {' '.join(load)} on {os.cpu_count()} cores\n")
    print(f"| producer | events/s (own timing) | wall s | clickstream is N x faster |")
    print(f"| --- | ---: | ---: | ---: |")
    for label, seconds, wall in results:
        rate = args.events / seconds
        print(f"| {label} | {rate:,.0f} | {wall:.1f} | {base / rate:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--binary", type=pathlib.Path, default=ROOT / "build" / "clickstream")
    parser.add_argument("--brokers", help="use this running broker instead of a private one")
    parser.add_argument("--skip", nargs="*", default=[], choices=["seed", "confluent"])
    args = parser.parse_args()
    if args.brokers:
        bench(args.brokers, args)
        return
    with tempfile.TemporaryDirectory(prefix="producer-bench-") as data:
        with Broker(data) as broker:
            bench(broker.bootstrap, args)


if __name__ == "__main__":
    main()
