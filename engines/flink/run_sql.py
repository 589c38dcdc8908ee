"""Runs Flink SQL files on a local Flink (PyFlink's embedded MiniCluster) with the pinned connector
jars, and waits for the job when the files end with INSERT statements.

    python engines/flink/run_sql.py [--mode streaming|batch] [--var name=value ...] FILE.sql ...
    python engines/flink/run_sql.py --query "SELECT ..."|Q.sql [--format table|csv|json] FILE.sql ...

Files run in order, statement by statement (split at `;` ending a line). `${name}` in a file is
replaced by the --var of that name; an unknown name is an error. INSERT statements of all files
form one statement set, i.e. one Flink job. Each --query runs a SELECT (text or a .sql file such
as engines/sql/top_pages.sql) after the files, with `catalog` as the current catalog, and prints it.

The jars are exactly the files of .deps/flink-jars (jvm/flink/pom.xml, resolved by
./scripts/setup), on the JVM's class path; the JVM gets a 1 GiB heap, parallelism 2, session time
zone UTC.
"""

import argparse
import csv
import json
import os
import pathlib
import re
import signal
import sys
import threading

ROOT = pathlib.Path(__file__).resolve().parents[2]
JARS_DIR = pathlib.Path(os.environ.get("CLICKSTREAM_FLINK_JARS", ROOT / ".deps" / "flink-jars"))
VAR = re.compile(r"\$\{([a-z_]+)\}")
NAMESPACE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SET_STATEMENT = re.compile(r"(?is)^SET\s+'([^']+)'\s*=\s*'([^']*)'$")


def flink_jars():
    """The pinned connector jars; fails clearly when setup has not run."""
    jars = sorted(j.resolve() for j in JARS_DIR.glob("*.jar"))
    if not any("iceberg-flink-runtime" in j.name for j in jars):
        raise SystemExit(f"error: no Iceberg Flink runtime in {JARS_DIR}: run ./scripts/setup first")
    return jars


