"""How every Spark program of the project is wired to our Iceberg catalog (SQLite file or REST).

- Jars: exactly the files of .deps/spark-jars (resolved from Maven Central by ./scripts/setup from
  jvm/spark/pom.xml: the Iceberg Spark runtime, sqlite-jdbc, the Kafka source; and the project's
  own clickstream-spark-functions.jar, compiled by setup from jvm/spark-functions) go on spark.jars
  as local paths; spark.jars.packages is never used, so nothing is downloaded at run time.
- Catalog: Spark catalog `catalog` = Iceberg's SparkCatalog with catalog-impl JdbcCatalog over
  `jdbc:sqlite:<catalog file>`, jdbc.schema-version=V1 (the `iceberg_tables` layout with the
  `iceberg_type` column, which pyiceberg's SqlCatalog and our C++ catalog also use), warehouse the
  local directory. The table cache is off so commits by other writers are seen at once.
- REST: a catalog given as an http(s):// URL (CLICKSTREAM_CATALOG, --catalog) is Iceberg's REST
  catalog instead (type rest, cache off; CLICKSTREAM_CATALOG_CREDENTIAL / _TOKEN as for
  clickstream); the server chooses table locations, and the warehouse is optional (as for
  clickstream). With an s3:// warehouse the tables go through Iceberg's S3FileIO, without one
  through the REST default ResolvingFileIO (S3FileIO for s3:// paths), set from the standard AWS_*
  variables as `scripts/lakehouse env` exports them: endpoint (AWS_ENDPOINT_URL_S3, else
  AWS_ENDPOINT_URL; path-style access with a custom endpoint) and region as properties, the keys
  read by the JVM's AWS SDK from its environment (so no secret lands on a command line). The SDK reads
  its checksum modes (AWS_REQUEST_CHECKSUM_CALCULATION / AWS_RESPONSE_CHECKSUM_VALIDATION) once,
  at JVM start: they are passed as system properties, when_required by default with a custom
  endpoint (S3Proxy rejects the SDK's default checksums, docs/rest-catalog.md).
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
    for name in ("iceberg-spark-runtime", "clickstream-spark-functions"):
        if not any(name in j for j in jars):
            raise RuntimeError(f"no {name} jar in {JARS_DIR}: run ./scripts/setup first")
    return jars


def is_rest_catalog(catalog):
    """True when `catalog` names an Iceberg REST catalog (an http:// or https:// URL)."""
    return str(catalog).startswith(("http://", "https://"))


def default_warehouse(catalog):
    """The warehouse when none is given, as for clickstream: none for a REST catalog (the server
    places new tables under its own), lakehouse/warehouse for a SQLite catalog."""
    return "" if is_rest_catalog(catalog) else "lakehouse/warehouse"


def catalog_conf(catalog, warehouse=None, name=CATALOG_NAME, env=None, s3_keys_in_conf=False):
    """Spark conf entries that define catalog `name`: the REST catalog at an http(s):// URL, or
    else the JdbcCatalog on the SQLite file `catalog`. `env` (default os.environ) holds the
    AWS_* and CLICKSTREAM_CATALOG_* variables a REST catalog on S3 needs; S3 keys go into the conf
    only with `s3_keys_in_conf` (a JVM already running, whose environment may lack them)."""
    warehouse = str(warehouse or default_warehouse(catalog))
    if is_rest_catalog(catalog):
        env = os.environ if env is None else env
        return rest_catalog_conf(str(catalog), warehouse, name, env, s3_keys_in_conf)
    catalog_db = os.path.abspath(catalog)
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


def rest_catalog_conf(uri, warehouse, name, env, s3_keys_in_conf=False):
    """Catalog `name` as Iceberg's REST catalog at `uri`: S3FileIO when `warehouse` is s3://;
    with no warehouse, the REST default (ResolvingFileIO) with the S3 settings the environment has.

    The warehouse is not sent to the server (Polaris and Lakekeeper read `warehouse` as a
    catalog name, not a location): the server places new tables, under its own warehouse."""
    prefix = f"spark.sql.catalog.{name}"
    conf = {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.type": "rest",
        f"{prefix}.uri": uri,
        f"{prefix}.cache-enabled": "false",
    }
    if env.get("CLICKSTREAM_CATALOG_CREDENTIAL"):
        conf[f"{prefix}.credential"] = env["CLICKSTREAM_CATALOG_CREDENTIAL"]
    if env.get("CLICKSTREAM_CATALOG_TOKEN"):
        conf[f"{prefix}.token"] = env["CLICKSTREAM_CATALOG_TOKEN"]
    if uses_s3(uri, warehouse, env):
        props = s3_properties(env, s3_keys_in_conf)
        if not warehouse:
            del props["io-impl"]  # the server's warehouse may be anywhere: resolve by path
        conf.update({f"{prefix}.{key}": value for key, value in props.items()})
    return conf


def uses_s3(catalog, warehouse, env):
    """True for a REST catalog whose tables are (or, with no warehouse given, may be) on S3."""
    if not is_rest_catalog(catalog):
        return False
    if warehouse:
        return str(warehouse).startswith("s3://")
    return any(env.get(v) for v in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_REGION"))


def s3_endpoint(env):
    """The S3 endpoint as the AWS SDKs pick it: the S3-specific variable first."""
    return env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")


def s3_properties(env, keys_in_conf=False):
    """Iceberg S3FileIO properties from the standard AWS_* variables. The keys stay out of the
    conf (and so out of the spark-submit command line and Spark's environment listings) unless
    asked for: the JVM's AWS SDK reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
    AWS_SESSION_TOKEN from its environment itself (its default credentials chain)."""
    props = {"io-impl": "org.apache.iceberg.aws.s3.S3FileIO"}
    if s3_endpoint(env):
        props["s3.endpoint"] = s3_endpoint(env)
        props["s3.path-style-access"] = "true"  # local servers have no per-bucket host names
    if keys_in_conf:
        for var, key in (
            ("AWS_ACCESS_KEY_ID", "s3.access-key-id"),
            ("AWS_SECRET_ACCESS_KEY", "s3.secret-access-key"),
            ("AWS_SESSION_TOKEN", "s3.session-token"),
        ):
            if env.get(var):
                props[key] = env[var]
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if region:
        props["client.region"] = region
    return props


def driver_java_options(catalog=None, warehouse=None, env=None):
    """The driver JVM's options: UTC, and for a REST catalog on S3 the AWS SDK's checksum modes
    (system properties aws.requestChecksumCalculation / aws.responseChecksumValidation) from the
    AWS_* variables, when_required by default with a custom endpoint (S3-compatible servers)."""
    env = os.environ if env is None else env
    options = ["-Duser.timezone=UTC"]
    if catalog is None or not uses_s3(catalog, warehouse or default_warehouse(catalog), env):
        return " ".join(options)
    default = "when_required" if s3_endpoint(env) else None
    for var, prop in (
        ("AWS_REQUEST_CHECKSUM_CALCULATION", "aws.requestChecksumCalculation"),
        ("AWS_RESPONSE_CHECKSUM_VALIDATION", "aws.responseChecksumValidation"),
    ):
        value = env.get(var) or default
        if value:
            options.append(f"-D{prop}={value.upper()}")
    return " ".join(options)


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
        "spark.driver.extraJavaOptions": driver_java_options(),
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


def session_conf(catalog, warehouse=None):
    """Spark conf entries of a new session on `catalog`: the catalog and the JVM options it needs."""
    conf = catalog_conf(catalog, warehouse)
    conf["spark.driver.extraJavaOptions"] = driver_java_options(catalog, warehouse)
    return conf


def build_session(app_name, catalog, warehouse=None, **kwargs):
    """A local SparkSession whose catalog `catalog` is our SQLite or REST catalog."""
    extra = dict(kwargs.pop("extra_conf", None) or {})
    extra.update(session_conf(catalog, warehouse))
    return build_base_session(app_name, extra_conf=extra, **kwargs)


def main(argv):
    """`python spark_session.py conf CATALOG WAREHOUSE`: the conf of a session on that catalog,
    one `key=value` a line (scripts/spark-sql passes them to Spark's own spark-sql)."""
    if len(argv) != 4 or argv[1] != "conf":
        raise SystemExit("usage: spark_session.py conf CATALOG WAREHOUSE")
    conf = base_conf("clickstream-spark-sql")
    conf.update(session_conf(argv[2], argv[3]))
    for key, value in conf.items():
        print(f"{key}={value}")


if __name__ == "__main__":
    import sys

    main(sys.argv)
