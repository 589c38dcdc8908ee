"""Inputs and faults that once stopped the stream, crashed a command or lost a row (issue 10):
each drives the real binary and checks the tables with independent readers (pyiceberg, DuckDB)."""

import collections
import json
import os
import pathlib
import sqlite3
import subprocess

import pytest
from confluent_kafka import Producer

from iceberg_readers import arrow_rows, duckdb_rows, ndjson_rows, open_catalog
from test_processor import Lake, assert_exactly_once, process_until_caught_up, produce

LONG_PAGE = ("/search?q=" + "long+query+" * 26 + "&lang=en")[:300]  # escaped: 318 bytes
assert len(LONG_PAGE) == 300


def write_ndjson(path, events):
    with open(path, "w", encoding="utf-8") as f:
        for user, page, ts in events:
            f.write(json.dumps({"user_id": user, "page": page, "event_ts": ts}) + "\n")
    return path


def directory_names_fit(root):
    """Every file and directory name under root is at most 255 bytes (NAME_MAX)."""
    for _, dirs, files in os.walk(root):
        for name in dirs + files:
            assert len(name.encode()) <= 255, name


def test_tables_load_takes_a_300_character_page(tmp_path, clickstream):
    env = {"CLICKSTREAM_CATALOG": str(tmp_path / "catalog.db"),
           "CLICKSTREAM_WAREHOUSE": str(tmp_path / "wh")}
    events = [("u1", "/home", "2026-11-23T22:55:00Z"), ("u2", LONG_PAGE, "2026-11-23T22:55:01Z"),
              ("u3", LONG_PAGE + "x", "2026-11-23T22:55:02Z"), ("u4", "/cart", "2026-11-23T22:55:03Z")]
    ndjson = write_ndjson(tmp_path / "events.ndjson", events)
    loaded = clickstream("tables", "load", "website.clicks", ndjson, env=env)
    assert loaded.returncode == 0, loaded.stderr
    directory_names_fit(tmp_path / "wh")
    table = open_catalog(tmp_path / "catalog.db", tmp_path / "wh").load_table("website.clicks")
    assert arrow_rows(table.scan().to_arrow()) == ndjson_rows(ndjson)
    assert duckdb_rows(table.metadata_location) == ndjson_rows(ndjson)
    # pyiceberg prunes by the full partition value from the manifests.
    only = table.scan(row_filter=f"page == '{LONG_PAGE}'").to_arrow()
    assert only.column("user_id").to_pylist() == ["u2"]


