"""Tables written by `clickstream tables load` (our C++ Iceberg writer) are read row for row by
the three independent judges: pyiceberg, DuckDB's iceberg extension and Spark with the Iceberg
runtime; and a table pyiceberg created and appended is appended by our code and still read by all."""

import pyarrow as pa
import pytest
from pyiceberg.expressions import EqualTo
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import NestedField, StringType, TimestamptzType

from iceberg_readers import arrow_rows, duckdb_rows, ndjson_rows, open_catalog

APPENDS = 5
EVENTS_PER_APPEND = 21_000


@pytest.fixture(scope="module")
def lakehouse(tmp_path_factory, clickstream):
    """website.clicks filled by 5 `tables load` appends of 21,000 generated events each."""
    root = tmp_path_factory.mktemp("lakehouse")
    env = {"CLICKSTREAM_CATALOG": str(root / "catalog.db"), "CLICKSTREAM_WAREHOUSE": str(root / "warehouse")}
    files = []
    for i in range(APPENDS):
        path = root / f"events-{i}.ndjson"
        produced = clickstream(
            "produce", "--stdout", "--events", EVENTS_PER_APPEND, "--seed", 100 + i, "--users", 5000, env=env
        )
        assert produced.returncode == 0, produced.stderr
        path.write_text(produced.stdout)
        loaded = clickstream("tables", "load", "website.clicks", path, env=env)
        assert loaded.returncode == 0, loaded.stderr
        assert f"loaded {EVENTS_PER_APPEND} events" in loaded.stdout
        files.append(path)

    class Lakehouse:
        catalog_db = root / "catalog.db"
        warehouse = root / "warehouse"
        expected = ndjson_rows(*files)
        environment = env

    return Lakehouse


def test_snapshots_and_summary_totals(lakehouse, clickstream):
    table = open_catalog(lakehouse.catalog_db, lakehouse.warehouse).load_table("website.clicks")
    snapshots = table.metadata.snapshots
    assert len(snapshots) == APPENDS
    assert [s.sequence_number for s in snapshots] == list(range(1, APPENDS + 1))
    summary = table.current_snapshot().summary
    assert summary["total-records"] == str(APPENDS * EVENTS_PER_APPEND)
    assert summary.operation.value == "append"
    assert table.metadata.format_version == 2
    listing = clickstream("tables", "snapshots", "website.clicks", env=lakehouse.environment)
    assert listing.returncode == 0
    assert len(listing.stdout.strip().splitlines()) == APPENDS + 1


def test_pyiceberg_reads_exactly_the_rows_written(lakehouse):
    assert len(lakehouse.expected) >= 100_000
    assert len({page for _, page, _ in lakehouse.expected}) >= 10
    table = open_catalog(lakehouse.catalog_db, lakehouse.warehouse).load_table("website.clicks")
    assert arrow_rows(table.scan().to_arrow()) == lakehouse.expected


def test_pyiceberg_page_filter_plans_only_that_partition(lakehouse):
    table = open_catalog(lakehouse.catalog_db, lakehouse.warehouse).load_table("website.clicks")
    all_files = list(table.scan().plan_files())
    scan = table.scan(row_filter=EqualTo("page", "/cart"))
    cart_files = list(scan.plan_files())
    assert cart_files, "the generator always produces /cart clicks"
    assert {task.file.partition[0] for task in cart_files} == {"/cart"}
    assert len(cart_files) == sum(1 for t in all_files if t.file.partition[0] == "/cart")
    assert len(cart_files) < len(all_files)
    expected_cart = [row for row in lakehouse.expected if row[1] == "/cart"]
    assert arrow_rows(scan.to_arrow()) == expected_cart


def test_duckdb_reads_the_same_rows(lakehouse):
    table = open_catalog(lakehouse.catalog_db, lakehouse.warehouse).load_table("website.clicks")
    assert duckdb_rows(table.metadata_location) == lakehouse.expected
    expected_cart = [row for row in lakehouse.expected if row[1] == "/cart"]
    assert duckdb_rows(table.metadata_location, "WHERE page = '/cart'") == expected_cart


@pytest.mark.slow
def test_spark_reads_the_same_rows(lakehouse, spark):
    rows = arrow_rows(spark.read_table(lakehouse.catalog_db, lakehouse.warehouse, "website.clicks"))
    assert rows == lakehouse.expected
    cart = spark.sql(
        lakehouse.catalog_db,
        lakehouse.warehouse,
        "SELECT count(*) AS n FROM catalog.website.clicks WHERE page = '/cart'",
    )
    assert cart.column("n").to_pylist() == [sum(1 for r in lakehouse.expected if r[1] == "/cart")]


