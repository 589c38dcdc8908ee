"""The Iceberg REST catalog path: scripts/lakehouse's services, and clickstream on a REST catalog,
checked by independent readers (pyiceberg's RestCatalog, DuckDB, Spark)."""

import pyarrow as pa
import pytest

from lakehouse_services import Lakehouse


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
