"""`clickstream produce` against a real, private Kafka broker, read back by an independent client
(confluent-kafka, its own bundled librdkafka) and checked against the event contract of DESIGN.md."""

import datetime
import json
import re
import subprocess
import time

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from conftest import BINARY
from kafka_broker import free_port

EVENT_TS = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?$"
)
PAGE = re.compile(r"^/[a-z0-9/-]*$")


def contract_violation(value):
    """None for a good event (DESIGN.md), else a short reason. Written independently of the C++
    parser: Python's json and utf-8 codecs, a regex for event_ts and datetime for the ranges."""
    if not value:
        return "empty"
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid_utf8"
    try:
        obj = json.loads(text)
    except ValueError:
        return "broken_json"
    if not isinstance(obj, dict):
        return "broken_json"
    for field in ("user_id", "page", "event_ts"):
        if field not in obj:
            return "missing_field"
    if not isinstance(obj["user_id"], str) or not isinstance(obj["page"], str):
        return "wrong_type"
    ts = obj["event_ts"]
    if isinstance(ts, bool) or not isinstance(ts, (str, int, float)):
        return "wrong_type"
    if not isinstance(ts, str):
        return None  # epoch numbers: the producer never writes one out of range
    m = EVENT_TS.match(ts)
    if not m:
        return "bad_timestamp"
    try:
        datetime.datetime(*(int(g) for g in m.groups()[:6]))
    except ValueError:
        return "bad_timestamp"
    return None


def event_time(ts):
    """UTC datetime of a producer-written event_ts (always ...ffffffZ)."""
    return datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)


