"""The Iceberg REST catalog path: scripts/lakehouse's services, and clickstream on a REST catalog
(Apache Iceberg's reference server), checked by independent readers: pyiceberg's RestCatalog,
DuckDB (`clickstream sql`) and Spark with the Iceberg runtime's REST catalog.

Tables live in a local warehouse directory here; S3 storage is a later step (docs/rest-catalog.md).
"""

import collections
import concurrent.futures
import json

import pyarrow as pa
import pytest

from iceberg_readers import arrow_rows, ndjson_rows
from lakehouse_services import Lakehouse
from test_processor import SESSION_MS, topic_contents


@pytest.fixture
def rest_lake(tmp_path):
    """Private REST catalog (own SQLite file) and a warehouse directory, with the environment
    that points clickstream at them."""
    with Lakehouse(tmp_path / "services", storage="local") as services:
        services.cli_env = {
            "CLICKSTREAM_CATALOG": services.catalog_uri,
            "CLICKSTREAM_WAREHOUSE": str(tmp_path / "warehouse"),
        }
        yield services


def duckdb_rows(clickstream, env, table="website.clicks"):
    proc = clickstream(
        "sql", f"SELECT user_id, page, epoch_us(click_timestamp) AS micros FROM {table}",
        "--format", "json", env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return sorted((r["user_id"], r["page"], int(r["micros"])) for r in json.loads(proc.stdout))


def write_events(path, count, start=0):
    with open(path, "w") as out:
        for i in range(start, start + count):
            ts = f"2026-11-23T22:{(i // 60) % 60:02d}:{i % 60:02d}.{i:06d}Z"
            out.write(json.dumps({"user_id": f"user_{i}", "page": f"/p{i % 5}", "event_ts": ts}))
            out.write("\n")
    return path


def test_lakehouse_services_serve_an_s3_table_to_pyiceberg(tmp_path, monkeypatch):
    with Lakehouse(tmp_path / "services", storage="s3") as services:
        assert services.is_running()
        env = services.env
        for name, value in env.items():  # Arrow's S3 client reads AWS_* (checksum settings)
            monkeypatch.setenv(name, value)
        assert env["CLICKSTREAM_CATALOG"] == services.catalog_uri
        assert env["CLICKSTREAM_WAREHOUSE"] == "s3://clickstream/warehouse"
        catalog = services.pyiceberg_catalog()
        catalog.create_namespace("website")
        table = catalog.create_table("website.t", schema=pa.schema([("a", pa.int64())]))
        table.append(pa.table({"a": [1, 2, 3]}))
        assert table.metadata_location.startswith("s3://clickstream/warehouse/website/t/")
        rows = catalog.load_table("website.t").scan().to_arrow()["a"].to_pylist()
        assert sorted(rows) == [1, 2, 3]
        # The objects are plain files under the data directory.
        data = list((tmp_path / "services" / "s3" / "clickstream").rglob("*.parquet"))
        assert len(data) == 1
        # A second start is a no-op; stop leaves nothing running.
        assert "already running" in services.start()
    assert not services.is_running()


def test_tables_commands_on_a_rest_catalog(rest_lake, clickstream, tmp_path):
    # OAuth2 client credentials: the token comes from the server's /v1/oauth/tokens.
    env = dict(rest_lake.cli_env, CLICKSTREAM_CATALOG_CREDENTIAL="clickstream:secret")
    created = clickstream("tables", "create", "website.clicks", "website.clicks_dlq", env=env)
    assert created.returncode == 0, created.stderr
    again = clickstream("tables", "create", "website.clicks", env=env)
    assert again.returncode == 0 and "already exists" in again.stdout  # idempotent, as on SQLite

    listed = clickstream("tables", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["website.clicks", "website.clicks_dlq"]

    events = write_events(tmp_path / "events.ndjson", 50)
    loaded = clickstream("tables", "load", "website.clicks", events, env=env)
    assert loaded.returncode == 0, loaded.stderr

    # The server wrote the metadata; its file is what the catalog and every reader see.
    catalog = rest_lake.pyiceberg_catalog()
    table = catalog.load_table("website.clicks")
    described = clickstream("tables", "describe", "website.clicks", env=env)
    assert table.metadata_location in described.stdout
    expected = ndjson_rows(events)
    assert arrow_rows(table.scan().to_arrow()) == expected
    assert duckdb_rows(clickstream, env) == expected
    # What the CreateTableRequest carried: format version, partition spec, properties.
    assert table.metadata.format_version == 2
    assert [(f.name, str(f.transform)) for f in table.spec().fields] == [("page", "identity")]
    assert table.metadata.properties.get("write.parquet.compression-codec") == "zstd"

    missing = clickstream("tables", "describe", "website.nope", env=env)
    assert missing.returncode == 1 and "404" in missing.stderr


def test_rest_catalog_errors_are_one_sentence(clickstream, tmp_path):
    from kafka_broker import free_port

    env = {"CLICKSTREAM_CATALOG": f"http://127.0.0.1:{free_port()}",
           "CLICKSTREAM_WAREHOUSE": str(tmp_path / "warehouse")}
    result = clickstream("tables", "list", env=env)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "did not answer" in result.stderr, result.stderr


def test_two_writers_racing_lose_no_commit_and_apply_none_twice(rest_lake, clickstream, tmp_path):
    env = rest_lake.cli_env
    assert clickstream("tables", "create", "website.clicks", env=env).returncode == 0
    server_log = rest_lake.data_dir / "logs" / "rest-catalog.log"
    writers, loads_per_round, events_per_load = 2, 4, 20
    files = []

    def writer(mine):
        return [clickstream("tables", "load", "website.clicks", path, env=env) for path in mine]

    # Rounds of concurrent loads until the server has refused at least one commit with 409.
    for _ in range(6):
        batch = [write_events(tmp_path / f"e{len(files) + i}.ndjson", events_per_load,
                              start=(len(files) + i) * events_per_load)
                 for i in range(writers * loads_per_round)]
        files += batch
        with concurrent.futures.ThreadPoolExecutor(writers) as pool:
            results = [r for rs in pool.map(writer, [batch[w::writers] for w in range(writers)])
                       for r in rs]
        for result in results:
            assert result.returncode == 0, result.stderr
        if "CommitFailedException" in server_log.read_text(errors="replace"):
            break
    assert "CommitFailedException" in server_log.read_text(errors="replace"), "no commit raced"

    table = rest_lake.pyiceberg_catalog().load_table("website.clicks")
    expected = ndjson_rows(*files)
    assert arrow_rows(table.scan().to_arrow()) == expected
    assert duckdb_rows(clickstream, env) == expected
    appends = [s for s in table.metadata.snapshots if s.summary.operation.value == "append"]
    assert len(appends) == len(files)
    assert sorted(s.sequence_number for s in appends) == list(range(1, len(files) + 1))


def test_process_into_a_rest_catalog_table_read_by_every_reader(
    rest_lake, clickstream, kafka_broker, spark
):
    topic = kafka_broker.unique_topic("rest")
    env = dict(kafka_broker.env, **rest_lake.cli_env)
    produced = clickstream("produce", "--topic", topic, "--events", 2000, "--partitions", 3,
                           "--bad-ratio", 0.01, env=env, timeout=300)
    assert produced.returncode == 0, produced.stderr
    processed = clickstream("process", "--topic", topic, "--until-caught-up",
                            "--commit-interval-ms", 300, "--session-timeout-ms", SESSION_MS,
                            env=env, timeout=300)
    assert processed.returncode == 0, processed.stdout + processed.stderr

    good, bad = topic_contents(kafka_broker, topic)
    expected = sorted(good.elements())
    catalog = rest_lake.pyiceberg_catalog()
    assert arrow_rows(catalog.load_table("website.clicks").scan().to_arrow()) == expected
    dlq = catalog.load_table("website.clicks_dlq").scan().to_arrow()
    assert dlq.num_rows == len(bad)
    assert duckdb_rows(clickstream, env) == expected

    session = spark.rest_session(rest_lake.catalog_uri)
    by_spark = session.sql("SELECT * FROM catalog.website.clicks").toArrow()
    assert collections.Counter(arrow_rows(by_spark)) == good


@pytest.mark.parametrize("mode", ["applied-no-answer", "applied-502", "not-applied-502"])
def test_a_commit_whose_answer_is_lost_lands_exactly_once(rest_lake, clickstream, tmp_path, mode):
    from http_proxy import CommitLosingProxy

    assert clickstream("tables", "create", "website.clicks", env=rest_lake.cli_env).returncode == 0
    first = write_events(tmp_path / "first.ndjson", 30)
    second = write_events(tmp_path / "second.ndjson", 30, start=30)
    with CommitLosingProxy(rest_lake.catalog_uri, mode=mode, lose=1) as proxy:
        env = dict(rest_lake.cli_env, CLICKSTREAM_CATALOG=proxy.url)
        for events in (first, second):
            loaded = clickstream("tables", "load", "website.clicks", events, env=env)
            assert loaded.returncode == 0, loaded.stderr
        assert proxy.lost == 1
    # Applied: the client re-read the table, found its snapshot and sent no second commit.
    # Not applied: it re-read, did not find it, and committed once more. Two reached the server.
    assert proxy.forwarded_commits == 2

    table = rest_lake.pyiceberg_catalog().load_table("website.clicks")
    appends = [s for s in table.metadata.snapshots if s.summary.operation.value == "append"]
    assert len(appends) == 2
    expected = ndjson_rows(first, second)
    assert arrow_rows(table.scan().to_arrow()) == expected
    assert duckdb_rows(clickstream, rest_lake.cli_env) == expected
