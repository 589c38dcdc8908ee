"""The Spark job's message parser (engines/spark/click_processor.parse_clicks) against the event
contract of DESIGN.md: the same accept/reject decisions and reasons as the C++ ClickEventParser,
on the cases both are tested with (tests/cases/event_ts_cases.json)."""

import datetime as dt
import json
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "engines" / "spark"))
import click_processor  # noqa: E402

pytestmark = pytest.mark.slow

BASE = 1795474500000000  # 2026-11-23T22:55:00Z in microseconds


def msg(user='"u"', page='"/p"', ts='"2026-11-23T22:55:00Z"'):
    return ('{"user_id": %s, "page": %s, "event_ts": %s}' % (user, page, ts)).encode()


GOOD = [
    (b'{"user_id": "user_42", "page": "/products", "event_ts": "2026-11-23T22:55:00.123456Z"}', BASE + 123456),
    (msg(ts='"2026-11-23 22:55:00+01:30"'), BASE - 5400 * 10**6),
    (msg(ts='"2026-11-23T22:55:00.123456789-00:30"'), BASE + 1800 * 10**6 + 123456),
    (msg(ts='"2026-11-23T22:55:00.1Z"'), BASE + 100000),
    (b' {"x": [1, {"y": null}], "user_id": "u", "page": "/p", "event_ts": "2026-11-23T22:55:00Z"}\n', BASE),
]
BAD = [
    (b"", "empty message"),
    (b'{"user_id": "u\xff", "page": "/p", "event_ts": "2026-11-23T22:55:00Z"}', "invalid UTF-8"),
    (msg()[:-1], "invalid JSON"),
    (msg() + b" x", "invalid JSON"),
    (msg() + b"}", "invalid JSON"),
    (msg() + b"]", "invalid JSON"),
    (msg() + b"," + msg(), "invalid JSON"),
    (b"{'user_id': 'u', 'page': '/p', 'event_ts': '2026-11-23T22:55:00Z'}", "invalid JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'"text"', "not a JSON object"),
    (b'{"page": "/p", "event_ts": "2026-11-23T22:55:00Z"}', "missing field user_id"),
    (b'{"user_id": "u", "event_ts": "2026-11-23T22:55:00Z"}', "missing field page"),
    (b'{"user_id": "u", "page": "/p"}', "missing field event_ts"),
    (msg(user="42"), "field user_id is not a string"),
    (msg(user="null"), "field user_id is not a string"),
    (msg(page='["/p"]'), "field page is not a string"),
    (msg(ts="true"), "field event_ts is not a string or a number"),
    (msg(user='""'), "field user_id is empty"),
    (msg(page='""'), "field page is empty"),
    (msg(ts='"2026-02-30T22:55:00Z"'), "bad event_ts: no such date"),
    (msg(ts='"2026-13-01T22:55:00Z"'), "bad event_ts: no such date"),
    (msg(ts='"2026-11-23T24:55:00Z"'), "bad event_ts: time of day out of range"),
    (msg(ts='"2026-11-23T22:55:60Z"'), "bad event_ts: time of day out of range"),
    (msg(ts='"2026-11-23T22:55:00+24:00"'), "bad event_ts: bad UTC offset"),
    (msg(ts='"2026-11-23T22:55"'), "bad event_ts: not of an accepted form"),
    (msg(ts='"2026-11-23t22:55:00Z"'), "bad event_ts: not of an accepted form"),
    (msg(ts='"2026-11-23T22:55:00x1Z"'), "bad event_ts: not of an accepted form"),
    (msg(ts='"2026-11-23T22:55:00.Z"'), "bad event_ts: not of an accepted form"),
    (msg(ts='"2026-11-23T22:55:00.1234567890Z"'), "bad event_ts: not of an accepted form"),
    (msg(ts='"2026-11-23T22:55:00+010"'), "bad event_ts: not of an accepted form"),
    (msg(ts='"yesterday"'), "bad event_ts: not of an accepted form"),
]


CASES = json.loads((pathlib.Path(__file__).resolve().parents[1] / "cases" / "event_ts_cases.json").read_text())


def parse(session, messages, zone="UTC"):
    """parse_clicks over `messages` (bytes); {index: row with user_id, page, utc text, error}."""
    rows = [(v, "user_clicks", 0, i, dt.datetime(2026, 1, 1)) for i, v in enumerate(messages)]
    df = session.createDataFrame(
        rows, "value binary, topic string, partition int, offset long, timestamp timestamp"
    )
    parsed = click_processor.parse_clicks(df, zone).selectExpr(
        "offset", "user_id", "page", "unix_micros(click_timestamp) AS micros",
        "date_format(click_timestamp, \"yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'\") AS utc", "error",
    )
    return {r["offset"]: r for r in parsed.toArrow().to_pylist()}


def check(case, row, label):
    """The row matches the case's "utc" or starts its error with the case's "error"."""
    if "utc" in case:
        assert row["error"] is None and row["utc"] == case["utc"], (label, row)
    else:
        assert row["error"] is not None and row["error"].startswith(case["error"]), (label, row)


def test_parse_clicks_gives_every_shared_case_its_instant_or_reason(tmp_path, spark):
    session = spark.session(tmp_path / "catalog.db", tmp_path / "warehouse")
    by_zone = {}
    for case in CASES["cases"]:
        by_zone.setdefault(case["zone"], []).append(case)
    for zone, cases in by_zone.items():
        messages = [msg(ts=json.dumps(c["event_ts"])) for c in cases]
        result = parse(session, messages, zone)
        for i, case in enumerate(cases):
            check(case, result[i], (case["event_ts"], zone))
    messages = [m["raw"].encode() for m in CASES["messages"]]
    result = parse(session, messages)
    for i, case in enumerate(CASES["messages"]):
        check(case, result[i], case["raw"])
        if "user_id" in case:
            assert (result[i]["user_id"], result[i]["page"]) == (case["user_id"], case["page"])


def test_parse_clicks_accepts_the_contract_and_names_every_rejection(tmp_path, spark):
    session = spark.session(tmp_path / "catalog.db", tmp_path / "warehouse")
    result = parse(session, [value for value, _ in GOOD + BAD])
    for i, (_, micros) in enumerate(GOOD):
        assert result[i]["error"] is None, result[i]
        assert result[i]["micros"] == micros, result[i]
        assert result[i]["user_id"] in ("u", "user_42")
    for j, (value, reason) in enumerate(BAD):
        assert result[len(GOOD) + j]["error"] == reason, (value, result[len(GOOD) + j])
