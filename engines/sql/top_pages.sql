-- Question 1: the most popular pages. One row per page with its clicks, most clicked first (ties
-- by page name). Runs unchanged on DuckDB, Spark SQL and Flink SQL (batch mode);
-- `clickstream query top-pages --limit K` keeps the first K rows.
SELECT
  page,
  COUNT(*) AS clicks
FROM website.clicks
GROUP BY page
ORDER BY clicks DESC, page;
