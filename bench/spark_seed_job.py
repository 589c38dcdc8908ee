"""The peer at its best for bench/engines_drain.py: the Spark Structured Streaming job a reader of
the seed tutorial writes, tuned as Iceberg's and Spark's docs advise. One query: read the topic,
`from_json` with a schema, `try_to_timestamp`, append to catalog.website.clicks with the Iceberg
streaming sink (`fanout-enabled`: no sort before the partitioned write), `availableNow` to drain
what the topic holds and stop. No dead-letter table and no strict contract checks (a malformed
message becomes a row of nulls or is dropped by the null filter), which is what it saves against
engines/spark/click_processor.py. `try_to_timestamp`, not `to_timestamp`: under Spark 4's ANSI
default, `to_timestamp` fails the query at the first malformed time (CAST_INVALID_INPUT, found with
`engines_drain.py --bad-ratio 0.01`), so a user who must survive bad input writes the try_ form.

    .venv/bin/python bench/spark_seed_job.py --brokers HOST:PORT --topic T --checkpoint DIR
"""

import argparse
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "engines" / "spark"))

import spark_session  # noqa: E402  (the same jars, master, memory and catalog as the project's job)


def main():
    env = os.environ.get
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--brokers", default=env("CLICKSTREAM_BROKERS", "127.0.0.1:9092"))
    p.add_argument("--catalog", default=env("CLICKSTREAM_CATALOG", "lakehouse/catalog.db"))
    p.add_argument("--warehouse", default=env("CLICKSTREAM_WAREHOUSE", "lakehouse/warehouse"))
    p.add_argument("--topic", default="user_clicks")
    p.add_argument("--checkpoint", required=True)
    args = p.parse_args()

    from pyspark.sql import functions as F

    spark = spark_session.build_session("seed-style-job", args.catalog, args.warehouse)
    spark.sql("CREATE NAMESPACE IF NOT EXISTS catalog.website")
    spark.sql("CREATE TABLE IF NOT EXISTS catalog.website.clicks (user_id STRING, page STRING, "
              "click_timestamp TIMESTAMP) USING iceberg PARTITIONED BY (page)")
    clicks = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", args.brokers)
        .option("subscribe", args.topic)
        .option("startingOffsets", "earliest")
        .load()
        .select(F.from_json(F.col("value").cast("string"),
                            "user_id STRING, page STRING, event_ts STRING").alias("e"))
        .select(F.col("e.user_id").alias("user_id"), F.col("e.page").alias("page"),
                F.try_to_timestamp("e.event_ts").alias("click_timestamp"))
        .where("user_id IS NOT NULL AND page IS NOT NULL AND click_timestamp IS NOT NULL")
    )
    query = (
        clicks.writeStream.format("iceberg")
        .outputMode("append")
        .option("fanout-enabled", "true")
        .option("checkpointLocation", args.checkpoint)
        .trigger(availableNow=True)
        .toTable("catalog.website.clicks")
    )
    query.awaitTermination()
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
