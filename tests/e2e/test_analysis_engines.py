"""The shared analysis queries of engines/sql give identical answers on DuckDB (through
`clickstream sql --file`) and on Spark SQL with the Iceberg runtime, on the same tables:
website.clicks written by our writer (`tables create` + `tables load`), and
website.clicks_enriched created by `tables create` and appended by pyiceberg with profile columns
(the enrichment itself is the processor's; here only the query is under test)."""

import datetime as dt
import json
import re

import pyarrow as pa
import pytest

from conftest import ROOT
from iceberg_readers import open_catalog
from test_analysis import FIRST_LOAD, SECOND_LOAD, write_ndjson

SQL_DIR = ROOT / "engines" / "sql"
QUERIES = sorted(p.stem for p in SQL_DIR.glob("*.sql"))
LOCATIONS = {"user_1": ("Ada", "Berlin"), "user_2": ("Bo", "Lisbon"), "user_3": ("Cy", "Berlin")}


@pytest.fixture(scope="module")
def lakehouse(tmp_path_factory, clickstream):
    root = tmp_path_factory.mktemp("engines")
    env = {
        "CLICKSTREAM_CATALOG": str(root / "catalog.db"),
        "CLICKSTREAM_WAREHOUSE": str(root / "warehouse"),
    }
    created = clickstream("tables", "create", "website.clicks", "website.clicks_enriched", env=env)
    assert created.returncode == 0, created.stderr
    for i, events in enumerate([FIRST_LOAD, SECOND_LOAD]):
        loaded = clickstream("tables", "load", "website.clicks", write_ndjson(root / f"{i}.ndjson", events), env=env)
        assert loaded.returncode == 0, loaded.stderr
    # user_4 has no profile: a NULL location group.
    enriched = open_catalog(root / "catalog.db", root / "warehouse").load_table("website.clicks_enriched")
    events = FIRST_LOAD + SECOND_LOAD
    times = [dt.datetime.fromisoformat(e["event_ts"].replace("Z", "+00:00")) for e in events]
    enriched.append(
        pa.table(
            {
                "user_id": [e["user_id"] for e in events],
                "page": [e["page"] for e in events],
                "click_timestamp": pa.array(times, pa.timestamp("us", "UTC")),
                "name": [LOCATIONS.get(e["user_id"], (None, None))[0] for e in events],
                "location": [LOCATIONS.get(e["user_id"], (None, None))[1] for e in events],
            },
            schema=enriched.schema().as_arrow(),
        )
    )

    class Lakehouse:
        catalog_db = root / "catalog.db"
        warehouse = root / "warehouse"
        environment = env

    return Lakehouse


def micros(value):
    return round(value.astimezone(dt.timezone.utc).timestamp() * 1_000_000)


def normalize(value):
    """Engine-neutral form: timestamps as UTC microseconds (Spark gives datetimes, DuckDB's JSON
    gives text like "2026-11-23 10:02:30.5+00"), everything else as is."""
    if isinstance(value, dt.datetime):
        return micros(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00", value):
        return micros(dt.datetime.fromisoformat(value))
    return value


def duckdb_answer(clickstream, lakehouse, name):
    result = clickstream("sql", "--file", SQL_DIR / f"{name}.sql", "--format", "json", env=lakehouse.environment)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    return [tuple(normalize(v) for v in row.values()) for row in rows], list(rows[0].keys()) if rows else []


def spark_answer(spark, lakehouse, name):
    session = spark.session(str(lakehouse.catalog_db), str(lakehouse.warehouse))
    session.sql("USE catalog")  # the files name tables as website.*, like every engine's default catalog
    text = (SQL_DIR / f"{name}.sql").read_text().strip().rstrip(";")
    table = session.sql(text).toArrow()
    rows = table.to_pylist()
    return [tuple(normalize(v) for v in row.values()) for row in rows], table.column_names


@pytest.mark.slow
@pytest.mark.parametrize("name", QUERIES)
def test_same_answer_on_duckdb_and_spark(clickstream, spark, lakehouse, name):
    duck_rows, duck_columns = duckdb_answer(clickstream, lakehouse, name)
    spark_rows, spark_columns = spark_answer(spark, lakehouse, name)
    assert duck_rows, f"{name}.sql answered nothing: the dataset does not exercise it"
    assert duck_columns == spark_columns
    assert duck_rows == spark_rows


def test_every_question_has_a_shared_file():
    assert {"top_pages", "unique_users", "user_activity", "clicks_per_minute", "pages_per_user",
            "top_locations"} <= set(QUERIES)


def test_top_locations_known_answer(clickstream, lakehouse):
    rows, columns = duckdb_answer(clickstream, lakehouse, "top_locations")
    assert columns == ["location", "clicks", "users"]
    # Berlin: user_1 (4) + user_3 (1); Lisbon: user_2 (3); no profile: user_4 (2).
    assert rows == [("Berlin", 5, 2), ("Lisbon", 3, 1), (None, 2, 1)]


def test_clicks_per_minute_known_answer(clickstream, lakehouse):
    rows, columns = duckdb_answer(clickstream, lakehouse, "clicks_per_minute")
    assert columns == ["minute_start", "clicks", "users"]
    base = micros(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc))
    minute = 60_000_000
    assert rows == [
        (base, 2, 2), (base + minute, 1, 1), (base + 2 * minute, 1, 1), (base + 3 * minute, 1, 1),
        (base + 4 * minute, 2, 2), (base + 5 * minute, 1, 1), (base + 6 * minute, 2, 2),
    ]
