-- The Iceberg catalog `catalog` and the namespace the jobs write (variable namespace, default
-- website). run_sql.py fills in the catalog's options (catalog_options) from the variables catalog
-- and warehouse: on the project's SQLite file, Java's JdbcCatalog over sqlite-jdbc, the same
-- tables pyiceberg, Spark and the C++ processor use; on an http(s):// URL, Iceberg's REST catalog
-- with the tables' files on S3 through S3FileIO (endpoint and credentials from the AWS_* variables).
SET 'table.local-time-zone' = 'UTC';

CREATE CATALOG catalog WITH (
${catalog_options}
);

CREATE DATABASE IF NOT EXISTS catalog.${namespace};
