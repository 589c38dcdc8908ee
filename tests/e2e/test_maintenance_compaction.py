"""`tables rewrite-data-files` and `tables rewrite-manifests` (DESIGN.md "Table maintenance"): after
each, pyiceberg, DuckDB and Spark read exactly the rows that were loaded; the commits are ordinary
`replace` snapshots (DELETED entries keep their sequence numbers, summary totals add up); a rewrite
running while two processors append loses and duplicates nothing; `kill -9` of a rewrite leaves the
table exact."""

import collections
import os
import pathlib
import re
import signal
import subprocess
import time

import pyarrow.parquet as pq
from pyiceberg.manifest import ManifestEntryStatus

from conftest import BINARY
from iceberg_readers import arrow_rows, duckdb_rows, ndjson_rows, open_catalog
from test_processor import SESSION_MS, Lake, assert_exactly_once, log_of, produce, wait_for_rows

LOADS = 12
EVENTS_PER_LOAD = 400


def load_small_files(clickstream, env, tmp_path, loads=LOADS, events=EVENTS_PER_LOAD):
    """`loads` snapshots of one small file per page each, as a stream's commits leave them."""
    paths = []
    for i in range(loads):
        produced = clickstream("produce", "--stdout", "--events", events, "--users", 50,
                               "--seed", 100 + i)
        assert produced.returncode == 0, produced.stderr
        path = tmp_path / f"load-{i:02d}.ndjson"
        path.write_text(produced.stdout)
        paths.append(path)
        loaded = clickstream("tables", "load", "website.clicks", path, env=env)
        assert loaded.returncode == 0, loaded.stderr
    return paths


def lake_env(tmp_path):
    return {"CLICKSTREAM_CATALOG": str(tmp_path / "catalog.db"),
            "CLICKSTREAM_WAREHOUSE": str(tmp_path / "wh")}


def assert_every_reader_reads(tmp_path, spark, expected):
    table = open_catalog(tmp_path / "catalog.db", tmp_path / "wh").load_table("website.clicks")
    assert arrow_rows(table.scan().to_arrow()) == expected
    assert duckdb_rows(table.metadata_location) == expected
    spark_table = spark.read_table(tmp_path / "catalog.db", tmp_path / "wh", "website.clicks")
    assert arrow_rows(spark_table) == expected
    return table


def live_and_deleted_entries(table):
    live, deleted = [], []
    for manifest in table.current_snapshot().manifests(table.io):
        for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=False):
            (deleted if entry.status == ManifestEntryStatus.DELETED else live).append(entry)
    return live, deleted


def test_rewrite_data_files_then_manifests_every_reader_reads_the_same_rows(
        tmp_path, clickstream, spark):
    env = lake_env(tmp_path)
    expected = ndjson_rows(*load_small_files(clickstream, env, tmp_path))
    before = open_catalog(tmp_path / "catalog.db", tmp_path / "wh").load_table("website.clicks")
    files_before = {e.data_file.file_path: e for e in live_and_deleted_entries(before)[0]}
    pages = {e.data_file.partition[0] for e in files_before.values()}
    assert len(files_before) > 5 * len(pages)

    result = clickstream("tables", "rewrite-data-files", "website.clicks", env=env)
    assert result.returncode == 0, result.stderr
    m = re.search(r"rewrote (\d+) files .* into (\d+) files .* in [\d.]+ s", result.stdout)
    assert m, result.stdout
    table = assert_every_reader_reads(tmp_path, spark, expected)
    snapshot = table.current_snapshot()
    summary = snapshot.summary
    assert summary.operation.value == "replace"
    rewritten, written = int(m.group(1)), int(m.group(2))
    per_page = collections.Counter(e.data_file.partition[0] for e in files_before.values())
    compacted = {page for page, n in per_page.items() if n >= 5}  # --min-input-files default
    assert rewritten == sum(per_page[page] for page in compacted) and written == len(compacted)
    assert summary["deleted-data-files"] == str(rewritten)
    assert summary["added-data-files"] == str(written)
    assert summary["deleted-records"] == summary["added-records"] == str(sum(
        e.data_file.record_count for e in files_before.values()
        if e.data_file.partition[0] in compacted))
    assert summary["total-records"] == str(len(expected))
    live, deleted = live_and_deleted_entries(table)
    assert summary["total-data-files"] == str(len(live))
    assert len(deleted) == rewritten and len(live) == len(files_before) - rewritten + written
    for entry in deleted:  # spec, "Manifest Entry Fields": DELETED keeps its sequence numbers
        original = files_before[entry.data_file.file_path]
        assert entry.snapshot_id == snapshot.snapshot_id
        assert entry.sequence_number == original.sequence_number
        assert entry.file_sequence_number == original.file_sequence_number
    for entry in live:
        if entry.data_file.partition[0] in compacted:
            assert entry.sequence_number == snapshot.sequence_number

    manifests_before = len(snapshot.manifests(table.io))
    result = clickstream("tables", "rewrite-manifests", "website.clicks", env=env)
    assert result.returncode == 0, result.stderr
    table = assert_every_reader_reads(tmp_path, spark, expected)
    summary = table.current_snapshot().summary
    assert summary.operation.value == "replace"
    assert summary["manifests-replaced"] == str(manifests_before)
    assert summary["manifests-created"] == "1" and summary["manifests-kept"] == "0"
    live_after, deleted_after = live_and_deleted_entries(table)
    assert not deleted_after
    assert all(e.status == ManifestEntryStatus.EXISTING for e in live_after)
    assert sorted((e.data_file.file_path, e.sequence_number) for e in live_after) == sorted(
        (e.data_file.file_path, e.sequence_number) for e in live)

    nothing = clickstream("tables", "rewrite-data-files", "website.clicks", env=env)
    assert nothing.returncode == 0 and "nothing to rewrite" in nothing.stdout


