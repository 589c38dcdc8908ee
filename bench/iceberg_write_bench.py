"""Write benchmark: rows/s into an Iceberg table website.clicks (identity(page), zstd Parquet),
C++ (bench_iceberg_write: PartitionedWriter + Table::Append) against pyiceberg's Table.append of
the same Arrow data, each into its own fresh SQLite catalog and warehouse. One run each.

The clicks are generated once (deterministic: --rows rows over --pages pages and --users users,
microsecond timestamps) and saved as an Arrow IPC file that both sides load into memory before
their clock starts; each clock stops when the snapshot is committed.

  .venv/bin/python bench/iceberg_write_bench.py [--rows 2000000] [--pages 20] \
      [--binary build/bench/bench_iceberg_write]
"""

import argparse
import json
import pathlib
import random
import subprocess
import sys
import tempfile
import time

import pyarrow as pa
import pyarrow.ipc as ipc
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import NestedField, StringType, TimestamptzType

ROOT = pathlib.Path(__file__).resolve().parents[1]

SCHEMA = Schema(
    NestedField(1, "user_id", StringType(), required=False),
    NestedField(2, "page", StringType(), required=False),
    NestedField(3, "click_timestamp", TimestamptzType(), required=False),
)
SPEC = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="page"))


def make_clicks(rows, pages, users, seed):
    rng = random.Random(seed)
    page_names = ["/home", "/cart", "/checkout"] + [f"/products/{i}" for i in range(pages - 3)]
    base = 1_795_474_500_000_000
    user_col = [f"user_{rng.randrange(users)}" for _ in range(rows)]
    page_col = [page_names[min(int(rng.expovariate(0.3)), pages - 1)] for _ in range(rows)]
    ts_col = [base + i * 1000 + rng.randrange(1000) for i in range(rows)]
    return pa.table(
        {
            "user_id": pa.array(user_col, pa.string()),
            "page": pa.array(page_col, pa.string()),
            "click_timestamp": pa.array(ts_col, pa.timestamp("us", tz="UTC")),
        }
    )


def pyiceberg_append(data, work):
    catalog = SqlCatalog("catalog", uri=f"sqlite:///{work}/catalog.db", warehouse=f"file://{work}/warehouse")
    catalog.create_namespace("website")
    table = catalog.create_table("website.clicks", schema=SCHEMA, partition_spec=SPEC)
    start = time.monotonic()
    table.append(data)
    seconds = time.monotonic() - start
    table = catalog.load_table("website.clicks")
    files = sum(1 for _ in table.scan().plan_files())
    rows = int(table.current_snapshot().summary["total-records"])
    return {"rows": rows, "files": files, "seconds": seconds}


def cpp_append(binary, input_path, work):
    proc = subprocess.run([str(binary), str(input_path), str(work)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{binary} failed ({proc.returncode}): {proc.stderr}")
    result = json.loads(proc.stdout)
    catalog = SqlCatalog("catalog", uri=f"sqlite:///{work}/catalog.db", warehouse=f"file://{work}/warehouse")
    table = catalog.load_table("website.clicks")
    result["rows_read_back"] = table.scan().to_arrow().num_rows  # pyiceberg reads what C++ wrote
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--binary", default=str(ROOT / "build" / "bench" / "bench_iceberg_write"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cs_write_bench_") as tmp:
        tmp = pathlib.Path(tmp)
        data = make_clicks(args.rows, args.pages, args.users, args.seed)
        input_path = tmp / "clicks.arrow"
        with ipc.new_file(input_path, data.schema) as writer:
            writer.write_table(data, max_chunksize=65536)
        (tmp / "cpp").mkdir()
        (tmp / "py").mkdir()
        cpp = cpp_append(args.binary, input_path, tmp / "cpp")
        py = pyiceberg_append(data, tmp / "py")

    for name, r in (("clickstream C++", cpp), ("pyiceberg append", py)):
        if r["rows"] != args.rows:
            sys.exit(f"{name} wrote {r['rows']} rows, expected {args.rows}")
    if cpp["rows_read_back"] != args.rows:
        sys.exit(f"pyiceberg read {cpp['rows_read_back']} rows back from the C++ table")
    cpp_rate = cpp["rows"] / cpp["seconds"]
    py_rate = py["rows"] / py["seconds"]
    print(f"rows={args.rows} pages={args.pages} users={args.users}")
    print(f"{'writer':<18} {'rows/s':>12} {'seconds':>9} {'files':>6}")
    print(f"{'clickstream C++':<18} {cpp_rate:>12,.0f} {cpp['seconds']:>9.3f} {cpp['files']:>6}")
    print(f"{'pyiceberg append':<18} {py_rate:>12,.0f} {py['seconds']:>9.3f} {py['files']:>6}")
    print(f"ratio C++ / pyiceberg: {cpp_rate / py_rate:.2f}x")


if __name__ == "__main__":
    main()
