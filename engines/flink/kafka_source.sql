-- The source: topic user_clicks as a table, one JSON object per message (DESIGN.md event contract).
-- Messages that are not JSON are skipped by the format; rows with missing fields or an event_ts of
-- another form are filtered by the job. The clicks job resumes from its savepoint (run_sql.py
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

-- event_ts -> TIMESTAMP_LTZ(6) by the contract's rules: `T` or space, 0-9 fractional digits
-- (truncated to microseconds), `Z` or +HH:MM/-HH:MM; an impossible date (Feb 30) is rejected by
-- the round trip through DATE_FORMAT, because Flink's cast would move it to Feb 28.
CREATE TEMPORARY VIEW valid_clicks AS
SELECT user_id, page, CAST(TIMESTAMPADD(MINUTE, -offset_minutes, local_ts) AS TIMESTAMP_LTZ(6)) AS click_timestamp
FROM (
  SELECT
    user_id,
    page,
    event_ts,
    TRY_CAST(
      CONCAT(SUBSTRING(event_ts FROM 1 FOR 10), ' ', SUBSTRING(event_ts FROM 12 FOR 8), '.',
             RPAD(COALESCE(REGEXP_EXTRACT(event_ts, '[.]([0-9]{1,9})', 1), ''), 6, '0'))
      AS TIMESTAMP(6)) AS local_ts,
    CASE WHEN event_ts LIKE '%Z' THEN 0
         ELSE (CASE WHEN SUBSTRING(event_ts FROM CHAR_LENGTH(event_ts) - 5 FOR 1) = '-' THEN -1 ELSE 1 END)
              * (CAST(SUBSTRING(event_ts FROM CHAR_LENGTH(event_ts) - 4 FOR 2) AS INT) * 60
                 + CAST(SUBSTRING(event_ts FROM CHAR_LENGTH(event_ts) - 1 FOR 2) AS INT))
    END AS offset_minutes
  FROM kafka_clicks
  WHERE user_id IS NOT NULL AND user_id <> ''
    AND page IS NOT NULL AND page <> ''
    AND REGEXP(event_ts, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$')
)
WHERE local_ts IS NOT NULL
  AND DATE_FORMAT(local_ts, 'yyyy-MM-dd') = SUBSTRING(event_ts FROM 1 FOR 10);
