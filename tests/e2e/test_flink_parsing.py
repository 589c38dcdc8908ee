"""The Flink job's parsing (kafka_source.sql: JSON_VALUE over the raw message, then valid_clicks.sql)
against the cases the C++ and Spark parsers are tested with (tests/cases/event_ts_cases.json):
every accepted case gives the same instant, every rejected one is dropped; a message with a
repeated key keeps the key's last value, as C++ and Spark do. One JVM: the case messages go onto a
real topic, each time zone gets its own copy of the view, read in batch mode."""

import json
import os
import pathlib
import re
import subprocess

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

import jvm_pipelines as jp

pytestmark = pytest.mark.slow

ROOT = pathlib.Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "tests" / "cases" / "event_ts_cases.json").read_text())


def utc_text(flink_value):
    """Flink's text of a TIMESTAMP_LTZ in session zone UTC -> the cases' YYYY-MM-DDTHH:MM:SS.ffffffZ."""
    date, _, time = flink_value.partition(" ")
    whole, _, fraction = time.partition(".")
    return f"{date}T{whole}.{fraction.ljust(6, '0')[:6]}Z"


def test_flink_view_gives_every_shared_case_its_instant_or_drops_it(kafka_broker, tmp_path):
    topic = kafka_broker.unique_topic("flink_parsing")
    admin = AdminClient({"bootstrap.servers": kafka_broker.bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic].result(60)
    producer = Producer({"bootstrap.servers": kafka_broker.bootstrap})
    expected = {}  # zone -> {user_id: utc text or None (dropped)}
    pages = {}  # user_id -> page, for the repeated-key messages
    for i, case in enumerate(CASES["cases"]):
        user = f"case_{i}"
        value = {"user_id": user, "page": "/p", "event_ts": case["event_ts"]}
        producer.produce(topic, json.dumps(value).encode(), partition=0)
        accepted = case.get("utc")
        if "flink" in case:  # documented divergence: Flink reads it as a number
            continue
        expected.setdefault(case["zone"], {})[user] = accepted
    for i, case in enumerate(CASES["messages"]):
        # Repeated keys: the last value counts, as in the C++ and Spark parsers. Every user_id of
        # the message gets a prefix of its own, so only the kept one may appear.
        raw = case["raw"].replace('"user_id": "', f'"user_id": "dup_{i}_')
        raw = raw.replace('"user_id":"', f'"user_id":"dup_{i}_')
        producer.produce(topic, raw.encode(), partition=0)
        for user in re.findall(r'"user_id": ?"([^"]*)"', raw):
            expected["UTC"][user] = None  # dropped ...
        if "utc" in case:  # ... except the last one when the message is accepted
            expected["UTC"][f"dup_{i}_{case['user_id']}"] = case["utc"]
            pages[f"dup_{i}_{case['user_id']}"] = case["page"]
    assert producer.flush(30) == 0

    view = (ROOT / "engines" / "flink" / "valid_clicks.sql").read_text()
    zones = sorted(expected)
    views = tmp_path / "views.sql"
    views.write_text("\n".join(
        view.replace("${event_time_zone}", zone).replace("VIEW valid_clicks", f"VIEW valid_clicks_{n}")
        for n, zone in enumerate(zones)
    ))
    queries = [
        f"SELECT user_id, page, CAST(click_timestamp AS STRING) AS utc"
        f" FROM default_catalog.default_database.valid_clicks_{n}"
        for n in range(len(zones))
    ]
    (tmp_path / "wh").mkdir()
    args = [
        str(ROOT / ".venv-flink" / "bin" / "python"), str(ROOT / "engines" / "flink" / "run_sql.py"),
        "--mode", "batch", "--format", "json", "--parallelism", "1",
        "--var", f"catalog={tmp_path / 'catalog.db'}", "--var", f"warehouse={tmp_path / 'wh'}",
        "--var", f"brokers={kafka_broker.bootstrap}", "--var", f"topic={topic}",
        "--var", "group=flink_parsing", "--var", "startup_mode=earliest-offset",
        "--var", "bounded_mode=latest-offset",
    ]
    for query in queries:
        args += ["--query", query]
    args += [str(ROOT / "engines" / "flink" / "catalog.sql"),
             str(ROOT / "engines" / "flink" / "kafka_source.sql"), str(views)]
    logs = tmp_path / "flink-logs"
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "CLICKSTREAM_FLINK_LOG_DIR": str(logs)})
    assert proc.returncode == 0, proc.stderr[-4000:] + jp.log_tails(logs)
    answers = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("[")]
    assert len(answers) == len(zones), proc.stdout
    for zone, rows in zip(zones, answers):
        got = {r["user_id"]: utc_text(r["utc"]) for r in rows}
        for user, utc in expected[zone].items():
            if utc is None:
                assert user not in got, (zone, user, got.get(user))
            else:
                assert got.get(user) == utc, (zone, user, got.get(user), utc)
    kept_pages = {r["user_id"]: r["page"] for r in answers[zones.index("UTC")]}
    for user, page in pages.items():
        assert kept_pages[user] == page, (user, kept_pages[user], page)
