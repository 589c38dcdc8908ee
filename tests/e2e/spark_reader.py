"""Spark with the Iceberg runtime as an independent reader (and writer) of our SQLite catalog.

One local SparkSession per test session (driver 1g, local[2]); every catalog file gets its own
child session (SparkSession.newSession) whose Iceberg catalog is named `catalog`, as in the jobs,
so SQL text like `SELECT ... FROM catalog.website.clicks` runs unchanged. The jars are the pinned
ones that ./scripts/setup resolved into .deps/spark-jars (jvm/spark/pom.xml); nothing is
downloaded at run time.

    reader = SparkReader()                       # or the `spark` fixture of conftest.py
    table = reader.read_table(catalog_db, warehouse, "website.clicks")   # pyarrow.Table
    answer = reader.sql(catalog_db, warehouse, "SELECT count(*) AS n FROM catalog.website.clicks")
"""

import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "engines" / "spark"))

import spark_session  # noqa: E402  (engines/spark/spark_session.py: the one place Spark is configured)


class SparkReader:
    """Reads and writes Iceberg tables of any SQLite catalog file through one JVM."""

    def __init__(self, app_name="clickstream-tests"):
        self._base = spark_session.build_base_session(app_name)
        self._sessions = {}

    def session(self, catalog_db, warehouse):
        """The SparkSession whose catalog `catalog` is the JdbcCatalog on `catalog_db`."""
        key = (os.path.abspath(catalog_db), os.path.abspath(warehouse))
        if key not in self._sessions:
            child = self._base.newSession()
            for name, value in spark_session.catalog_conf(*key).items():
                child.conf.set(name, value)
            self._sessions[key] = child
        return self._sessions[key]

    def rest_session(self, uri, s3_env=None):
        """A SparkSession whose catalog `catalog` is the Iceberg REST catalog at `uri`; with
        `s3_env` (scripts/lakehouse env's AWS_* variables) it reads tables on that S3 server
        through Iceberg's S3FileIO (engines/spark/spark_session.catalog_conf, as the jobs do)."""
        key = ("rest", uri)
        if key not in self._sessions:
            child = self._base.newSession()
            env = dict(s3_env or {})
            warehouse = env.get("CLICKSTREAM_WAREHOUSE") if s3_env else None
            conf = spark_session.catalog_conf(uri, warehouse, env=env,
                                              s3_keys_in_conf=bool(s3_env))
            for name, value in conf.items():
                child.conf.set(name, value)
            self._sessions[key] = child
        return self._sessions[key]

    def sql(self, catalog_db, warehouse, query):
        """Runs one SQL statement; returns its result as a pyarrow.Table (timestamps in UTC)."""
        return self.session(catalog_db, warehouse).sql(query).toArrow()

    def read_table(self, catalog_db, warehouse, table):
        """Every row of `table` (e.g. "website.clicks") as a pyarrow.Table, read by Spark."""
        return self.sql(catalog_db, warehouse, f"SELECT * FROM catalog.{table}")

    def stop(self):
        """Stops the JVM; the reader is unusable afterwards."""
        self._sessions.clear()
        self._base.stop()
