"""The interactive SQL clients, used as a person uses them: typed into a terminal (tmux), read off
the screen. `clickstream sql` (DuckDB), ./scripts/spark-sql (Spark's own spark-sql) and
./scripts/flink-sql (Flink's SQL Client), each on the project's catalog, asked the seed's
questions by the seed's table name catalog.website.clicks."""

import json
import re
import time

import pytest

from conftest import BINARY, ROOT, run_cli
from iceberg_readers import open_catalog
from tmux_driver import TmuxTerminal

EVENTS = [
    {"user_id": "user_1", "page": "/home", "event_ts": "2026-11-23T10:00:00Z"},
    {"user_id": "user_2", "page": "/home", "event_ts": "2026-11-23 10:00:30"},
    {"user_id": "user_1", "page": "/products", "event_ts": "2026-11-23T10:01:00.5"},
    {"user_id": "user_3", "page": "/cart", "event_ts": 1795428000},
    {"user_id": "user_1", "page": "/home", "event_ts": "2026-11-23T10:03:00+0100"},
]
PROMPT = r"(?m)^sql> "


@pytest.fixture
def lake(tmp_path):
    """website.clicks with EVENTS, loaded by `clickstream tables load`."""
    env = {"CLICKSTREAM_CATALOG": str(tmp_path / "catalog.db"),
           "CLICKSTREAM_WAREHOUSE": str(tmp_path / "warehouse")}
    assert run_cli("tables", "create", "website.clicks", env=env).returncode == 0
    events = tmp_path / "events.ndjson"
    events.write_text("".join(json.dumps(e) + "\n" for e in EVENTS))
    loaded = run_cli("tables", "load", "website.clicks", events, env=env)
    assert loaded.returncode == 0, loaded.stderr
    env["HOME"] = str(tmp_path)  # the shell's history file goes here
    return tmp_path, env


def duckdb_shell(env):
    return TmuxTerminal([BINARY, "sql"], env=env, cwd=ROOT)


def test_duckdb_shell_multi_line_statements_commands_and_errors(lake):
    _, env = lake
    with duckdb_shell(env) as term:
        term.wait_for(PROMPT)
        term.type_line("SELECT page, COUNT(*) AS clicks")
        term.wait_for(r"(?m)^   \.\.\.> ")
        term.type_line("FROM catalog.website.clicks GROUP BY page ORDER BY clicks DESC, page;")
        screen = term.wait_for(r"\(3 rows\)")
        assert re.search(r"/home\s+\|\s+3\n/cart\s+\|\s+1\n/products\s+\|\s+1", screen), screen

        term.type_line(".tables")
        term.wait_for(r"(?m)^website\.clicks$")
        term.type_line(".schema website.clicks")
        term.wait_for(r"website\.clicks \(user_id VARCHAR, page VARCHAR, "
                      r"click_timestamp TIMESTAMP WITH TIME ZONE\)")

        term.type_line("SELECT nothing FROM website.clicks;")
        term.wait_for(r"(?m)^Error: .*nothing")
        term.type_line(".format csv")
        term.type_line("SELECT COUNT(DISTINCT user_id) AS users FROM website.clicks;")
        term.wait_for(r"(?m)^users\n3$")
        term.type_line(".format json")
        term.type_line("SELECT click_timestamp FROM website.clicks WHERE user_id = 'user_3';")
        term.wait_for(r'"click_timestamp": "2026-11-23 10:00:00\+00"')
        term.type_line(".quit")
        assert term.wait_for_exit() == 0


def test_duckdb_shell_ctrl_c_stops_the_statement_not_the_shell_and_history_persists(lake):
    tmp_path, env = lake
    with duckdb_shell(env) as term:
        term.wait_for(PROMPT)
        term.type_line("SELECT count(*) FROM range(100000000000) a, range(100) b;")
        time.sleep(2)  # the statement runs (it would take hours)
        term.press("C-c")
        term.wait_for(r"(?m)^Error: interrupted$", timeout=30)
        term.wait_for(PROMPT, count=2)
        # Ctrl-C at the prompt drops the half-typed statement.
        term.type_line("SELECT 'half")
        term.press("C-c")
        term.wait_for(PROMPT, count=3)
        term.type_line("SELECT 40 + 2 AS answer;")
        term.wait_for(r"(?m)^\s+42$")
        term.press("C-d")
        assert term.wait_for_exit() == 0
    history = (tmp_path / ".clickstream_sql_history").read_text()
    assert "SELECT\\04040\\040+\\0402\\040AS\\040answer;" in history, history
    with duckdb_shell(env) as term:  # a new session: Up brings back the last statement
        term.wait_for(PROMPT)
        term.press("Up")
        term.press("Enter")
        term.wait_for(r"(?m)^\s+42$")
        term.press("C-d")
        assert term.wait_for_exit() == 0


