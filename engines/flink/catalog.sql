-- The Iceberg catalog `catalog`: Java's JdbcCatalog over sqlite-jdbc on the project's catalog file,
-- the same tables pyiceberg, Spark and the C++ processor use. ${...} are filled in by run_sql.py.
SET 'table.local-time-zone' = 'UTC';

CREATE CATALOG catalog WITH (
  'type' = 'iceberg',
  'catalog-impl' = 'org.apache.iceberg.jdbc.JdbcCatalog',
  'uri' = 'jdbc:sqlite:${catalog}',
  'jdbc.schema-version' = 'V1',
  -- passed to sqlite-jdbc: wait up to 30 s for another writer's lock instead of failing at once
  'jdbc.busy_timeout' = '30000',
  'warehouse' = 'file://${warehouse}'
);

CREATE DATABASE IF NOT EXISTS catalog.website;
