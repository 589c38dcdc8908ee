"""Option A: Spark Structured Streaming from Kafka topic user_clicks into Iceberg.

    python engines/spark/click_processor.py [--until-caught-up] [--enrich] [--brokers ...]

One streaming query reads the topic; each micro-batch is read and parsed once and written to two
tables (BatchWriter: the clicks append gathers the dead letters on the way, up to
--dead-letter-buffer-bytes; only a batch with more is read a second time), each append recording
the query id and batch id in its snapshot as Iceberg's streaming sink does, so a restart never
commits a batch twice:

- clicks: messages in the event contract (DESIGN.md) -> catalog.website.clicks
  (user_id, page, click_timestamp), or with --enrich, left-joined with website.user_profiles on
  user_id -> catalog.website.clicks_enriched (+ name, location).
- dead letters: every other message -> catalog.website.clicks_dlq with its Kafka coordinates, raw
  bytes and a one-line reason. A malformed message never fails the query.

Parsing follows the C++ processor's rules (src/events/click_codec.h, event_time.h): valid UTF-8, a
JSON object with non-empty string fields user_id and page and an event_ts that is either text
(YYYY-MM-DD, `T` or space, HH:MM:SS, optional `.` and 1-9 digits truncated to microseconds, then
`Z`, +HH:MM, +HHMM, +HH or no zone: read in --event-time-zone) or an epoch number (seconds below
1e11, milliseconds below 1e14, else microseconds), in years 1..9999. A repeated key counts with its
last value (spark.sql.variant.allowDuplicateKeys, spark_session.py). The reasons use the same words;
tests/cases/event_ts_cases.json holds the cases both are tested with.
"""

import argparse
import os
import pathlib
import re
import signal
import sys
import threading
import zoneinfo

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import spark_session  # noqa: E402

CLICKS_DDL = (
    "CREATE TABLE IF NOT EXISTS {name} (user_id string, page string, click_timestamp timestamp)"
    " USING iceberg PARTITIONED BY (page) TBLPROPERTIES ('format-version'='2')"
)
ENRICHED_DDL = (
    "CREATE TABLE IF NOT EXISTS {name} (user_id string, page string, click_timestamp timestamp,"
    " name string, location string)"
    " USING iceberg PARTITIONED BY (page) TBLPROPERTIES ('format-version'='2')"
)
PROFILES_DDL = (
    "CREATE TABLE IF NOT EXISTS {name} (user_id string, name string, location string)"
    " USING iceberg TBLPROPERTIES ('format-version'='2')"
)
DLQ_DDL = (
    "CREATE TABLE IF NOT EXISTS {name} (topic string, partition int, offset bigint,"
    " kafka_timestamp timestamp, raw binary, error string)"
    " USING iceberg TBLPROPERTIES ('format-version'='2')"
)

# The accepted event_ts text (DESIGN.md): once this matches, date and time sit at fixed offsets
# (1-10, 12-19), then an optional fraction, then `Z`, +HH:MM, +HHMM, +HH or nothing (local time).
TS_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,9})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$"
# A flat JSON object of user_id, page and event_ts with plain string values (JSON whitespace
# allowed): the messages the fast path of _parse_steps reads with from_json.
_FAST_KEY_VALUE = r'[ \t\r\n]*"(user_id|page|event_ts)"[ \t\r\n]*:[ \t\r\n]*"[^"\\\x00-\x1f]*"[ \t\r\n]*'
FAST_FORM = r"^[ \t\r\n]*\{" + _FAST_KEY_VALUE + "(," + _FAST_KEY_VALUE + r"){2}\}[ \t\r\n]*$"
# The instants of years 1..9999 in microseconds (src/events/event_time.h).
MIN_MICROS = -62135596800000000
MAX_MICROS = 253402300799999999
ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-/]+$")


