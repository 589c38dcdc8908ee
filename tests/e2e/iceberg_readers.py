"""Independent Iceberg readers for the e2e tests of our tables: pyiceberg (SqlCatalog on the same
SQLite file) and DuckDB (iceberg extension from the pinned wheels, loaded by path, offline), plus
the expected rows of NDJSON event files. Rows are compared as sorted lists of
(user_id, page, click_timestamp in microseconds since the epoch, UTC)."""

import datetime as dt
import json
import pathlib

import duckdb
import duckdb_extension_avro
import duckdb_extension_iceberg
import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog


def open_catalog(catalog_db, warehouse):
    """pyiceberg's SqlCatalog named `catalog` on our SQLite file."""
    return SqlCatalog(
        "catalog", uri=f"sqlite:///{catalog_db}", warehouse=pathlib.Path(warehouse).as_uri()
    )


def event_micros(text):
    """event_ts of the contract (as `produce --stdout` writes it) in UTC microseconds."""
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    delta = value - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def ndjson_rows(*paths):
    """The rows the good lines of NDJSON event files must become."""
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                event = json.loads(line)
                rows.append((event["user_id"], event["page"], event_micros(event["event_ts"])))
    return sorted(rows)


def arrow_rows(table):
    """Rows of an Arrow table with the clicks columns, sorted."""
    table = table.select(["user_id", "page", "click_timestamp"])
    micros = table.column("click_timestamp").cast(pa.timestamp("us", "UTC")).cast(pa.int64())
    return sorted(
        zip(table.column("user_id").to_pylist(), table.column("page").to_pylist(), micros.to_pylist())
    )


def duckdb_connection():
    """An in-memory DuckDB with the avro and iceberg extensions of the pinned wheels loaded."""
    con = duckdb.connect(
        config={
            "allow_unsigned_extensions": "true",
            "autoinstall_known_extensions": "false",
            "autoload_known_extensions": "false",
        }
    )
    version = f"v{duckdb.__version__}"
    for package, name in ((duckdb_extension_avro, "avro"), (duckdb_extension_iceberg, "iceberg")):
        path = pathlib.Path(package.__file__).parent / "extensions" / version / f"{name}.duckdb_extension"
        con.execute(f"LOAD '{path}'")
    return con


def duckdb_rows(metadata_location, where=""):
    """Rows DuckDB's iceberg_scan reads from a metadata file (epoch_us avoids pytz)."""
    con = duckdb_connection()
    query = (
        "SELECT user_id, page, epoch_us(click_timestamp) "
        f"FROM iceberg_scan('{metadata_location}') {where}"
    )
    rows = con.execute(query).fetchall()
    con.close()
    return sorted(tuple(r) for r in rows)
