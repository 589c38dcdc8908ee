"""One catalog, many engines: a table written by the C++ processor answers the three questions
identically on DuckDB (`clickstream sql`), Spark SQL and Flink SQL; a table written by the Spark
job is appended by the C++ processor and every reader sees every row."""

import datetime as dt
import json
import os
import re
import subprocess

import pytest

import jvm_pipelines as jp
from conftest import BINARY, ROOT

pytestmark = pytest.mark.slow

SQL_DIR = ROOT / "engines" / "sql"
# The three questions, as the same SQL text for every engine (user_activity.sql's documented
# wrapper for one user).
def three_questions(user):
    activity = (SQL_DIR / "user_activity.sql").read_text()
    activity = "\n".join(l for l in activity.splitlines() if not l.lstrip().startswith("--"))
    activity = activity.strip().rstrip(";")
    return {
        "top_pages": str(SQL_DIR / "top_pages.sql"),
        "unique_users": str(SQL_DIR / "unique_users.sql"),
        "user_activity": f"SELECT * FROM ({activity}) AS activity WHERE user_id = '{user}' ORDER BY click_number",
    }


TS = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?(\+00(:00)?|Z)?")


def normalize(value):
    """Engine-neutral value: timestamps as UTC microseconds, everything else as text."""
    if isinstance(value, dt.datetime):
        value = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return str(round(value.timestamp() * 1_000_000))
    if isinstance(value, str) and TS.fullmatch(value):
        text = value.replace("Z", "+00:00")
        parsed = dt.datetime.fromisoformat(text + (":00" if text.endswith("+00") else ""))
        return normalize(parsed)
    return None if value is None else str(value)


def answer(rows):
    return [tuple(normalize(v) for v in row.values()) for row in rows]


def sql_text(query):
    if query.endswith(".sql"):
        text = open(query).read()
        text = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("--"))
        return text.strip().rstrip(";")
    return query


class Lake:
    def __init__(self, tmp_path, broker):
        self.catalog = tmp_path / "catalog.db"
        self.warehouse = tmp_path / "warehouse"
        self.dir = tmp_path
        self.env = dict(broker.env)
        self.env["CLICKSTREAM_CATALOG"] = str(self.catalog)
        self.env["CLICKSTREAM_WAREHOUSE"] = str(self.warehouse)

    def cli(self, *args, timeout=300):
        env = dict(os.environ)
        env.update(self.env)
        proc = subprocess.run([str(BINARY), *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout)
        assert proc.returncode == 0, (args, proc.stderr[-3000:])
        return proc.stdout

    def duckdb(self, query):
        if query.endswith(".sql"):
            out = self.cli("sql", "--file", query, "--format", "json")
        else:
            out = self.cli("sql", query, "--format", "json")
        return json.loads(out)

    def spark(self, spark, query):
        session = spark.session(self.catalog, self.warehouse)
        session.sql("USE catalog")
        return session.sql(sql_text(query)).toArrow().to_pylist()

    def flink(self, queries):
        """Runs every query in one Flink JVM; returns their rows in order."""
        proc = jp.run_script(
            "flink-pipeline", "sql", *queries, "--format", "json",
            env={**self.env, "CLICKSTREAM_FLINK_LOG_DIR": str(self.dir / "flink-logs")},
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr[-4000:] + jp.log_tails(self.dir / "flink-logs")
        lines = [l for l in proc.stdout.splitlines() if l.startswith("[")]
        assert len(lines) == len(queries), proc.stdout
        return [json.loads(l) for l in lines]


def test_processor_table_answers_the_three_questions_alike_on_duckdb_spark_and_flink(
    kafka_broker, tmp_path, spark, clickstream
):
    lake = Lake(tmp_path, kafka_broker)
    topic = kafka_broker.unique_topic("cross_cpp")
    messages, rows, _ = jp.make_messages(20_000, seed=21, users=300)
    jp.produce(kafka_broker.bootstrap, topic, messages, partitions=3)
    lake.cli("process", "--topic", topic, "--group", "cross", "--until-caught-up", "--commit-interval-ms", 1000)
    assert jp.table_multiset(lake.catalog, lake.warehouse, "website.clicks") == sorted(rows)

    user = rows[0][0]
    questions = three_questions(user)
    flink_answers = lake.flink(list(questions.values()))
    for (name, query), flink_rows in zip(questions.items(), flink_answers):
        duck = answer(lake.duckdb(query))
        assert duck, f"{name} answered nothing"
        assert answer(lake.spark(spark, query)) == duck, name
        assert answer(flink_rows) == duck, name
    # And the answers are the right ones.
    top = answer(lake.duckdb(questions["top_pages"]))
    counts = {}
    for _, page, _ in rows:
        counts[page] = counts.get(page, 0) + 1
    assert top == sorted(((p, str(n)) for p, n in counts.items()), key=lambda r: (-int(r[1]), r[0]))
    assert answer(lake.duckdb(questions["unique_users"])) == [(str(len({u for u, _, _ in rows})),)]


def test_spark_table_is_appended_by_the_processor_and_read_by_every_engine(kafka_broker, tmp_path, spark, clickstream):
    lake = Lake(tmp_path, kafka_broker)
    spark_topic = kafka_broker.unique_topic("cross_spark")
    spark_messages, spark_rows, _ = jp.make_messages(5_000, seed=22)
    jp.produce(kafka_broker.bootstrap, spark_topic, spark_messages, partitions=2)
    job = jp.run_script(
        "spark-pipeline", "--until-caught-up", "--topic", spark_topic,
        "--brokers", kafka_broker.bootstrap, "--catalog", lake.catalog, "--warehouse", lake.warehouse,
        "--checkpoint", tmp_path / "checkpoints",
    )
    assert job.returncode == 0, job.stderr[-4000:]

    cpp_topic = kafka_broker.unique_topic("cross_cpp_append")
    cpp_messages, cpp_rows, _ = jp.make_messages(5_000, seed=23)
    jp.produce(kafka_broker.bootstrap, cpp_topic, cpp_messages, partitions=2)
    lake.cli("process", "--topic", cpp_topic, "--group", "cross_append", "--until-caught-up", "--commit-interval-ms", 1000)

    expected = sorted(spark_rows + cpp_rows)
    assert jp.table_multiset(lake.catalog, lake.warehouse, "website.clicks") == expected
    assert jp.arrow_multiset(spark.read_table(lake.catalog, lake.warehouse, "website.clicks")) == expected
    everything = "SELECT user_id, page, click_timestamp FROM website.clicks"
    assert sorted(answer(lake.duckdb(everything))) == sorted(
        (u, p, str(m)) for u, p, m in expected
    )
    [flink_rows] = lake.flink([everything])
    assert sorted(answer(flink_rows)) == sorted((u, p, str(m)) for u, p, m in expected)
