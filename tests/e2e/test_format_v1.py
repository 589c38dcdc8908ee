"""Format version 1 tables (issue 10, finding 3): a table pyiceberg created with format-version=1
stays v1 through `tables load` (with manifest merges), `tables rewrite-data-files` and `tables
expire-snapshots`, and pyiceberg, DuckDB and Spark read back exactly the rows loaded; Spark's
writer accepts the v1 metadata we write and we append after it."""

import datetime as dt
import json
import pathlib

import pyarrow as pa
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import NestedField, StringType, TimestamptzType

from iceberg_readers import arrow_rows, duckdb_rows, event_micros, ndjson_rows, open_catalog

LOADS = 6


def create_v1_clicks(catalog):
    """website.clicks as pyiceberg creates it in format version 1, merging manifests from 3 on,
    with one row pyiceberg appended itself (a v1 manifest list and manifest of another writer)."""
    catalog.create_namespace("website")
    schema = Schema(
        NestedField(1, "user_id", StringType(), required=False),
        NestedField(2, "page", StringType(), required=False),
        NestedField(3, "click_timestamp", TimestamptzType(), required=False),
    )
    spec = PartitionSpec(
        PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="page"))
    table = catalog.create_table(
        "website.clicks", schema=schema, partition_spec=spec,
        properties={"format-version": "1", "commit.manifest.min-count-to-merge": "3"})
    when = dt.datetime(2026, 11, 23, 22, 0, tzinfo=dt.timezone.utc)
    table.append(pa.Table.from_pylist(
        [{"user_id": "py_1", "page": "/home", "click_timestamp": when}],
        schema=table.schema().as_arrow()))
    return ("py_1", "/home", event_micros("2026-11-23T22:00:00Z"))


def load(clickstream, env, tmp_path, n):
    path = tmp_path / f"events_{n}.ndjson"
    with open(path, "w", encoding="utf-8") as f:
        for i, page in enumerate(["/home", "/cart", "/home"]):
            event = {"user_id": f"u{n}_{i}", "page": page,
                     "event_ts": f"2026-11-23T22:{n:02d}:{i:02d}.123456Z"}
            f.write(json.dumps(event) + "\n")
    loaded = clickstream("tables", "load", "website.clicks", path, env=env)
    assert loaded.returncode == 0, loaded.stderr
    return path


def metadata_json(table):
    return json.loads(pathlib.Path(table.metadata_location.removeprefix("file://")).read_text())


def assert_v1(table):
    """The metadata file is v1 as the spec's v1 column says: no sequence numbers anywhere, the
    v1-required schema and partition-spec present."""
    assert table.format_version == 1
    metadata = metadata_json(table)
    assert metadata["format-version"] == 1
    assert "last-sequence-number" not in metadata
    assert [f["name"] for f in metadata["schema"]["fields"]] == ["user_id", "page", "click_timestamp"]
    assert [f["name"] for f in metadata["partition-spec"]] == ["page"]
    assert all("sequence-number" not in s for s in metadata["snapshots"])


def v1_lifecycle(tmp_path, clickstream):
    """Loads, a merge, a rewrite, another load and an expiry on a pyiceberg v1 table; returns
    the catalog, the environment and the rows the table must hold."""
    env = {"CLICKSTREAM_CATALOG": str(tmp_path / "catalog.db"),
           "CLICKSTREAM_WAREHOUSE": str(tmp_path / "wh")}
    catalog = open_catalog(tmp_path / "catalog.db", tmp_path / "wh")
    expected = [create_v1_clicks(catalog)]
    files = [load(clickstream, env, tmp_path, n) for n in range(LOADS)]
    table = catalog.load_table("website.clicks")
    assert_v1(table)
    # The manifest merge ran: entries carried over as EXISTING (status 0), read as v1 does.
    statuses = [e["status"] for e in table.inspect.entries().to_pylist()]
    assert 0 in statuses, statuses

    rewrite = clickstream("tables", "rewrite-data-files", "website.clicks",
                          "--min-input-files", "2", env=env)
    assert rewrite.returncode == 0, rewrite.stderr
    files.append(load(clickstream, env, tmp_path, LOADS))  # an append after the rewrite
    expire = clickstream("tables", "expire-snapshots", "website.clicks", "--older-than", "0s",
                         "--retain-last", "1", env=env)
    assert expire.returncode == 0, expire.stderr
    return catalog, env, sorted(expected + ndjson_rows(*files))


def test_a_v1_table_stays_v1_through_loads_merges_compaction_and_expiry(tmp_path, clickstream):
    catalog, _, rows = v1_lifecycle(tmp_path, clickstream)
    table = catalog.load_table("website.clicks")
    assert_v1(table)
    assert len(table.metadata.snapshots) == 1
    assert table.metadata.snapshots[0].summary.operation.value == "append"
    assert len(table.inspect.files()) < 2 * (LOADS + 1)  # the rewrite bin-packed files
    assert arrow_rows(table.scan().to_arrow()) == rows
    assert duckdb_rows(table.metadata_location) == rows


def test_spark_reads_and_appends_to_our_v1_table_and_we_append_after_it(tmp_path, clickstream, spark):
    catalog, env, rows = v1_lifecycle(tmp_path, clickstream)
    catalog_db, warehouse = tmp_path / "catalog.db", tmp_path / "wh"
    assert arrow_rows(spark.read_table(catalog_db, warehouse, "website.clicks")) == rows
    # Java's writer accepts our v1 metadata (its TableMetadata validation) and keeps it v1.
    spark.sql(catalog_db, warehouse, "INSERT INTO catalog.website.clicks VALUES "
              "('spark_1', '/home', TIMESTAMP '2026-11-23 23:00:00 UTC')")
    after_spark = load(clickstream, env, tmp_path, LOADS + 1)
    rows = sorted(rows + [("spark_1", "/home", event_micros("2026-11-23T23:00:00Z"))] +
                  ndjson_rows(after_spark))
    table = catalog.load_table("website.clicks")
    assert_v1(table)
    assert arrow_rows(table.scan().to_arrow()) == rows
    assert duckdb_rows(table.metadata_location) == rows
    assert arrow_rows(spark.read_table(catalog_db, warehouse, "website.clicks")) == rows
