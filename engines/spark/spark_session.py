"""How every Spark program of the project is wired to our SQLite Iceberg catalog.

- Jars: exactly the files of .deps/spark-jars (resolved from Maven Central by ./scripts/setup from
  jvm/spark/pom.xml: the Iceberg Spark runtime, sqlite-jdbc, the Kafka source) go on spark.jars as
  local paths; spark.jars.packages is never used, so nothing is downloaded at run time.
- Catalog: Spark catalog `catalog` = Iceberg's SparkCatalog with catalog-impl JdbcCatalog over
  `jdbc:sqlite:<catalog file>`, jdbc.schema-version=V1 (the `iceberg_tables` layout with the
  `iceberg_type` column, which pyiceberg's SqlCatalog and our C++ catalog also use), warehouse the
  local directory. The table cache is off so commits by other writers are seen at once.
- Size: local[2], driver 1g, few shuffle partitions, session time zone UTC.
"""

import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
JARS_DIR = pathlib.Path(os.environ.get("CLICKSTREAM_SPARK_JARS", ROOT / ".deps" / "spark-jars"))
CATALOG_NAME = "catalog"


def spark_jars():
    """The local jar paths for spark.jars; fails with a clear message when setup has not run."""
    jars = sorted(str(p) for p in JARS_DIR.glob("*.jar"))
    if not any("iceberg-spark-runtime" in j for j in jars):
        raise RuntimeError(f"no Iceberg Spark runtime in {JARS_DIR}: run ./scripts/setup first")
    return jars


def catalog_conf(catalog_db, warehouse, name=CATALOG_NAME):
    """Spark conf entries that define catalog `name` as the JdbcCatalog on the SQLite file."""
    catalog_db = os.path.abspath(catalog_db)
    warehouse = os.path.abspath(warehouse)
    os.makedirs(os.path.dirname(catalog_db), exist_ok=True)
    os.makedirs(warehouse, exist_ok=True)
    prefix = f"spark.sql.catalog.{name}"
    return {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.catalog-impl": "org.apache.iceberg.jdbc.JdbcCatalog",
        f"{prefix}.uri": f"jdbc:sqlite:{catalog_db}",
        f"{prefix}.jdbc.schema-version": "V1",
        # Passed to sqlite-jdbc: wait up to 30 s for another writer's lock instead of failing.
        f"{prefix}.jdbc.busy_timeout": "30000",
        f"{prefix}.warehouse": f"file://{warehouse}",
        f"{prefix}.cache-enabled": "false",
    }


def base_conf(app_name, master="local[2]", driver_memory="1g"):
    """The Spark conf every program of the project uses (no catalog yet)."""
    return {
        "spark.app.name": app_name,
        "spark.master": master,
        "spark.driver.memory": driver_memory,
        "spark.jars": ",".join(spark_jars()),
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        "spark.sql.session.timeZone": "UTC",
        # A repeated JSON key counts with its last value, as in the C++ parser (parse_json would
        # otherwise reject the whole message).
        "spark.sql.variant.allowDuplicateKeys": "true",
        "spark.sql.shuffle.partitions": "2",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
    }


def build_base_session(app_name, master="local[2]", driver_memory="1g", extra_conf=None):
    """A new local SparkSession with the Iceberg extensions and the pinned jars, no catalog yet."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    conf = base_conf(app_name, master, driver_memory)
    conf.update(extra_conf or {})
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def build_session(app_name, catalog_db, warehouse, **kwargs):
    """A local SparkSession whose catalog `catalog` is our SQLite catalog."""
    extra = dict(kwargs.pop("extra_conf", None) or {})
    extra.update(catalog_conf(catalog_db, warehouse))
    return build_base_session(app_name, extra_conf=extra, **kwargs)


def main(argv):
    """`python spark_session.py conf CATALOG_DB WAREHOUSE`: the conf of a session on that catalog,
    one `key=value` a line (scripts/spark-sql passes them to Spark's own spark-sql)."""
    if len(argv) != 4 or argv[1] != "conf":
        raise SystemExit("usage: spark_session.py conf CATALOG_DB WAREHOUSE")
    conf = base_conf("clickstream-spark-sql")
    conf.update(catalog_conf(argv[2], argv[3]))
    for key, value in conf.items():
        print(f"{key}={value}")


if __name__ == "__main__":
    import sys

    main(sys.argv)