def _parse_steps(event_time_zone):
    """The projections of parse_clicks; zone-less event_ts text is read in `event_time_zone`.

    Each step is a projection over the previous one. Intermediate values are columns, not repeated
    expressions, so Spark computes the JSON parse and each field lookup once per message. Every
    expression is total under ANSI mode (try_ functions, guarded casts): no message can fail the
    query."""
    if not ZONE_NAME.match(event_time_zone):
        raise ValueError(f"not a time zone name: {event_time_zone!r}")
    return [
        {
            # Spark's JSON parser stops after the first value and ignores what follows, so the
            # message is parsed inside brackets: `{...} x` and `{...}}` then fail, `{...},{...}`
            # has 2 elements.
            "_text": "CAST(value AS STRING)",
        },
        {"_utf8": "is_valid_utf8(_text)"},
        # The fast path, for the form nearly every producer sends: a flat object of the three keys
        # with plain string values (no escapes, no control characters), valid UTF-8. from_json then
        # reads exactly what the variant parser would (a repeated key keeps its last value in
        # both); any other message, or one with a key missing, takes the strict variant path
        # below, which also names the reason of a dead letter.
        # (A Column, not SQL text: the pattern goes to Java's regex as is, without SQL escapes.)
        {"_fast_form": lambda F: F.col("_utf8") & F.col("_text").rlike(FAST_FORM)},
        {"_fs": "CASE WHEN _fast_form THEN from_json(_text, 'user_id STRING, page STRING, event_ts STRING') END"},
        {"_fu": "_fs.user_id", "_fp": "_fs.page", "_ft": "_fs.event_ts"},
        {"_fast": "coalesce(_fu IS NOT NULL AND _fp IS NOT NULL AND _ft IS NOT NULL, false)"},
        {"_arr": "CASE WHEN NOT _fast THEN try_parse_json(concat('[', _text, ']')) END"},
        {
            "_doc": "CASE WHEN array_size(try_variant_get(_arr, '$', 'array<variant>')) = 1"
            " THEN variant_get(_arr, '$[0]', 'variant') END",
        },
        {
            "_doc_type": "schema_of_variant(_doc)",
            "_user_v": "variant_get(_doc, '$.user_id', 'variant')",
            "_page_v": "variant_get(_doc, '$.page', 'variant')",
            "_ts_v": "variant_get(_doc, '$.event_ts', 'variant')",
        },
        {
            "_user_t": "schema_of_variant(_user_v)",
            "_page_t": "schema_of_variant(_page_v)",
            "_ts_t": "schema_of_variant(_ts_v)",
            "user_id": "CASE WHEN _fast THEN _fu ELSE try_variant_get(_user_v, '$', 'string') END",
            "page": "CASE WHEN _fast THEN _fp ELSE try_variant_get(_page_v, '$', 'string') END",
        },
        {
            "_ts": "CASE WHEN _fast THEN _ft WHEN _ts_t = 'STRING' THEN try_variant_get(_ts_v, '$', 'string') END",
            "_ts_int": "CASE WHEN _ts_t IN ('BIGINT', 'INT', 'SMALLINT', 'TINYINT')"
            " THEN try_variant_get(_ts_v, '$', 'bigint') END",
            "_ts_real": "CASE WHEN _ts_t = 'DOUBLE' OR _ts_t = 'FLOAT' OR startswith(_ts_t, 'DECIMAL')"
            " THEN try_variant_get(_ts_v, '$', 'double') END",
        },
        {
            "_ts_ok": f"_ts RLIKE '{TS_PATTERN}'",
            # Epoch numbers by magnitude: seconds below 1e11, milliseconds below 1e14, else
            # microseconds; a fraction rounds to the nearest microsecond as floor(x + 0.5).
            "_int_micros": "CASE WHEN _ts_int > -100000000000 AND _ts_int < 100000000000 THEN _ts_int * 1000000"
            " WHEN _ts_int > -100000000000000 AND _ts_int < 100000000000000 THEN _ts_int * 1000"
            " ELSE _ts_int END",
            "_real_scaled": "_ts_real * CASE WHEN abs(_ts_real) < 1e11D THEN 1000000D"
            " WHEN abs(_ts_real) < 1e14D THEN 1000D ELSE 1D END + 0.5D",
        },
        {
            "_rest": "CASE WHEN _ts_ok THEN substring(_ts, 20) END",
            "_hms_ok": "CASE WHEN _ts_ok THEN try_cast(substring(_ts, 12, 2) AS INT) <= 23"
            " AND try_cast(substring(_ts, 15, 2) AS INT) <= 59 AND try_cast(substring(_ts, 18, 2) AS INT) <= 59 END",
            "_local": "CASE WHEN _ts_ok AND substring(_ts, 1, 4) != '0000' THEN try_to_timestamp("
            "concat(substring(_ts, 1, 10), ' ', substring(_ts, 12, 8)), 'yyyy-MM-dd HH:mm:ss') END",
            "_real_micros": f"CASE WHEN _real_scaled >= {MIN_MICROS}D AND _real_scaled < {MAX_MICROS + 1}D"
            " THEN floor(_real_scaled) END",
        },
        {
            "_fraction": "regexp_extract(_rest, '^[.]([0-9]{1,9})', 1)",
            "_zone": "regexp_extract(_rest, '^(?:[.][0-9]{1,9})?(.*)$', 1)",
        },
        {
            "_off_h": "CASE WHEN length(_zone) >= 3 THEN try_cast(substring(_zone, 2, 2) AS INT) END",
            "_off_m": "CASE length(_zone) WHEN 6 THEN try_cast(substring(_zone, 5, 2) AS INT)"
            " WHEN 5 THEN try_cast(substring(_zone, 4, 2) AS INT) ELSE 0 END",
            "_fraction_us": "coalesce(try_cast(rpad(substring(_fraction, 1, 6), 6, '0') AS BIGINT), 0)",
        },
        {
            "_offset_ok": "_zone IN ('', 'Z') OR (_off_h <= 23 AND _off_m <= 59)",
            "_text_micros": "CASE WHEN _zone = '' THEN"
            f" unix_micros(to_utc_timestamp(_local, '{event_time_zone}')) + _fraction_us"
            " WHEN _zone = 'Z' THEN unix_micros(_local) + _fraction_us"
            " ELSE unix_micros(_local) + _fraction_us - (CASE WHEN startswith(_zone, '-') THEN -1 ELSE 1 END)"
            " * CAST(_off_h * 60 + _off_m AS BIGINT) * 60000000 END",
        },
        {
            "_micros": "CASE WHEN _ts IS NOT NULL THEN _text_micros"
            " WHEN _ts_int IS NOT NULL THEN _int_micros ELSE _real_micros END",
        },
        {
            "click_timestamp": f"CASE WHEN _micros BETWEEN {MIN_MICROS} AND {MAX_MICROS}"
            " THEN timestamp_micros(_micros) END",
            "error": """CASE
                WHEN value IS NULL OR length(value) = 0 THEN 'empty message'
                WHEN NOT _utf8 THEN 'invalid UTF-8'
                WHEN NOT _fast AND _doc IS NULL THEN 'invalid JSON'
                WHEN NOT _fast AND NOT startswith(_doc_type, 'OBJECT') THEN 'not a JSON object'
                WHEN NOT _fast AND NOT (_text RLIKE '\\}[ \\t\\r\\n]*$') THEN 'invalid JSON'
                WHEN NOT _fast AND _user_v IS NULL THEN 'missing field user_id'
                WHEN NOT _fast AND _user_t != 'STRING' THEN 'field user_id is not a string'
                WHEN NOT _fast AND _page_v IS NULL THEN 'missing field page'
                WHEN NOT _fast AND _page_t != 'STRING' THEN 'field page is not a string'
                WHEN NOT _fast AND _ts_v IS NULL THEN 'missing field event_ts'
                WHEN _ts IS NULL AND _ts_int IS NULL AND _ts_real IS NULL
                    THEN 'field event_ts is not a string or a number'
                WHEN user_id = '' THEN 'field user_id is empty'
                WHEN page = '' THEN 'field page is empty'
                WHEN _ts IS NOT NULL AND NOT _ts_ok THEN 'bad event_ts: not of an accepted form'
                WHEN _ts IS NOT NULL AND NOT _hms_ok THEN 'bad event_ts: time of day out of range'
                WHEN _ts IS NOT NULL AND NOT _offset_ok THEN 'bad event_ts: bad UTC offset'
                WHEN _ts IS NOT NULL AND substring(_ts, 1, 4) = '0000' THEN 'bad event_ts: year outside 1..9999'
                WHEN _ts IS NOT NULL AND _local IS NULL THEN 'bad event_ts: no such date'
                WHEN _micros IS NULL OR NOT _micros BETWEEN {MIN_MICROS} AND {MAX_MICROS}
                    THEN 'bad event_ts: year outside 1..9999'
            END""".replace("{MIN_MICROS}", str(MIN_MICROS)).replace("{MAX_MICROS}", str(MAX_MICROS)),
        },
    ]


