"""The Spark job's message parser (engines/spark/click_processor.parse_clicks) against the event
contract of DESIGN.md: the same accept/reject decisions and reasons as the C++ ClickEventParser."""

import datetime as dt
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
    (msg(ts="1795474500000"), "field event_ts is not a string"),
    (msg(user='""'), "field user_id is empty"),
    (msg(page='""'), "field page is empty"),
    (msg(ts='"2026-02-30T22:55:00Z"'), "bad event_ts: no such date"),
    (msg(ts='"2026-13-01T22:55:00Z"'), "bad event_ts: no such date"),
    (msg(ts='"2026-11-23T24:55:00Z"'), "bad event_ts: time of day out of range"),
    (msg(ts='"2026-11-23T22:55:60Z"'), "bad event_ts: time of day out of range"),
    (msg(ts='"2026-11-23T22:55:00+24:00"'), "bad event_ts: bad UTC offset"),
    (msg(ts='"2026-11-23T22:55:00"'), "bad event_ts: not of an accepted form"),
    (msg(ts='"2026-11-23t22:55:00Z"'), "bad event_ts: not of an accepted form"),
    (msg(ts='"2026-11-23T22:55:00x1Z"'), "bad event_ts: not of an accepted form"),
    (msg(ts='"2026-11-23T22:55:00.Z"'), "bad event_ts: not of an accepted form"),
    (msg(ts='"2026-11-23T22:55:00.1234567890Z"'), "bad event_ts: not of an accepted form"),
    (msg(ts='"2026-11-23T22:55:00+0100"'), "bad event_ts: not of an accepted form"),
    (msg(ts='"yesterday"'), "bad event_ts: not of an accepted form"),
]


def test_parse_clicks_accepts_the_contract_and_names_every_rejection(tmp_path, spark):
    session = spark.session(tmp_path / "catalog.db", tmp_path / "warehouse")
    messages = [value for value, _ in GOOD + BAD]
    rows = [(v, "user_clicks", 0, i, dt.datetime(2026, 1, 1)) for i, v in enumerate(messages)]
    df = session.createDataFrame(
        rows, "value binary, topic string, partition int, offset long, timestamp timestamp"
    )
    parsed = click_processor.parse_clicks(df).selectExpr(
        "offset", "user_id", "page", "unix_micros(click_timestamp) AS micros", "error"
    )
    result = {r["offset"]: r for r in parsed.toArrow().to_pylist()}
    for i, (_, micros) in enumerate(GOOD):
        assert result[i]["error"] is None, result[i]
        assert result[i]["micros"] == micros, result[i]
        assert result[i]["user_id"] in ("u", "user_42")
    for j, (value, reason) in enumerate(BAD):
        assert result[len(GOOD) + j]["error"] == reason, (value, result[len(GOOD) + j])
