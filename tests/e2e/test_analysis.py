"""`clickstream query` and `clickstream sql` (DuckDB embedded) on a small dataset with known answers,
written by our own Iceberg writer (`clickstream tables create` + two `clickstream tables load`
snapshots): each of the three questions exactly, every `sql` output format, time travel to the
first snapshot by id and by time, and the one-sentence errors with their exit codes."""

import csv
import io
import json
import re

import pytest

from conftest import ROOT
from iceberg_readers import open_catalog

# Snapshot 1. Offsets and fractions check the conversion to UTC microseconds; the bad line is
# skipped by the loader.
FIRST_LOAD = [
    {"user_id": "user_1", "page": "/home", "event_ts": "2026-11-23T10:00:00.123456Z"},
    {"user_id": "user_2", "page": "/home", "event_ts": "2026-11-23T10:00:30Z"},
    {"user_id": "user_1", "page": "/products", "event_ts": "2026-11-23T12:01:00+02:00"},
    {"user_id": "user_1", "page": "/cart", "event_ts": "2026-11-23 10:02:30.5Z"},
    {"user_id": "user_3", "page": "/home", "event_ts": "2026-11-23T10:03:00Z"},
    {"user_id": "user_2", "page": "/products", "event_ts": "2026-11-23T10:05:00Z"},
]
# Snapshot 2, loaded out of time order: user_2's /products at 10:06:30 comes after 10:05:00.
SECOND_LOAD = [
    {"user_id": "user_2", "page": "/products", "event_ts": "2026-11-23T10:06:30Z"},
    {"user_id": "user_4", "page": "/home", "event_ts": "2026-11-23T10:06:00Z"},
    {"user_id": "user_1", "page": "/checkout", "event_ts": "2026-11-23T10:04:00Z"},
    {"user_id": "user_4", "page": "/products", "event_ts": "2026-11-23T10:04:30Z"},
]

# (page, clicks), most clicked first, ties by page name.
TOP_PAGES_AFTER_BOTH = [("/home", 4), ("/products", 4), ("/cart", 1), ("/checkout", 1)]
TOP_PAGES_AFTER_FIRST = [("/home", 3), ("/products", 2), ("/cart", 1)]
USER_1_ACTIVITY = [
    (1, "2026-11-23 10:00:00.123456+00", "/home"),
    (2, "2026-11-23 10:01:00+00", "/products"),
    (3, "2026-11-23 10:02:30.5+00", "/cart"),
    (4, "2026-11-23 10:04:00+00", "/checkout"),
]


def write_ndjson(path, events, bad_lines=()):
    lines = [json.dumps(e) for e in events] + list(bad_lines)
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def lakehouse(tmp_path_factory, clickstream):
    """Every contract table created by `tables create`; website.clicks loaded twice."""
    root = tmp_path_factory.mktemp("analysis")
    env = {
        "CLICKSTREAM_CATALOG": str(root / "catalog.db"),
        "CLICKSTREAM_WAREHOUSE": str(root / "warehouse"),
    }
    created = clickstream(
        "tables", "create", "website.clicks", "website.clicks_enriched", "website.user_profiles",
        "website.clicks_dlq", env=env,
    )
    assert created.returncode == 0, created.stderr
    for i, events in enumerate([FIRST_LOAD, SECOND_LOAD]):
        path = write_ndjson(root / f"load-{i}.ndjson", events, bad_lines=['{"user_id": 7}'] if i == 0 else [])
        loaded = clickstream("tables", "load", "website.clicks", path, env=env)
        assert loaded.returncode == 0, loaded.stderr
    table = open_catalog(root / "catalog.db", root / "warehouse").load_table("website.clicks")
    snapshots = table.metadata.snapshots
    assert len(snapshots) == 2

    class Lakehouse:
        catalog_db = root / "catalog.db"
        warehouse = root / "warehouse"
        environment = env
        first_snapshot = snapshots[0]
        second_snapshot = snapshots[1]

    return Lakehouse


