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
    writer(batch, 1)  # one pass: the click, and the dead letter gathered while writing it
    assert writer.last_batch == (1, 2)
    after = jp.table_multiset(db, wh, "website.clicks")
    assert len(after) == len(before) + 1 and ("user_x", "/replay") in {r[:2] for r in after}
    assert len(jp.table_multiset(db, wh, "website.clicks_dlq", ("error",))) == len(dlq_before) + 1
    writer(batch.limit(1), 2)  # a clean batch: no dead-letter commit
    writer(batch, 3)
    assert writer.last_batch == (3, 2)
    assert len(jp.table_multiset(db, wh, "website.clicks")) == len(before) + 3
    assert len(jp.table_multiset(db, wh, "website.clicks_dlq", ("error",))) == len(dlq_before) + 2
    snapshots = spark.session(db, wh).sql("SELECT * FROM catalog.website.clicks_dlq.snapshots")
    assert snapshots.count() == 3  # the job's batch 0, then batches 1 and 3


def counted_batch(session, messages, topic="t"):
    """A micro-batch of `messages` (Kafka's columns, two partitions), whose values are read through
    a Python UDF that adds one to the returned accumulator per message read: a batch read and
    parsed once leaves it at len(messages), twice at twice that."""
    import datetime

    from pyspark.sql import functions as F

    now = datetime.datetime.now(datetime.timezone.utc)
    rows = [(value, topic, i % 2, i // 2, now) for i, (_, value) in enumerate(messages)]
    batch = session.createDataFrame(
        rows, "value binary, topic string, partition int, offset bigint, timestamp timestamp"
    )
    reads = session.sparkContext.accumulator(0)

    def read(value):
        reads.add(1)
        return value

    return batch.withColumn("value", F.udf(read, "binary")("value")), reads, rows


def write_counted_batch(spark, lake, *extra):
    """Writes one dirty batch through a new BatchWriter; returns the accumulator of message reads,
    the batch's (good rows, bad messages, Kafka rows)."""
    db, wh = lake / "catalog.db", lake / "warehouse"
    session = spark.session(db, wh)
    args = click_processor.parse_args(["--checkpoint", str(lake / "checkpoints"), *extra])
    click_processor.create_tables(session, args)
    messages, rows, bad = jp.make_messages(2_000, seed=10, bad_every=50)
    batch, reads, kafka_rows = counted_batch(session, messages)
    writer = click_processor.BatchWriter(session, args)
    writer.query_id = "test-query"
    writer(batch, 0)
    assert writer.last_batch == (0, len(messages))
    assert jp.table_multiset(db, wh, "website.clicks") == sorted(rows)
    return reads, bad, kafka_rows


def assert_dead_letters_once(lake, bad, kafka_rows):
    """The dead-letter table holds each bad message once, at its own partition and offset."""
    db, wh = lake / "catalog.db", lake / "warehouse"
    dlq = jp.table_multiset(db, wh, "website.clicks_dlq", ("partition", "offset", "raw", "error"))
    bad_values = {value for value, _ in bad}
    expected = sorted((p, o, v) for v, _, p, o, _ in kafka_rows if v in bad_values)
    assert sorted(row[:3] for row in dlq) == expected and len(dlq) == len(bad)
    reasons = dict(bad)
    assert all(error.startswith(reasons[raw]) for _, _, raw, error in dlq)


def test_a_dirty_batch_is_read_once_and_its_dead_letters_land_once(tmp_path, spark):
    reads, bad, kafka_rows = write_counted_batch(spark, tmp_path)
    assert len(bad) == 40
    assert reads.value == len(kafka_rows)  # one pass: clicks written, dead letters gathered
    assert_dead_letters_once(tmp_path, bad, kafka_rows)


def test_dead_letters_past_the_budget_are_read_again_and_land_once(tmp_path, spark, capsys):
    reads, bad, kafka_rows = write_counted_batch(spark, tmp_path, "--dead-letter-buffer-bytes", "1000")
    assert reads.value == 2 * len(kafka_rows)  # the budget holds ~3 of 40: a second pass
    assert "40 dead letters exceed --dead-letter-buffer-bytes 1000" in capsys.readouterr().err
    assert_dead_letters_once(tmp_path, bad, kafka_rows)
