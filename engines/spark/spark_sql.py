"""Spark SQL on the project's tables: runs one query (text or a .sql file such as engines/sql/*.sql)
with `catalog` as the current catalog, so `website.clicks` names the Iceberg table.

    python engines/spark/spark_sql.py engines/sql/top_pages.sql [--format table|csv|json]
    python engines/spark/spark_sql.py "SELECT COUNT(*) FROM website.clicks"
"""

import argparse
import csv
import json
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import spark_session  # noqa: E402


def query_text(arg):
    """The SQL of a file argument (comments and a final `;` kept out) or the argument itself."""
    path = pathlib.Path(arg)
    text = path.read_text() if arg.endswith(".sql") and path.is_file() else arg
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    return "\n".join(lines).strip().rstrip(";")


def main(argv=None):
    env = os.environ.get
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("query", help="SQL text or a .sql file")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--catalog", default=env("CLICKSTREAM_CATALOG", "lakehouse/catalog.db"))
    p.add_argument(
        "--warehouse",
        default=env("CLICKSTREAM_WAREHOUSE"),
        help="where new tables go (default: lakehouse/warehouse for a SQLite catalog, the REST catalog's own)",
    )
    args = p.parse_args(argv)

    spark = spark_session.build_session("clickstream-spark-sql", args.catalog, args.warehouse)
    try:
        spark.sql(f"USE {spark_session.CATALOG_NAME}")
        df = spark.sql(query_text(args.query))
        names = df.columns
        rows = [[None if v is None else str(v) for v in row] for row in df.collect()]
    finally:
        spark.stop()
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(names)
        writer.writerows(rows)
    elif args.format == "json":
        for row in rows:
            print(json.dumps(dict(zip(names, row))))
    else:
        widths = [len(n) for n in names]
        for row in rows:
            widths = [max(w, len(v or "NULL")) for w, v in zip(widths, row)]
        print("  ".join(n.ljust(w) for n, w in zip(names, widths)))
        for row in rows:
            print("  ".join((v or "NULL").ljust(w) for v, w in zip(row, widths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
