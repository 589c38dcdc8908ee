-- Option B: Flink SQL from Kafka topic user_clicks into catalog.${namespace}.clicks (DESIGN.md schema,
-- partitioned by page). Run: ./scripts/flink-pipeline [--until-caught-up]
-- Preceded by catalog.sql, kafka_source.sql and valid_clicks.sql (run_sql.py runs the files in order).
CREATE TABLE IF NOT EXISTS catalog.${namespace}.clicks (
  user_id STRING,
  page STRING,
  click_timestamp TIMESTAMP_LTZ(6)
) PARTITIONED BY (page) WITH ('format-version' = '2');

INSERT INTO catalog.${namespace}.clicks
SELECT user_id, page, click_timestamp FROM valid_clicks;
