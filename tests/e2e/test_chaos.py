"""Faults while the stream runs (issue 10, chaos tests): the warehouse turned read-only during
`process`, the catalog locked past the lock timeout, the broker killed (SIGKILL) during `produce`
and `process`. Each ends with every produced
event exactly once (multisets read back by confluent-kafka and pyiceberg) and says what is wrong in
one sentence while it lasts. Disk full is in test_hardening.py; kill -9 of the processor, broker
restarts and a catalog locked within the timeout are in test_processor.py."""

import collections
import json
import os
import signal
import sqlite3
import subprocess
import time

import pytest

from conftest import BINARY
from kafka_broker import Broker
from test_processor import (Lake, assert_exactly_once, log_of, process_until_caught_up, produce,
                            topic_contents, wait_for_rows)

SESSION_MS = 6000


@pytest.fixture
def read_only_switch(tmp_path):
    """Turns a directory read-only and back with a read-only bind mount (needs root, as
    ./scripts/test runs; root ignores permission bits, so chmod would not do)."""

    class Switch:
        mounted = []

        def on(self, path):
            for args in (["mount", "--bind", str(path), str(path)],
                         ["mount", "-o", "remount,bind,ro", str(path)]):
                done = subprocess.run(args, capture_output=True, text=True)
                if done.returncode != 0:
                    pytest.skip(f"cannot make a read-only bind mount: {done.stderr.strip()}")
                if args[1] == "--bind":
                    self.mounted.append(path)

        def off(self, path):
            subprocess.run(["umount", str(path)], check=True)
            self.mounted.remove(path)

    switch = Switch()
    yield switch
    for path in switch.mounted:
        subprocess.run(["umount", "-l", str(path)], check=False)


def warnings_of(proc):
    return [line for line in log_of(proc).splitlines() if "warning:" in line]


def test_read_only_warehouse_pauses_commits_with_one_sentence_then_resumes_exactly_once(
        kafka_broker, tmp_path, read_only_switch):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("readonly")
    produce(lake, topic, "--events", 5000, "--partitions", 2, "--bad-ratio", 0.01)
    process_until_caught_up(lake, topic)  # the tables exist
    before = len(lake.clicks())
    proc = lake.spawn("process", "--topic", topic, "--commit-interval-ms", 300,
                      "--session-timeout-ms", SESSION_MS)
    try:
        time.sleep(3)
        read_only_switch.on(lake.warehouse)
        produce(lake, topic, "--events", 10_000, "--seed", 4, "--bad-ratio", 0.01)
        time.sleep(8)  # many commit intervals, several retries
        assert proc.poll() is None, log_of(proc)  # the stream goes on
        assert len(lake.clicks()) == before  # nothing could be committed
        failing = warnings_of(proc)
        assert len(failing) == 1, log_of(proc)  # one sentence, not one per attempt
        assert "Read-only file system" in failing[0], failing[0]
        read_only_switch.off(lake.warehouse)
        wait_for_rows(lake, "website.clicks", before + 9_900, proc)
        produce(lake, topic, "--events", 2000, "--seed", 5)
        wait_for_rows(lake, "website.clicks", before + 11_900, proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log_of(proc)
    warned = warnings_of(proc)
    assert len(warned) == 2 and "commits succeed again" in warned[1], warned
    rows = assert_exactly_once(lake, kafka_broker, topic)
    assert sum(rows.values()) == before + 11_900
    _, bad = topic_contents(kafka_broker, topic)
    dlq = lake.table("website.clicks_dlq").to_pylist()
    assert sorted((r["partition"], r["offset"]) for r in dlq) == sorted(bad)


def kill_broker(broker):
    """SIGKILL of the broker's JVM (no clean shutdown), then waits for it to be gone."""
    pid = int((broker.data_dir / "kafka.pid").read_text().strip())
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.1)


def generated_pairs(events, seed, users):
    """(user_id, page) multiset `produce` sends for the seed: the same generator on --stdout."""
    out = subprocess.run([str(BINARY), "produce", "--stdout", "--events", str(events), "--seed",
                          str(seed), "--users", str(users)], capture_output=True, text=True,
                         check=True, timeout=120)
    return collections.Counter((e["user_id"], e["page"]) for e in map(json.loads,
                                                                   out.stdout.splitlines()))


