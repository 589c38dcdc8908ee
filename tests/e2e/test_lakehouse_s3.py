"""clickstream with its tables on S3 behind the Iceberg REST catalog (the multi-machine setup):
`process` writes data files, manifests and metadata to the S3 server, the table commands maintain
them there, and independent readers (pyiceberg's RestCatalog, DuckDB) read back every row.

Each test uses its own namespace in the session's lakehouse_s3 services.
"""

import collections
import json
import os
import signal
import subprocess
import time

import pyarrow.fs as pafs

import pytest

from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.transforms import IdentityTransform

from conftest import BINARY
from iceberg_readers import arrow_rows
from test_spark_reader import CLICKS_SCHEMA
from test_processor import SESSION_MS, topic_contents
from test_rest_catalog import duckdb_rows


@pytest.fixture
def s3_env(lakehouse_s3, kafka_broker):
    """The environment `eval "$(scripts/lakehouse env)"` gives, plus the broker."""
    return dict(kafka_broker.env, **lakehouse_s3.env)


def s3_objects(lakehouse_s3, namespace):
    """Every object S3Proxy holds under the namespace, as paths below its bucket directory."""
    root = lakehouse_s3.data_dir / "s3" / "clickstream" / "warehouse" / namespace
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_process_writes_every_table_file_to_s3_read_by_pyiceberg_and_duckdb(
    lakehouse_s3, s3_env, clickstream, kafka_broker
):
    topic = kafka_broker.unique_topic("s3")
    produced = clickstream("produce", "--topic", topic, "--events", 3000, "--partitions", 3,
                           "--bad-ratio", 0.01, env=s3_env, timeout=300)
    assert produced.returncode == 0, produced.stderr
    processed = clickstream("process", "--topic", topic, "--table", "s3proc.clicks",
                            "--until-caught-up", "--commit-interval-ms", 300,
                            "--session-timeout-ms", SESSION_MS, env=s3_env, timeout=300)
    assert processed.returncode == 0, processed.stdout + processed.stderr

    catalog = lakehouse_s3.pyiceberg_catalog()
    table = catalog.load_table("s3proc.clicks")
    assert table.metadata_location.startswith("s3://clickstream/warehouse/s3proc/clicks/metadata/")
    good, bad = topic_contents(kafka_broker, topic)
    expected = sorted(good.elements())
    assert arrow_rows(table.scan().to_arrow()) == expected
    assert catalog.load_table("s3proc.clicks_dlq").scan().to_arrow().num_rows == len(bad)
    assert duckdb_rows(clickstream, s3_env, "s3proc.clicks") == expected

    objects = s3_objects(lakehouse_s3, "s3proc")
    assert any(o.startswith("clicks/data/") and o.endswith(".parquet") for o in objects)
    assert any(o.startswith("clicks/metadata/") and o.endswith(".avro") for o in objects)
    assert not any(".tmp" in o for o in objects), "no temporary object is left"

    # A second run from the recorded offsets adds nothing.
    again = clickstream("process", "--topic", topic, "--table", "s3proc.clicks",
                        "--until-caught-up", "--session-timeout-ms", SESSION_MS,
                        env=s3_env, timeout=300)
    assert again.returncode == 0, again.stderr
    assert collections.Counter(arrow_rows(catalog.load_table("s3proc.clicks").scan().to_arrow())) \
        == good


