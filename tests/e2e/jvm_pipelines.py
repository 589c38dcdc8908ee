"""Helpers for the Spark and Flink pipeline tests: deterministic events on a real topic, the two
jobs run as the scripts run them, and tables read back as multisets by pyiceberg."""

import datetime as dt
import json
import os
import pathlib
import random
import subprocess

import pyarrow as pa
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from pyiceberg.catalog.sql import SqlCatalog

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = ["/home", "/products", "/cart", "/checkout", "/search", "/about", "/blog", "/help"]
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def format_ts(micros, style):
    """event_ts text for UTC `micros` in one of the forms DESIGN.md accepts."""
    t = EPOCH + dt.timedelta(microseconds=micros)
    if style == 0:
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if style == 1:  # space separator, +02:00 offset, no fraction when it is zero
        local = t.astimezone(dt.timezone(dt.timedelta(hours=2)))
        frac = f".{local.microsecond:06d}" if local.microsecond else ""
        return local.strftime("%Y-%m-%d %H:%M:%S") + frac + "+02:00"
    # nine fractional digits, negative offset
    local = t.astimezone(dt.timezone(-dt.timedelta(hours=5, minutes=30)))
    return local.strftime("%Y-%m-%dT%H:%M:%S.%f") + "789-05:30"


# Malformed messages with the reason both the C++ processor and the Spark job give them.
BAD_MESSAGES = [
    (b"", "empty message"),
    (b'{"user_id": "user_1", "page": "/home"', "invalid JSON"),
    (b'{"user_id": "user_1", "page": "/home", "event_ts": "2026-11-23T22:55:00Z"}}', "invalid JSON"),
    (b'{"page": "/home", "event_ts": "2026-11-23T22:55:00Z"}', "missing field user_id"),
    (b'{"user_id": 42, "page": "/home", "event_ts": "2026-11-23T22:55:00Z"}', "field user_id is not a string"),
    (b'{"user_id": "user_1", "page": "/home", "event_ts": "2026-02-30T22:55:00Z"}', "bad event_ts: no such date"),
    (b'{"user_id": "user_1", "page": "/home", "event_ts": "0000-11-23T22:55:00+01:00"}', "bad event_ts"),
    (b'{"user_id": "user_\xff", "page": "/home", "event_ts": "2026-11-23T22:55:00Z"}', "invalid UTF-8"),
]


def make_messages(count, seed, bad_every=0, users=500):
    """`count` good click messages (and, when bad_every > 0, one malformed message after every
    bad_every good ones). Returns (messages as (key, value) pairs, expected good rows as
    (user_id, page, micros), the bad messages as (value, reason prefix))."""
    rng = random.Random(seed)
    start = int(dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc).timestamp()) * 1_000_000
    messages, rows, bad = [], [], []
    for i in range(count):
        user = f"user_{rng.randrange(users)}"
        page = PAGES[min(int(rng.expovariate(0.6)), len(PAGES) - 1)]
        micros = start + i * 7_919 + rng.randrange(1000)
        value = {"user_id": user, "page": page, "event_ts": format_ts(micros, i % 3)}
        if i % 11 == 0:
            value["referrer"] = "https://example.com/"  # extra fields are ignored
        messages.append((user.encode(), json.dumps(value).encode()))
        rows.append((user, page, micros))
        if bad_every and (i + 1) % bad_every == 0:
            value, reason = BAD_MESSAGES[len(bad) % len(BAD_MESSAGES)]
            messages.append((b"bad", value))
            bad.append((value, reason))
    return messages, rows, bad


def produce(bootstrap, topic, messages, partitions=3):
    """Creates `topic` with `partitions` partitions and writes `messages` to it, acknowledged."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    futures[topic].result(timeout=60)
    producer = Producer(
        {"bootstrap.servers": bootstrap, "linger.ms": 20, "acks": "all", "enable.idempotence": True}
    )
    for key, value in messages:
        while True:
            try:
                producer.produce(topic, key=key, value=value)
                break
            except BufferError:
                producer.poll(0.1)
    assert producer.flush(120) == 0, "not every message was acknowledged"


def produce_more(bootstrap, topic, messages):
    """Writes `messages` to the existing `topic`, acknowledged."""
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "acks": "all"})
    for key, value in messages:
        producer.produce(topic, key=key, value=value)
    assert producer.flush(120) == 0, "not every message was acknowledged"


def table_multiset(catalog_db, warehouse, table, columns=("user_id", "page", "click_timestamp")):
    """Every row of `table` read by pyiceberg, as a sorted list of tuples; timestamps as micros."""
    catalog = SqlCatalog("catalog", uri=f"sqlite:///{catalog_db}", warehouse=f"file://{warehouse}")
    return arrow_multiset(catalog.load_table(table).scan().to_arrow(), columns)


def arrow_multiset(table, columns=("user_id", "page", "click_timestamp")):
    """Rows of an Arrow table as a sorted list of tuples over `columns`; timestamps as micros."""
    values = []
    for name in columns:
        column = table.column(name)
        if pa.types.is_timestamp(column.type):
            column = column.cast(pa.timestamp("us", column.type.tz)).cast(pa.int64())
        values.append(column.to_pylist())
    return sorted(zip(*values), key=lambda r: tuple((v is None, v) for v in r))


def duckdb_multiset(clickstream, catalog_db, warehouse, table="website.clicks"):
    """Every row of `table` read by `clickstream sql` (DuckDB's iceberg extension), as a sorted
    list of (user_id, page, micros)."""
    env = {"CLICKSTREAM_CATALOG": str(catalog_db), "CLICKSTREAM_WAREHOUSE": str(warehouse)}
    proc = clickstream(
        "sql", f"SELECT user_id, page, epoch_us(click_timestamp) AS micros FROM {table}",
        "--format", "json", env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return sorted((r["user_id"], r["page"], int(r["micros"])) for r in json.loads(proc.stdout))


def log_tails(log_dir, lines=60):
    """The last lines of every log file under `log_dir` (for failure messages)."""
    out = []
    for path in sorted(pathlib.Path(log_dir).glob("*.log")):
        out.append(f"\n--- {path.name} ---\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
    return "".join(out)


def run_script(script, *args, env=None, timeout=900):
    """Runs scripts/<script> with args from the repo root; returns the CompletedProcess."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [str(ROOT / "scripts" / script), *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )
