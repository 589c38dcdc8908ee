"""Option A end to end: events on a real topic, the Spark Structured Streaming job
(engines/spark/click_processor.py) run until caught up, the tables read back by pyiceberg and by
DuckDB through `clickstream sql`.
The job runs inside the session's Spark JVM (the `spark` fixture) to spare a JVM start per run;
test_spark_flink_cross_reading.py runs it through ./scripts/spark-pipeline."""

import pathlib
import sys

import pyarrow as pa
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField, StringType

import jvm_pipelines as jp

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "engines" / "spark"))
import click_processor  # noqa: E402

pytestmark = pytest.mark.slow


def spark_job(spark, broker, topic, lake, *extra):
    """Runs the job until caught up on `topic` into the lake's catalog; asserts it succeeded."""
    args = click_processor.parse_args(
        [
            "--until-caught-up",
            "--topic", topic,
            "--brokers", broker.bootstrap,
            "--checkpoint", str(lake / "checkpoints" / topic),
            *extra,
        ]
    )
    session = spark.session(lake / "catalog.db", lake / "warehouse")
    assert click_processor.run(session, args) == 0


def test_spark_job_writes_each_event_exactly_once_and_dead_letters_the_rest(kafka_broker, tmp_path, spark, clickstream):
    topic = kafka_broker.unique_topic("spark_clicks")
    messages, rows, bad = jp.make_messages(50_000, seed=6, bad_every=1000)
    jp.produce(kafka_broker.bootstrap, topic, messages, partitions=3)

    spark_job(spark, kafka_broker, topic, tmp_path)
    db, wh = tmp_path / "catalog.db", tmp_path / "warehouse"
    assert jp.table_multiset(db, wh, "website.clicks") == sorted(rows)
    assert jp.duckdb_multiset(clickstream, db, wh) == sorted(rows)

    dlq = jp.table_multiset(db, wh, "website.clicks_dlq", ("raw", "error", "topic"))
    assert sorted(raw for raw, _, _ in dlq) == sorted(value for value, _ in bad)
    for raw, error, dlq_topic in dlq:
        assert dlq_topic == topic
        expected = next(reason for value, reason in bad if value == raw)
        assert error.startswith(expected), (raw, error)

    # A second run resumes from its checkpoint: only the new events are added, none twice.
    more_messages, more_rows, _ = jp.make_messages(3_000, seed=7)
    jp.produce_more(kafka_broker.bootstrap, topic, more_messages)
    spark_job(spark, kafka_broker, topic, tmp_path)
    assert jp.table_multiset(db, wh, "website.clicks") == sorted(rows + more_rows)
    assert len(jp.table_multiset(db, wh, "website.clicks_dlq", ("error",))) == len(bad)


def test_spark_job_enriches_clicks_with_profiles(kafka_broker, tmp_path, spark):
    db, wh = tmp_path / "catalog.db", tmp_path / "warehouse"
    wh.mkdir()
    catalog = SqlCatalog("catalog", uri=f"sqlite:///{db}", warehouse=f"file://{wh}")
    catalog.create_namespace("website")
    profiles_schema = Schema(
        NestedField(1, "user_id", StringType(), required=False),
        NestedField(2, "name", StringType(), required=False),
        NestedField(3, "location", StringType(), required=False),
    )
    profiles = catalog.create_table("website.user_profiles", profiles_schema)
    known = {f"user_{i}": (f"Name {i}", f"City {i % 7}") for i in range(0, 50, 2)}  # even users
    profiles.append(
        pa.table(
            {
                "user_id": list(known),
                "name": [v[0] for v in known.values()],
                "location": [v[1] for v in known.values()],
            }
        )
    )
    topic = kafka_broker.unique_topic("spark_enrich")
    messages, rows, _ = jp.make_messages(4_000, seed=8, users=50)
    jp.produce(kafka_broker.bootstrap, topic, messages, partitions=2)

    spark_job(spark, kafka_broker, topic, tmp_path, "--enrich")
    got = jp.table_multiset(
        db, wh, "website.clicks_enriched", ("user_id", "page", "click_timestamp", "name", "location")
    )
    expected = sorted(
        (user, page, micros, *known.get(user, (None, None))) for user, page, micros in rows
    )
    assert got == sorted(expected, key=lambda r: tuple((v is None, v) for v in r))
    assert any(name is None for *_, name, _ in got) and any(name is not None for *_, name, _ in got)


def test_a_replayed_batch_is_written_once_and_a_new_one_is_written(kafka_broker, tmp_path, spark):
    """What a restart after a crash between the two appends does: the batch comes again with the
    same id; the tables that already hold it (snapshot summary: query id, epoch id) skip it."""
    import datetime

    topic = kafka_broker.unique_topic("spark_replay")
    messages, rows, _ = jp.make_messages(500, seed=9, bad_every=100)
    jp.produce(kafka_broker.bootstrap, topic, messages, partitions=1)
    spark_job(spark, kafka_broker, topic, tmp_path)
    db, wh = tmp_path / "catalog.db", tmp_path / "warehouse"
    before = jp.table_multiset(db, wh, "website.clicks")
    dlq_before = jp.table_multiset(db, wh, "website.clicks_dlq", ("error",))

    session = spark.session(db, wh)
    args = click_processor.parse_args(["--topic", topic, "--checkpoint", str(tmp_path / "checkpoints" / topic)])
    now = datetime.datetime.now(datetime.timezone.utc)
    batch = session.createDataFrame(
        [(b'{"user_id":"user_x","page":"/replay","event_ts":"2026-12-03T10:00:00Z"}', topic, 0, 10**6, now),
         (b"not json", topic, 0, 10**6 + 1, now)],
        "value binary, topic string, partition int, offset bigint, timestamp timestamp",
    )
    writer = click_processor.BatchWriter(session, args)
    writer(batch, 0)  # the availableNow run committed batch 0 to both tables
    assert writer.last_batch == (0, None)  # not read: its size is unknown
    assert jp.table_multiset(db, wh, "website.clicks") == before
    assert jp.table_multiset(db, wh, "website.clicks_dlq", ("error",)) == dlq_before
    writer(batch, 1)  # one pass for the click, a second for the dead letter it counted
    assert writer.last_batch == (1, 2)  # two messages, though read twice
    after = jp.table_multiset(db, wh, "website.clicks")
    assert len(after) == len(before) + 1 and ("user_x", "/replay") in {r[:2] for r in after}
    assert len(jp.table_multiset(db, wh, "website.clicks_dlq", ("error",))) == len(dlq_before) + 1
    writer(batch, 2)  # after a batch with dead letters: parsed once, cached for both appends
    assert writer.last_batch == (2, 2)
    assert len(jp.table_multiset(db, wh, "website.clicks")) == len(before) + 2
    assert len(jp.table_multiset(db, wh, "website.clicks_dlq", ("error",))) == len(dlq_before) + 2
    writer(batch.limit(1), 3)  # a clean batch: no dead-letter commit, and one pass again after it
    writer(batch, 4)
    assert len(jp.table_multiset(db, wh, "website.clicks")) == len(before) + 4
    assert len(jp.table_multiset(db, wh, "website.clicks_dlq", ("error",))) == len(dlq_before) + 3
