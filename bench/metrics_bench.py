"""The cost of `process --metrics-addr` (METRICS engineer), recorded in bench/RESULTS.md.

N events (default 2,000,000) go into a 4-partition topic of a private broker once; then
`clickstream process --until-caught-up` drains the same topic several times, each run under its own
consumer group into its own table, alternating without and with `--metrics-addr` while a scraper
GETs /metrics once a second (rounds of A, B; medians reported). Events/s = N / wall time of the
process, start to exit; the processor's CPU time (user + sys, from wait4) is reported too, as it
moves less than wall time when other work shares the 2 cores. Every table is checked to hold N
rows.

    ninja -C build clickstream
    .venv/bin/python bench/metrics_bench.py [--events 2000000] [--rounds 3]
"""

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from prometheus_client.parser import text_string_to_metric_families  # noqa: E402
from pyiceberg.catalog.sql import SqlCatalog  # noqa: E402

from kafka_broker import Broker, free_port  # noqa: E402


class Scraper(threading.Thread):
    """GETs /metrics once a second until stopped; keeps the latency and size of each scrape."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url, self.stop, self.latencies, self.sizes = url, threading.Event(), [], []

    def run(self):
        while not self.stop.wait(1.0):
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    body = response.read().decode()
            except OSError:
                continue  # not listening yet
            self.latencies.append(time.monotonic() - started)
            self.sizes.append(len(body))
            list(text_string_to_metric_families(body))  # a scrape Prometheus could parse


def drain(binary, env, table, group, metrics):
    cmd = [str(binary), "process", "--topic", "bench", "--until-caught-up", "--table", table,
           "--group", group]
    scraper = None
    if metrics:
        port = free_port()
        cmd += ["--metrics-addr", f"127.0.0.1:{port}"]
        scraper = Scraper(f"http://127.0.0.1:{port}/metrics")
        scraper.start()
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    if scraper:
        scraper.stop.set()
        scraper.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"process failed: {proc.stderr.read().strip()}")
    return seconds, usage.ru_utime + usage.ru_stime, scraper


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=ROOT / "build" / "clickstream")
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="metrics-bench-") as tmp, \
            Broker(pathlib.Path(tmp) / "kafka") as broker:
        env = dict(os.environ, **broker.env)
        env["CLICKSTREAM_CATALOG"] = f"{tmp}/catalog.db"
        env["CLICKSTREAM_WAREHOUSE"] = f"{tmp}/warehouse"
        catalog = SqlCatalog("catalog", uri=f"sqlite:///{tmp}/catalog.db",
                             warehouse=f"file://{tmp}/warehouse")
        subprocess.run([str(args.binary), "produce", "--topic", "bench", "--events",
                        str(args.events), "--partitions", "4", "--rate", "0"],
                       env=env, check=True, capture_output=True)
        plain, scraped, latencies, sizes, cpu_plain, cpu_scraped = [], [], [], [], [], []
        for round_ in range(args.rounds):
            for metrics in (False, True):
                name = f"r{round_}_{'metrics' if metrics else 'plain'}"
                seconds, cpu, scraper = drain(args.binary, env, f"website.{name}", name, metrics)
                rows = len(catalog.load_table(f"website.{name}").scan().to_arrow())
                assert rows == args.events, (name, rows)
                (scraped if metrics else plain).append(args.events / seconds)
                (cpu_scraped if metrics else cpu_plain).append(cpu)
                if scraper:
                    latencies += scraper.latencies
                    sizes += scraper.sizes
                print(f"  {name}: {args.events / seconds:,.0f} events/s ({seconds:.2f} s wall, "
                      f"{cpu:.2f} s CPU)", flush=True)
        a, b = statistics.median(plain), statistics.median(scraped)
        print(f"events={args.events} partitions=4 rounds={args.rounds}")
        print(f"without --metrics-addr: median {a:,.0f} events/s")
        print(f"with --metrics-addr, scraped every 1 s: median {b:,.0f} events/s "
              f"({(b / a - 1) * 100:+.1f}%)")
        ca, cb = statistics.median(cpu_plain), statistics.median(cpu_scraped)
        print(f"processor CPU (user+sys) median: {ca:.2f} s without, {cb:.2f} s with "
              f"({(cb / ca - 1) * 100:+.1f}%)")
        if latencies:
            print(f"scrapes={len(latencies)} latency median {statistics.median(latencies) * 1000:.1f}"
                  f" ms max {max(latencies) * 1000:.1f} ms, body {statistics.median(sizes):,.0f} "
                  f"bytes")


if __name__ == "__main__":
    main()
