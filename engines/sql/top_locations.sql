-- Where the clicks come from: clicks and distinct users per profile location, from the enriched
-- table (location is NULL for clicks of users without a profile; that group is listed last).
-- Runs unchanged on DuckDB, Spark SQL and Flink SQL (batch mode).
SELECT
  location,
  COUNT(*) AS clicks,
  COUNT(DISTINCT user_id) AS users
FROM website.clicks_enriched
GROUP BY location
ORDER BY clicks DESC, location NULLS LAST;