def table_rows(stdout, title_lines=1):
    """The rows of FormatTable output (after `title_lines` lines of title): lists of cells."""
    lines = stdout.splitlines()[title_lines:]
    assert re.fullmatch(r"[-+]+", lines[1]), stdout
    rows = []
    for line in lines[2:]:
        if re.fullmatch(r"\(\d+ rows?\)", line):
            break
        rows.append([cell.strip() for cell in line.split(" | ")])
    return rows


def top_pages(clickstream, lakehouse, *args):
    result = clickstream("query", *args, env=lakehouse.environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Most popular pages in website.clicks")
    return [(p, int(c)) for rank, p, c in table_rows(result.stdout)], [
        int(r[0]) for r in table_rows(result.stdout)
    ]


def test_top_pages_exact(clickstream, lakehouse):
    pages, ranks = top_pages(clickstream, lakehouse, "top-pages")
    assert pages == TOP_PAGES_AFTER_BOTH
    assert ranks == [1, 2, 3, 4]


def test_top_pages_limit(clickstream, lakehouse):
    pages, _ = top_pages(clickstream, lakehouse, "top-pages", "--limit", "2")
    assert pages == TOP_PAGES_AFTER_BOTH[:2]


def test_unique_users_exact(clickstream, lakehouse):
    result = clickstream("query", "unique-users", env=lakehouse.environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Unique users in website.clicks: 4\n"


def test_user_activity_is_time_ordered_with_page_sequence(clickstream, lakehouse):
    result = clickstream("query", "user-activity", "user_1", env=lakehouse.environment)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Click activity of user_1 (4 clicks, oldest first):"
    assert [(int(n), ts, page) for n, ts, page in table_rows(result.stdout)] == USER_1_ACTIVITY
    assert lines[-1] == "Page sequence: /home -> /products -> /cart -> /checkout"


def test_user_activity_limit_lists_the_oldest_clicks(clickstream, lakehouse):
    result = clickstream("query", "user-activity", "user_1", "--limit", "2", env=lakehouse.environment)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Click activity of user_1 (first 2 of 4 clicks, oldest first):"
    assert [(int(n), ts, page) for n, ts, page in table_rows(result.stdout)] == USER_1_ACTIVITY[:2]
    assert lines[-1] == "Page sequence: /home -> /products -> ... (2 more)"


def test_user_activity_orders_by_time_not_load_order(clickstream, lakehouse):
    result = clickstream("query", "user-activity", "user_4", env=lakehouse.environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "Page sequence: /products -> /home"


def test_user_activity_of_unknown_user(clickstream, lakehouse):
    result = clickstream("query", "user-activity", "user_404", env=lakehouse.environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "user_404 has no clicks in website.clicks.\n"


SQL = (
    "SELECT page, COUNT(*) AS clicks, MIN(click_timestamp) AS first_click, "
    "COUNT(*) > 1 AS repeated, NULL AS nothing FROM website.clicks GROUP BY page ORDER BY page"
)
# (page, clicks, first click as DuckDB prints it, repeated)
SQL_ROWS = [
    ("/cart", 1, "2026-11-23 10:02:30.5+00", False),
    ("/checkout", 1, "2026-11-23 10:04:00+00", False),
    ("/home", 4, "2026-11-23 10:00:00.123456+00", True),
    ("/products", 4, "2026-11-23 10:01:00+00", True),
]


def test_sql_json(clickstream, lakehouse):
    result = clickstream("sql", SQL, "--format", "json", env=lakehouse.environment)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [list(r.keys()) for r in rows] == [["page", "clicks", "first_click", "repeated", "nothing"]] * 4
    assert [(r["page"], r["clicks"], r["first_click"], r["repeated"]) for r in rows] == SQL_ROWS
    assert all(r["nothing"] is None for r in rows)


def test_sql_csv(clickstream, lakehouse):
    result = clickstream("sql", SQL, "--format", "csv", env=lakehouse.environment)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["page", "clicks", "first_click", "repeated", "nothing"]
    assert [(p, int(c), f, r == "true") for p, c, f, r, n in rows[1:]] == SQL_ROWS
    assert all(n == "" for *_, n in rows[1:])


def test_sql_table_is_the_default(clickstream, lakehouse):
    result = clickstream("sql", SQL, env=lakehouse.environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split(" | ")[0].strip() == "page"
    rows = table_rows(result.stdout, title_lines=0)
    assert [(p, int(c), f, r == "true") for p, c, f, r, n in rows] == SQL_ROWS
    assert result.stdout.endswith("(4 rows)\n")


def test_sql_sees_every_catalog_table(clickstream, lakehouse):
    result = clickstream(
        "sql",
        "SELECT (SELECT count(*) FROM website.clicks) AS clicks, "
        "(SELECT count(*) FROM website.clicks_enriched) AS enriched, "
        "(SELECT count(*) FROM website.user_profiles) AS profiles, "
        "(SELECT count(*) FROM website.clicks_dlq) AS dlq",
        "--format", "json", env=lakehouse.environment,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"clicks": 10, "enriched": 0, "profiles": 0, "dlq": 0}]


def test_sql_answers_to_the_seeds_full_table_names(clickstream, lakehouse):
    """The tutorial's SQL names catalog.website.clicks, as Spark and Flink sessions do."""
    seed_sql = (
        "SELECT page, COUNT(*) AS clicks FROM catalog.website.clicks GROUP BY page "
        "ORDER BY clicks DESC, page"
    )
    result = clickstream("sql", seed_sql, "--format", "json", env=lakehouse.environment)
    assert result.returncode == 0, result.stderr
    assert [(r["page"], r["clicks"]) for r in json.loads(result.stdout)] == TOP_PAGES_AFTER_BOTH
    both = clickstream(
        "sql",
        "SELECT (SELECT count(*) FROM catalog.website.clicks) AS full_name, "
        "(SELECT count(*) FROM website.clicks) AS short_name, "
        "(SELECT count(*) FROM catalog.website.clicks_dlq) AS dlq",
        "--format", "json", env=lakehouse.environment,
    )
    assert both.returncode == 0, both.stderr
    assert json.loads(both.stdout) == [{"full_name": 10, "short_name": 10, "dlq": 0}]
    travel = clickstream(
        "sql", "SELECT count(*) AS n FROM catalog.website.clicks", "--snapshot",
        lakehouse.first_snapshot.snapshot_id, "--format", "json", env=lakehouse.environment,
    )
    assert travel.returncode == 0, travel.stderr
    assert json.loads(travel.stdout) == [{"n": 6}]


def test_sql_file_runs_a_shared_query(clickstream, lakehouse):
    result = clickstream(
        "sql", "--file", "engines/sql/pages_per_user.sql", "--format", "json",
        env=lakehouse.environment, cwd=str(ROOT),
    )
    assert result.returncode == 0, result.stderr
    assert [(r["user_id"], r["clicks"], r["distinct_pages"]) for r in json.loads(result.stdout)] == [
        ("user_1", 4, 4), ("user_2", 3, 2), ("user_4", 2, 2), ("user_3", 1, 1),
    ]


def test_time_travel_by_snapshot_id(clickstream, lakehouse):
    snapshot = str(lakehouse.first_snapshot.snapshot_id)
    pages, _ = top_pages(clickstream, lakehouse, "--snapshot", snapshot, "top-pages")
    assert pages == TOP_PAGES_AFTER_FIRST
    users = clickstream("query", "unique-users", "--snapshot", snapshot, env=lakehouse.environment)
    assert users.stdout == "Unique users in website.clicks: 3\n"
    counted = clickstream(
        "sql", "SELECT count(*) AS n FROM website.clicks", "--snapshot", snapshot, "--format", "csv",
        env=lakehouse.environment,
    )
    assert counted.stdout.splitlines() == ["n", "6"]


def test_time_travel_by_timestamp(clickstream, lakehouse):
    import datetime as dt

    def iso(millis):
        return dt.datetime.fromtimestamp(millis / 1000, dt.timezone.utc).isoformat()

    first_ms = lakehouse.first_snapshot.timestamp_ms
    second_ms = lakehouse.second_snapshot.timestamp_ms
    assert second_ms > first_ms
    pages, _ = top_pages(clickstream, lakehouse, "top-pages", "--as-of", iso(first_ms))
    assert pages == TOP_PAGES_AFTER_FIRST
    pages, _ = top_pages(clickstream, lakehouse, "top-pages", "--as-of", iso(second_ms))
    assert pages == TOP_PAGES_AFTER_BOTH
    before = clickstream("query", "top-pages", "--as-of", iso(first_ms - 1), env=lakehouse.environment)
    assert before.returncode == 1
    assert before.stderr == (
        "clickstream: website.clicks has no rows yet (at the chosen snapshot): "
        "produce and process events first\n"
    )


def one_error_line(result, code):
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("clickstream: ")
    return lines[0]


def test_unknown_table_is_a_usage_error(clickstream, lakehouse):
    line = one_error_line(
        clickstream("sql", "SELECT * FROM website.clickz", env=lakehouse.environment), 2
    )
    assert "clickz does not exist" in line
    assert "website.clicks, website.clicks_dlq, website.clicks_enriched, website.user_profiles" in line


def test_syntax_error_is_a_usage_error(clickstream, lakehouse):
    line = one_error_line(clickstream("sql", "SELEC page FROM website.clicks", env=lakehouse.environment), 2)
    assert line.startswith('clickstream: SQL syntax error: syntax error at or near "SELEC"')


def test_unknown_snapshot_is_a_runtime_error_and_bad_timestamp_a_usage_error(clickstream, lakehouse):
    # A snapshot id may have been valid until an expiry: the table's state, not the flag, is wrong.
    line = one_error_line(clickstream("query", "--snapshot", "42", "unique-users", env=lakehouse.environment), 1)
    assert "no table in the catalog has snapshot 42: it never existed or has expired" in line
    line = one_error_line(clickstream("query", "unique-users", "--as-of", "yesterday-ish", env=lakehouse.environment), 2)
    assert "is not a timestamp" in line


def test_empty_table_is_one_sentence(clickstream, tmp_path):
    env = {"CLICKSTREAM_CATALOG": str(tmp_path / "c.db"), "CLICKSTREAM_WAREHOUSE": str(tmp_path / "w")}
    assert clickstream("tables", "create", "website.clicks", env=env).returncode == 0
    for question in (["top-pages"], ["unique-users"], ["user-activity", "user_1"]):
        line = one_error_line(clickstream("query", *question, env=env), 1)
        assert line == (
            "clickstream: website.clicks has no rows yet (at the chosen snapshot): "
            "produce and process events first"
        )
    # Plain SQL on an empty table is an empty answer, not an error.
    counted = clickstream("sql", "SELECT count(*) AS n FROM website.clicks", "--format", "csv", env=env)
    assert counted.returncode == 0 and counted.stdout.splitlines() == ["n", "0"]


def test_missing_catalog_and_missing_table(clickstream, tmp_path):
    env = {"CLICKSTREAM_CATALOG": str(tmp_path / "none.db"), "CLICKSTREAM_WAREHOUSE": str(tmp_path / "w")}
    line = one_error_line(clickstream("query", "unique-users", env=env), 1)
    assert "no catalog at" in line
    assert not (tmp_path / "none.db").exists()
    env["CLICKSTREAM_CATALOG"] = str(tmp_path / "c.db")
    assert clickstream("tables", "create", "website.clicks_dlq", env=env).returncode == 0
    line = one_error_line(clickstream("query", "unique-users", env=env), 1)
    assert "website.clicks is not in the catalog" in line


def test_usage_errors(clickstream, lakehouse):
    assert clickstream("sql", " ; ", env=lakehouse.environment).returncode == 2
    # No query at all is the shell: with nothing on stdin it ends at once.
    shell = clickstream("sql", env=lakehouse.environment, input="")
    assert (shell.returncode, shell.stdout, shell.stderr) == (0, "", "")
    assert clickstream("sql", "SELECT 1", "--format", "xml", env=lakehouse.environment).returncode == 2
    assert clickstream("query", "user-activity", env=lakehouse.environment).returncode == 2
    assert clickstream("query", "top-pages", "--limit", "0", env=lakehouse.environment).returncode == 2
    assert clickstream("query", env=lakehouse.environment).returncode == 2
