"""Spark (Iceberg runtime, JdbcCatalog over sqlite-jdbc) and pyiceberg (SqlCatalog) share one
SQLite catalog file: each reads what the other wrote, row for row."""

import datetime as dt

import pyarrow as pa
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import NestedField, StringType, TimestamptzType

CLICKS_SCHEMA = Schema(
    NestedField(1, "user_id", StringType(), required=False),
    NestedField(2, "page", StringType(), required=False),
    NestedField(3, "click_timestamp", TimestamptzType(), required=False),
)
PAGES = ["/home", "/products", "/cart", "/checkout", "/search"]


def clicks_batch(start, count):
    """`count` deterministic click rows numbered from `start` as an Arrow table."""
    base = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)
    return pa.table(
        {
            "user_id": [f"user_{i % 97}" for i in range(start, start + count)],
            "page": [PAGES[i % len(PAGES)] for i in range(start, start + count)],
            "click_timestamp": pa.array(
                [base + dt.timedelta(microseconds=i * 1_000_003) for i in range(start, start + count)],
                pa.timestamp("us", "UTC"),
            ),
        }
    )


def as_multiset(table):
    """Rows of an Arrow table as a sorted list of (user_id, page, micros since epoch)."""
    table = table.select(["user_id", "page", "click_timestamp"])
    micros = table.column("click_timestamp").cast(pa.timestamp("us", "UTC")).cast(pa.int64())
    return sorted(
        zip(table.column("user_id").to_pylist(), table.column("page").to_pylist(), micros.to_pylist())
    )


@pytest.mark.slow
def test_spark_and_pyiceberg_read_each_others_appends(tmp_path, spark):
    catalog_db = tmp_path / "catalog.db"
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    catalog = SqlCatalog("catalog", uri=f"sqlite:///{catalog_db}", warehouse=f"file://{warehouse}")
    catalog.create_namespace("website")
    spec = PartitionSpec(PartitionField(2, 1000, IdentityTransform(), "page"))
    table = catalog.create_table("website.clicks", CLICKS_SCHEMA, partition_spec=spec)
    first = clicks_batch(0, 3000)
    table.append(first)

    # Spark reads exactly pyiceberg's rows, and prunes by page.
    assert as_multiset(spark.read_table(catalog_db, warehouse, "website.clicks")) == as_multiset(first)
    cart = spark.sql(
        catalog_db, warehouse, "SELECT count(*) AS n FROM catalog.website.clicks WHERE page = '/cart'"
    )
    assert cart.column("n").to_pylist() == [sum(1 for p in first.column("page").to_pylist() if p == "/cart")]

    # Spark appends through JdbcCatalog; pyiceberg then sees both appends.
    second = clicks_batch(3000, 2000)
    session = spark.session(catalog_db, warehouse)
    session.createDataFrame(second).writeTo("catalog.website.clicks").append()
    reloaded = catalog.load_table("website.clicks")
    assert len(reloaded.snapshots()) == 2
    assert as_multiset(reloaded.scan().to_arrow()) == as_multiset(pa.concat_tables([first, second]))

    # pyiceberg appends on top of Spark's commit; Spark sees all three.
    third = clicks_batch(5000, 1000)
    reloaded.append(third)
    expected = as_multiset(pa.concat_tables([first, second, third]))
    assert as_multiset(spark.read_table(catalog_db, warehouse, "website.clicks")) == expected


@pytest.mark.slow
def test_spark_creates_a_table_that_pyiceberg_reads(tmp_path, spark):
    catalog_db = tmp_path / "catalog.db"
    warehouse = tmp_path / "warehouse"
    session = spark.session(catalog_db, warehouse)
    session.sql("CREATE NAMESPACE IF NOT EXISTS catalog.website")
    session.sql(
        "CREATE TABLE catalog.website.clicks (user_id string, page string, click_timestamp timestamp)"
        " USING iceberg PARTITIONED BY (page) TBLPROPERTIES ('format-version'='2')"
    )
    rows = clicks_batch(0, 500)
    session.createDataFrame(rows).writeTo("catalog.website.clicks").append()

    catalog = SqlCatalog("catalog", uri=f"sqlite:///{catalog_db}", warehouse=f"file://{warehouse}")
    table = catalog.load_table("website.clicks")
    assert table.format_version == 2
    assert [f.name for f in table.spec().fields] == ["page"]
    assert isinstance(table.schema().find_field("click_timestamp").field_type, TimestamptzType)
    assert as_multiset(table.scan().to_arrow()) == as_multiset(rows)
