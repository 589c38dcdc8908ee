-- Traffic over time: clicks and active users per minute (UTC), oldest first.
-- Runs unchanged on DuckDB and Spark SQL. Flink SQL dialect note (one line): Flink has no
-- date_trunc; write FLOOR(click_timestamp TO MINUTE) in both places instead.
SELECT
  date_trunc('minute', click_timestamp) AS minute_start,
  COUNT(*) AS clicks,
  COUNT(DISTINCT user_id) AS users
FROM website.clicks
GROUP BY date_trunc('minute', click_timestamp)
ORDER BY minute_start;
