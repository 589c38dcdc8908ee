"""Option A on the multi-machine setup: the Spark Structured Streaming job (./scripts/spark-pipeline)
writes its tables through Iceberg's REST catalog to S3 (the session's lakehouse_s3 services), and
independent readers (pyiceberg's RestCatalog, DuckDB through `clickstream sql`, Spark SQL through
./scripts/spark-sql) read back every event exactly once; the dead letters too. And
`./scripts/demo --lakehouse`, run as a user runs it, on private ports.
"""

import os
import subprocess

import pytest

import jvm_pipelines as jp
from kafka_broker import Broker
from lakehouse_services import Lakehouse
from test_rest_catalog import duckdb_rows

pytestmark = pytest.mark.slow

CHECKSUM_VARS = ("AWS_REQUEST_CHECKSUM_CALCULATION", "AWS_RESPONSE_CHECKSUM_VALIDATION")


@pytest.fixture
def s3_env(lakehouse_s3, kafka_broker):
    """The environment `eval "$(scripts/lakehouse env)"` gives, plus the broker."""
    return dict(kafka_broker.env, **lakehouse_s3.env)


def run_script(script, *args, env, timeout=900):
    """scripts/<script> with exactly the caller's environment on top of PATH and HOME (so a
    variable the test leaves out is really absent, whatever this process holds)."""
    base = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return subprocess.run(
        [str(jp.ROOT / "scripts" / script), *map(str, args)],
        cwd=jp.ROOT, capture_output=True, text=True, env=dict(base, **env), timeout=timeout,
    )


def spark_pipeline(env, topic, namespace, checkpoint):
    proc = run_script(
        "spark-pipeline", "--until-caught-up", "--topic", topic,
        "--table", f"{namespace}.clicks", "--dlq-table", f"{namespace}.clicks_dlq",
        "--checkpoint", checkpoint, env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]
    return proc


def test_spark_pipeline_on_rest_and_s3_writes_each_event_once_and_dead_letters_the_rest(
    lakehouse_s3, s3_env, kafka_broker, clickstream, tmp_path
):
    namespace = "sparks3"
    topic = kafka_broker.unique_topic("spark_s3")
    messages, rows, bad = jp.make_messages(6_000, seed=31, bad_every=400)
    jp.produce(kafka_broker.bootstrap, topic, messages, partitions=3)
    checkpoint = tmp_path / "checkpoint"

    spark_pipeline(s3_env, topic, namespace, checkpoint)
    catalog = lakehouse_s3.pyiceberg_catalog()
    clicks = catalog.load_table(f"{namespace}.clicks")
    assert clicks.metadata_location.startswith(f"s3://clickstream/warehouse/{namespace}/clicks/")
    assert jp.arrow_multiset(clicks.scan().to_arrow()) == sorted(rows)
    assert duckdb_rows(clickstream, s3_env, f"{namespace}.clicks") == sorted(rows)
    dlq = jp.arrow_multiset(
        catalog.load_table(f"{namespace}.clicks_dlq").scan().to_arrow(), ("raw", "error", "topic")
    )
    assert sorted(raw for raw, _, _ in dlq) == sorted(value for value, _ in bad)
    assert {t for _, _, t in dlq} == {topic}
    for raw, error, _ in dlq:
        assert error.startswith(next(reason for value, reason in bad if value == raw)), (raw, error)
    data_files = list((lakehouse_s3.data_dir / "s3" / "clickstream" / "warehouse" / namespace
                       / "clicks" / "data").rglob("*.parquet"))
    assert data_files, "Spark's data files are objects on the S3 server"

    # A second run resumes from its checkpoint and adds only the new events. It runs without the
    # checksum variables (the JVM gets when_required from spark_session.py, or S3Proxy refuses
    # the AWS SDK's default checksums) and without a warehouse (optional with a REST catalog:
    # Iceberg's ResolvingFileIO then finds S3FileIO by the tables' s3:// paths).
    more, more_rows, _ = jp.make_messages(1_500, seed=32)
    jp.produce_more(kafka_broker.bootstrap, topic, more)
    left_out = (*CHECKSUM_VARS, "CLICKSTREAM_WAREHOUSE")
    spark_pipeline({k: v for k, v in s3_env.items() if k not in left_out}, topic, namespace, checkpoint)
    clicks = catalog.load_table(f"{namespace}.clicks")
    assert jp.arrow_multiset(clicks.scan().to_arrow()) == sorted(rows + more_rows)
    assert catalog.load_table(f"{namespace}.clicks_dlq").scan().to_arrow().num_rows == len(bad)

    # Spark's own SQL shell on the same REST catalog and S3 (the seed's Spark SQL client).
    shell = run_script(
        "spark-sql", "-e",
        f"SELECT count(*), count(DISTINCT user_id) FROM {namespace}.clicks;"
        f" SELECT count(*) FROM catalog.{namespace}.clicks_dlq",
        env=dict(s3_env, CLICKSTREAM_SPARK_SQL_DIR=str(tmp_path / "spark-sql")), timeout=600,
    )
    assert shell.returncode == 0, shell.stdout + shell.stderr[-4000:]
    users = len({user for user, _, _ in rows + more_rows})
    assert shell.stdout.split() == [str(len(rows) + len(more_rows)), str(users), str(len(bad))]


def test_demo_on_the_lakehouse_writes_every_table_to_s3_and_answers(tmp_path, clickstream):
    """./scripts/demo --lakehouse with the broker and the services on private ports (the variables
    scripts/kafka and scripts/lakehouse read): it starts them itself; every event ends up in
    clicks or the DLQ, enriched like clicks, all of it on S3 behind the REST catalog."""
    broker = Broker(tmp_path / "kafka")
    services = Lakehouse(tmp_path / "lakehouse", storage="s3")
    env = dict(broker.env, **services.script_env)
    try:
        demo = run_script("demo", "--lakehouse", env=env, timeout=1200)
        assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-4000:]
        assert "step 7" in demo.stderr and "user_1" in demo.stdout
        catalog = services.pyiceberg_catalog()
        counts = {}
        for name in ("clicks", "clicks_enriched", "clicks_dlq", "user_profiles"):
            table = catalog.load_table(f"website.{name}")
            assert table.metadata_location.startswith(f"s3://clickstream/warehouse/website/{name}/")
            counts[name] = table.scan().to_arrow().num_rows
        assert counts["clicks"] + counts["clicks_dlq"] == 100_000
        assert counts["clicks_enriched"] == counts["clicks"] and counts["user_profiles"] == 1000
        assert counts["clicks_dlq"] == 1000  # --bad-ratio 0.01: exactly 1 in 100 is malformed
        for count in (counts["clicks"], counts["clicks_enriched"], counts["clicks_dlq"]):
            assert str(count) in demo.stdout  # step 6 printed the same counts
    finally:
        broker.stop()
        services.stop()