def test_duckdb_shell_reads_statements_from_a_pipe_without_prompts(lake):
    _, env = lake
    result = run_cli("sql", "--format", "csv", env=env,
                     input="SELECT COUNT(*) AS n\nFROM catalog.website.clicks;\n.tables\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.replace("\r\n", "\n") == "n\n5\nwebsite.clicks\n"


SEED_QUESTIONS_PAGES = r"/home\s*\|\s*3\s*\|"


@pytest.mark.slow
def test_spark_sql_shell_creates_the_seeds_table_and_answers_by_both_names(tmp_path):
    """Spark's own spark-sql: the seed's Step 2 and Step 4 typed by hand; DuckDB reads the table."""
    env = {"CLICKSTREAM_CATALOG": str(tmp_path / "catalog.db"),
           "CLICKSTREAM_WAREHOUSE": str(tmp_path / "warehouse"),
           "CLICKSTREAM_SPARK_SQL_DIR": str(tmp_path / "spark-sql"), "HOME": str(tmp_path)}
    prompt = r"(?m)^spark-sql \([^)]*\)> "
    with TmuxTerminal([ROOT / "scripts" / "spark-sql"], env=env, cwd=ROOT) as term:
        term.wait_for(prompt, timeout=300)
        term.type_line("CREATE NAMESPACE IF NOT EXISTS catalog.website;")
        term.wait_for(prompt, count=2, timeout=120)
        term.type_line("CREATE TABLE catalog.website.clicks (user_id STRING, page STRING,")
        term.type_line("  click_timestamp TIMESTAMP) USING iceberg PARTITIONED BY (page);")
        term.wait_for(prompt, count=3, timeout=120)
        term.type_line(
            "INSERT INTO catalog.website.clicks VALUES ('user_1', '/home', TIMESTAMP '2026-11-23 10:00:00'),"
            " ('user_2', '/home', TIMESTAMP '2026-11-23 10:01:00'), ('user_1', '/cart', TIMESTAMP '2026-11-23 10:02:00'),"
            " ('user_3', '/home', TIMESTAMP '2026-11-23 10:03:00');"
        )
        term.wait_for(prompt, count=4, timeout=300)
        term.type_line("SELECT current_catalog(), page, COUNT(*) AS clicks FROM website.clicks GROUP BY page ORDER BY clicks DESC;")
        screen = term.wait_for(r"catalog\s+/cart\s+1", timeout=300)
        assert re.search(r"catalog\s+/home\s+3", screen), screen
        term.type_line("SELECT COUNT(DISTINCT user_id) AS users FROM catalog.website.clicks;")
        term.wait_for(r"(?m)^3\n", timeout=300)
        term.type_line("CALL catalog.system.rewrite_data_files(table => 'website.clicks', options => map('rewrite-all', 'true'));")
        term.wait_for(prompt, count=7, timeout=300)
        term.type_line("quit;")
        assert term.wait_for_exit(timeout=120) == 0
    # The table Spark made the seed's way (TIMESTAMP is Iceberg's timestamptz) takes the project's
    # appends: two more events through `clickstream tables load`, then DuckDB reads all six.
    events = tmp_path / "more.ndjson"
    events.write_text(json.dumps({"user_id": "user_4", "page": "/cart", "event_ts": "2026-11-23 10:04:00"})
                      + "\n" + json.dumps({"user_id": "user_1", "page": "/home", "event_ts": 1795428300})
                      + "\n")
    loaded = run_cli("tables", "load", "website.clicks", events, env=env)
    assert loaded.returncode == 0, loaded.stderr
    answer = run_cli("sql", "SELECT page, COUNT(*) AS clicks, max(click_timestamp) AS last FROM catalog.website.clicks"
                     " GROUP BY page ORDER BY page", "--format", "json", env=env)
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout) == [
        {"page": "/cart", "clicks": 2, "last": "2026-11-23 10:04:00+00"},
        {"page": "/home", "clicks": 4, "last": "2026-11-23 10:05:00+00"},
    ]


@pytest.mark.slow
def test_flink_sql_client_answers_on_the_catalog_and_takes_the_seeds_kafka_source(lake):
    """Flink's own SQL Client on a table the C++ side wrote: USE CATALOG catalog is done, the seed's
    question runs by both names, and the seed's Kafka source can be declared (as a temporary table)."""
    tmp_path, env = lake
    env = dict(env, CLICKSTREAM_FLINK_SQL_DIR=str(tmp_path / "flink-sql"))
    prompt = r"(?m)^Flink SQL> "
    with TmuxTerminal([ROOT / "scripts" / "flink-sql"], env=env, cwd=ROOT) as term:
        term.wait_for(prompt, timeout=300)
        term.type_line("SHOW CURRENT CATALOG;")
        term.wait_for(r"\|\s+catalog\s+\|", timeout=120)
        term.type_line("CREATE TEMPORARY TABLE kafka_clicks (user_id STRING, page STRING, event_ts STRING)")
        term.type_line("WITH ('connector' = 'kafka', 'topic' = 'user_clicks', 'properties.bootstrap.servers' = "
                       "'127.0.0.1:9092', 'format' = 'json');")
        term.wait_for(r"\[INFO\] Execute statement succeeded\.", timeout=120)
        term.type_line("SET 'execution.runtime-mode' = 'batch';")
        term.wait_for(r"\[INFO\] Execute statement succeeded\.", count=2, timeout=120)
        term.type_line("SELECT page, COUNT(*) AS clicks FROM website.clicks GROUP BY page;")
        screen = term.wait_for(r"rows? in set", count=2, timeout=300)  # SHOW made the first
        assert re.search(r"\|\s+/home\s+\|\s+3\s+\|", screen), screen
        term.type_line("SELECT COUNT(DISTINCT user_id) AS users FROM catalog.website.clicks;")
        screen = term.wait_for(r"rows? in set", count=3, timeout=300)
        assert re.search(r"\|\s+3\s+\|", screen.split("users")[-1]), screen
        term.type_line("QUIT;")
        assert term.wait_for_exit(timeout=120) == 0
