"""Soak benchmark of a maintained stream (issue 9), recorded in bench/RESULTS.md.

`clickstream process --commit-interval-ms 1000` (maintenance on, as by default) consumes a topic
that `clickstream produce --rate 20000 --duration 600` feeds, on a private broker. At minutes 1, 5
and 10 (after the producer started) it records the table's data files and metadata bytes
(`tables health`), the directory sizes, where data/'s bytes are (live in the current snapshot,
reached only by older retained snapshots, or orphans: no snapshot reaches them), and the best of
5 wall times of `query top-pages` and `query user-activity` pinned (--snapshot) to the current
snapshot, against the same rows written fully compacted (one file per partition) into a copy
(pyiceberg append into a second catalog), the live and compacted runs alternating.
Throughout, a monitor reads every metadata file the processor commits (commit time and the Kafka
offsets it records) and the processor's RSS; at the end, freshness = commit time of the first
metadata file whose offsets cover an event - the event's Kafka create timestamp, p50/p99/max
over every 10th event, and the table must hold every produced event exactly once.

    ninja -C build clickstream
    .venv/bin/python bench/soak_bench.py [--rate 20000] [--minutes 10] [--property K=V ...]
"""

import argparse
import bisect
import json
import os
import pathlib
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

import pyarrow as pa  # noqa: E402
from confluent_kafka import Consumer, TopicPartition  # noqa: E402

from iceberg_readers import duckdb_connection, open_catalog  # noqa: E402
from kafka_broker import Broker  # noqa: E402

TOPIC = "soak"
GROUP = "click_processor"
PARTITIONS = 4


