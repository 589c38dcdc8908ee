"""`clickstream process --metrics-addr`: the /metrics page read by prometheus_client's own text
parser (independent of the C++ code) while a processor runs against a real broker, and /healthz
following the broker and the catalog."""

import json
import os
import pathlib
import re
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import BINARY, ROOT
from iceberg_readers import open_catalog
from kafka_broker import Broker, free_port
from test_maintenance_lifecycle import assert_judges_agree, make_lakehouse
from test_processor import Lake, log_of, produce, topic_contents

# Every family the processor exposes (DESIGN.md "Observability"), by exposition name.
PROCESSOR_FAMILIES = {
    "clickstream_messages_consumed": "counter",
    "clickstream_rows_committed": "counter",
    "clickstream_commits": "counter",
    "clickstream_committed_files": "counter",
    "clickstream_committed_bytes": "counter",
    "clickstream_commit_duration_seconds": "histogram",
    "clickstream_last_commit_timestamp_seconds": "gauge",
    "clickstream_dead_letters": "counter",
    "clickstream_skipped_records": "counter",
    "clickstream_fenced_batches": "counter",
    "clickstream_skipped_offsets": "counter",
    "clickstream_partition_lag_messages": "gauge",
    "clickstream_partition_lag_seconds": "gauge",
    "clickstream_assigned_partitions": "gauge",
    "clickstream_event_to_visible_seconds": "histogram",
    "clickstream_kafka_to_visible_seconds": "histogram",
    "clickstream_table_data_files": "gauge",
    "clickstream_table_records": "gauge",
    "clickstream_table_data_bytes": "gauge",
    "clickstream_maintenance_runs": "counter",
    "clickstream_maintenance_failures": "counter",
    "clickstream_maintenance_files_rewritten": "counter",
    "clickstream_maintenance_bytes_reclaimed": "counter",
    "clickstream_maintenance_duration_seconds": "histogram",
    "clickstream_table_health_data_files": "gauge",
    "clickstream_table_health_data_bytes": "gauge",
    "clickstream_table_health_small_files": "gauge",
    "clickstream_table_health_delete_files": "gauge",
    "clickstream_table_health_partitions": "gauge",
    "clickstream_table_health_snapshots": "gauge",
    "clickstream_table_health_manifests": "gauge",
    "clickstream_table_health_metadata_files": "gauge",
    "clickstream_table_health_current_metadata_bytes": "gauge",
    "clickstream_table_health_metadata_dir_bytes": "gauge",
    "process_cpu_seconds": "counter",
    "process_resident_memory_bytes": "gauge",
    "process_virtual_memory_bytes": "gauge",
    "process_open_fds": "gauge",
    "process_max_fds": "gauge",
    "process_start_time_seconds": "gauge",
}


class Scrape:
    """One parsed /metrics page: families by name and samples by (name, sorted labels)."""

    def __init__(self, text):
        self.families = {f.name: f for f in text_string_to_metric_families(text)}
        self.samples = {}
        for family in self.families.values():
            for s in family.samples:
                self.samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
        self.types = {name: f.type for name, f in self.families.items()}

    def value(self, name, **labels):
        return self.samples[(name, tuple(sorted((k, str(v)) for k, v in labels.items())))]

    def series(self, name):
        """{labels dict as sorted tuple: value} of every sample named `name`."""
        return {labels: v for (n, labels), v in self.samples.items() if n == name}

    def monotonic(self):
        """Samples that may only grow: counters, histogram buckets, sums and counts."""
        grow = {}
        for (name, labels), value in self.samples.items():
            family = next((f for f in self.families.values()
                           if name.startswith(f.name)), None)
            if family is not None and family.type in ("counter", "histogram") and \
                    not name.endswith("_created"):
                grow[(name, labels)] = value
        return grow


