"""What a data file costs a query (issue 9): the same rows as 1, 2, 3, 4 and 5 files per page,
`clickstream query top-pages` and `query user-activity` timed on each, alternating, best of
`--repeats`, as ratios to the one-file-per-page (fully compacted) table. It separates the cost of
file count from everything else the soak varies (load of the running stream, metadata, sizes).

    ninja -C build clickstream
    .venv/bin/python bench/file_cost_bench.py [--events 1200000] [--files-per-page 1,2,3,4,5]

The rows are `clickstream produce --stdout --events N` (67 pages, Zipf); a table with k files per
page is k pyiceberg appends of 1/k of the rows each (one file per page per append), in a catalog of
its own under a temp dir.
"""

import argparse
import io
import json
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

import pyarrow as pa  # noqa: E402
import pyarrow.json as pj  # noqa: E402

from soak_bench import cli, empty_clicks_table  # noqa: E402


def generated_rows(binary, events):
    """The producer's events as clicks rows (user_id, page, click_timestamp in UTC)."""
    ndjson = subprocess.run([str(binary), "produce", "--stdout", "--events", str(events)],
                            capture_output=True, check=True).stdout
    events = pj.read_json(io.BytesIO(ndjson))
    return pa.table({"user_id": events["user_id"], "page": events["page"],
                     "click_timestamp": events["event_ts"].cast(pa.timestamp("us", "UTC"))})


def table_with(rows, files_per_page, root, binary):
    """website.clicks in a catalog of its own holding `rows` as `files_per_page` files per page."""
    env, table = empty_clicks_table(root, binary)
    rows = rows.cast(table.schema().as_arrow())
    step = -(-rows.num_rows // files_per_page)
    for start in range(0, rows.num_rows, step):
        table.append(rows.slice(start, step))
    return env


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default=ROOT / "build" / "clickstream")
    ap.add_argument("--events", type=int, default=1_200_000)
    ap.add_argument("--files-per-page", default="1,2,3,4,5")
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--user", default="user_42")
    args = ap.parse_args()
    counts = [int(k) for k in args.files_per_page.split(",")]
    queries = {"top_pages": ["top-pages"], "user_activity": ["user-activity", args.user]}
    rows = generated_rows(args.binary, args.events)
    with tempfile.TemporaryDirectory(prefix="file-cost-") as tmp:
        envs = {k: table_with(rows, k, f"{tmp}/k{k}", args.binary) for k in counts}
        best = {(k, q): float("inf") for k in counts for q in queries}
        for _ in range(args.repeats):
            for q, query in queries.items():
                for k in counts:
                    best[k, q] = min(best[k, q], cli(args.binary, envs[k], "query", *query)[1])
    for k in counts:
        result = {"files_per_page": k, "rows": rows.num_rows}
        for q in queries:
            result[f"{q}_s"] = round(best[k, q], 4)
            result[f"{q}_ratio"] = round(best[k, q] / best[counts[0], q], 2)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