def read_topic(bootstrap, topic, timeout=60):
    """Every message of every partition, from the beginning to the high watermark at call time."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    partitions = admin.list_topics(topic, timeout=10).topics[topic].partitions
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "e2e-reader", "enable.auto.commit": False}
    )
    try:
        ends = {}
        for p in partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            ends[p] = high
        consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
        messages = []
        remaining = {p for p, high in ends.items() if high > 0}
        deadline = time.monotonic() + timeout
        while remaining and time.monotonic() < deadline:
            for msg in consumer.consume(num_messages=10000, timeout=1.0):
                assert msg.error() is None, msg.error()
                messages.append(msg)
                if msg.offset() + 1 >= ends[msg.partition()]:
                    remaining.discard(msg.partition())
        assert not remaining, f"partitions {remaining} not read to their end"
        return len(partitions), messages
    finally:
        consumer.close()


def test_produces_100k_events_to_4_partitions_that_an_independent_consumer_reads_back(
    clickstream, kafka_broker
):
    topic = kafka_broker.unique_topic("clicks")
    started = datetime.datetime.now(datetime.timezone.utc)
    result = clickstream(
        "produce", "--topic", topic, "--events", 100_000, "--partitions", 4,
        "--bad-ratio", 0.05, "--users", 2000, "--seed", 7,
        env={"CLICKSTREAM_BROKERS": kafka_broker.bootstrap}, timeout=300,
    )
    finished = datetime.datetime.now(datetime.timezone.utc)
    assert result.returncode == 0, result.stderr
    summary = result.stderr.strip().splitlines()[-1]
    assert "100000 events (5000 bad)" in summary and "not delivered 0" in summary, summary

    partition_count, messages = read_topic(kafka_broker.bootstrap, topic)
    assert partition_count == 4
    assert len(messages) == 100_000

    bad_kinds = {}
    users = set()
    partition_of_user = {}
    for msg in messages:
        key = msg.key().decode()
        assert re.fullmatch(r"user_\d+", key), key
        # Keys decide partitions: one user's clicks all stay in one partition.
        assert partition_of_user.setdefault(key, msg.partition()) == msg.partition()
        violation = contract_violation(msg.value())
        if violation:
            bad_kinds[violation] = bad_kinds.get(violation, 0) + 1
            continue
        event = json.loads(msg.value())
        assert event["user_id"] == key
        assert 1 <= int(key[len("user_"):]) <= 2000
        assert PAGE.match(event["page"]), event["page"]
        ts = event_time(event["event_ts"])
        assert started - datetime.timedelta(seconds=5) <= ts <= finished, ts
        users.add(key)

    assert sum(bad_kinds.values()) == 5000, bad_kinds
    assert set(bad_kinds) == {
        "empty", "invalid_utf8", "broken_json", "missing_field", "wrong_type", "bad_timestamp"
    }, bad_kinds
    # Every partition got a share of the users; the population is mostly covered.
    assert len({p for p in partition_of_user.values()}) == 4
    assert len(users) > 1500


def test_prints_progress_once_a_second_and_a_summary_on_long_runs(clickstream, kafka_broker):
    topic = kafka_broker.unique_topic("progress")
    result = clickstream(
        "produce", "--topic", topic, "--rate", 2000, "--duration", 2.5,
        env={"CLICKSTREAM_BROKERS": kafka_broker.bootstrap}, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    progress = [l for l in lines if re.match(r"produce: \d+s sent \d+, delivered \d+, \d+ events/s, errors 0", l)]
    assert len(progress) >= 2, lines
    summary = re.search(r"produce: (\d+) events \(0 bad\) .* delivered (\d+), not delivered 0", lines[-1])
    assert summary, lines[-1]
    assert summary.group(1) == summary.group(2)
    _, messages = read_topic(kafka_broker.bootstrap, topic)
    assert len(messages) == int(summary.group(1))


def test_existing_topic_keeps_its_partitions(clickstream, kafka_broker):
    topic = kafka_broker.unique_topic("existing")
    env = {"CLICKSTREAM_BROKERS": kafka_broker.bootstrap}
    first = clickstream("produce", "--topic", topic, "--events", 100, "--partitions", 2, env=env)
    assert first.returncode == 0, first.stderr
    second = clickstream("produce", "--topic", topic, "--events", 100, "--partitions", 6, env=env)
    assert second.returncode == 0, second.stderr
    assert "already exists with 2 partitions" in second.stderr
    partition_count, messages = read_topic(kafka_broker.bootstrap, topic)
    assert (partition_count, len(messages)) == (2, 200)


def test_stdout_writes_the_same_deterministic_stream_as_ndjson(clickstream):
    def run(seed):
        # Bytes, not text: injected bad records include invalid UTF-8.
        result = subprocess.run(
            [str(BINARY), "produce", "--stdout", "--events", "2000", "--seed", str(seed),
             "--bad-ratio", "0.1"],
            capture_output=True, timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.split(b"\n")

    a, b, c = run(3), run(3), run(4)
    assert a[-1] == b"" and len(a) == 2001

    def skeleton(lines):
        # Users and pages of the good events, and the shape of every line (digits blanked, since
        # event times follow the clock and differ between runs).
        good = [json.loads(l) for l in lines[:-1] if contract_violation(l) is None]
        return [(e["user_id"], e["page"]) for e in good], [re.sub(rb"[0-9]", b"0", l) for l in lines]

    assert skeleton(a) == skeleton(b)
    assert skeleton(a)[0] != skeleton(c)[0]
    assert sum(contract_violation(line) is not None for line in a[:-1]) == 200


def test_broker_down_is_one_clear_line_and_exit_1_within_seconds(clickstream):
    started = time.monotonic()
    result = clickstream(
        "produce", "--events", 10, env={"CLICKSTREAM_BROKERS": f"127.0.0.1:{free_port()}"}, timeout=60
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "no Kafka broker answered" in lines[0] and "scripts/kafka start" in lines[0]
    assert time.monotonic() - started < 30  # a guard against hanging, not a performance claim


def test_bad_flags_are_usage_errors(clickstream):
    for args in (
        ["--events", -1], ["--events", "many"], ["--rate", -5], ["--bad-ratio", 1.5],
        ["--users", 0], ["--partitions", 0], ["--duration", 0], ["--events", 5, "--duration", 2],
        ["--no-such-flag"],
    ):
        result = clickstream("produce", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
