"""Peak memory of a compaction that merges a partition's big file with its small ones (issue 9: a
stream's biggest page grows without end, and the maintenance merges the newest files into it).

    .venv/bin/python bench/compaction_memory_bench.py --rows 8000000,16000000 [--baseline OTHER_BINARY]

For each --rows: website.clicks holding one page as one big file of that many rows (pyiceberg,
row groups of 1Mi rows) plus four small files of 50,000 rows, then `clickstream tables
rewrite-data-files --min-input-files 2` on a fresh copy per binary; reports the peak RSS
(/usr/bin/time) and wall time of each, and checks the row count after. --baseline names a second
build (e.g. one of an earlier commit) to run side by side on the same table.
"""

import argparse
import pathlib
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

import pyarrow as pa  # noqa: E402

from iceberg_readers import duckdb_connection  # noqa: E402
from soak_bench import empty_clicks_table, metadata_location  # noqa: E402


def table_with_big_file(root, rows, binary):
    _, table = empty_clicks_table(root, binary)
    users = pa.array([f"user_{i}" for i in range(10_000)])
    picks = pa.array(random.Random(1).choices(range(10_000), k=rows))
    start = 1_700_000_000_000_000
    big = pa.table({
        "user_id": users.take(picks),
        "page": pa.array(["/home"] * rows),
        "click_timestamp": pa.array(range(start, start + rows), pa.timestamp("us", "UTC")),
    }).cast(table.schema().as_arrow())
    table.append(big)
    for i in range(4):
        table.append(big.slice(i * 50_000, 50_000))
    return rows + 4 * 50_000


def copy_table(source, target):
    """A copy under `target` whose catalog points at its own metadata (paths are absolute)."""
    shutil.copytree(source, target)
    con = sqlite3.connect(f"{target}/catalog.db")
    con.execute("UPDATE iceberg_tables SET metadata_location = "
                "replace(metadata_location, ?, ?)", (f"{source}/", f"{target}/"))
    con.commit()
    con.close()


def rewrite(binary, root):
    """(peak RSS MiB, wall s) of the rewrite, and the rows the table holds after it."""
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M %e", str(binary), "--catalog", f"{root}/catalog.db", "tables",
         "rewrite-data-files", "website.clicks", "--min-input-files", "2"],
        capture_output=True, text=True, check=True)
    peak_kib, wall = re.findall(r"^(\d+) ([\d.]+)$", done.stderr, re.M)[-1]
    con = duckdb_connection()
    rows = con.execute("SELECT count(*) FROM iceberg_scan("
                       f"'{metadata_location(f'{root}/catalog.db')}')").fetchone()[0]
    con.close()
    return int(peak_kib) / 1024, float(wall), rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default=ROOT / "build" / "clickstream")
    ap.add_argument("--baseline", help="a second clickstream binary to compare with")
    ap.add_argument("--rows", default="8000000,16000000")
    args = ap.parse_args()
    binaries = {"binary": args.binary, **({"baseline": args.baseline} if args.baseline else {})}
    with tempfile.TemporaryDirectory(prefix="compaction-memory-") as tmp:
        for rows in map(int, args.rows.split(",")):
            source = f"{tmp}/table-{rows}"
            expected = table_with_big_file(source, rows, args.binary)
            for name, binary in binaries.items():
                copy = f"{tmp}/{name}-{rows}"
                copy_table(source, copy)
                peak, wall, after = rewrite(binary, copy)
                print(f"rows {rows:>10,} {name:8s} peak RSS {peak:7.1f} MiB  {wall:5.2f} s  "
                      f"rows after {after:,} {'ok' if after == expected else 'WRONG'}", flush=True)


if __name__ == "__main__":
    main()
