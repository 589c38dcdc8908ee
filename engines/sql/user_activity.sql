-- Question 3: the click activity of each user, time-ordered: every click with its number in the
-- user's sequence (ties at the same instant ordered by page). `clickstream query user-activity
-- USER_ID` reads one user's rows from this query:
--   SELECT * FROM (<this query>) AS activity WHERE user_id = 'USER_ID' ORDER BY click_number
-- Runs unchanged on DuckDB, Spark SQL and Flink SQL (batch mode).
SELECT
  user_id,
  ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY click_timestamp, page) AS click_number,
  click_timestamp,
  page
FROM website.clicks
ORDER BY user_id, click_number;
