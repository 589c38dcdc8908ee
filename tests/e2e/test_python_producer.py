"""The tutorial's way in: a Python producer (examples/activity_producer.py: kafka-python, JSON
values, no key, event_ts from datetime without a zone) -> `clickstream process` -> every event in
website.clicks, read back by pyiceberg, and none in the dead-letter table."""

import datetime as dt
import json
import os
import pathlib
import subprocess
import sys
import zoneinfo

from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from conftest import ROOT
from iceberg_readers import arrow_rows, open_catalog
from test_processor import Lake, process_until_caught_up

UTC = dt.timezone.utc


def micros(moment):
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def create_topic(broker, topic):
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    finally:
        admin.close()


def test_zone_less_times_as_python_writes_them_land_exactly_in_the_processors_zone(
    kafka_broker, tmp_path
):
    """Each way the tutorial's readers write event_ts, read in --event-time-zone Asia/Kolkata."""
    topic = kafka_broker.unique_topic("python_clicks")
    create_topic(kafka_broker, topic)
    zone = zoneinfo.ZoneInfo("Asia/Kolkata")
    base = dt.datetime(2026, 11, 23, 22, 55, 0, 123456)  # a wall clock in Kolkata
    writers = [
        lambda t: t.isoformat(),  # datetime.now().isoformat()
        lambda t: str(t),  # str(datetime.now())
        lambda t: t.strftime("%Y-%m-%d %H:%M:%S"),  # strftime: whole seconds
        lambda t: t.replace(tzinfo=zone).isoformat(),  # datetime.now().astimezone().isoformat()
        lambda t: t.replace(tzinfo=zone).strftime("%Y-%m-%dT%H:%M:%S%z"),  # +0530
        lambda t: t.replace(tzinfo=zone).timestamp(),  # time.time()
        lambda t: int(t.replace(tzinfo=zone).timestamp() * 1000),  # milliseconds
    ]
    producer = KafkaProducer(
        bootstrap_servers=kafka_broker.bootstrap,
        value_serializer=lambda value: json.dumps(value).encode("utf-8"),
    )
    expected = []
    for i in range(700):
        wall = base + dt.timedelta(seconds=i * 37, microseconds=i)
        write = writers[i % len(writers)]
        event = {"user_id": f"user_{i % 13}", "page": f"/p{i % 5}", "event_ts": write(wall)}
        producer.send(topic, event)
        exact = wall.replace(tzinfo=zone)
        if i % len(writers) in (2, 4):  # strftime drops the fraction
            exact = exact.replace(microsecond=0)
        if i % len(writers) == 6:  # milliseconds
            exact = exact.replace(microsecond=exact.microsecond // 1000 * 1000)
        expected.append((event["user_id"], event["page"], micros(exact)))
    producer.flush()
    producer.close()

    lake = Lake(tmp_path, kafka_broker)
    result = process_until_caught_up(lake, topic, "--event-time-zone", "Asia/Kolkata")
    assert "700 rows" in result.stdout and " 0 dead letters" in result.stdout, result.stdout
    assert lake.clicks() == sorted(expected)
    assert len(lake.table("website.clicks_dlq")) == 0


def test_the_example_producer_script_feeds_the_processor_with_no_dead_letters(
    kafka_broker, tmp_path
):
    topic = kafka_broker.unique_topic("example_producer")
    create_topic(kafka_broker, topic)
    sent = []
    for style in ("isoformat", "str", "strftime", "epoch"):
        before = dt.datetime.now(UTC).replace(microsecond=0)
        run = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "activity_producer.py"), "--brokers",
             kafka_broker.bootstrap, "--topic", topic, "--events", "25", "--interval", "0",
             "--time-style", style],
            capture_output=True, text=True, timeout=120, env={**os.environ, "TZ": "UTC"},
        )
        assert run.returncode == 0, run.stderr
        after = dt.datetime.now(UTC) + dt.timedelta(seconds=1)
        sent += [(before, after)] * 25
    lake = Lake(tmp_path, kafka_broker)
    result = process_until_caught_up(lake, topic)
    assert "100 rows" in result.stdout and " 0 dead letters" in result.stdout, result.stdout
    rows = arrow_rows(open_catalog(lake.catalog, lake.warehouse).load_table("website.clicks").scan().to_arrow())
    assert len(rows) == 100
    lowest, highest = micros(min(b for b, _ in sent)), micros(max(a for _, a in sent))
    assert all(lowest <= ts <= highest for _, _, ts in rows), (rows[:3], lowest, highest)
    assert {page for _, page, _ in rows} <= {"/home", "/products", "/cart", "/checkout", "/about", "/search"}
