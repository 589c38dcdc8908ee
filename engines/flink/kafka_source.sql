-- The source: topic user_clicks as a table, one JSON object per message (DESIGN.md event contract).
-- Messages that are not JSON are skipped by the format; rows with missing fields or an event_ts of
-- another form are filtered by the view of valid_clicks.sql. event_ts is STRING: the format hands
-- a JSON number over as its text, which valid_clicks.sql reads as epoch time. The clicks job resumes from its savepoint (run_sql.py
-- --state-dir), whose state holds the Kafka offsets; without one it starts from the consumer
-- group's offsets (startup_mode group-offsets; earliest for a new group). The enrichment batch job
-- reads from the earliest offset to the offsets latest at its start (bounded_mode latest-offset).
CREATE TEMPORARY TABLE kafka_clicks (
  user_id STRING,
  page STRING,
  event_ts STRING
) WITH (
  'connector' = 'kafka',
  'topic' = '${topic}',
  'properties.bootstrap.servers' = '${brokers}',
  'properties.group.id' = '${group}',
  'properties.auto.offset.reset' = 'earliest',
  'scan.startup.mode' = '${startup_mode}',
  'scan.bounded.mode' = '${bounded_mode}',
  'format' = 'json',
  'json.fail-on-missing-field' = 'false',
  'json.ignore-parse-errors' = 'true'
);
