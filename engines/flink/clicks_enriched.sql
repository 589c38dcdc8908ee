-- Option B, enrichment: each click left-joined with website.user_profiles on user_id into
-- catalog.${namespace}.clicks_enriched (name and location null when the user has no profile).
-- Run: ./scripts/flink-pipeline --enrich (a batch job over the topic as it is now)
-- In streaming mode a LEFT JOIN emits retractions, which an append-only Iceberg table cannot take,
-- and Iceberg's Flink connector offers no lookup join; so this runs as a batch job: it reads the
-- topic from the earliest offset to the latest and the profiles' current snapshot, and replaces
-- the table's partitions with the result (INSERT OVERWRITE), so a re-run never duplicates a row
-- and picks up a new profiles snapshot.
CREATE TABLE IF NOT EXISTS catalog.${namespace}.user_profiles (
  user_id STRING,
  name STRING,
  location STRING
) WITH ('format-version' = '2');

CREATE TABLE IF NOT EXISTS catalog.${namespace}.clicks_enriched (
  user_id STRING,
  page STRING,
  click_timestamp TIMESTAMP_LTZ(6),
  name STRING,
  location STRING
) PARTITIONED BY (page) WITH ('format-version' = '2');

INSERT OVERWRITE catalog.${namespace}.clicks_enriched
SELECT c.user_id, c.page, c.click_timestamp, p.name, p.location
FROM valid_clicks AS c
LEFT JOIN catalog.${namespace}.user_profiles AS p ON c.user_id = p.user_id;