def http_get(url, timeout=5):
    """(status, body) of a GET; 5xx answers are returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def start_processor(lake, topic, port, *args):
    proc = lake.spawn("process", "--topic", topic, "--metrics-addr", f"127.0.0.1:{port}",
                      "--session-timeout-ms", 6000, *args)
    base = f"http://127.0.0.1:{port}"

    def up():
        assert proc.poll() is None, log_of(proc)
        try:
            return http_get(base + "/healthz")[0] == 200
        except OSError:
            return False

    wait_for(up, 60, "/healthz to answer 200")
    return proc, base


def test_metrics_parse_count_and_catch_up(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("metrics")
    # A backlog big enough that the first lag reading (1 s after start) is not 0 yet: the
    # processor drains ~750,000 events/s on a quiet 2-core machine (600,000 were gone in under 1 s
    # on a fresh-clone CI run).
    produce(lake, topic, "--events", 2_000_000, "--partitions", 4, "--bad-ratio", 0.01,
            "--rate", 0, "--seed", 5)
    port = free_port()
    # Without its built-in maintenance: every snapshot and file of the table is then this
    # processor's own, which the counts below compare exactly.
    proc, base = start_processor(lake, topic, port, "--commit-interval-ms", 700, "--no-maintain")
    # A second producer keeps messages arriving while the backlog drains.
    producer = lake.spawn("produce", "--topic", topic, "--events", 20_000, "--rate", 4000,
                          "--bad-ratio", 0.05, "--seed", 6)
    scrapes, health = [], []
    try:
        def caught_up():
            status, text = http_get(base + "/metrics")
            assert status == 200
            scrapes.append(Scrape(text))
            health.append(http_get(base + "/healthz"))
            last = scrapes[-1]
            lags = last.series("clickstream_partition_lag_messages")
            seconds = last.series("clickstream_partition_lag_seconds")
            visible = sum(last.series("clickstream_rows_committed_total").values())
            return (producer.poll() is not None and visible == 2_020_000 and len(lags) == 4
                    and all(v == 0 for v in lags.values())
                    and all(v == 0 for v in seconds.values()))

        wait_for(caught_up, 300, "every message committed and lag 0 on every partition")
        time.sleep(2)  # one more commit interval: nothing moves anymore
        final = Scrape(http_get(base + "/metrics")[1])
        scrapes.append(final)
    finally:
        proc.terminate()
        assert proc.wait(timeout=60) == 0, log_of(proc)
    assert producer.wait() == 0, log_of(producer)

    # Every family is there, with the declared type.
    for name, kind in PROCESSOR_FAMILIES.items():
        assert final.types.get(name) == kind, (name, final.types.get(name))
    # Counters, buckets, sums and counts never went down from one scrape to the next.
    for before, after in zip(scrapes, scrapes[1:]):
        for key, value in before.monotonic().items():
            assert after.samples.get(key, value) >= value, (key, value, after.samples.get(key))
    # Lag was seen above 0 while the backlog drained, and is 0 once caught up.
    assert any(v > 0 for s in scrapes
               for v in s.series("clickstream_partition_lag_messages").values())
    assert any(v > 0 for s in scrapes
               for v in s.series("clickstream_partition_lag_seconds").values())
    assert all(code == 200 for code, _ in health), [h for h in health if h[0] != 200][:3]

    good, bad = topic_contents(kafka_broker, topic)
    rows = sum(good.values())
    table_rows = len(lake.table("website.clicks"))
    assert table_rows == rows
    assert final.value("clickstream_rows_committed_total", table="website.clicks") == rows
    assert final.value("clickstream_rows_committed_total", table="website.clicks_dlq") == len(bad)
    dead = final.series("clickstream_dead_letters_total")
    assert sum(dead.values()) == len(bad)
    reasons = {dict(labels)["reason"] for labels in dead}
    assert reasons <= {"broken_json", "missing_field", "wrong_type", "bad_timestamp", "empty",
                       "invalid_utf8", "oversized"}, reasons
    assert len(reasons) >= 4, reasons
    assert final.value("clickstream_messages_consumed_total", topic=topic) >= rows + len(bad)
    # Freshness: one observation per committed row.
    for name in ("clickstream_event_to_visible_seconds", "clickstream_kafka_to_visible_seconds"):
        assert final.value(name + "_count", table="website.clicks") == rows, name
        assert final.value(name + "_bucket", table="website.clicks", le="+Inf") == rows, name
        assert final.value(name + "_sum", table="website.clicks") > 0, name
    # Files and bytes per commit, and one latency observation per commit.
    for table in ("website.clicks", "website.clicks_dlq"):
        commits = final.value("clickstream_commits_total", table=table)
        snapshots = len(open_catalog(lake.catalog, lake.warehouse).load_table(table).snapshots())
        assert commits == snapshots, table
        assert final.value("clickstream_commit_duration_seconds_count", table=table) == commits
        assert final.value("clickstream_committed_files_total", table=table) >= commits
        assert final.value("clickstream_committed_bytes_total", table=table) > 0
        # The table's totals: a fresh table, so everything in it came from this processor.
        assert final.value("clickstream_table_data_files", table=table) == \
            final.value("clickstream_committed_files_total", table=table)
        assert final.value("clickstream_table_data_bytes", table=table) == \
            final.value("clickstream_committed_bytes_total", table=table)
    assert final.value("clickstream_table_records", table="website.clicks") == rows
    assert final.value("clickstream_assigned_partitions", topic=topic) == 4
    assert final.value("clickstream_fenced_batches_total", topic=topic) == 0
    assert len(final.series("clickstream_skipped_offsets_total")) == 4
    assert final.value("process_resident_memory_bytes") > 10 * 2**20
    assert final.value("process_open_fds") > 3
    assert_dashboard_matches(final)


def assert_dashboard_matches(scrape):
    """Every metric the Grafana dashboard queries is one the processor exposes."""
    exposed = set()
    suffixes = {"counter": ["_total"], "gauge": [""], "histogram": ["_bucket", "_sum", "_count"]}
    for name, family in scrape.families.items():
        exposed.update(name + suffix for suffix in suffixes[family.type])
    dashboard = json.loads((ROOT / "docs" / "grafana" / "clickstream.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    used = {m for e in exprs for m in re.findall(r"\b(?:clickstream|process)_[a-z_]+", e)}
    assert len(used) >= 20, used
    assert used <= exposed, used - exposed


def test_healthz_follows_the_broker_and_a_locked_catalog(tmp_path):
    with Broker(tmp_path / "kafka") as broker:
        lake = Lake(tmp_path, broker)
        topic = broker.unique_topic("health")
        produce(lake, topic, "--events", 100, "--partitions", 2)
        proc, base = start_processor(lake, topic, free_port(), "--commit-interval-ms", 500)
        try:
            broker.stop()
            status, body = wait_for(
                lambda: (lambda r: r if r[0] == 503 else None)(http_get(base + "/healthz")),
                60, "/healthz to answer 503 with the broker stopped")
            assert body.count("\n") == 1 and body.startswith("kafka: "), body
            assert broker.bootstrap in body, body
            broker.start()
            wait_for(lambda: http_get(base + "/healthz")[0] == 200, 120,
                     "/healthz back to 200 after the broker restarted")
            produce(lake, topic, "--events", 100)
            wait_for(lambda: len(lake.table("website.clicks")) == 200, 60,
                     "the events produced after the restart to be committed")

            # A catalog locked by another process stalls the commits: 503 while it lasts.
            lock = sqlite3.connect(lake.catalog, timeout=30, isolation_level=None)
            lock.execute("BEGIN EXCLUSIVE")
            try:
                produce(lake, topic, "--events", 50)
                status, body = wait_for(
                    lambda: (lambda r: r if r[0] == 503 else None)(http_get(base + "/healthz")),
                    25, "/healthz to answer 503 while the catalog is locked")
                assert body.startswith("processor: no progress for "), body
            finally:
                lock.execute("ROLLBACK")
                lock.close()
            wait_for(lambda: http_get(base + "/healthz")[0] == 200, 30,
                     "/healthz back to 200 once the catalog is free")
            wait_for(lambda: len(lake.table("website.clicks")) == 250, 60,
                     "the events produced during the lock to be committed")
        finally:
            proc.terminate()
            assert proc.wait(timeout=60) == 0, log_of(proc)


def test_maintain_counts_its_runs_files_rewritten_and_bytes_reclaimed(tmp_path, clickstream):
    lakehouse = make_lakehouse(tmp_path, clickstream)
    table = lakehouse.table()
    before = {f.file.file_path: f.file.file_size_in_bytes for f in table.scan().plan_files()}
    with table.transaction() as tx:  # everything due at once: a rewrite, then an expiry
        tx.set_properties({"clickstream.maintenance.rewrite-min-new-files": "1",
                           "clickstream.maintenance.expire-interval-ms": "100",
                           "history.expire.max-snapshot-age-ms": "1",
                           "history.expire.min-snapshots-to-keep": "1"})
    port = free_port()
    proc = subprocess.Popen(
        [str(BINARY), "maintain", "--table", "website.clicks", "--interval", "0.5",
         "--metrics-addr", f"127.0.0.1:{port}"],
        env=dict(os.environ, **lakehouse.environment), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    labels = {"table": "website.clicks"}
    try:
        def gone():
            return {p for p in before if not pathlib.Path(p.removeprefix("file://")).exists()}

        def reclaimed():
            assert proc.poll() is None, proc.communicate()
            try:
                scrape = Scrape(http_get(base + "/metrics")[1])
            except OSError:
                return None
            rewritten = scrape.samples.get((
                "clickstream_maintenance_files_rewritten_total",
                tuple(sorted(dict(labels, operation="rewrite-data-files").items()))), 0)
            return rewritten > 0 and len(gone()) == rewritten

        wait_for(reclaimed, 120, "a rewrite, then an expiry that deleted the rewritten files")
        time.sleep(1.5)  # the expiry's run is counted once its files are deleted
        scrape = Scrape(http_get(base + "/metrics")[1])
        assert http_get(base + "/healthz") == (200, "ok\n")
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out + err
    replaced = set(before) - {f.file.file_path for f in lakehouse.table().scan().plan_files()}
    assert replaced == gone()
    assert scrape.value("clickstream_maintenance_files_rewritten_total",
                        operation="rewrite-data-files", **labels) == len(replaced)
    # The expiries deleted the replaced data files, and manifests and lists only they needed.
    assert scrape.value("clickstream_maintenance_bytes_reclaimed_total",
                        operation="expire-snapshots", **labels) > sum(before[p] for p in replaced)
    for operation in ("rewrite-data-files", "expire-snapshots"):
        assert scrape.value("clickstream_maintenance_runs_total", operation=operation, **labels) >= 1
        assert scrape.value("clickstream_maintenance_failures_total",
                            operation=operation, **labels) == 0
        assert scrape.value("clickstream_maintenance_duration_seconds_count",
                            operation=operation) >= 1
    # `tables health` as gauges: the same figures as the command prints.
    shown = clickstream("tables", "health", "website.clicks", "--format", "json",
                        env=lakehouse.environment)
    assert shown.returncode == 0, shown.stderr
    health = json.loads(shown.stdout)
    for field in ("data_files", "data_bytes", "small_files", "partitions", "snapshots", "manifests",
                  "current_metadata_bytes"):
        assert scrape.value("clickstream_table_health_" + field, **labels) == health[field], field
    assert_judges_agree(lakehouse)