def test_broker_killed_during_produce_and_process_loses_and_doubles_nothing(tmp_path):
    with Broker(tmp_path / "kafka") as broker:
        lake = Lake(tmp_path, broker)
        topic = broker.unique_topic("brokerkill")
        produce(lake, topic, "--events", 1, "--partitions", 3, "--seed", 1, "--users", 500)
        producer = lake.spawn("produce", "--topic", topic, "--events", 40_000, "--rate", 4000,
                              "--seed", 21, "--users", 500)
        proc = lake.spawn("process", "--topic", topic, "--commit-interval-ms", 300,
                          "--session-timeout-ms", SESSION_MS)
        try:
            time.sleep(4)  # both are sending / committing
            assert producer.poll() is None, log_of(producer)
            assert proc.poll() is None, log_of(proc)
            kill_broker(broker)
            time.sleep(2)
            broker.start()  # within the producer's 30 s delivery timeout
            assert producer.wait(timeout=180) == 0, log_of(producer)
            wait_for_rows(lake, "website.clicks", 40_001, proc, timeout=120)
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0, log_of(proc)
        good, bad = topic_contents(broker, topic)
        assert not bad
        sent = collections.Counter((user, page) for (user, page, _) in good.elements())
        assert sent == generated_pairs(40_000, 21, 500) + generated_pairs(1, 1, 500)
        rows = assert_exactly_once(lake, broker, topic)
        assert sum(rows.values()) == 40_001
        process_until_caught_up(lake, topic)  # a restart finds nothing left to do
        assert sum(assert_exactly_once(lake, broker, topic).values()) == 40_001


def test_catalog_locked_past_the_lock_timeout_pauses_the_stream_then_resumes_exactly_once(
        kafka_broker, tmp_path):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("lockedlong")
    produce(lake, topic, "--events", 3000, "--partitions", 2)
    process_until_caught_up(lake, topic)  # the tables exist
    proc = lake.spawn("process", "--topic", topic, "--commit-interval-ms", 300,
                      "--session-timeout-ms", SESSION_MS, "--catalog-lock-timeout-ms", 1000,
                      "--no-maintain")
    try:
        time.sleep(3)
        lock = sqlite3.connect(lake.catalog, timeout=30, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            produce(lake, topic, "--events", 5000, "--seed", 4)
            time.sleep(6)  # six lock timeouts and more
            assert proc.poll() is None, log_of(proc)  # the stream goes on
            failing = warnings_of(proc)
            assert len(failing) == 1 and "catalog lock" in failing[0], log_of(proc)
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        wait_for_rows(lake, "website.clicks", 8000, proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log_of(proc)
    warned = warnings_of(proc)
    assert len(warned) == 2 and "commits succeed again" in warned[1], warned
    rows = assert_exactly_once(lake, kafka_broker, topic)
    assert sum(rows.values()) == 8000


def test_a_rebalance_while_the_warehouse_is_read_only_stops_no_processor(
        kafka_broker, tmp_path, read_only_switch):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("readonlyrebalance")
    produce(lake, topic, "--events", 4000, "--partitions", 4)
    process_until_caught_up(lake, topic)  # the tables exist
    args = ("process", "--topic", topic, "--session-timeout-ms", SESSION_MS)
    # The first commits only when it gives partitions up (or stops): its rebalance commit is the
    # one that fails.
    first = lake.spawn(*args, "--commit-interval-ms", 120_000)
    second = None
    try:
        time.sleep(3)
        read_only_switch.on(lake.warehouse)
        produce(lake, topic, "--events", 6000, "--seed", 4)
        time.sleep(2)  # the first holds rows it cannot commit
        second = lake.spawn(*args, "--commit-interval-ms", 300)
        time.sleep(10)
        for proc in (first, second):
            assert proc.poll() is None, log_of(proc)  # a rebalance commit failed: no one stops
        assert len(warnings_of(first)) == 1, log_of(first)  # it was the revoke that failed
        read_only_switch.off(lake.warehouse)
        # The second's next retry comes after a pause of up to 5 s (it doubles from 0.5 s).
        deadline = time.monotonic() + 30
        while not any("commits succeed again" in w for w in warnings_of(second)):
            assert time.monotonic() < deadline, log_of(second)
            time.sleep(0.2)
    finally:
        for proc in (first, second):
            if proc is not None:
                proc.send_signal(signal.SIGTERM)
        for proc in (first, second):
            if proc is not None:
                assert proc.wait(timeout=60) == 0, log_of(proc)
    rows = assert_exactly_once(lake, kafka_broker, topic)
    assert sum(rows.values()) == 10_000
