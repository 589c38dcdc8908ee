"""Two processes append to one table at the same time, each 50 snapshots through the catalog's
compare-and-swap: the table ends with 100 snapshots and every row, read by pyiceberg, DuckDB and
Spark. The 99th append also merges the 98 small manifests before it (Table's manifest merging)."""

import subprocess

from conftest import BINARY
from iceberg_readers import arrow_rows, duckdb_rows, ndjson_rows, open_catalog

APPENDS_PER_WRITER = 50
# Writer A loads files of 100 events, writer B of 101: added-records tells who made a snapshot.
EVENTS = {"a": 100, "b": 101}


def test_two_concurrent_writers_lose_no_snapshot_and_no_row(tmp_path, clickstream, spark):
    env = {"CLICKSTREAM_CATALOG": str(tmp_path / "catalog.db"), "CLICKSTREAM_WAREHOUSE": str(tmp_path / "wh")}
    assert clickstream("tables", "create", env=env).returncode == 0
    files = {writer: [] for writer in EVENTS}
    for writer, count in EVENTS.items():
        for i in range(APPENDS_PER_WRITER):
            seed = (1 if writer == "a" else 2) * 1000 + i
            produced = clickstream("produce", "--stdout", "--events", count, "--seed", seed)
            assert produced.returncode == 0, produced.stderr
            path = tmp_path / f"{writer}-{i:02d}.ndjson"
            path.write_text(produced.stdout)
            files[writer].append(path)

    # Each writer is one shell that runs its 50 loads back to back; both start together.
    writers = []
    for writer, paths in files.items():
        script = "set -e\n" + "\n".join(f'"{BINARY}" tables load website.clicks "{p}"' for p in paths)
        writers.append(
            subprocess.Popen(
                ["bash", "-c", script],
                env={"PATH": "/usr/bin:/bin", **env},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for process in writers:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        assert out.count("loaded ") == APPENDS_PER_WRITER

    table = open_catalog(tmp_path / "catalog.db", tmp_path / "wh").load_table("website.clicks")
    snapshots = table.metadata.snapshots
    assert len(snapshots) == 2 * APPENDS_PER_WRITER
    assert [s.sequence_number for s in snapshots] == list(range(1, 2 * APPENDS_PER_WRITER + 1))
    # One linear history: every snapshot's parent is the one before it.
    assert all(s.parent_snapshot_id == p.snapshot_id for p, s in zip(snapshots, snapshots[1:]))
    order = ["a" if s.summary["added-records"] == "100" else "b" for s in snapshots]
    assert order.count("a") == order.count("b") == APPENDS_PER_WRITER
    switches = sum(1 for x, y in zip(order, order[1:]) if x != y)
    assert switches >= 5, f"the writers did not overlap: {''.join(order)}"

    expected = ndjson_rows(*files["a"], *files["b"])
    assert table.current_snapshot().summary["total-records"] == str(len(expected))
    assert arrow_rows(table.scan().to_arrow()) == expected
    assert duckdb_rows(table.metadata_location) == expected
    assert arrow_rows(spark.read_table(tmp_path / "catalog.db", tmp_path / "wh", "website.clicks")) == expected
    manifests = table.current_snapshot().manifests(table.io)
    assert len(manifests) < 10, "small manifests were merged"
    assert sum(m.existing_files_count for m in manifests) > 0