def test_pyiceberg_table_appended_by_our_code_is_read_by_every_reader(tmp_path, clickstream, spark):
    catalog_db = tmp_path / "catalog.db"
    warehouse = tmp_path / "warehouse"
    env = {"CLICKSTREAM_CATALOG": str(catalog_db), "CLICKSTREAM_WAREHOUSE": str(warehouse)}
    catalog = open_catalog(catalog_db, warehouse)
    catalog.create_namespace("website")
    schema = Schema(
        NestedField(1, "user_id", StringType(), required=False),
        NestedField(2, "page", StringType(), required=False),
        NestedField(3, "click_timestamp", TimestamptzType(), required=False),
    )
    spec = PartitionSpec(PartitionField(2, 1000, IdentityTransform(), "page"))
    table = catalog.create_table("website.py_clicks", schema, partition_spec=spec)
    theirs = pa.table(
        {
            "user_id": [f"py_{i}" for i in range(3000)],
            "page": [["/cart", "/home", "/pyonly"][i % 3] for i in range(3000)],
            "click_timestamp": pa.array(
                [1_790_000_000_000_000 + i for i in range(3000)], pa.timestamp("us", "UTC")
            ),
        }
    )
    table.append(theirs)

    events = tmp_path / "ours.ndjson"
    produced = clickstream("produce", "--stdout", "--events", 4000, "--seed", 7)
    assert produced.returncode == 0, produced.stderr
    events.write_text(produced.stdout)
    loaded = clickstream("tables", "load", "website.py_clicks", events, env=env)
    assert loaded.returncode == 0, loaded.stderr

    # pyiceberg appends again on top of our snapshot.
    table = catalog.load_table("website.py_clicks")
    assert table.current_snapshot().summary["total-records"] == "7000"
    more = theirs.slice(0, 500)
    table.append(more)

    expected = sorted(arrow_rows(theirs) + ndjson_rows(events) + arrow_rows(more))
    table = catalog.load_table("website.py_clicks")
    assert len(table.metadata.snapshots) == 3
    assert table.current_snapshot().summary["total-records"] == str(len(expected))
    assert arrow_rows(table.scan().to_arrow()) == expected
    assert duckdb_rows(table.metadata_location) == expected
    assert arrow_rows(spark.read_table(catalog_db, warehouse, "website.py_clicks")) == expected
    files = clickstream("tables", "files", "website.py_clicks", env=env)
    assert files.returncode == 0, files.stderr
    assert "page=/pyonly" in files.stdout


def test_load_reports_bad_lines_and_skips_them(tmp_path, clickstream):
    env = {"CLICKSTREAM_CATALOG": str(tmp_path / "c.db"), "CLICKSTREAM_WAREHOUSE": str(tmp_path / "wh")}
    events = tmp_path / "mixed.ndjson"
    good = '{"user_id": "u1", "page": "/a", "event_ts": "2026-11-23T22:55:00.123456Z"}'
    events.write_text("\n".join([good, "not json", good, '{"user_id": "u2", "page": 5, "event_ts": "x"}']) + "\n")
    loaded = clickstream("tables", "load", "website.clicks", events, env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded 2 events" in loaded.stdout and "2 bad lines" in loaded.stdout
    assert f"{events}:2:" in loaded.stderr and f"{events}:4:" in loaded.stderr
    table = open_catalog(tmp_path / "c.db", tmp_path / "wh").load_table("website.clicks")
    assert table.scan().to_arrow().num_rows == 2


@pytest.mark.parametrize("name", ["../etc.passwd", "website/../x.t", "website..", "website.", ".x", "a..b.c"])
def test_names_that_could_escape_the_warehouse_are_usage_errors(tmp_path, clickstream, name):
    env = {"CLICKSTREAM_CATALOG": str(tmp_path / "c.db"), "CLICKSTREAM_WAREHOUSE": str(tmp_path / "wh")}
    events = tmp_path / "e.ndjson"
    events.write_text('{"user_id": "u1", "page": "/a", "event_ts": "2026-11-23T22:55:00Z"}\n')
    result = clickstream("tables", "load", name, events, env=env)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "etc").exists() and not (tmp_path / "x").exists()
    assert not any(p.suffix == ".parquet" for p in tmp_path.rglob("*"))


@pytest.mark.slow
def test_spark_created_table_appended_by_our_code_is_read_by_every_reader(tmp_path, clickstream, spark):
    catalog_db = tmp_path / "catalog.db"
    warehouse = tmp_path / "warehouse"
    env = {"CLICKSTREAM_CATALOG": str(catalog_db), "CLICKSTREAM_WAREHOUSE": str(warehouse)}
    session = spark.session(catalog_db, warehouse)
    session.sql("CREATE NAMESPACE IF NOT EXISTS catalog.website")
    session.sql(
        "CREATE TABLE catalog.website.spark_clicks (user_id string, page string, click_timestamp timestamp)"
        " USING iceberg PARTITIONED BY (page) TBLPROPERTIES ('format-version'='2')"
    )
    session.sql(
        "INSERT INTO catalog.website.spark_clicks VALUES "
        "('s1', '/cart', TIMESTAMP '2026-11-23 10:00:00.000001 UTC'), "
        "('s2', '/sparkonly', TIMESTAMP '2026-11-23 10:00:01 UTC')"
    )
    theirs = [("s1", "/cart", 1_795_428_000_000_001), ("s2", "/sparkonly", 1_795_428_001_000_000)]

    events = tmp_path / "ours.ndjson"
    produced = clickstream("produce", "--stdout", "--events", 3000, "--seed", 11)
    assert produced.returncode == 0, produced.stderr
    events.write_text(produced.stdout)
    loaded = clickstream("tables", "load", "website.spark_clicks", events, env=env)
    assert loaded.returncode == 0, loaded.stderr

    # Spark appends on top of our snapshot, then everyone reads everything.
    session.sql("INSERT INTO catalog.website.spark_clicks VALUES ('s3', '/cart', TIMESTAMP '2026-11-23 10:00:02 UTC')")
    expected = sorted(theirs + [("s3", "/cart", 1_795_428_002_000_000)] + ndjson_rows(events))
    table = open_catalog(catalog_db, warehouse).load_table("website.spark_clicks")
    assert len(table.metadata.snapshots) == 3
    assert arrow_rows(table.scan().to_arrow()) == expected
    assert duckdb_rows(table.metadata_location) == expected
    assert arrow_rows(spark.read_table(catalog_db, warehouse, "website.spark_clicks")) == expected
