"""The offsets a table records survive any table maintenance and name collisions, and a topic that
lost or re-made its messages never silently loses or duplicates a row (DESIGN.md "Delivery
guarantee"). Real broker, real processor; rows read back by pyiceberg and compared as multisets
with what the topic holds."""

import time

import pytest
from confluent_kafka import Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from test_processor import Lake, assert_exactly_once, process_until_caught_up, produce


def snapshot_ids(lake, table="website.clicks"):
    from iceberg_readers import open_catalog

    return [s.snapshot_id for s in open_catalog(lake.catalog, lake.warehouse)
            .load_table(table).snapshots()]


def send(broker, topic, values, partition=0):
    producer = Producer({"bootstrap.servers": broker.bootstrap})
    for value in values:
        producer.produce(topic, value.encode(), partition=partition)
    assert producer.flush(30) == 0


def click(i, page="/p"):
    return f'{{"user_id": "u{i}", "page": "{page}", "event_ts": "2026-11-23T22:55:{i % 60:02d}Z"}}'


@pytest.mark.slow
def test_spark_compaction_and_expiry_between_two_runs_keep_exactly_once(
    kafka_broker, tmp_path, spark
):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("sparkmaint")
    produce(lake, topic, "--events", 6000, "--partitions", 3, "--seed", 1)
    # Several commits, so older snapshots carry offsets the newest one does not repeat.
    for seed in (2, 3):
        process_until_caught_up(lake, topic)
        produce(lake, topic, "--events", 500, "--seed", seed)
    process_until_caught_up(lake, topic)
    for table in ("website.clicks", "website.clicks_dlq"):
        spark.sql(lake.catalog, lake.warehouse,
                  f"CALL catalog.system.rewrite_data_files(table => '{table}')")
        spark.sql(lake.catalog, lake.warehouse,
                  f"CALL catalog.system.expire_snapshots(table => '{table}', "
                  "older_than => TIMESTAMP '2100-01-01 00:00:00', retain_last => 1)")
    assert len(snapshot_ids(lake)) == 1

    produce(lake, topic, "--events", 2000, "--seed", 4)
    process_until_caught_up(lake, topic)
    rows = assert_exactly_once(lake, kafka_broker, topic)
    assert sum(rows.values()) == 9000


def test_pyiceberg_expiry_of_the_snapshot_that_last_moved_a_partition(kafka_broker, tmp_path):
    from iceberg_readers import open_catalog

    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("pyexpire")
    produce(lake, topic, "--events", 10, "--partitions", 2)
    send(kafka_broker, topic, [click(i) for i in range(100)], partition=0)
    send(kafka_broker, topic, [click(i) for i in range(100, 150)], partition=1)
    process_until_caught_up(lake, topic)
    send(kafka_broker, topic, [click(i) for i in range(200, 260)], partition=0)
    process_until_caught_up(lake, topic)  # this snapshot moves partition 0 only

    table = open_catalog(lake.catalog, lake.warehouse).load_table("website.clicks")
    current = table.current_snapshot().snapshot_id
    older = [s.snapshot_id for s in table.snapshots() if s.snapshot_id != current]
    assert older
    table.maintenance.expire_snapshots().by_ids(older).commit()
    assert snapshot_ids(lake) == [current]

    send(kafka_broker, topic, [click(i) for i in range(300, 340)], partition=1)
    process_until_caught_up(lake, topic)
    rows = assert_exactly_once(lake, kafka_broker, topic)
    assert sum(rows.values()) == 260


def test_dotted_group_and_topic_names_do_not_share_offsets(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    base = kafka_broker.unique_topic("dotted")
    # "g.b" + "." + T and "g" + "." + "b." + T: the same text once joined with dots.
    first_topic, second_topic = base, "b." + base
    send(kafka_broker, first_topic, [click(i, "/first") for i in range(100)])
    send(kafka_broker, second_topic, [click(i, "/second") for i in range(50)])
    process_until_caught_up(lake, first_topic, "--group", "g.b")
    process_until_caught_up(lake, second_topic, "--group", "g")
    pages = [row[1] for row in lake.clicks()]
    assert pages.count("/first") == 100 and pages.count("/second") == 50


def recreate_topic(broker, topic):
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    admin.delete_topics([topic])[topic].result(30)
    deadline = time.time() + 60
    while True:
        try:
            admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)
            return
        except Exception:  # the deletion is still in progress
            if time.time() > deadline:
                raise
            time.sleep(0.5)


def test_a_recreated_topic_stops_the_processor_until_offsets_are_reset(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("recreated")
    send(kafka_broker, topic, [click(i, "/old") for i in range(100)])
    process_until_caught_up(lake, topic)
    recreate_topic(kafka_broker, topic)
    send(kafka_broker, topic, [click(i, "/new") for i in range(30)])

    stopped = lake.run("process", "--topic", topic, "--until-caught-up", timeout=120)
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    error = stopped.stderr.strip().splitlines()[-1]
    assert f"{topic}/0" in error and "--reset-offsets earliest" in error, error
    assert "Traceback" not in stopped.stderr and len(lake.clicks()) == 100

    process_until_caught_up(lake, topic, "--reset-offsets", "earliest")
    pages = [row[1] for row in lake.clicks()]
    assert pages.count("/old") == 100 and pages.count("/new") == 30
    # The reset is recorded: a plain run afterwards neither stops nor reads anything twice.
    send(kafka_broker, topic, [click(i, "/new") for i in range(30, 40)])
    process_until_caught_up(lake, topic)
    assert [row[1] for row in lake.clicks()].count("/new") == 40


def test_messages_removed_by_retention_are_a_counted_warning(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("retention")
    send(kafka_broker, topic, [click(i) for i in range(100)])
    process_until_caught_up(lake, topic)
    send(kafka_broker, topic, [click(i) for i in range(100, 150)])
    admin = AdminClient({"bootstrap.servers": kafka_broker.bootstrap})
    for future in admin.delete_records([TopicPartition(topic, 0, 130)]).values():
        future.result(30)

    result = process_until_caught_up(lake, topic)
    assert "offsets 100 to 129 were removed by retention" in result.stderr, result.stderr
    assert "30 offsets skipped" in result.stdout, result.stdout
    assert len(lake.clicks()) == 120
