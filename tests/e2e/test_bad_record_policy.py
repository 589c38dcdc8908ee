"""`process --on-bad-record dlq|skip|fail` against a real broker: skip drops the bad messages and
counts them per reason (summary line and clickstream_skipped_records_total), fail stops at the first
one with one sentence and commits nothing of its batch, and a restart with dlq then holds every
message exactly once. Topics are read back by confluent-kafka and tables by pyiceberg."""

import collections
import json

from confluent_kafka import Producer

from iceberg_readers import event_micros
from kafka_broker import free_port
from test_metrics import Scrape, http_get, start_processor, wait_for
from test_processor import (Lake, assert_exactly_once, log_of, process_until_caught_up, produce,
                            topic_contents)
from test_producer import contract_violation


def bad_reasons(kafka_broker, topic):
    """Counter of the categories of the topic's bad messages, classified by the Python checker."""
    _, bad = topic_contents(kafka_broker, topic)
    return collections.Counter(
        "oversized" if len(raw) > 64 * 1024 else contract_violation(raw) for raw in bad.values())


def summary_skipped(text):
    """{reason: count} from "... N skipped bad records (broken_json 7, empty 5)" of a summary."""
    line = [l for l in text.splitlines() if l.startswith("process: consumed")][-1]
    inside = line.split(" skipped bad records (", 1)[1].split(")", 1)[0]
    return {reason: int(count) for reason, count in (part.split(" ") for part in inside.split(", "))}


def test_skip_drops_bad_records_and_counts_them_per_reason(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("skip")
    produce(lake, topic, "--events", 10_000, "--bad-ratio", 0.05, "--partitions", 3, "--seed", 6)
    result = process_until_caught_up(lake, topic, "--on-bad-record", "skip")
    expected = bad_reasons(kafka_broker, topic)
    assert sum(expected.values()) == 500 and len(expected) >= 5, expected
    assert summary_skipped(result.stdout) == dict(expected), result.stdout
    assert "0 dead letters" in result.stdout, result.stdout
    rows = assert_exactly_once(lake, kafka_broker, topic)
    assert sum(rows.values()) == 9_500
    assert lake.table("website.clicks_dlq").num_rows == 0


def test_skip_counts_per_reason_in_the_metrics(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("skipmetrics")
    produce(lake, topic, "--events", 4_000, "--bad-ratio", 0.1, "--partitions", 2, "--seed", 7)
    expected = bad_reasons(kafka_broker, topic)
    proc, base = start_processor(lake, topic, free_port(), "--on-bad-record", "skip",
                                 "--commit-interval-ms", 300)
    try:
        def counted():
            scrape = Scrape(http_get(base + "/metrics")[1])
            series = scrape.series("clickstream_skipped_records_total")
            return scrape if sum(series.values()) >= sum(expected.values()) else None

        scrape = wait_for(counted, 60, "every bad message to be counted")
    finally:
        proc.terminate()
        assert proc.wait(timeout=60) == 0, log_of(proc)
    for reason, count in expected.items():
        assert scrape.value("clickstream_skipped_records_total", topic=topic, reason=reason) == count
    assert sum(scrape.series("clickstream_skipped_records_total").values()) == 400
    assert sum(scrape.series("clickstream_dead_letters_total").values()) == 0
    assert_exactly_once(lake, kafka_broker, topic)


def send(kafka_broker, topic, values, partition=0):
    producer = Producer({"bootstrap.servers": kafka_broker.bootstrap})
    for value in values:
        producer.produce(topic, value, partition=partition)
    assert producer.flush(30) == 0


def good_events(first, count):
    return [json.dumps({"user_id": f"u{i}", "page": f"/p{i % 7}",
                        "event_ts": "2026-11-23T22:55:00Z"}).encode()
            for i in range(first, first + count)]


def test_fail_stops_at_the_first_bad_record_and_a_dlq_restart_resumes_exactly_once(
        kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("fail")
    usage = lake.run("process", "--topic", topic, "--on-bad-record", "drop")
    assert usage.returncode == 2 and len(usage.stderr.strip().splitlines()) == 1, usage.stderr
    produce(lake, topic, "--events", 1, "--partitions", 2, "--seed", 3)  # 2 partitions
    send(kafka_broker, topic, good_events(0, 100))
    process_until_caught_up(lake, topic, "--on-bad-record", "fail")
    committed = lake.clicks()
    assert len(committed) == 101

    assert not topic_contents(kafka_broker, topic)[1]
    # Good events before and after the bad one in the same batch, and on the other partition.
    send(kafka_broker, topic, good_events(100, 50))
    send(kafka_broker, topic, [b'{"user_id": "u1", "page": "/a"'])
    send(kafka_broker, topic, good_events(150, 50))
    send(kafka_broker, topic, good_events(200, 30), partition=1)
    _, bad = topic_contents(kafka_broker, topic)
    assert len(bad) == 1
    (partition, first_offset), = bad
    assert partition == 0

    for attempt in range(2):  # the same sentence on a restart; nothing committed either time
        failed = lake.run("process", "--topic", topic, "--until-caught-up", "--on-bad-record",
                          "fail", "--commit-interval-ms", 60_000, "--session-timeout-ms", 6000)
        assert failed.returncode == 1, (attempt, failed.stdout, failed.stderr)
        errors = [l for l in failed.stderr.splitlines() if not l.startswith("process:")]
        assert len(errors) == 1, failed.stderr
        assert f"partition {topic}/0 at offset {first_offset}" in errors[0], errors[0]
        assert "invalid JSON" in errors[0], errors[0]
        assert lake.clicks() == committed, "a failed batch committed rows"
        assert lake.table("website.clicks_dlq").num_rows == 0

    process_until_caught_up(lake, topic, "--on-bad-record", "dlq")
    rows = assert_exactly_once(lake, kafka_broker, topic)
    assert sum(rows.values()) == 101 + 130
    dlq = lake.table("website.clicks_dlq").to_pylist()
    assert [(r["partition"], r["offset"], r["raw"]) for r in dlq] == [
        (0, first_offset, b'{"user_id": "u1", "page": "/a"')]
    assert rows[("u120", "/p1", event_micros("2026-11-23T22:55:00Z"))] == 1
