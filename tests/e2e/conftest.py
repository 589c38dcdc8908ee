"""Shared fixtures for the end-to-end tests: paths of the repo, the built binary and the venv."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
# CLICKSTREAM_BINARY lets a second build tree (build-asan, a developer's own) run the same suite.
BINARY = pathlib.Path(os.environ.get("CLICKSTREAM_BINARY", ROOT / "build" / "clickstream"))


def run_cli(*args, env=None, timeout=120, check=False, **kwargs):
    """Runs build/clickstream with args; returns the CompletedProcess (text mode)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [str(BINARY), *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=check,
        **kwargs,
    )


@pytest.fixture(scope="session")
def clickstream():
    """The built binary; the suite is meant to run after ./scripts/setup."""
    assert BINARY.exists(), f"{BINARY} is missing: run ./scripts/setup first"
    return run_cli


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory):
    """A private Kafka broker for the whole session on free ports (kafka_broker.Broker):
    .bootstrap, .env, .stop(), .start() (same ports and data), .unique_topic(prefix)."""
    from kafka_broker import Broker

    with Broker(tmp_path_factory.mktemp("kafka")) as broker:
        yield broker


@pytest.fixture(scope="session")
def lakehouse_services(tmp_path_factory):
    """Private lakehouse services for the session (lakehouse_services.Lakehouse): Iceberg's REST
    catalog server placing tables in a local directory, and an S3 server; .catalog_uri, .warehouse,
    .env (CLICKSTREAM_*, AWS_*), .pyiceberg_catalog()."""
    from lakehouse_services import Lakehouse

    with Lakehouse(tmp_path_factory.mktemp("lakehouse"), storage="local") as services:
        yield services


@pytest.fixture(scope="session")
def lakehouse_s3(tmp_path_factory):
    """Private lakehouse services whose catalog places new tables on the S3 server
    (s3://clickstream/warehouse): the multi-machine setup, where no table file is local."""
    from lakehouse_services import Lakehouse

    with Lakehouse(tmp_path_factory.mktemp("lakehouse-s3"), storage="s3") as services:
        yield services


@pytest.fixture(scope="session")
def spark():
    """Spark with the Iceberg runtime on our SQLite catalogs (spark_reader.SparkReader):
    .read_table(catalog_db, warehouse, "website.clicks") and .sql(catalog_db, warehouse, query)
    return pyarrow Tables; .session(catalog_db, warehouse) is the SparkSession itself."""
    from spark_reader import SparkReader

    # The JVM's AWS SDK (Iceberg's S3FileIO) reads these at start: S3Proxy implements neither the
    # default request checksums nor the response-checksum mode header (docs/rest-catalog.md).
    os.environ.setdefault("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
    os.environ.setdefault("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required")
    reader = SparkReader()
    yield reader
    reader.stop()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: long end-to-end runs (Spark, Flink, 50k-event pipelines); CI runs them"
    )
