"""Tables created the seed's way (issue 11, item 4): `website.clicks` made by hand in the Spark SQL
client (`click_timestamp TIMESTAMP`, which Spark maps to Iceberg `timestamptz`) or with Flink SQL's
types (`TIMESTAMP(6)`: Iceberg `timestamp` without zone), with or without extra nullable columns,
in any column order. `clickstream process` appends to each with the right values, and pyiceberg,
DuckDB and Spark read back exactly the events of the topic."""

import pytest
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import NestedField, StringType, TimestampType

from iceberg_readers import arrow_rows, duckdb_rows, open_catalog
from test_processor import Lake, process_until_caught_up, produce, topic_contents

SPARK_SEED_DDL = ("CREATE TABLE catalog.website.clicks (user_id STRING, page STRING, "
                  "click_timestamp TIMESTAMP) USING iceberg PARTITIONED BY (page)")
SPARK_EXTRA_COLUMN_DDL = ("CREATE TABLE catalog.website.clicks (page STRING, referrer STRING, "
                          "click_timestamp TIMESTAMP, user_id STRING) USING iceberg "
                          "PARTITIONED BY (page)")


def create_flink_style(lake):
    """What Flink's SQL client makes of `CREATE TABLE catalog.website.clicks (user_id STRING,
    page STRING, click_timestamp TIMESTAMP(6), country STRING) PARTITIONED BY (page)`: optional
    columns, Iceberg `timestamp` without zone, identity(page)."""
    catalog = open_catalog(lake.catalog, lake.warehouse)
    catalog.create_namespace_if_not_exists("website")
    schema = Schema(NestedField(1, "user_id", StringType()), NestedField(2, "page", StringType()),
                    NestedField(3, "click_timestamp", TimestampType()),
                    NestedField(4, "country", StringType()))
    spec = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(),
                                        name="page"))
    catalog.create_table("website.clicks", schema=schema, partition_spec=spec)


@pytest.mark.parametrize("made_by", ["spark-seed-ddl", "spark-extra-column", "flink-types"])
def test_process_appends_to_a_table_created_the_seeds_way(kafka_broker, tmp_path, spark, made_by):
    lake = Lake(tmp_path, kafka_broker)
    if made_by == "flink-types":
        create_flink_style(lake)
    else:
        spark.sql(lake.catalog, lake.warehouse, "CREATE NAMESPACE IF NOT EXISTS catalog.website")
        ddl = SPARK_SEED_DDL if made_by == "spark-seed-ddl" else SPARK_EXTRA_COLUMN_DDL
        spark.sql(lake.catalog, lake.warehouse, ddl)
    created = open_catalog(lake.catalog, lake.warehouse).load_table("website.clicks")
    columns_before = [(f.name, str(f.field_type)) for f in created.schema().fields]

    topic = kafka_broker.unique_topic("seed_table")
    produce(lake, topic, "--events", 3000, "--partitions", 2, "--bad-ratio", 0.02, "--seed", 11)
    process_until_caught_up(lake, topic)

    good, bad = topic_contents(kafka_broker, topic)
    expected = sorted(good.elements())
    table = open_catalog(lake.catalog, lake.warehouse).load_table("website.clicks")
    assert [(f.name, str(f.field_type)) for f in table.schema().fields] == columns_before
    read = table.scan().to_arrow()
    assert arrow_rows(read) == expected
    extra = [c for c in read.column_names if c not in ("user_id", "page", "click_timestamp")]
    assert all(read.column(c).null_count == len(read) for c in extra), extra
    assert duckdb_rows(table.metadata_location) == expected
    assert arrow_rows(spark.read_table(lake.catalog, lake.warehouse, "website.clicks")) == expected
    assert len(lake.table("website.clicks_dlq")) == len(bad)
