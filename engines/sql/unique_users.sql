-- Question 2: how many unique users visited the site (users with at least one click).
-- Runs unchanged on DuckDB, Spark SQL and Flink SQL (batch mode).
SELECT COUNT(DISTINCT user_id) AS unique_users
FROM website.clicks;
