-- Engagement per user: clicks and distinct pages visited, the most active users first.
-- Runs unchanged on DuckDB, Spark SQL and Flink SQL (batch mode).
SELECT
  user_id,
  COUNT(*) AS clicks,
  COUNT(DISTINCT page) AS distinct_pages
FROM website.clicks
GROUP BY user_id
ORDER BY clicks DESC, user_id;