def cli(binary, env, *args, timeout=600):
    started = time.monotonic()
    done = subprocess.run([str(binary), *map(str, args)], env=env, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise SystemExit(f"clickstream {' '.join(map(str, args[:3]))} failed: {done.stderr.strip()}")
    return done.stdout, time.monotonic() - started


def metadata_location(catalog_db, table="clicks"):
    con = sqlite3.connect(catalog_db, timeout=30)
    try:
        row = con.execute("SELECT metadata_location FROM iceberg_tables WHERE table_namespace = "
                          "'website' AND table_name = ?", (table,)).fetchone()
    finally:
        con.close()
    return row[0] if row else None


def local(path):
    return path.removeprefix("file://").removeprefix("file:")


class Monitor(threading.Thread):
    """Every second: new metadata files (commit time, recorded offsets) and the processor's RSS."""

    def __init__(self, catalog_db, pid, topic=TOPIC, table="clicks"):
        super().__init__(daemon=True)
        self.catalog_db, self.pid, self.topic, self.table = catalog_db, pid, topic, table
        self.commits = {}  # metadata file -> (last-updated-ms, {partition: next offset})
        self.peak_rss_mib = 0.0
        self.stop_event = threading.Event()

    def offsets(self, metadata):
        prefix = "clickstream.kafka-offset."
        found = {}
        for key, value in metadata.get("properties", {}).items():
            if key.startswith(prefix) and f".{self.topic}." in key:
                found[int(key.rsplit(".", 1)[1])] = int(value)
        return found

    def read(self, path):
        try:
            with open(local(path)) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None  # deleted after a later commit (write.metadata.previous-versions-max)

    def poll(self):
        current = metadata_location(self.catalog_db, self.table)
        if current is None:
            return
        metadata = self.read(current)
        if metadata is None:
            return
        candidates = [(e["metadata-file"]) for e in metadata.get("metadata-log", [])][-30:]
        for path in candidates + [current]:
            if path in self.commits:
                continue
            m = metadata if path == current else self.read(path)
            if m is not None:
                self.commits[path] = (m["last-updated-ms"], self.offsets(m))

    def run(self):
        while not self.stop_event.wait(1.0):
            try:
                self.poll()
                with open(f"/proc/{self.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            self.peak_rss_mib = max(self.peak_rss_mib, int(line.split()[1]) / 1024)
            except (OSError, sqlite3.Error):
                pass


def dir_stats(directory):
    """Files and bytes under a directory that maintenance deletes from meanwhile."""
    count = size = 0
    for root, _, names in os.walk(directory):
        for name in names:
            try:
                size += os.stat(os.path.join(root, name)).st_size
                count += 1
            except FileNotFoundError:
                pass
    return count, size


def referenced_data_files(metadata_path):
    """The metadata, the data files live in its current snapshot and those live in any snapshot."""
    from pyiceberg.manifest import ManifestEntryStatus
    from pyiceberg.table import StaticTable

    table = StaticTable.from_metadata(metadata_path)
    meta, io = table.metadata, table.io
    entries = {}  # manifests are shared by snapshots: read each once

    def reached(snapshot):
        found = set()
        for manifest in snapshot.manifests(io):
            if manifest.manifest_path not in entries:
                entries[manifest.manifest_path] = {
                    local(e.data_file.file_path)
                    for e in manifest.fetch_manifest_entry(io, discard_deleted=False)
                    if e.status != ManifestEntryStatus.DELETED}
            found |= entries[manifest.manifest_path]
        return found

    live = reached(meta.current_snapshot()) if meta.current_snapshot() else set()
    retained = set()
    for snapshot in meta.snapshots:
        retained |= reached(snapshot)
    return meta, live, retained


def classify_data_files(data_dir, catalog_db):
    """Every file under data/ as live (current snapshot), retained (only older snapshots still in
    the metadata reach it) or orphan (no snapshot reaches it; by age: younger than the oldest
    retained snapshot, e.g. a write in flight, or older). Bytes and files of each class."""
    on_disk = {}
    for root, _, names in os.walk(data_dir):
        for name in names:
            path = os.path.join(root, name)
            try:
                st = os.stat(path)
            except FileNotFoundError:
                continue
            on_disk[path] = (st.st_size, st.st_mtime)
    for attempt in range(5):  # expiry may delete a manifest while it is read: read again
        try:
            meta, live, retained = referenced_data_files(metadata_location(catalog_db))
            break
        except FileNotFoundError:
            if attempt == 4:
                raise
    oldest_ms = min((s.timestamp_ms for s in meta.snapshots), default=0)
    classes = {k: [0, 0] for k in ("live", "retained", "orphan_new", "orphan_old")}
    for path, (size, mtime) in on_disk.items():
        if path not in retained and not os.path.exists(path):
            continue  # deleted by an expiry that committed after the listing
        if path in live:
            key = "live"
        elif path in retained:
            key = "retained"
        else:
            key = "orphan_new" if mtime * 1000 >= oldest_ms else "orphan_old"
        classes[key][0] += 1
        classes[key][1] += size
    return {k: {"files": n, "bytes": b} for k, (n, b) in classes.items()} | {
        "snapshots": len(meta.snapshots), "oldest_snapshot_age_s":
        round(time.time() - oldest_ms / 1000, 1)}


def timed_side_by_side(binary, live, compacted, repeats=5):
    """Best wall times (s) of `repeats` runs each of `clickstream query ...` on the live table and
    on its compacted copy, alternating, so that both see the same load of the running stream (the
    processor's rewrites come in bursts; timed one after the other, a burst could land on either).
    `live` and `compacted` are (env, query args) pairs."""
    best = [float("inf"), float("inf")]
    for _ in range(repeats):
        for i, (env, args) in enumerate((live, compacted)):
            best[i] = min(best[i], cli(binary, env, "query", *args)[1])
    return best


def empty_clicks_table(root, binary):
    """A new website.clicks in a catalog of its own under `root`: the clickstream environment for
    it and the pyiceberg table."""
    env = dict(os.environ, CLICKSTREAM_CATALOG=f"{root}/catalog.db",
               CLICKSTREAM_WAREHOUSE=f"{root}/warehouse")
    cli(binary, env, "tables", "create", "website.clicks")
    return env, open_catalog(f"{root}/catalog.db", f"{root}/warehouse").load_table("website.clicks")


def compacted_copy(live_metadata, snapshot_id, root, binary):
    """The rows of `snapshot_id` appended in one pyiceberg commit to a fresh website.clicks of a
    second catalog: one file per page, the fully compacted form."""
    env, table = empty_clicks_table(root, binary)
    con = duckdb_connection()
    rows = con.execute(
        f"SELECT user_id, page, click_timestamp FROM iceberg_scan('{live_metadata}', "
        f"snapshot_from_id = {snapshot_id})").arrow()
    if isinstance(rows, pa.RecordBatchReader):
        rows = rows.read_all()
    con.close()
    table.append(rows.cast(table.schema().as_arrow()))
    return env, rows.num_rows


def checkpoint(minute, binary, env, tmp, user):
    live = metadata_location(env["CLICKSTREAM_CATALOG"])
    current = json.load(open(local(live)))
    snapshot_id = current["current-snapshot-id"]
    health = json.loads(cli(binary, env, "tables", "health", "website.clicks", "--format", "json")[0])
    table_dir = pathlib.Path(health["location"])
    data_files, data_bytes = dir_stats(table_dir / "data")
    meta_files, meta_bytes = dir_stats(table_dir / "metadata")
    classes = classify_data_files(table_dir / "data", env["CLICKSTREAM_CATALOG"])
    pinned = ["--snapshot", snapshot_id]
    copy_env, rows = compacted_copy(live, snapshot_id, f"{tmp}/compacted-{minute}", binary)
    live_top, copy_top = timed_side_by_side(
        binary, (env, ["top-pages", *pinned]), (copy_env, ["top-pages"]))
    live_user, copy_user = timed_side_by_side(
        binary, (env, ["user-activity", user, *pinned]), (copy_env, ["user-activity", user]))
    copy_files, copy_bytes = dir_stats(f"{tmp}/compacted-{minute}/warehouse/website/clicks/data")
    result = {
        "minute": minute, "rows": rows, "live_data_files": health["data_files"],
        "snapshots": health["snapshots"], "manifests": health["manifests"],
        "current_metadata_bytes": health["current_metadata_bytes"],
        "metadata_dir_files": meta_files, "metadata_dir_bytes": meta_bytes,
        "data_dir_files": data_files, "data_dir_bytes": data_bytes,
        "live_data_bytes": health["data_bytes"],
        "top_pages_s": round(live_top, 3), "top_pages_compacted_s": round(copy_top, 3),
        "user_activity_s": round(live_user, 3), "user_activity_compacted_s": round(copy_user, 3),
        "compacted_files": copy_files, "compacted_bytes": copy_bytes, "data_dir_classes": classes,
    }
    result["top_pages_ratio"] = round(live_top / copy_top, 2)
    result["user_activity_ratio"] = round(live_user / copy_user, 2)
    print(json.dumps(result), flush=True)
    return result


def event_times(bootstrap, stride=10, topic=TOPIC):
    """{partition: {offset: create timestamp ms}} for every `stride`-th offset, and the total."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "soak-times",
                         "enable.auto.commit": False, "enable.partition.eof": True})
    meta = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, 0) for p in meta])
    times, open_, total = {p: {} for p in meta}, set(meta), {p: 0 for p in meta}
    while open_:
        for msg in consumer.consume(num_messages=10000, timeout=1.0):
            if msg.error():
                open_.discard(msg.partition())
                continue
            total[msg.partition()] = msg.offset() + 1
            if msg.offset() % stride == 0:
                times[msg.partition()][msg.offset()] = msg.timestamp()[1]
    consumer.close()
    return times, sum(total.values())


def freshness(commits, times):
    ordered = sorted(commits.values())
    values = []
    for partition, stamps in times.items():
        ends = [(offsets.get(partition, 0), ms) for ms, offsets in ordered]
        running, firsts = 0, []
        for end, ms in ends:  # the first commit time at which each offset is covered
            if end > running:
                firsts.append((end, ms))
                running = end
        keys = [end for end, _ in firsts]
        for offset, created in stamps.items():
            i = bisect.bisect_right(keys, offset)
            if i < len(firsts):
                values.append(firsts[i][1] - created)
    values.sort()
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
    return {"events": len(values), "p50_ms": pick(0.5), "p99_ms": pick(0.99), "max_ms": values[-1]}


def set_properties(binary, env, assignments):
    """Creates website.clicks (as `process` would) and sets `assignments` ("key=value") on it."""
    if not assignments:
        return
    cli(binary, env, "tables", "create", "website.clicks")
    table = open_catalog(env["CLICKSTREAM_CATALOG"], env["CLICKSTREAM_WAREHOUSE"]).load_table(
        "website.clicks")
    with table.transaction() as tx:
        tx.set_properties(dict(a.split("=", 1) for a in assignments))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=ROOT / "build" / "clickstream")
    ap.add_argument("--rate", type=int, default=20_000)
    ap.add_argument("--minutes", type=int, default=10)
    ap.add_argument("--checkpoints", default="1,5,10")
    ap.add_argument("--user", default="user_42")
    ap.add_argument("--property", action="append", default=[], metavar="KEY=VALUE",
                    help="a table property set before the stream starts (repeatable), e.g. "
                         "clickstream.maintenance.rewrite-size-ratio=8")
    args = ap.parse_args()
    marks = [int(m) for m in args.checkpoints.split(",") if int(m) <= args.minutes]

    with tempfile.TemporaryDirectory(prefix="soak-") as tmp, Broker(pathlib.Path(tmp) / "kafka") as broker:
        env = dict(os.environ, **broker.env)
        env["CLICKSTREAM_CATALOG"] = f"{tmp}/catalog.db"
        env["CLICKSTREAM_WAREHOUSE"] = f"{tmp}/warehouse"
        cli(args.binary, env, "produce", "--topic", TOPIC, "--events", 1, "--partitions", PARTITIONS)
        set_properties(args.binary, env, args.property)
        log = open(f"{tmp}/process.log", "w")
        processor = subprocess.Popen(
            [str(args.binary), "process", "--topic", TOPIC, "--group", GROUP,
             "--commit-interval-ms", "1000"], env=env, stdout=log, stderr=log)
        time.sleep(8)  # joined the group, created the tables
        monitor = Monitor(env["CLICKSTREAM_CATALOG"], processor.pid)
        monitor.start()
        # Its progress goes to a file: a pipe nobody reads fills after ~15 minutes of progress
        # lines and stops the producer in write() (a 20-minute run stalled so at minute 15).
        produce_log = open(f"{tmp}/produce.log", "w")
        producer = subprocess.Popen(
            [str(args.binary), "produce", "--topic", TOPIC, "--rate", str(args.rate),
             "--duration", str(args.minutes * 60)], env=env, stdout=subprocess.DEVNULL,
            stderr=produce_log)
        started = time.monotonic()
        try:
            for minute in marks:
                time.sleep(max(0.0, started + minute * 60 - time.monotonic()))
                checkpoint(minute, args.binary, env, tmp, args.user)
        except BaseException:
            producer.kill()
            processor.kill()
            raise
        assert producer.wait() == 0, open(f"{tmp}/produce.log").read()[-2000:]
        produce_log.close()
        time.sleep(5)  # the last commits
        processor.send_signal(signal.SIGTERM)
        assert processor.wait(timeout=120) == 0, open(f"{tmp}/process.log").read()[-2000:]
        monitor.stop_event.set()
        monitor.join()
        monitor.poll()
        log.close()

        times, produced = event_times(broker.bootstrap)
        con = duckdb_connection()
        rows = con.execute("SELECT count(*) FROM iceberg_scan("
                           f"'{metadata_location(env['CLICKSTREAM_CATALOG'])}')").fetchone()[0]
        con.close()
        maintain_lines = [l for l in open(f"{tmp}/process.log") if "maintain" in l]
        summary = {
            "rate": args.rate, "minutes": args.minutes, "produced": produced, "rows": rows,
            "exactly_once": rows == produced, "processor_peak_rss_mib": round(monitor.peak_rss_mib),
            "freshness": freshness(monitor.commits, times),
            "maintenance_actions": len(maintain_lines),
            "maintenance_failures": sum(" failed: " in l for l in maintain_lines),
        }
        print(json.dumps(summary), flush=True)
        for line in maintain_lines[-5:]:
            print("  " + line.rstrip())


if __name__ == "__main__":
    main()
