"""`clickstream query` and `clickstream sql` (DuckDB embedded, with its httpfs extension) on a table
whose files live on S3 behind Iceberg's REST catalog: website.clicks written by pyiceberg
(RestCatalog, S3 through pyarrow) to s3://clickstream/warehouse in two snapshots, read back with
exact answers, by snapshot id too; and the one-sentence errors of bad S3 settings.

The table lives in the session's shared lakehouse_s3 catalog; this module replaces any
website.clicks it finds there."""

import pyarrow as pa
import pytest
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.transforms import IdentityTransform

from iceberg_readers import arrow_rows
from kafka_broker import free_port
from test_analysis import one_error_line, table_rows
from test_rest_catalog import duckdb_rows
from test_spark_reader import CLICKS_SCHEMA, clicks_batch

# clicks_batch numbers rows from 0 and gives row i the page PAGES[i % 5]
# ("/home", "/products", "/cart", "/checkout", "/search").
FIRST = (0, 23)   # rows 0..22: 5 each for /home, /products, /cart; 4 for /checkout, /search
SECOND = (23, 9)  # rows 23..31: after both, 7 for /home and /products, 6 for the others
TOP_PAGES_AFTER_FIRST = [("/cart", 5), ("/home", 5), ("/products", 5), ("/checkout", 4), ("/search", 4)]
TOP_PAGES_AFTER_BOTH = [("/home", 7), ("/products", 7), ("/cart", 6), ("/checkout", 6), ("/search", 6)]


@pytest.fixture(scope="module")
def s3_clicks(lakehouse_s3):
    """website.clicks (DESIGN schema, identity(page)) on S3 with two appends by pyiceberg."""
    env = lakehouse_s3.env
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():  # pyarrow's S3 client reads the checksum settings
            patch.setenv(name, value)
        catalog = lakehouse_s3.pyiceberg_catalog()
        catalog.create_namespace_if_not_exists("website")
        if catalog.table_exists("website.clicks"):
            catalog.drop_table("website.clicks")
        spec = PartitionSpec(PartitionField(2, 1000, IdentityTransform(), "page"))
        table = catalog.create_table("website.clicks", CLICKS_SCHEMA, partition_spec=spec)
        first, second = clicks_batch(*FIRST), clicks_batch(*SECOND)
        table.append(first)
        table.append(second)
        table = catalog.load_table("website.clicks")
    assert table.metadata_location.startswith("s3://clickstream/warehouse/website/clicks/")
    snapshots = table.metadata.snapshots
    assert len(snapshots) == 2

    class S3Clicks:
        environment = env
        rows = arrow_rows(pa.concat_tables([first, second]))
        first_rows = arrow_rows(first)
        first_snapshot = snapshots[0].snapshot_id

    return S3Clicks


def top_pages(clickstream, env, *args):
    result = clickstream("query", *args, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Most popular pages in website.clicks")
    return [(page, int(clicks)) for _, page, clicks in table_rows(result.stdout)]


def test_query_top_pages_reads_the_s3_table(clickstream, s3_clicks):
    assert top_pages(clickstream, s3_clicks.environment, "top-pages") == TOP_PAGES_AFTER_BOTH
    users = clickstream("query", "unique-users", env=s3_clicks.environment, timeout=300)
    assert users.returncode == 0, users.stderr
    assert users.stdout == f"Unique users in website.clicks: {len({r[0] for r in s3_clicks.rows})}\n"


def test_sql_reads_every_row_by_the_seeds_full_name(clickstream, s3_clicks):
    assert duckdb_rows(clickstream, s3_clicks.environment, "catalog.website.clicks") == s3_clicks.rows


def test_time_travel_to_the_first_snapshot_on_s3(clickstream, s3_clicks):
    snapshot = str(s3_clicks.first_snapshot)
    pages = top_pages(clickstream, s3_clicks.environment, "--snapshot", snapshot, "top-pages")
    assert pages == TOP_PAGES_AFTER_FIRST
    counted = clickstream(
        "sql", "SELECT count(*) AS n FROM catalog.website.clicks", "--snapshot", snapshot,
        "--format", "csv", env=s3_clicks.environment, timeout=300,
    )
    assert counted.returncode == 0, counted.stderr
    assert counted.stdout.splitlines() == ["n", str(len(s3_clicks.first_rows))]


def test_wrong_secret_key_is_one_sentence(clickstream, s3_clicks):
    env = dict(s3_clicks.environment, AWS_SECRET_ACCESS_KEY="not-the-secret")
    for args in (["query", "top-pages"], ["sql", "SELECT count(*) FROM website.clicks"]):
        line = one_error_line(clickstream(*args, env=env, timeout=300), 1)
        assert line.startswith("clickstream: S3 refused to read http"), line
        assert "(HTTP 403 Forbidden): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in line


def test_missing_credentials_and_unreachable_s3_are_one_sentence(clickstream, s3_clicks):
    env = dict(s3_clicks.environment, AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="")
    line = one_error_line(clickstream("query", "top-pages", env=env, timeout=300), 1)
    assert "(HTTP 403 Forbidden): no credentials are set; set AWS_ACCESS_KEY_ID" in line

    env = dict(s3_clicks.environment, AWS_SECRET_ACCESS_KEY="")
    line = one_error_line(clickstream("sql", "SELECT 1", env=env, timeout=300), 1)
    assert line == (
        "clickstream: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: "
        "S3 needs both (or neither, for public buckets)"
    )

    endpoint = f"http://127.0.0.1:{free_port()}"
    env = dict(s3_clicks.environment, AWS_ENDPOINT_URL=endpoint)
    line = one_error_line(clickstream("query", "unique-users", env=env, timeout=300), 1)
    assert line.startswith(f"clickstream: cannot reach S3 at {endpoint} to read http"), line
    assert line.endswith("check AWS_ENDPOINT_URL and that the S3 server is running")
