"""`clickstream process` on REST catalog + S3 against SQLite + local disk, same topic, one run
(issue 12), recorded in bench/RESULTS.md.

N events (default 1,000,000) go into a 4-partition topic of a private broker once. Then, for each
round, the processor drains the whole topic with --until-caught-up at the default commit interval
into (a) a fresh table in a SQLite catalog with a local warehouse, and (b) a fresh table in
Apache Iceberg's REST reference server with its files on S3Proxy (private scripts/lakehouse
services, storage s3), each under its own consumer group. Reported per setup: events/s (process
start to exit), the commit latencies the processor printed once a second ("last commit N ms"),
and the ratio b/a. One unmeasured warm-up drain each first (the JVM servers start cold).
pyiceberg checks that each table holds N rows.

    .venv/bin/python bench/lakehouse_bench.py --events 1000000 --rounds 3
"""

import argparse
import os
import pathlib
import re
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT / "bench"))

from pyiceberg.catalog.sql import SqlCatalog  # noqa: E402

from kafka_broker import Broker  # noqa: E402
from lakehouse_services import Lakehouse  # noqa: E402
from processor_bench import run  # noqa: E402


def service_cpu_seconds(lakehouse):
    """User + system CPU seconds the two lakehouse JVMs have used so far."""
    total = 0.0
    for name in ("s3proxy", "rest-catalog"):
        pid = (lakehouse.data_dir / f"{name}.pid").read_text().strip()
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def drain(binary, env, table, group):
    started = time.monotonic()
    out, err, _, rss = run([binary, "process", "--topic", "bench", "--table", table, "--group",
                            group, "--until-caught-up", "--no-maintain"], env)
    seconds = time.monotonic() - started
    commits = [int(ms) for ms in re.findall(r"last commit (\d+) ms", out + err)]
    return seconds, commits, rss


def summary(name, events, runs):
    rates = [events / seconds for seconds, _, _ in runs]
    commits = sorted(ms for _, c, _ in runs for ms in c)
    p99 = commits[min(len(commits) - 1, int(len(commits) * 0.99))] if commits else 0
    print(f"{name}: {statistics.median(rates):,.0f} events/s (median of {len(runs)}: "
          f"{', '.join(f'{r:,.0f}' for r in rates)}), commit p50 "
          f"{statistics.median(commits) if commits else 0:.0f} ms p99 {p99} ms "
          f"({len(commits)} samples), peak RSS {max(r for _, _, r in runs):.0f} MiB")
    return statistics.median(rates)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=ROOT / "build" / "clickstream")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="lakehouse-bench-") as tmp, \
            Broker(pathlib.Path(tmp) / "kafka") as broker, \
            Lakehouse(pathlib.Path(tmp) / "services", storage="s3") as lakehouse:
        local_env = dict(os.environ, **broker.env, CLICKSTREAM_CATALOG=f"{tmp}/catalog.db",
                         CLICKSTREAM_WAREHOUSE=f"{tmp}/warehouse")
        s3_env = dict(os.environ, **broker.env, **lakehouse.env)
        run([args.binary, "produce", "--topic", "bench", "--events", args.events,
             "--partitions", 4, "--rate", 0], local_env)
        local_catalog = SqlCatalog("catalog", uri=f"sqlite:///{tmp}/catalog.db",
                                   warehouse=f"file://{tmp}/warehouse")
        os.environ.update({k: v for k, v in lakehouse.env.items() if k.startswith("AWS_")})
        rest_catalog = lakehouse.pyiceberg_catalog()
        local, remote, services_cpu = [], [], []
        # Warm-up (not measured): the JVM servers' JIT, the page cache, the binary.
        drain(args.binary, local_env, "website.warm", "warm")
        drain(args.binary, s3_env, "website.warm", "warm")
        for i in range(args.rounds):
            local.append(drain(args.binary, local_env, f"website.local{i}", f"local{i}"))
            cpu_before = service_cpu_seconds(lakehouse)
            remote.append(drain(args.binary, s3_env, f"website.s3_{i}", f"s3_{i}"))
            services_cpu.append(service_cpu_seconds(lakehouse) - cpu_before)
            assert len(local_catalog.load_table(f"website.local{i}").scan().to_arrow()) == args.events
            assert len(rest_catalog.load_table(f"website.s3_{i}").scan().to_arrow()) == args.events
        print(f"events={args.events} partitions=4 rounds={args.rounds} (alternating)")
        a = summary("(a) SQLite + local disk", args.events, local)
        b = summary("(b) REST catalog + S3   ", args.events, remote)
        print(f"ratio b/a: {b / a:.2f}; the REST catalog and S3 servers used "
              f"{', '.join(f'{c:.1f}' for c in services_cpu)} CPU s during (b)'s drains, on the "
              f"same {os.cpu_count()} cores as the processor")


if __name__ == "__main__":
    main()
