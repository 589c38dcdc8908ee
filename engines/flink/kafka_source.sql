-- The source: topic user_clicks as a table, one JSON object per message (DESIGN.md event contract).
-- kafka_messages holds each message's raw bytes ('format' = 'raw'); the view kafka_clicks decodes
-- them as UTF-8 (a message that is not valid UTF-8 is skipped: the round trip through DECODE and
-- ENCODE changes it) and takes user_id, page and event_ts with JSON_VALUE, whose Jackson tree keeps
-- the LAST value of a repeated key, as the C++ parser and the Spark job do. Flink 2.0's JSON format
-- keeps the first one and stops reading once it has one value per column, and its
-- 'json.decode.json-parser.enabled' (the tree decoder) is rejected as an unsupported option in
-- 2.0.2 (FLINK-37752, fixed in later Flink). Invalid JSON, a message that is not an object and a
-- missing key give NULL, so valid_clicks.sql drops them; a non-string scalar gives its text, and a
-- JSON number reaches event_ts as its text, which valid_clicks.sql reads as epoch time.
-- The clicks job resumes from its savepoint (run_sql.py --state-dir), whose state holds the Kafka
-- offsets; without one it starts from the consumer group's offsets (startup_mode group-offsets;
-- earliest for a new group). The enrichment batch job reads from the earliest offset to the offsets
-- latest at its start (bounded_mode latest-offset).
CREATE TEMPORARY TABLE kafka_messages (
  message BYTES
) WITH (
  'connector' = 'kafka',
  'topic' = '${topic}',
  'properties.bootstrap.servers' = '${brokers}',
  'properties.group.id' = '${group}',
  'properties.auto.offset.reset' = 'earliest',
  'scan.startup.mode' = '${startup_mode}',
  'scan.bounded.mode' = '${bounded_mode}',
  'format' = 'raw'
);

CREATE TEMPORARY VIEW kafka_clicks AS
SELECT
  JSON_VALUE(text, 'strict $.user_id') AS user_id,
  JSON_VALUE(text, 'strict $.page') AS page,
  JSON_VALUE(text, 'strict $.event_ts') AS event_ts
FROM (
  SELECT DECODE(message, 'UTF-8') AS text FROM kafka_messages
  WHERE ENCODE(DECODE(message, 'UTF-8'), 'UTF-8') = message
);
