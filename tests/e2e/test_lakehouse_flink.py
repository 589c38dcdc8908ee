"""Option B on the lakehouse: the Flink SQL job (./scripts/flink-pipeline) reads a real topic and
writes its table through Iceberg's REST catalog with the files on S3 (S3FileIO), with nothing but
the environment `eval "$(./scripts/lakehouse env)"` gives; pyiceberg's RestCatalog and DuckDB
(`clickstream sql`) read back the exact multiset (so no malformed message landed beyond Flink's
documented leniency, and a repeated key kept its last value), and Flink SQL (`flink-pipeline sql`,
the SQL Client of ./scripts/flink-sql) reads the same table. The Flink job writes no dead-letter
table (docs/engines.md). Resuming from a savepoint is the same on every catalog (the savepoint is
local state) and is tested in test_flink_pipeline.py."""

import json
import re
import time

import pytest

import jvm_pipelines as jp
from iceberg_readers import arrow_rows
from test_flink_pipeline import expected_flink_rows
from test_rest_catalog import duckdb_rows

pytestmark = pytest.mark.slow

NAMESPACE = "flinks3"
# A repeated key: the last value counts on every path (tests/cases/event_ts_cases.json).
REPEATED_KEY = b'{"user_id":"a","user_id":"b","page":"/x","event_ts":"2026-11-23T22:55:00Z"}'
REPEATED_KEY_ROW = ("b", "/x", 1795474500000000)


def flink_pipeline(lakehouse_s3, kafka_broker, tmp_path, *args):
    """./scripts/flink-pipeline with the lakehouse environment; asserts success, returns stderr."""
    logs = tmp_path / "flink-logs"
    env = dict(lakehouse_s3.env, CLICKSTREAM_BROKERS=kafka_broker.bootstrap,
               CLICKSTREAM_FLINK_LOG_DIR=str(logs))
    started = time.monotonic()
    proc = jp.run_script("flink-pipeline", *args, env=env, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:] + jp.log_tails(logs)
    print(f"flink-pipeline {args[0]}: {time.monotonic() - started:.0f} s")
    return proc


def test_flink_job_writes_its_table_to_s3_behind_the_rest_catalog(
    lakehouse_s3, kafka_broker, clickstream, tmp_path
):
    topic = kafka_broker.unique_topic("flink_s3")
    messages, rows, bad = jp.make_messages(3_000, seed=21, bad_every=300)
    messages.append((b"b", REPEATED_KEY))
    jp.produce(kafka_broker.bootstrap, topic, messages, partitions=3)
    expected = sorted(expected_flink_rows(rows, bad) + [REPEATED_KEY_ROW])

    flink_pipeline(lakehouse_s3, kafka_broker, tmp_path, "--topic", topic, "--group",
                   f"flink_{topic}", "--namespace", NAMESPACE, "--state-dir",
                   tmp_path / "flink-state", "--until-caught-up")

    catalog = lakehouse_s3.pyiceberg_catalog()
    table = catalog.load_table(f"{NAMESPACE}.clicks")
    assert table.metadata_location.startswith(f"s3://clickstream/warehouse/{NAMESPACE}/clicks/")
    assert all(task.file.file_path.startswith("s3://") for task in table.scan().plan_files())
    assert arrow_rows(table.scan().to_arrow()) == expected
    assert duckdb_rows(clickstream, lakehouse_s3.env, f"{NAMESPACE}.clicks") == expected
    assert not catalog.table_exists(f"{NAMESPACE}.clicks_dlq")

    # Flink SQL on the same catalog (run_sql.py --query, as `flink-pipeline sql` runs it).
    query = flink_pipeline(
        lakehouse_s3, kafka_broker, tmp_path, "sql",
        f"SELECT user_id, page, COUNT(*) AS n FROM {NAMESPACE}.clicks"
        " WHERE user_id IN ('a', 'b') GROUP BY user_id, page",
        "--namespace", NAMESPACE, "--format", "json",
    )
    answers = [json.loads(line) for line in query.stdout.splitlines() if line.startswith("[")]
    assert answers == [[{"user_id": "b", "page": "/x", "n": "1"}]], query.stdout

    # Flink's own SQL Client (./scripts/flink-sql) on the same catalog, a statement file run by -f.
    statements = tmp_path / "count.sql"
    statements.write_text("SET 'execution.runtime-mode' = 'batch';\n"
                          f"SELECT COUNT(*) AS clicks FROM {NAMESPACE}.clicks;\n")
    env = dict(lakehouse_s3.env, CLICKSTREAM_FLINK_SQL_DIR=str(tmp_path / "flink-sql"))
    client = jp.run_script("flink-sql", "-f", statements, env=env, timeout=600)
    assert client.returncode == 0, client.stdout[-3000:] + client.stderr[-3000:]
    assert re.search(rf"\|\s+{len(expected)}\s+\|", client.stdout), client.stdout[-3000:]