def sql_text(value):
    """`value` as a Flink SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def catalog_options(catalog, warehouse, environ):
    """The WITH options of the Iceberg catalog `catalog` (catalog.sql's ${catalog_options}).

    An http(s):// `catalog` is an Iceberg REST catalog; its tables' files go through Iceberg's
    S3FileIO (iceberg-aws-bundle) with the endpoint and credentials of the standard AWS_*
    variables (AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL, as the AWS SDKs and clickstream read
    them), path-style as local S3 servers want; an empty `warehouse` lets the server choose.
    Otherwise `catalog` is the project's SQLite file, opened by Java's JdbcCatalog (the tables
    pyiceberg, Spark and the C++ processor use), with `warehouse` a local directory."""
    if re.match(r"(?i)^https?://", catalog):
        options = {
            "type": "iceberg",
            "catalog-type": "rest",
            "uri": catalog,
            "io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
            "s3.path-style-access": "true",
        }
        if warehouse:
            options["warehouse"] = warehouse
        for variable, option in (
            ("AWS_ENDPOINT_URL_S3", "s3.endpoint"),
            ("AWS_ENDPOINT_URL", "s3.endpoint"),
            ("AWS_ACCESS_KEY_ID", "s3.access-key-id"),
            ("AWS_SECRET_ACCESS_KEY", "s3.secret-access-key"),
            ("AWS_SESSION_TOKEN", "s3.session-token"),
            ("AWS_REGION", "client.region"),
        ):
            if environ.get(variable) and option not in options:
                options[option] = environ[variable]
        if "client.region" not in options and environ.get("AWS_DEFAULT_REGION"):
            options["client.region"] = environ["AWS_DEFAULT_REGION"]
        return ",\n".join(f"  {sql_text(k)} = {sql_text(v)}" for k, v in options.items())
    return ",\n".join([
        "  'type' = 'iceberg'",
        "  'catalog-impl' = 'org.apache.iceberg.jdbc.JdbcCatalog'",
        f"  'uri' = {sql_text('jdbc:sqlite:' + catalog)}",
        "  'jdbc.schema-version' = 'V1'",
        # passed to sqlite-jdbc: wait up to 30 s for another writer's lock instead of failing at once
        "  'jdbc.busy_timeout' = '30000'",
        f"  'warehouse' = {sql_text('file://' + warehouse)}",
    ])


def catalog_variables(variables, environ):
    """`variables` plus what catalog.sql needs and --var did not set: ${catalog_options} from
    ${catalog} and ${warehouse}, and ${namespace} (default website)."""
    out = dict(variables)
    out.setdefault("namespace", "website")
    if "catalog_options" not in out and "catalog" in out:
        out["catalog_options"] = catalog_options(out["catalog"], out.get("warehouse", ""), environ)
    return out


def substitute(text, variables, source):
    """Replaces every ${name} in `text`; an unknown name is an error naming `source`."""

    def value(match):
        name = match.group(1)
        if name not in variables:
            raise SystemExit(f"error: {source} uses ${{{name}}}, which no --var sets")
        return variables[name]

    return VAR.sub(value, text)


def split_statements(text):
    """SQL statements of a file: `--` comments dropped, split at `;` outside quotes."""
    statements, current, quoted = [], [], False
    for line in text.splitlines():
        out = []
        i = 0
        while i < len(line):
            ch = line[i]
            if ch == "'":
                quoted = not quoted
            if not quoted and line.startswith("--", i):
                break
            if not quoted and ch == ";":
                current.append("".join(out))
                statement = "\n".join(current).strip()
                if statement:
                    statements.append(statement)
                current, out = [], []
            else:
                out.append(ch)
            i += 1
        current.append("".join(out))
    rest = "\n".join(current).strip()
    if rest:
        statements.append(rest)
    return statements


def query_text(arg):
    """The SQL of a .sql file argument (comment lines and a final `;` dropped) or `arg` itself."""
    path = pathlib.Path(arg)
    text = path.read_text() if arg.endswith(".sql") and path.is_file() else arg
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    return "\n".join(lines).strip().rstrip(";")


def make_table_env(mode, parallelism, checkpoint_interval):
    """A TableEnvironment on a local MiniCluster with the pinned jars on its class path."""
    os.environ.setdefault("JVM_ARGS", "-Xmx1g -Duser.timezone=UTC")
    os.environ.setdefault("LOG4J_PROPERTIES", str(ROOT / "engines" / "flink" / "log4j.properties"))
    log_dir = pathlib.Path(os.environ.get("CLICKSTREAM_FLINK_LOG_DIR", ROOT / "lakehouse" / "flink-logs"))
    log_dir.mkdir(parents=True, exist_ok=True)
    os.environ["FLINK_LOG_DIR"] = str(log_dir)
    os.environ["FLINK_IDENT_STRING"] = f"run-sql-{os.getpid()}"
    print(f"flink log: {log_dir}/flink-run-sql-{os.getpid()}-python-*.log", file=sys.stderr)
    # The jars go on the JVM's class path, like Flink's lib/ folder: Iceberg's catalog loader needs
    # Hadoop's classes from the class loader that creates the catalog, which pipeline.jars is not.
    # PyFlink's gateway adds HADOOP_CLASSPATH to the class path of the local JVM it starts.
    os.environ["HADOOP_CLASSPATH"] = os.pathsep.join(str(j) for j in flink_jars())
    from pyflink.table import EnvironmentSettings, TableEnvironment

    settings = (
        EnvironmentSettings.in_streaming_mode() if mode == "streaming" else EnvironmentSettings.in_batch_mode()
    )
    env = TableEnvironment.create(settings)
    config = env.get_config()
    config.set("parallelism.default", str(parallelism))
    config.set("table.local-time-zone", "UTC")
    # Flink's default restart strategy retries a failing job forever: a job that cannot run
    # (a broken table, a locked catalog) would hang. Three tries, then the error surfaces.
    config.set("restart-strategy.type", "fixed-delay")
    config.set("restart-strategy.fixed-delay.attempts", "3")
    config.set("restart-strategy.fixed-delay.delay", "2 s")
    # On a loaded 2-core machine the MiniCluster's internal RPCs can exceed Flink's 10 s default
    # and fail a job; a failed job can leave PyFlink's result fetcher polling forever.
    config.set("pekko.ask.timeout", "120 s")
    config.set("heartbeat.timeout", "180 s")
    if mode == "streaming":
        # Iceberg commits and Kafka offset commits happen on checkpoints (and once more when a
        # bounded source ends).
        config.set("execution.checkpointing.interval", checkpoint_interval)
    return env


def print_result(env, query, fmt):
    """Runs a SELECT and prints its rows to stdout as a table, CSV or one JSON array. Rows travel
    through Arrow (Table.to_pandas): PyFlink's row-by-row collect cannot carry TIMESTAMP_LTZ."""
    import pandas

    frame = env.sql_query(query).to_pandas()
    names = list(frame.columns)

    def text(value):
        if value is None or (isinstance(value, float) and value != value) or value is pandas.NaT:
            return None
        if hasattr(value, "isoformat"):
            return value.isoformat(sep=" ")
        return str(value)

    rows = [[text(v) for v in row] for row in frame.astype(object).itertuples(index=False)]
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(names)
        writer.writerows(rows)
    elif fmt == "json":
        print(json.dumps([dict(zip(names, row)) for row in rows]))
    else:
        widths = [len(n) for n in names]
        for row in rows:
            widths = [max(w, len(v or "NULL")) for w, v in zip(widths, row)]
        print("  ".join(n.ljust(w) for n, w in zip(names, widths)))
        for row in rows:
            print("  ".join((v or "NULL").ljust(w) for v, w in zip(row, widths)))


SAVEPOINT_FILE = "savepoint"


def latest_savepoint(state_dir):
    """The path of the savepoint the previous run stopped with, or None."""
    marker = pathlib.Path(state_dir) / SAVEPOINT_FILE
    return marker.read_text().strip() if marker.is_file() else None


class LagWatch:
    """Whether the consumer group has committed, for every partition of the topic, at least the
    end offset the partition had when the watch began (Flink commits on each checkpoint)."""

    def __init__(self, variables):
        from kafka import KafkaConsumer, TopicPartition

        # Never subscribes, so it only reads the group's committed offsets and never joins it.
        self.consumer = KafkaConsumer(
            bootstrap_servers=variables["brokers"],
            group_id=variables["group"],
            enable_auto_commit=False,
        )
        partitions = self.consumer.partitions_for_topic(variables["topic"]) or set()
        tps = [TopicPartition(variables["topic"], p) for p in sorted(partitions)]
        self.targets = {tp: end for tp, end in self.consumer.end_offsets(tps).items() if end > 0}

    def caught_up(self):
        for tp, end in self.targets.items():
            committed = self.consumer.committed(tp)
            if committed is None or committed < end:
                return False
        return True

    def close(self):
        self.consumer.close()


def supervise(job_client, state_dir, watch):
    """Waits for the job; on SIGINT/SIGTERM, or once `watch` reports caught up, stops it with a
    savepoint (Kafka offsets and Iceberg's committed checkpoint in one state) for the next run."""
    from pyflink.java_gateway import get_gateway

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    status_done = {"FINISHED", "FAILED", "CANCELED"}
    try:
        while True:
            status = str(job_client.get_job_status().result())
            if status in status_done:
                if status != "FINISHED":
                    raise SystemExit(f"error: flink job ended {status}")
                return
            if stop.is_set() or (watch is not None and watch.caught_up()):
                break
            stop.wait(1.0)
    finally:
        if watch is not None:
            watch.close()
    savepoints = pathlib.Path(state_dir).resolve() / "savepoints"
    savepoints.mkdir(parents=True, exist_ok=True)
    gateway = get_gateway()
    canonical = gateway.jvm.org.apache.flink.core.execution.SavepointFormatType.CANONICAL
    future = job_client._j_job_client.stopWithSavepoint(False, savepoints.as_uri(), canonical)
    path = future.get()
    (pathlib.Path(state_dir) / SAVEPOINT_FILE).write_text(str(path) + "\n")
    print(f"stopped with savepoint {path}", file=sys.stderr)


def query_deadline_passed(seconds):
    print(f"error: the queries did not finish within {seconds:.0f} s; see the Flink log named above",
          file=sys.stderr)
    sys.stderr.flush()
    os._exit(1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=pathlib.Path)
    parser.add_argument("--mode", choices=["streaming", "batch"], default="streaming")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument(
        "--query",
        action="append",
        help="a SELECT (or .sql file) run after the files, its rows printed (json: one array a line);"
        " repeatable",
    )
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
    parser.add_argument("--query-timeout", type=float, default=600, help="seconds for all --query")
    parser.add_argument("--parallelism", type=int, default=2)
    parser.add_argument("--checkpoint-interval", default="5 s")
    parser.add_argument(
        "--state-dir",
        type=pathlib.Path,
        help="streaming: resume from the savepoint kept here, and stop with a new one",
    )
    parser.add_argument(
        "--until-caught-up",
        action="store_true",
        help="stop (with a savepoint) once the group has committed the offsets that were latest"
        " at start; needs --var brokers/topic/group and --state-dir",
    )
    args = parser.parse_args(argv)

    variables = {}
    for item in args.var:
        name, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--var wants NAME=VALUE, got {item!r}")
        variables[name] = value
    variables = catalog_variables(variables, os.environ)
    if not NAMESPACE.match(variables["namespace"]):
        parser.error(f"namespace {variables['namespace']!r}: letters, digits and _ only")

    if args.until_caught_up and not args.state_dir:
        parser.error("--until-caught-up needs --state-dir")
    env = make_table_env(args.mode, args.parallelism, args.checkpoint_interval)
    if args.state_dir:
        savepoint = latest_savepoint(args.state_dir)
        if savepoint:
            print(f"resuming from savepoint {savepoint}", file=sys.stderr)
            env.get_config().set("execution.state-recovery.path", savepoint)
    inserts = []
    for path in args.files:
        for statement in split_statements(substitute(path.read_text(), variables, path)):
            setting = SET_STATEMENT.match(statement)
            if setting:  # the SQL client's SET; the Table API takes it as configuration
                env.get_config().set(setting.group(1), setting.group(2))
            elif re.match(r"(?i)^INSERT\s", statement):
                inserts.append(statement)
            else:
                env.execute_sql(statement).wait()
    if args.query:
        # Flink's result fetcher can poll forever when its job died (seen under heavy load): give
        # the queries a deadline and fail with a pointer to the log instead of hanging.
        watchdog = threading.Timer(args.query_timeout, query_deadline_passed, [args.query_timeout])
        watchdog.daemon = True
        watchdog.start()
        # Analysis queries (engines/sql/) name tables as website.clicks: resolve them in `catalog`.
        env.execute_sql("USE CATALOG catalog").wait()
        for query in args.query:
            print_result(env, query_text(query), args.format)
            sys.stdout.flush()
    if inserts:
        statement_set = env.create_statement_set()
        for statement in inserts:
            statement_set.add_insert_sql(statement)
        result = statement_set.execute()
        job = result.get_job_client().get_job_id()
        print(f"flink job {job} running ({len(inserts)} INSERT statement(s))", file=sys.stderr)
        if args.state_dir:
            watch = LagWatch(variables) if args.until_caught_up else None
            supervise(result.get_job_client(), args.state_dir, watch)
        else:
            result.wait()
        print(f"flink job {job} finished", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
