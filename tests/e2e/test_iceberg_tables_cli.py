"""`clickstream tables create|list|describe`: the contract tables, readable by pyiceberg."""

from pyiceberg.types import BinaryType, IntegerType, LongType, StringType, TimestamptzType

from iceberg_readers import open_catalog


def test_create_defaults_to_clicks_and_knows_every_contract_table(tmp_path, clickstream):
    env = {"CLICKSTREAM_CATALOG": str(tmp_path / "cat" / "catalog.db"), "CLICKSTREAM_WAREHOUSE": str(tmp_path / "wh")}
    created = clickstream("tables", "create", env=env)
    assert created.returncode == 0, created.stderr
    assert "created website.clicks" in created.stdout
    again = clickstream("tables", "create", env=env)
    assert again.returncode == 0 and "already exists" in again.stdout

    others = ["website.user_profiles", "website.clicks_enriched", "website.clicks_dlq"]
    assert clickstream("tables", "create", *others, env=env).returncode == 0
    listed = clickstream("tables", "list", env=env)
    assert listed.stdout.split() == sorted(["website.clicks", *others])

    catalog = open_catalog(tmp_path / "cat" / "catalog.db", tmp_path / "wh")
    clicks = catalog.load_table("website.clicks")
    assert [(f.field_id, f.name, type(f.field_type)) for f in clicks.schema().fields] == [
        (1, "user_id", StringType), (2, "page", StringType), (3, "click_timestamp", TimestamptzType)]
    assert [(f.source_id, f.field_id, f.name, str(f.transform)) for f in clicks.spec().fields] == [
        (2, 1000, "page", "identity")]
    assert clicks.format_version == 2
    assert clicks.location() == str(tmp_path / "wh" / "website" / "clicks")
    dlq = catalog.load_table("website.clicks_dlq")
    assert [type(f.field_type) for f in dlq.schema().fields] == [
        StringType, IntegerType, LongType, TimestamptzType, BinaryType, StringType]
    assert dlq.spec().is_unpartitioned()
    enriched = catalog.load_table("website.clicks_enriched")
    assert [f.name for f in enriched.schema().fields][-2:] == ["name", "location"]

    described = clickstream("tables", "describe", "website.clicks", env=env)
    assert described.returncode == 0, described.stderr
    assert "page = identity(source 2)" in described.stdout
    assert "click_timestamp  timestamptz" in described.stdout
    assert "current snapshot: none" in described.stdout


def test_unknown_or_missing_tables_fail_with_one_line(tmp_path, clickstream):
    env = {"CLICKSTREAM_CATALOG": str(tmp_path / "c.db"), "CLICKSTREAM_WAREHOUSE": str(tmp_path / "wh")}
    unknown = clickstream("tables", "create", "website.nope", env=env)
    assert unknown.returncode == 2 and len(unknown.stderr.strip().splitlines()) == 1
    assert clickstream("tables", "create", "website.clicks_dlq", env=env).returncode == 0
    missing = clickstream("tables", "describe", "website.clicks", env=env)
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == ["clickstream: table website.clicks does not exist"]
    assert clickstream("tables", "snapshots", env=env).returncode == 2