def test_table_maintenance_on_s3_compacts_expires_and_removes_orphans(
    lakehouse_s3, s3_env, clickstream, tmp_path, monkeypatch
):
    events = tmp_path / "events.ndjson"
    with open(events, "w") as out:
        for i in range(300):
            out.write(f'{{"user_id":"user_{i}","page":"/p{i % 3}",'
                      f'"event_ts":"2026-11-23T22:{i // 60:02d}:{i % 60:02d}Z"}}\n')
    # Created by pyiceberg through the same REST catalog, then appended to by clickstream.
    catalog = lakehouse_s3.pyiceberg_catalog()
    catalog.create_namespace("s3maint")
    spec = PartitionSpec(PartitionField(2, 1000, IdentityTransform(), "page"))
    catalog.create_table("s3maint.clicks", CLICKS_SCHEMA, partition_spec=spec)
    for _ in range(6):  # six commits: six small files per page (bin-pack needs 5)
        loaded = clickstream("tables", "load", "s3maint.clicks", str(events), env=s3_env,
                             timeout=120)
        assert loaded.returncode == 0, loaded.stderr
    expected = sorted(duckdb_rows(clickstream, s3_env, "s3maint.clicks"))
    assert len(expected) == 1800

    health = clickstream("tables", "health", "s3maint.clicks", "--format", "json", env=s3_env)
    assert health.returncode == 0, health.stderr
    assert json.loads(health.stdout)["data_files"] == 18

    for step in [("rewrite-data-files",), ("expire-snapshots", "--retain-last", "1",
                                            "--older-than", "0s")]:
        done = clickstream("tables", step[0], "s3maint.clicks", *step[1:], env=s3_env,
                           timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    data = [o for o in s3_objects(lakehouse_s3, "s3maint") if o.endswith(".parquet")]
    assert len(data) == 3, data  # one compacted file per page; the expired inputs are deleted
    assert duckdb_rows(clickstream, s3_env, "s3maint.clicks") == expected

    # An object nothing references (a crashed writer's file) is found and removed.
    for name in ("AWS_REQUEST_CHECKSUM_CALCULATION", "AWS_RESPONSE_CHECKSUM_VALIDATION"):
        monkeypatch.setenv(name, s3_env[name])  # pyarrow's S3 client, as every client of S3Proxy
    fs = pafs.S3FileSystem(access_key=s3_env["AWS_ACCESS_KEY_ID"],
                           secret_key=s3_env["AWS_SECRET_ACCESS_KEY"],
                           endpoint_override=s3_env["AWS_ENDPOINT_URL"],
                           region=s3_env["AWS_REGION"])
    with fs.open_output_stream("clickstream/warehouse/s3maint/clicks/data/lost.parquet") as out:
        out.write(b"PAR1 not referenced")
    listed = clickstream("tables", "remove-orphan-files", "s3maint.clicks", "--older-than", "0s",
                         "--dry-run", env=s3_env)
    assert listed.returncode == 0, listed.stderr
    assert "s3://clickstream/warehouse/s3maint/clicks/data/lost.parquet" in listed.stdout
    removed = clickstream("tables", "remove-orphan-files", "s3maint.clicks", "--older-than", "0s",
                          env=s3_env)
    assert removed.returncode == 0, removed.stderr
    assert "clicks/data/lost.parquet" not in s3_objects(lakehouse_s3, "s3maint")
    assert duckdb_rows(clickstream, s3_env, "s3maint.clicks") == expected


def spawn_in(directory, env, *args):
    """The binary started in its own working directory with output to files there: a processor
    on its own machine, sharing only the broker, the REST catalog and S3 with the others."""
    directory.mkdir(parents=True, exist_ok=True)
    out = open(directory / "out.log", "a")
    proc = subprocess.Popen([str(BINARY), *map(str, args)], cwd=directory, stdout=out,
                            stderr=subprocess.STDOUT, env=dict(os.environ, **env), text=True)
    proc.log_path = directory / "out.log"
    return proc


def row_count(catalog, name):
    try:
        return catalog.load_table(name).scan().to_arrow().num_rows
    except Exception:  # not created yet
        return 0


def test_two_processors_sharing_nothing_local_one_killed_and_restarted(
    lakehouse_s3, s3_env, clickstream, kafka_broker, tmp_path, spark
):
    topic = kafka_broker.unique_topic("s3group")
    first = clickstream("produce", "--topic", topic, "--events", 1, "--partitions", 4, env=s3_env)
    assert first.returncode == 0, first.stderr
    producer = spawn_in(tmp_path / "producer", s3_env, "produce", "--topic", topic,
                        "--events", 29_999, "--rate", 3000)
    args = ("process", "--topic", topic, "--table", "s3group.clicks", "--commit-interval-ms",
            500, "--session-timeout-ms", SESSION_MS)
    machine_a, machine_b = tmp_path / "machine-a", tmp_path / "machine-b"
    a, b = spawn_in(machine_a, s3_env, *args), spawn_in(machine_b, s3_env, *args)
    time.sleep(8)
    a.send_signal(signal.SIGKILL)
    a.wait()
    a = spawn_in(machine_a, s3_env, *args)  # the machine's processor comes back
    assert producer.wait(timeout=120) == 0, producer.log_path.read_text()

    catalog = lakehouse_s3.pyiceberg_catalog()
    deadline = time.monotonic() + 180
    while row_count(catalog, "s3group.clicks") < 30_000 and time.monotonic() < deadline:
        assert a.poll() is None, a.log_path.read_text()
        assert b.poll() is None, b.log_path.read_text()
        time.sleep(1)
    for proc in (a, b):
        proc.send_signal(signal.SIGTERM)
    for proc in (a, b):
        assert proc.wait(timeout=60) == 0, proc.log_path.read_text()

    good, _ = topic_contents(kafka_broker, topic)
    assert sum(good.values()) == 30_000
    rows = collections.Counter(arrow_rows(catalog.load_table("s3group.clicks").scan().to_arrow()))
    missing, doubled = good - rows, rows - good
    assert not missing and not doubled, f"{sum(missing.values())} missing, {sum(doubled.values())} extra"
    assert duckdb_rows(clickstream, s3_env, "s3group.clicks") == sorted(good.elements())
    session = spark.rest_session(lakehouse_s3.catalog_uri, s3_env)
    by_spark = session.sql("SELECT * FROM catalog.s3group.clicks").toArrow()
    assert collections.Counter(arrow_rows(by_spark)) == good
    for machine in (machine_a, machine_b):  # nothing but the log was written locally
        assert sorted(p.name for p in machine.iterdir()) == ["out.log"]


def kill_service(lakehouse, name):
    """kill -9 of one lakehouse server (s3proxy or rest-catalog), as a crashed machine would."""
    pid = int((lakehouse.data_dir / f"{name}.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    while os.path.exists(f"/proc/{pid}") and "zombie" not in open(f"/proc/{pid}/status").read():
        time.sleep(0.1)


def test_processor_waits_out_s3_and_the_catalog_going_away(
    lakehouse_s3, s3_env, clickstream, kafka_broker, tmp_path
):
    topic = kafka_broker.unique_topic("s3outage")
    first = clickstream("produce", "--topic", topic, "--events", 1, "--partitions", 3, env=s3_env)
    assert first.returncode == 0, first.stderr
    processor = spawn_in(tmp_path / "processor", s3_env, "process", "--topic", topic, "--table",
                         "s3outage.clicks", "--commit-interval-ms", 300, "--session-timeout-ms",
                         SESSION_MS)
    producer = spawn_in(tmp_path / "producer", s3_env, "produce", "--topic", topic,
                        "--events", 19_999, "--rate", 2000)
    try:
        time.sleep(3)
        kill_service(lakehouse_s3, "s3proxy")  # S3 unreachable for a while
        time.sleep(4)
        lakehouse_s3.start()
        time.sleep(2)
        kill_service(lakehouse_s3, "rest-catalog")  # the REST server restarted mid-stream
        time.sleep(3)
        lakehouse_s3.start()
        assert producer.wait(timeout=120) == 0, producer.log_path.read_text()
        catalog = lakehouse_s3.pyiceberg_catalog()
        deadline = time.monotonic() + 180
        while row_count(catalog, "s3outage.clicks") < 20_000 and time.monotonic() < deadline:
            assert processor.poll() is None, processor.log_path.read_text()
            time.sleep(1)
    finally:
        lakehouse_s3.start()  # the session's services stay up for the tests after this one
    processor.send_signal(signal.SIGTERM)
    assert processor.wait(timeout=60) == 0, processor.log_path.read_text()
    log = processor.log_path.read_text()
    assert "commits succeed again after" in log, log

    good, _ = topic_contents(kafka_broker, topic)
    rows = collections.Counter(arrow_rows(catalog.load_table("s3outage.clicks").scan().to_arrow()))
    missing, doubled = good - rows, rows - good
    assert not missing and not doubled, f"{sum(missing.values())} missing, {sum(doubled.values())} extra"


def test_without_a_warehouse_the_rest_catalog_places_the_tables(
    lakehouse_s3, s3_env, clickstream, kafka_broker, tmp_path
):
    env = {k: v for k, v in s3_env.items() if k != "CLICKSTREAM_WAREHOUSE"}
    topic = kafka_broker.unique_topic("s3place")
    produced = clickstream("produce", "--topic", topic, "--events", 500, env=env)
    assert produced.returncode == 0, produced.stderr
    processed = clickstream("process", "--topic", topic, "--table", "s3place.clicks",
                            "--until-caught-up", "--session-timeout-ms", SESSION_MS, env=env,
                            timeout=300)
    assert processed.returncode == 0, processed.stdout + processed.stderr
    table = lakehouse_s3.pyiceberg_catalog().load_table("s3place.clicks")
    # The server's warehouse (scripts/lakehouse: s3://clickstream/warehouse), not a local default.
    assert table.location() == "s3://clickstream/warehouse/s3place/clicks"
    good, _ = topic_contents(kafka_broker, topic)
    assert collections.Counter(arrow_rows(table.scan().to_arrow())) == good