def test_where_limits_the_rewrite_and_sort_by_orders_rows(tmp_path, clickstream, spark):
    env = lake_env(tmp_path)
    expected = ndjson_rows(*load_small_files(clickstream, env, tmp_path))
    before = open_catalog(tmp_path / "catalog.db", tmp_path / "wh").load_table("website.clicks")
    carts = [e for e in live_and_deleted_entries(before)[0] if e.data_file.partition[0] == "/cart"]
    assert len(carts) >= 5
    result = clickstream("tables", "rewrite-data-files", "website.clicks", "--where",
                         "page = '/cart'", "--sort-by", "user_id,click_timestamp", env=env)
    assert result.returncode == 0, result.stderr
    assert re.search(rf"rewrote {len(carts)} files .* into 1 files", result.stdout), result.stdout
    table = assert_every_reader_reads(tmp_path, spark, expected)
    live, _ = live_and_deleted_entries(table)
    cart = [e for e in live if e.data_file.partition[0] == "/cart"]
    assert len(cart) == 1 and len(live) > LOADS  # the other pages were left alone
    rows = pq.read_table(cart[0].data_file.file_path.removeprefix("file:")).select(
        ["user_id", "click_timestamp"]).to_pylist()
    keys = [(r["user_id"], r["click_timestamp"]) for r in rows]
    assert keys == sorted(keys)

    for bad in (["--where", "user_id = 'x'"], ["--where", "page = "], ["--sort-by", "nope"]):
        wrong = clickstream("tables", "rewrite-data-files", "website.clicks", *bad, env=env)
        assert wrong.returncode == 2, (bad, wrong.stdout, wrong.stderr)
        assert wrong.stderr.count("\n") == 1, wrong.stderr


def test_kill_9_during_a_rewrite_leaves_the_table_exact(tmp_path, clickstream, spark):
    env = lake_env(tmp_path)
    expected = ndjson_rows(*load_small_files(clickstream, env, tmp_path, loads=30, events=1000))
    data = tmp_path / "wh" / "website" / "clicks" / "data"
    before = {p for p in data.rglob("*.parquet")}
    metadata_before = open_catalog(tmp_path / "catalog.db", tmp_path / "wh").load_table(
        "website.clicks").metadata_location
    rewrite = subprocess.Popen(
        [str(BINARY), "tables", "rewrite-data-files", "website.clicks", "--threads", "1",
         "--min-input-files", "2", "--target-file-size-bytes", "4096"],
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not set(data.rglob("*.parquet")) - before:  # the first new file exists
        assert rewrite.poll() is None, rewrite.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    rewrite.send_signal(signal.SIGKILL)
    rewrite.wait()
    table = assert_every_reader_reads(tmp_path, spark, expected)
    assert table.metadata_location == metadata_before  # nothing committed
    assert set(data.rglob("*.parquet")) - before  # the unfinished rewrite left orphans only

    result = clickstream("tables", "rewrite-data-files", "website.clicks", env=env)
    assert result.returncode == 0, result.stderr
    assert_every_reader_reads(tmp_path, spark, expected)


def test_compaction_while_two_processors_append_loses_and_duplicates_nothing(
        kafka_broker, tmp_path, clickstream):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("compact")
    produce(lake, topic, "--events", 1, "--partitions", 4)
    producer = lake.spawn("produce", "--topic", topic, "--events", 39_999, "--rate", 2500)
    # The rewrites under test are `tables rewrite-data-files`'; the processors' own maintenance
    # would take their small files first (once, the loop below got a single rewrite in 11 tries).
    args = ("process", "--topic", topic, "--commit-interval-ms", 200,
            "--session-timeout-ms", SESSION_MS, "--no-maintain")
    processors = [lake.spawn(*args), lake.spawn(*args)]
    wait_for_rows(lake, "website.clicks", 1000, processors[0])
    outcomes = collections.Counter()
    while producer.poll() is None:
        result = lake.run("tables", "rewrite-data-files", "website.clicks", "--min-input-files", 2)
        assert result.returncode in (0, 1), result.stderr
        if result.returncode == 1:
            assert "concurrent" in result.stderr, result.stderr
        outcomes["rewrote" if "rewrote" in result.stdout else result.returncode] += 1
        lake.run("tables", "rewrite-manifests", "website.clicks")
    assert producer.wait() == 0, log_of(producer)
    wait_for_rows(lake, "website.clicks", 40_000, processors[0])
    for proc in processors:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log_of(proc)
    assert outcomes["rewrote"] >= 2, outcomes
    rows = assert_exactly_once(lake, kafka_broker, topic)
    assert sum(rows.values()) == 40_000
    table = open_catalog(lake.catalog, lake.warehouse).load_table("website.clicks")
    operations = collections.Counter(s.summary.operation.value for s in table.snapshots())
    assert operations["replace"] >= 2 and operations["append"] >= 10, operations
    assert duckdb_rows(table.metadata_location) == sorted(rows.elements())