def parse_clicks(kafka_df, event_time_zone="UTC"):
    """Adds the parsed columns user_id, page, click_timestamp and `error` (null when the message is
    a valid click) to a DataFrame with Kafka's columns (value, topic, partition, offset, timestamp).
    Zone-less event_ts text is read in `event_time_zone` (an IANA name)."""
    from pyspark.sql import functions as F

    df = kafka_df
    for step in _parse_steps(event_time_zone):
        df = df.withColumns(
            {name: sql(F) if callable(sql) else F.expr(sql) for name, sql in step.items()}
        )
    return df.drop(*[c for c in df.columns if c.startswith("_")])


def parse_args(argv=None):
    env = os.environ.get
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--brokers", default=env("CLICKSTREAM_BROKERS", "127.0.0.1:9092"))
    p.add_argument("--catalog", default=env("CLICKSTREAM_CATALOG", "lakehouse/catalog.db"))
    p.add_argument(
        "--warehouse",
        default=env("CLICKSTREAM_WAREHOUSE"),
        help="where new tables go (default: lakehouse/warehouse for a SQLite catalog, the REST catalog's own)",
    )
    p.add_argument("--topic", default="user_clicks")
    p.add_argument("--table", default=None, help="default website.clicks (website.clicks_enriched with --enrich)")
    p.add_argument("--dlq-table", default="website.clicks_dlq")
    p.add_argument("--profiles-table", default="website.user_profiles")
    p.add_argument("--checkpoint", default=None, help="default lakehouse/spark-checkpoints/<table>")
    p.add_argument("--enrich", action="store_true", help="left-join website.user_profiles")
    p.add_argument(
        "--until-caught-up",
        action="store_true",
        help="process what the topic holds now (availableNow trigger), then stop",
    )
    p.add_argument("--trigger-interval", default="5 seconds", help="micro-batch interval when running on")
    p.add_argument(
        "--max-offsets-per-trigger",
        type=int,
        default=5_000_000,
        help="most Kafka offsets one micro-batch reads (nothing is cached per batch: memory stays flat)",
    )
    p.add_argument(
        "--dead-letter-buffer-bytes",
        type=int,
        default=64 << 20,
        help="most bytes of dead letters (raw bytes, reasons, row overhead) a micro-batch gathers"
        " while its clicks are written; a batch with more is read a second time for them",
    )
    p.add_argument("--starting-offsets", default="earliest", choices=["earliest", "latest"])
    p.add_argument(
        "--event-time-zone",
        default="UTC",
        help="IANA time zone in which event_ts values without a zone are read",
    )
    p.add_argument("--driver-memory", default="1g")
    p.add_argument("--master", default="local[2]")
    args = p.parse_args(argv)
    try:
        if not ZONE_NAME.match(args.event_time_zone):
            raise ValueError(args.event_time_zone)
        zoneinfo.ZoneInfo(args.event_time_zone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        p.error(f"unknown time zone {args.event_time_zone!r}: use an IANA name such as Europe/Berlin")
    if args.table is None:
        args.table = "website.clicks_enriched" if args.enrich else "website.clicks"
    if args.checkpoint is None:
        args.checkpoint = os.path.join("lakehouse", "spark-checkpoints", args.table)
    return args


def create_tables(spark, args):
    """Creates the namespace and the tables the job writes, when missing (DESIGN.md schemas)."""
    namespaces = {t.split(".")[0] for t in (args.table, args.dlq_table)}
    for ns in sorted(namespaces):
        spark.sql(f"CREATE NAMESPACE IF NOT EXISTS catalog.{ns}")
    spark.sql((ENRICHED_DDL if args.enrich else CLICKS_DDL).format(name=f"catalog.{args.table}"))
    spark.sql(DLQ_DDL.format(name=f"catalog.{args.dlq_table}"))
    if args.enrich:
        spark.sql(PROFILES_DDL.format(name=f"catalog.{args.profiles_table}"))


# The keys of Iceberg's streaming sink, as a batch write's snapshot-property options record them:
# Spark lowercases write options (the sink itself writes spark.sql.streaming.queryId/epochId).
QUERY_ID_KEY = "spark.sql.streaming.queryid"
EPOCH_ID_KEY = "spark.sql.streaming.epochid"


class BatchWriter:
    """foreachBatch of the one query: appends each micro-batch's clicks and dead letters to their
    tables, and makes a replayed batch a no-op as Iceberg's streaming sink does: every append
    carries the query id and the batch id in its snapshot summary (spark.sql.streaming.queryid /
    epochid: the sink's keys, lowercased as Spark passes write options; expiry keeps the newest
    such snapshot), and a table whose history already holds a batch id >= this one for this query
    is not written again.

    One pass per batch: the clicks append reads and parses the batch, and its Observation counts
    the messages and gathers the dead letters on the way (DeadLetterCollector, jvm/spark-functions:
    a bounded aggregate, up to --dead-letter-buffer-bytes); the dead-letter append then writes the
    gathered rows from the driver. A batch without dead letters commits nothing to the dead-letter
    table. Only a batch whose dead letters exceed the budget, or a replay whose clicks were already
    written, is read and parsed a second time for the dead-letter append."""

    def __init__(self, spark, args):
        self.spark, self.args = spark, args
        self.query_id = None
        self.committed = {}  # table -> last batch id committed by this query
        # (batch id, messages) of the newest batch written; messages is None when unknown (a
        # replay). Spark's own numInputRows counts a batch read twice twice.
        self.last_batch = None

    def query_id_of_checkpoint(self):
        """Spark's query id, which the checkpoint's metadata file holds from the query's start."""
        import json

        with open(os.path.join(query_checkpoint(self.args), "metadata")) as f:
            return json.load(f)["id"]

    def last_committed(self, table):
        if table not in self.committed:
            row = self.spark.sql(
                f"SELECT max(CAST(summary['{EPOCH_ID_KEY}'] AS BIGINT)) AS epoch "
                f"FROM catalog.{table}.snapshots WHERE summary['{QUERY_ID_KEY}'] = '{self.query_id}'"
            ).collect()[0]
            self.committed[table] = -1 if row.epoch is None else row.epoch
        return self.committed[table]

    def holds(self, table, batch_id):
        """True when `table` already holds this query's batch `batch_id` (a replay)."""
        return batch_id <= self.last_committed(table)

    def append(self, df, table, batch_id):
        (
            df.writeTo(f"catalog.{table}")
            # As Iceberg's streaming sink writes: no shuffle by partition before the write (a batch
            # write's default, distribution mode hash, sent every row through 2 shuffle partitions
            # by page), open files per page instead (fanout).
            .option("distribution-mode", "none")
            .option("fanout-enabled", "true")
            .option(f"snapshot-property.{QUERY_ID_KEY}", self.query_id)
            .option(f"snapshot-property.{EPOCH_ID_KEY}", str(batch_id))
            .append()
        )
        self.committed[table] = batch_id

    def parsed(self, batch, gather=True):
        """The parsed batch and an Observation that holds, once an action has run over it, the
        count of its messages (`rows`) and of its dead letters (`bad`) and, with `gather`, the
        dead letters themselves (`gathered`, DeadLetterCollector's struct: overflowed,
        dead_letters). The observation also keeps the filters on `error` above the parse: pushed
        below it, Spark inlines the parse's projections into the filter and computes them over and
        over (hundreds of times slower, bench/spark_parse_bench.py)."""
        from pyspark.sql import Column, Observation
        from pyspark.sql import functions as F

        metrics = [F.count(F.lit(1)).alias("rows"), F.count("error").alias("bad")]
        if gather:
            dead_letter = F.when(F.col("error").isNotNull(), F.struct(*dead_letter_columns()))
            collector = self.spark._jvm.clickstream.spark.DeadLetterCollector
            gathered = collector.gather(self.args.dead_letter_buffer_bytes, dead_letter._jc)
            metrics.append(Column(gathered).alias("gathered"))
        observation = Observation()
        return parse_clicks(batch, self.args.event_time_zone).observe(observation, *metrics), observation

    def __call__(self, batch, batch_id):
        if self.query_id is None:
            self.query_id = self.query_id_of_checkpoint()
        rows = bad = dead_letters = None
        if not self.holds(self.args.table, batch_id):
            parsed, observation = self.parsed(batch)
            self.append(clicks_of(self.spark, parsed, self.args), self.args.table, batch_id)
            rows, bad, dead_letters = self.observed(observation, batch_id)
        if bad != 0 and not self.holds(self.args.dlq_table, batch_id):
            if dead_letters is None:  # a replay, or more dead letters than the budget
                dead_letters = dead_letters_of(self.parsed(batch, gather=False)[0])
            self.append(dead_letters, self.args.dlq_table, batch_id)
        self.last_batch = (batch_id, rows)

    def observed(self, observation, batch_id):
        """The batch's messages, dead letters and (None past the budget) the dead letters as a
        DataFrame, from the Observation of the clicks append. The values stay in the JVM: only
        the counts cross to Python."""
        from pyspark.sql import DataFrame

        row = observation._jo.getRow()  # JVM Row: rows, bad, gathered (Observation.get pickles all)
        rows, bad, gathered = row.getLong(0), row.getLong(1), row.getStruct(2)
        if bad == 0:
            return rows, bad, None
        if gathered.getBoolean(0):
            print(
                f"batch {batch_id}: {bad} dead letters exceed --dead-letter-buffer-bytes"
                f" {self.args.dead_letter_buffer_bytes}: reading the batch again for them",
                file=sys.stderr,
            )
            return rows, bad, None
        collector = self.spark._jvm.clickstream.spark.DeadLetterCollector
        return rows, bad, DataFrame(collector.toDataFrame(self.spark._jsparkSession, gathered), self.spark)


def clicks_of(spark, parsed, args):
    """The valid clicks of a parsed batch, left-joined with the profiles when enriching."""
    from pyspark.sql import functions as F

    clicks = parsed.where(F.col("error").isNull()).select("user_id", "page", "click_timestamp")
    if args.enrich:
        profiles = spark.table(f"catalog.{args.profiles_table}").select("user_id", "name", "location")
        clicks = clicks.join(profiles, on="user_id", how="left").select(
            "user_id", "page", "click_timestamp", "name", "location"
        )
    return clicks


def dead_letter_columns():
    """The dead-letter table's columns over a parsed batch: Kafka coordinates, raw bytes, reason."""
    from pyspark.sql import functions as F

    return [
        F.col("topic"),
        F.col("partition"),
        F.col("offset"),
        F.col("timestamp").alias("kafka_timestamp"),
        F.col("value").alias("raw"),
        F.col("error"),
    ]


def dead_letters_of(parsed):
    """Every message of a parsed batch that is not a valid click, as dead-letter rows."""
    from pyspark.sql import functions as F

    return parsed.where(F.col("error").isNotNull()).select(*dead_letter_columns())


def query_checkpoint(args):
    """The query's checkpoint directory under --checkpoint; refuses the two-query layout of earlier
    versions (`clicks/` and `dlq/`), whose offsets this query cannot take over."""
    if os.path.isdir(os.path.join(args.checkpoint, "dlq")) and not os.path.isdir(
        os.path.join(args.checkpoint, "query")
    ):
        raise SystemExit(
            f"error: {args.checkpoint} holds the checkpoints of the earlier two-query job; "
            "finish it with that version, or start over with a new --checkpoint and new tables"
        )
    return os.path.join(args.checkpoint, "query")


def start_query(spark, args, batch_writer):
    """Starts the one query: the topic read once, each micro-batch parsed once (BatchWriter)."""
    source = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", args.brokers)
        .option("subscribe", args.topic)
        .option("startingOffsets", args.starting_offsets)
        .option("failOnDataLoss", "true")
        .option("maxOffsetsPerTrigger", str(args.max_offsets_per_trigger))
        .load()
    )
    writer = (
        source.writeStream.foreachBatch(batch_writer)
        .option("checkpointLocation", query_checkpoint(args))
        .queryName("clicks")
    )
    if args.until_caught_up:
        writer = writer.trigger(availableNow=True)
    else:
        writer = writer.trigger(processingTime=args.trigger_interval)
    return writer.start()


def run(spark, args, stop=None):
    """Creates the tables when missing, runs the query until it ends (availableNow) or `stop` is
    set, and stops it; returns 0, or 1 after printing why the query failed."""
    stop = stop or threading.Event()
    create_tables(spark, args)
    writer = BatchWriter(spark, args)
    queries = [start_query(spark, args, writer)]
    failed = None
    while not stop.is_set() and any(q.isActive for q in queries):
        stop.wait(0.5)
    for q in queries:
        if q.isActive:
            q.stop()
        if q.exception() is not None:
            failed = q.exception()
        progress = q.lastProgress
        if progress:
            rows = progress["numInputRows"]
            if writer.last_batch and writer.last_batch[0] == progress["batchId"] and writer.last_batch[1] is not None:
                rows = writer.last_batch[1]
            print(f"{q.name}: last batch {progress['batchId']}, {rows} rows", file=sys.stderr)
    if failed is not None:
        print(f"error: streaming query failed: {failed}", file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    args = parse_args(argv)
    spark = spark_session.build_session(
        "clickstream-spark-processor",
        args.catalog,
        args.warehouse,
        master=args.master,
        driver_memory=args.driver_memory,
    )
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        return run(spark, args, stop)
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
