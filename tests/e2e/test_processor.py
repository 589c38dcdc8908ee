"""`clickstream process` against a real, private Kafka broker: every produced event ends up in the
Iceberg tables exactly once through kill -9, broker restarts, scale-out and zombie processors.
The tables are read back by pyiceberg and the topic by confluent-kafka, both independent of the
C++ code; rows are compared as multisets."""

import collections
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import threading
import time

import pyarrow as pa
from confluent_kafka import Producer

from conftest import BINARY
from iceberg_readers import arrow_rows, event_micros, open_catalog
from kafka_broker import Broker, free_port
from test_producer import contract_violation, read_topic

# The broker's group.min.session.timeout.ms is 6 s: the shortest time after which the group gives
# the partitions of a killed processor to another member.
SESSION_MS = 6000


class Lake:
    """A private catalog and warehouse, with the environment that points the binary at them."""

    def __init__(self, tmp_path, broker):
        self.dir = tmp_path
        self.catalog = tmp_path / "catalog.db"
        self.warehouse = tmp_path / "warehouse"
        self.env = dict(broker.env)
        self.env["CLICKSTREAM_CATALOG"] = str(self.catalog)
        self.env["CLICKSTREAM_WAREHOUSE"] = str(self.warehouse)
        self._logs = 0

    def run(self, *args, timeout=180):
        env = dict(os.environ)
        env.update(self.env)
        return subprocess.run(
            [str(BINARY), *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout
        )

    def spawn(self, *args):
        """Starts the binary in the background; its output goes to files (log_of reads them)."""
        env = dict(os.environ)
        env.update(self.env)
        self._logs += 1
        out = open(self.dir / f"proc{self._logs}.out", "w+")
        err = open(self.dir / f"proc{self._logs}.err", "w+")
        proc = subprocess.Popen(
            [str(BINARY), *map(str, args)], stdout=out, stderr=err, env=env, text=True
        )
        proc.out_path, proc.err_path = out.name, err.name
        return proc

    def table(self, name):
        return open_catalog(self.catalog, self.warehouse).load_table(name).scan().to_arrow()

    def clicks(self, name="website.clicks"):
        return arrow_rows(self.table(name))


def log_of(proc):
    with open(proc.out_path) as out, open(proc.err_path) as err:
        return out.read() + err.read()


def produce(lake, topic, *args, timeout=300):
    result = lake.run("produce", "--topic", topic, *args, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result


def topic_contents(broker, topic):
    """(multiset of good rows as (user_id, page, micros), {(partition, offset): raw} of bad ones)."""
    _, messages = read_topic(broker.bootstrap, topic)
    good, bad = collections.Counter(), {}
    for msg in messages:
        value = msg.value() or b""
        if len(value) <= 64 * 1024 and contract_violation(value) is None:
            event = json.loads(value)
            good[(event["user_id"], event["page"], event_micros(event["event_ts"]))] += 1
        else:
            bad[(msg.partition(), msg.offset())] = value
    return good, bad


def process_until_caught_up(lake, topic, *args):
    result = lake.run(
        "process", "--topic", topic, "--until-caught-up", "--commit-interval-ms", 500,
        "--session-timeout-ms", SESSION_MS, *args, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def assert_exactly_once(lake, broker, topic):
    good, _ = topic_contents(broker, topic)
    rows = collections.Counter(lake.clicks())
    missing, doubled = good - rows, rows - good
    assert not missing and not doubled, (
        f"{sum(missing.values())} events missing, {sum(doubled.values())} extra rows"
    )
    assert sum(rows.values()) == sum(good.values())
    return rows


def test_exactly_once_under_repeated_kill_9_while_producing(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("kill9")
    produce(lake, topic, "--events", 1, "--partitions", 4)  # the topic exists before the processor
    producer = lake.spawn("produce", "--topic", topic, "--events", 199_999, "--rate", 3500,
                          "--seed", 11)
    rng = random.Random(2026)
    kills = 0
    while kills < 10 or producer.poll() is None:
        proc = lake.spawn("process", "--topic", topic, "--commit-interval-ms", 300,
                          "--session-timeout-ms", SESSION_MS)
        time.sleep(rng.uniform(1.0, 8.0))
        assert proc.poll() is None, log_of(proc)  # it never exits by itself
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
    assert producer.wait() == 0, log_of(producer)
    assert kills >= 10
    # Some commits happened between the kills, not only in the final run.
    snapshots_before = len(open_catalog(lake.catalog, lake.warehouse)
                           .load_table("website.clicks").snapshots())
    assert snapshots_before >= 3, snapshots_before
    process_until_caught_up(lake, topic)
    rows = assert_exactly_once(lake, kafka_broker, topic)
    assert sum(rows.values()) == 200_000


def test_dead_letters_hold_exactly_the_bad_messages_with_their_reasons(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("dlq")
    produce(lake, topic, "--events", 20_000, "--bad-ratio", 0.05, "--partitions", 3, "--seed", 5)
    result = process_until_caught_up(lake, topic)
    assert "19000 rows" in result.stdout and "1000 dead letters" in result.stdout, result.stdout

    assert_exactly_once(lake, kafka_broker, topic)
    _, bad = topic_contents(kafka_broker, topic)
    dlq = lake.table("website.clicks_dlq").to_pylist()
    assert len(dlq) == len(bad) == 1000
    reasons = {
        "empty": "empty message", "invalid_utf8": "invalid UTF-8", "broken_json": "JSON",
        "missing_field": "missing field", "wrong_type": "not a string",
        "bad_timestamp": "event_ts",
    }
    seen_kinds = set()
    for row in dlq:
        assert row["topic"] == topic
        raw = bad.pop((row["partition"], row["offset"]))
        assert row["raw"] == raw
        assert row["kafka_timestamp"] is not None
        kind = contract_violation(raw)
        seen_kinds.add(kind)
        assert reasons[kind] in row["error"], (kind, row["error"])
        assert "\n" not in row["error"]
    assert not bad
    assert seen_kinds == set(reasons)


def test_every_bad_kind_and_every_accepted_event_ts_form(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("forms")
    accepted = {
        "2026-11-23T22:55:00Z": "2026-11-23T22:55:00+00:00",
        "2026-11-23 22:55:00Z": "2026-11-23T22:55:00+00:00",
        "2026-11-23T22:55:00.1Z": "2026-11-23T22:55:00.100000+00:00",
        "2026-11-23T22:55:00.123456Z": "2026-11-23T22:55:00.123456+00:00",
        "2026-11-23T22:55:00.123456789Z": "2026-11-23T22:55:00.123456+00:00",
        "2026-11-23T23:55:00+01:00": "2026-11-23T22:55:00+00:00",
        "2026-11-23T20:25:00.5-02:30": "2026-11-23T22:55:00.500000+00:00",
        "2026-11-24 00:55:00.000001+02:00": "2026-11-23T22:55:00.000001+00:00",
        "2026-11-23T22:55:00": "2026-11-23T22:55:00+00:00",
        "2026-11-23 22:55:00.25": "2026-11-23T22:55:00.250000+00:00",
        "2026-11-24T04:25:00+0530": "2026-11-24T04:25:00+05:30",
        "2026-11-23T20:55:00-02": "2026-11-23T22:55:00+00:00",
        1795474500: "2026-11-23T22:55:00+00:00",
        1795474500.5: "2026-11-23T22:55:00.500000+00:00",
        1795474500123: "2026-11-23T22:55:00.123000+00:00",
    }
    bad = {
        b"": "empty message",
        b"\xff\xfe": "invalid UTF-8",
        b'{"user_id": "u\xc3", "page": "/a", "event_ts": "2026-11-23T22:55:00Z"}': "invalid UTF-8",
        b'{"user_id": "u1", "page": "/a", "event_ts": "2026-11-23T22:55:00Z"': "invalid JSON",
        b'["u1", "/a"]': "not a JSON object",
        b'{"page": "/a", "event_ts": "2026-11-23T22:55:00Z"}': "missing field user_id",
        b'{"user_id": "u1", "event_ts": "2026-11-23T22:55:00Z"}': "missing field page",
        b'{"user_id": "u1", "page": "/a"}': "missing field event_ts",
        b'{"user_id": 7, "page": "/a", "event_ts": "2026-11-23T22:55:00Z"}': "user_id is not a string",
        b'{"user_id": "u1", "page": null, "event_ts": "2026-11-23T22:55:00Z"}': "page is not a string",
        b'{"user_id": "u1", "page": "/a", "event_ts": true}': "event_ts is not a string or a number",
        b'{"user_id": "u1", "page": "/a", "event_ts": "0000-11-23T22:55:00Z"}': "year outside 1..9999",
        b'{"user_id": "u1", "page": "/a", "event_ts": "10000-11-23T22:55:00Z"}': "bad event_ts",
        b'{"user_id": "u1", "page": "/a", "event_ts": "2026-11-23"}': "bad event_ts",
        b'{"user_id": "u1", "page": "/a", "event_ts": "2026-02-30T10:00:00Z"}': "bad event_ts",
        b'{"user_id": "u1", "page": "/a", "event_ts": "2026-11-23T22:55"}': "bad event_ts",
        b'{"user_id": "u1", "page": "/a", "event_ts": "2026-11-23T22:55:00.1234567890Z"}': "bad event_ts",
        b'{"user_id": "u1", "page": "/a", "event_ts": "2026-11-23T22:55:00Z", "pad": "'
        + b"x" * 70_000 + b'"}': "oversized",
    }
    producer = Producer({"bootstrap.servers": kafka_broker.bootstrap})
    for i, form in enumerate(accepted):
        value = json.dumps({"user_id": f"u{i}", "page": "/forms", "event_ts": form, "extra": 1})
        producer.produce(topic, value.encode(), partition=0)
    for value in bad:
        producer.produce(topic, value, partition=0)
    assert producer.flush(30) == 0

    process_until_caught_up(lake, topic)
    expected = sorted(
        (f"u{i}", "/forms", event_micros(utc)) for i, utc in enumerate(accepted.values())
    )
    assert lake.clicks() == expected
    dlq = {row["raw"]: row["error"] for row in lake.table("website.clicks_dlq").to_pylist()}
    assert len(dlq) == len(bad)
    for value, reason in bad.items():
        assert reason in dlq[value], (value[:80], dlq[value])


def test_enrichment_joins_profiles_and_picks_up_a_new_snapshot_without_restart(
    kafka_broker, tmp_path
):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("enrich")
    generated = lake.run("profiles", "generate", "--users", 50, "--seed", 3)
    assert generated.returncode == 0 and "added 50 profiles" in generated.stdout, generated
    produce(lake, topic, "--events", 3000, "--users", 100, "--partitions", 2)
    batch_one_end = time.time()
    time.sleep(4)  # event_ts lies at most 3 s before its send time: the batches cannot interleave

    proc = lake.spawn("process", "--topic", topic, "--enrich", "--commit-interval-ms", 500,
                      "--session-timeout-ms", SESSION_MS)
    try:
        wait_for_rows(lake, "website.clicks_enriched", 3000, proc)
        again = lake.run("profiles", "generate", "--users", 100, "--seed", 3)
        assert "added 50 profiles" in again.stdout, again.stdout
        time.sleep(1.5)  # more than one commit interval
        produce(lake, topic, "--events", 3000, "--users", 100, "--seed", 9)
        wait_for_rows(lake, "website.clicks_enriched", 6000, proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log_of(proc)

    profiles = {r["user_id"]: r for r in lake.table("website.user_profiles").to_pylist()}
    assert len(profiles) == 100
    enriched = lake.table("website.clicks_enriched").to_pylist()
    assert arrow_rows(pa.Table.from_pylist(enriched)) == lake.clicks()
    cutoff = int(batch_one_end * 1_000_000)
    late_users_before = 0
    for row in enriched:
        user = int(row["user_id"].removeprefix("user_"))
        first_batch = row["click_timestamp"].timestamp() * 1_000_000 < cutoff
        if first_batch and user > 50:
            late_users_before += 1
            assert row["name"] is None and row["location"] is None, row
        else:
            profile = profiles[row["user_id"]]
            assert (row["name"], row["location"]) == (profile["name"], profile["location"]), row
    assert late_users_before > 0


def wait_for_rows(lake, table, count, proc, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, log_of(proc)
        try:
            if lake.table(table).num_rows >= count:
                return
        except Exception:  # the table may not exist yet
            pass
        time.sleep(0.5)
    raise AssertionError(f"{table} did not reach {count} rows: {log_of(proc)}")


def test_two_processors_share_the_group_and_one_is_killed(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("scale")
    produce(lake, topic, "--events", 1, "--partitions", 4)
    producer = lake.spawn("produce", "--topic", topic, "--events", 59_999, "--rate", 4000)
    args = ("process", "--topic", topic, "--commit-interval-ms", 300,
            "--session-timeout-ms", SESSION_MS)
    first, second = lake.spawn(*args), lake.spawn(*args)
    time.sleep(9)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert producer.wait() == 0
    wait_for_rows(lake, "website.clicks", 60_000, second)
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=60) == 0, log_of(second)
    log = log_of(second)
    assert "process: consumed" in log  # the final summary
    progress = re.findall(r"process: \d+ msg/s, committed \d+ rows, \d+ dead letters, lag \d+, "
                          r"\d+ partitions, last commit \d+ ms", log)
    assert len(progress) >= 10, log  # once a second
    rows = assert_exactly_once(lake, kafka_broker, topic)
    assert sum(rows.values()) == 60_000


def test_zombie_woken_after_its_partitions_moved_cannot_double_commit(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("zombie")
    produce(lake, topic, "--events", 1, "--partitions", 2)
    producer = lake.spawn("produce", "--topic", topic, "--events", 59_999, "--rate", 2500)
    zombie = lake.spawn("process", "--topic", topic, "--commit-interval-ms", 3000,
                        "--session-timeout-ms", SESSION_MS)
    time.sleep(6)
    other = lake.spawn("process", "--topic", topic, "--commit-interval-ms", 300,
                       "--session-timeout-ms", SESSION_MS)
    time.sleep(5)
    zombie.send_signal(signal.SIGSTOP)  # with rows read but not committed
    time.sleep(SESSION_MS / 1000 * 2 + 2)  # the group gives all partitions to `other`, which commits
    zombie.send_signal(signal.SIGCONT)
    assert producer.wait() == 0
    time.sleep(3)
    for proc in (zombie, other):
        proc.send_signal(signal.SIGTERM)
    for proc in (zombie, other):
        assert proc.wait(timeout=60) == 0, log_of(proc)
    summary = [l for l in log_of(zombie).splitlines() if l.startswith("process: consumed")][0]
    fenced = int(summary.split(" fenced batches")[0].rsplit(" ", 1)[1])
    assert fenced >= 1, summary  # the zombie's batch was rejected, not committed twice
    process_until_caught_up(lake, topic)
    rows = assert_exactly_once(lake, kafka_broker, topic)
    assert sum(rows.values()) == 60_000


def test_broker_restart_in_the_middle_of_a_run(tmp_path):
    with Broker(tmp_path / "kafka") as broker:
        lake = Lake(tmp_path, broker)
        topic = broker.unique_topic("restart")
        produce(lake, topic, "--events", 20_000, "--partitions", 3)
        proc = lake.spawn("process", "--topic", topic, "--commit-interval-ms", 300,
                          "--session-timeout-ms", SESSION_MS)
        wait_for_rows(lake, "website.clicks", 20_000, proc)
        broker.stop()
        time.sleep(3)
        assert proc.poll() is None, log_of(proc)  # it waits for the broker, it does not give up
        broker.start()
        produce(lake, topic, "--events", 20_000, "--seed", 8)
        wait_for_rows(lake, "website.clicks", 40_000, proc, timeout=180)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log_of(proc)
        rows = assert_exactly_once(lake, broker, topic)
        assert sum(rows.values()) == 40_000


def test_catalog_locked_for_a_while_delays_commits_without_loss(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("locked")
    produce(lake, topic, "--events", 5000, "--partitions", 2)
    process_until_caught_up(lake, topic)  # creates the tables
    produce(lake, topic, "--events", 5000, "--seed", 4)

    lock = sqlite3.connect(lake.catalog, timeout=30, check_same_thread=False)
    lock.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(4.0, lock.rollback)
    release.start()
    started = time.monotonic()
    process_until_caught_up(lake, topic)
    release.join()
    lock.close()
    assert time.monotonic() - started >= 3.5  # it waited for the lock
    rows = assert_exactly_once(lake, kafka_broker, topic)
    assert sum(rows.values()) == 10_000


def test_unreachable_broker_is_one_sentence_and_exit_1(tmp_path):
    lake = Lake(tmp_path, Broker(tmp_path / "none"))
    lake.env["CLICKSTREAM_BROKERS"] = f"127.0.0.1:{free_port()}"
    started = time.monotonic()
    result = lake.run("process", "--until-caught-up", timeout=60)
    assert result.returncode == 1
    assert time.monotonic() - started < 30
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "could not reach the Kafka broker" in lines[0], result.stderr


def test_missing_topic_and_bad_flags(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    result = lake.run("process", "--topic", "no_such_topic_here", "--until-caught-up")
    assert result.returncode == 1
    assert "topic no_such_topic_here does not exist" in result.stderr, result.stderr
    for args in (["--commit-interval-ms", 0], ["--table", "../etc"], ["--bogus"]):
        result = lake.run("process", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_unwritable_warehouse_fails_with_nothing_committed(kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("nowrite")
    produce(lake, topic, "--events", 100)
    blocker = tmp_path / "not_a_directory"
    blocker.write_text("a file where the warehouse should be")
    lake.env["CLICKSTREAM_WAREHOUSE"] = str(blocker)
    result = lake.run("process", "--topic", topic, "--until-caught-up")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    catalog = sqlite3.connect(lake.catalog)
    tables = catalog.execute("SELECT count(*) FROM iceberg_tables").fetchone()[0]
    assert tables == 0
