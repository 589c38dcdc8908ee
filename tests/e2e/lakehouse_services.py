"""Private lakehouse services for end-to-end tests, started and stopped through scripts/lakehouse.

Each Lakehouse has its own free ports and data directory (the REST catalog's SQLite file, the S3
server's objects, logs), so tests and an engineer's own services run side by side.
"""

import os
import pathlib
import subprocess

from kafka_broker import free_port

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "lakehouse"


class Lakehouse:
    """Iceberg's REST catalog reference server and S3Proxy on 127.0.0.1.

    storage="local": the catalog places new tables under a local directory (clients that only do
    local files); "s3": under s3://clickstream/warehouse on the S3 server.
    """

    def __init__(self, data_dir, storage="local"):
        self.data_dir = pathlib.Path(data_dir)
        self.storage = storage
        self.rest_port = free_port()
        self.s3_port = free_port()
        while self.s3_port == self.rest_port:
            self.s3_port = free_port()

    @property
    def script_env(self):
        return {
            "LAKEHOUSE_DATA_DIR": str(self.data_dir),
            "LAKEHOUSE_REST_PORT": str(self.rest_port),
            "LAKEHOUSE_S3_PORT": str(self.s3_port),
            "LAKEHOUSE_STORAGE": self.storage,
        }

    def _script(self, action, timeout):
        env = dict(os.environ)
        env.update(self.script_env)
        return subprocess.run(
            [str(SCRIPT), action], capture_output=True, text=True, env=env, timeout=timeout
        )

    @property
    def env(self):
        """What `scripts/lakehouse env` exports: CLICKSTREAM_CATALOG, CLICKSTREAM_WAREHOUSE, AWS_*."""
        proc = self._script("env", timeout=30)
        if proc.returncode != 0:
            raise RuntimeError(f"scripts/lakehouse env failed: {proc.stderr.strip()}")
        env = {}
        for line in proc.stdout.splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value
        return env

    @property
    def catalog_uri(self):
        return f"http://127.0.0.1:{self.rest_port}"

    @property
    def warehouse(self):
        return self.env["CLICKSTREAM_WAREHOUSE"]

    def pyiceberg_catalog(self, **properties):
        """pyiceberg's RestCatalog on this server (S3 settings included)."""
        from pyiceberg.catalog.rest import RestCatalog

        env = self.env
        props = {
            "uri": self.catalog_uri,
            "s3.endpoint": env["AWS_ENDPOINT_URL"],
            "s3.path-style-access": "true",
            "s3.access-key-id": env["AWS_ACCESS_KEY_ID"],
            "s3.secret-access-key": env["AWS_SECRET_ACCESS_KEY"],
            "s3.region": env["AWS_REGION"],
        }
        props.update(properties)
        return RestCatalog("catalog", **props)

    def start(self):
        """Starts both servers (a no-op for a running one); returns once both answer."""
        proc = self._script("start", timeout=300)
        if proc.returncode != 0:
            raise RuntimeError(f"scripts/lakehouse start failed: {proc.stderr.strip()}")
        return proc.stdout.strip()

    def stop(self):
        proc = self._script("stop", timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"scripts/lakehouse stop failed: {proc.stderr.strip()}")
        return proc.stdout.strip()

    def is_running(self):
        return self._script("status", timeout=60).returncode == 0

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