def test_process_commits_a_300_character_page_with_the_events_around_it(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("longpage")
    produce(lake, topic, "--events", 500, "--partitions", 2, "--seed", 3)
    producer = Producer({"bootstrap.servers": kafka_broker.bootstrap})
    for i in range(3):
        value = {"user_id": f"long_{i}", "page": LONG_PAGE + str(i), "event_ts": "2026-11-23T22:55:00Z"}
        producer.produce(topic, json.dumps(value).encode(), key=f"long_{i}".encode())
    assert producer.flush(30) == 0
    produce(lake, topic, "--events", 500, "--seed", 4)
    process_until_caught_up(lake, topic)
    rows = assert_exactly_once(lake, kafka_broker, topic)
    assert sum(rows.values()) == 1003
    assert {page for (_, page, _) in rows if page.startswith("/search?q=")} == {
        LONG_PAGE + str(i) for i in range(3)}
    directory_names_fit(lake.warehouse)
    # A restart has nothing left to do: the poison pill is not retried.
    again = process_until_caught_up(lake, topic)
    assert "committed 0 rows" in again.stdout, again.stdout


# ---- disk full (a real, small tmpfs: needs root, as ./scripts/test runs) ----

@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB tmpfs mounted for the test; .grow() remounts it at 256 MiB."""
    mount = tmp_path / "small_disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root): {done.stderr.strip()}")

    class Disk:
        path = mount

        @staticmethod
        def grow():
            subprocess.run(["mount", "-o", "remount,size=256m", str(mount)], check=True)

    yield Disk
    subprocess.run(["umount", "-l", str(mount)], check=False)


def parquet_files(root):
    return sorted(str(p) for p in pathlib.Path(root).rglob("*.parquet"))


def many_events(path, n, pages=400):
    """n events over `pages` pages with incompressible user ids (about 60 bytes each on disk)."""
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            user = os.urandom(12).hex()
            f.write(json.dumps({"user_id": user, "page": f"/p/{i % pages}",
                                "event_ts": "2026-11-23T22:55:00Z"}) + "\n")
    return path


def test_tables_load_on_a_full_disk_fails_cleanly_every_time(tmp_path, clickstream, small_disk):
    env = {"CLICKSTREAM_CATALOG": str(tmp_path / "catalog.db"),
           "CLICKSTREAM_WAREHOUSE": str(small_disk.path / "wh")}
    ndjson = many_events(tmp_path / "big.ndjson", 100_000)
    for attempt in range(4):  # it crashed about half the time
        result = clickstream("tables", "load", "website.clicks", ndjson, env=env)
        assert result.returncode == 1, (attempt, result.returncode, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert parquet_files(small_disk.path) == [], "a failed load leaves no data file"
    free = os.statvfs(small_disk.path)
    filler = small_disk.path / "filler"
    filler.write_bytes(b"x" * (free.f_bavail * free.f_frsize - (64 << 10)))
    profiles = clickstream("profiles", "generate", "--users", 300_000, env=env)
    assert profiles.returncode == 1, profiles.stderr
    assert len(profiles.stderr.strip().splitlines()) == 1, profiles.stderr
    assert parquet_files(small_disk.path) == []
    filler.unlink()
    small_disk.grow()
    assert clickstream("tables", "load", "website.clicks", ndjson, env=env).returncode == 0
    table = open_catalog(tmp_path / "catalog.db", small_disk.path / "wh").load_table("website.clicks")
    assert table.scan().to_arrow().num_rows == 100_000


def test_disk_full_during_process_deletes_the_batch_and_recovers_exactly_once(
        kafka_broker, tmp_path, small_disk):
    lake = Lake(tmp_path, kafka_broker)
    lake.env["CLICKSTREAM_WAREHOUSE"] = str(small_disk.path / "wh")
    lake.warehouse = small_disk.path / "wh"
    topic = kafka_broker.unique_topic("diskfull")
    produce(lake, topic, "--events", 150_000, "--users", 100_000, "--partitions", 2, "--seed", 8)
    free = os.statvfs(small_disk.path)
    filler = small_disk.path / "filler"  # 256 KiB stay free: the tables fit, the batch does not
    filler.write_bytes(b"x" * (free.f_bavail * free.f_frsize - (256 << 10)))
    for attempt in range(2):  # the same failure on a restart, and still nothing left behind
        full = lake.run("process", "--topic", topic, "--until-caught-up",
                        "--commit-interval-ms", 60_000, "--session-timeout-ms", 6000)
        assert full.returncode == 1, (attempt, full.stdout, full.stderr)
        errors = [line for line in full.stderr.splitlines() if not line.startswith("process:")]
        assert len(errors) == 1, full.stderr
        committed = set()
        for name in ("website.clicks", "website.clicks_dlq"):
            try:
                table = open_catalog(lake.catalog, lake.warehouse).load_table(name)
            except Exception:  # not created: nothing committed either
                continue
            committed |= {task.file.file_path.removeprefix("file://")
                          for task in table.scan().plan_files()}
        assert set(parquet_files(small_disk.path)) == committed, "uncommitted files left behind"
    filler.unlink()
    small_disk.grow()
    process_until_caught_up(lake, topic)
    rows = assert_exactly_once(lake, kafka_broker, topic)
    assert sum(rows.values()) == 150_000


# ---- flags, exit codes, reading creates nothing, Ctrl-C while connecting ----

def test_flag_values_that_are_empty_or_look_like_flags_are_usage_errors(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    for args in (["--group=", "--until-caught-up"], ["--topic=", "--until-caught-up"],
                 ["--group", "--until-caught-up"], ["--table="], ["--topic", "-x"]):
        result = lake.run("process", *args, timeout=30)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
    assert lake.run("produce", "--topic=", "--events", 1, timeout=30).returncode == 2
    assert lake.run("--catalog=", "tables", "list", timeout=30).returncode == 2
    assert not lake.catalog.exists()


def test_reading_commands_never_create_a_catalog(tmp_path, clickstream):
    missing = tmp_path / "mistyped" / "path.db"
    for args in (["tables", "list"], ["tables", "describe", "website.clicks"],
                 ["tables", "files", "website.clicks"], ["query", "unique-users"],
                 ["sql", "SELECT 1"]):
        result = clickstream("--catalog", missing, *args)
        assert result.returncode == 1, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "no catalog at" in lines[0], (args, result.stderr)
        assert not (tmp_path / "mistyped").exists(), args


def test_sigint_while_waiting_for_the_broker_stops_promptly(tmp_path):
    from kafka_broker import free_port
    lake_env = dict(os.environ, CLICKSTREAM_BROKERS=f"127.0.0.1:{free_port()}",
                    CLICKSTREAM_CATALOG=str(tmp_path / "c.db"),
                    CLICKSTREAM_WAREHOUSE=str(tmp_path / "wh"))
    from conftest import BINARY
    import signal
    import time
    proc = subprocess.Popen([str(BINARY), "process", "--topic", "t"], env=lake_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 2.0, "the 10 s broker wait ignored Ctrl-C"
    assert proc.returncode == 1 and len(err.strip().splitlines()) == 1, err


def table_names(catalog_db):
    if not pathlib.Path(catalog_db).exists():
        return set()
    with sqlite3.connect(catalog_db) as db:
        return {f"{ns}.{name}" for ns, name in
                db.execute("SELECT table_namespace, table_name FROM iceberg_tables")}


def test_process_validates_topic_and_tables_before_creating_anything(kafka_broker, tmp_path,
                                                                      clickstream):
    lake = Lake(tmp_path, kafka_broker)
    missing = lake.run("process", "--table", "website.user_profiles", "--topic", "no_topic_here")
    assert missing.returncode == 1, missing.stderr
    assert "no_topic_here does not exist" in missing.stderr
    assert table_names(lake.catalog) == set()
    assert lake.run("profiles", "generate", "--users", 10).returncode == 0
    topic = kafka_broker.unique_topic("sidefx")
    produce(lake, topic, "--events", 10)
    wrong = lake.run("process", "--table", "website.user_profiles", "--topic", topic,
                     "--until-caught-up")
    assert wrong.returncode == 1, wrong.stderr  # a table in an unexpected state: not a usage error
    assert "cannot take the processor's rows" in wrong.stderr, wrong.stderr
    assert table_names(lake.catalog) == {"website.user_profiles"}


# ---- tables in nested namespaces other engines made ----

def test_nested_namespaces_made_by_pyiceberg_are_listed_and_queried(tmp_path, clickstream):
    import pyarrow as pa
    catalog_db, warehouse = tmp_path / "catalog.db", tmp_path / "wh"
    env = {"CLICKSTREAM_CATALOG": str(catalog_db), "CLICKSTREAM_WAREHOUSE": str(warehouse)}
    ndjson = write_ndjson(tmp_path / "e.ndjson", [("u1", "/a", "2026-11-23T22:55:00Z")])
    assert clickstream("tables", "load", "website.clicks", ndjson, env=env).returncode == 0
    catalog = open_catalog(catalog_db, warehouse)
    catalog.create_namespace(("analytics", "daily"))
    rows = pa.table({"day": ["2026-11-23", "2026-11-24"], "clicks": [3, 4]})
    table = catalog.create_table(("analytics", "daily", "totals"), schema=rows.schema)
    table.append(rows)

    listed = clickstream("tables", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["analytics.daily.totals", "website.clicks"]
    described = clickstream("tables", "describe", "analytics.daily.totals", env=env)
    assert described.returncode == 0 and "total-records:    2" in described.stdout, described
    assert clickstream("query", "unique-users", env=env).returncode == 0
    summed = clickstream("sql", 'SELECT sum(clicks) AS s FROM "analytics.daily".totals',
                         "--format", "csv", env=env)
    assert summed.returncode == 0, summed.stderr
    assert summed.stdout.split() == ["s", "7"]


def test_sql_prints_strings_with_embedded_nul_whole(tmp_path, clickstream):
    env = {"CLICKSTREAM_CATALOG": str(tmp_path / "catalog.db"),
           "CLICKSTREAM_WAREHOUSE": str(tmp_path / "wh")}
    assert clickstream("tables", "create", env=env).returncode == 0
    for fmt in ("csv", "table", "json"):
        result = subprocess.run(
            [str(__import__("conftest").BINARY), "sql", "SELECT 'a' || chr(0) || 'b' AS s",
             "--format", fmt], capture_output=True, env=dict(os.environ, **env), timeout=60)
        assert result.returncode == 0, result.stderr
        expected = b"a\\u0000b" if fmt == "json" else b"a\x00b"
        assert expected in result.stdout, (fmt, result.stdout)
