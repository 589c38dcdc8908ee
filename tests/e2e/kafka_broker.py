"""A private Kafka broker for end-to-end tests, started and stopped through scripts/kafka.

Each Broker has its own free ports and data directory, so tests (and engineers' own brokers on
9092) run side by side. The session fixture `kafka_broker` in conftest.py yields one.
"""

import itertools
import os
import pathlib
import socket
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "kafka"


def _ephemeral_low():
    """The lowest port the kernel hands out to outgoing connections (32768 on Linux by default)."""
    try:
        return int(pathlib.Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _port_block():
    """This process's own block of candidate ports: below the ephemeral range, one block per
    pytest-xdist worker (gw0, gw1, ...) so that two workers never pick the same port."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    size = 1000
    low = max(_ephemeral_low() - size * 8, 1024)
    start = low + size * (index % 8)
    return itertools.cycle(range(start, start + size))


_CANDIDATES = _port_block()


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now.

    A port from the kernel (bind to 0) lies in the ephemeral range, where another test's outgoing
    connection can take it before our server binds it (seen in CI with two workers: "Address
    already in use" from the broker). So ports come from this worker's block below that range.
    """
    for _ in range(1000):
        port = next(_CANDIDATES)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free TCP port left in this test worker's block")


class Broker:
    """A single-node KRaft broker on 127.0.0.1 with its data under `data_dir`.

    stop() and start() keep the ports and the data, so a test can restart the broker and find its
    topics and offsets again.
    """

    def __init__(self, data_dir, port=None, controller_port=None):
        self.data_dir = pathlib.Path(data_dir)
        self.port = port or free_port()
        self.controller_port = controller_port or free_port()
        while self.controller_port == self.port:
            self.controller_port = free_port()
        self._topic_ids = itertools.count(1)

    @property
    def bootstrap(self):
        """The bootstrap servers string for clients: "127.0.0.1:PORT"."""
        return f"127.0.0.1:{self.port}"

    @property
    def env(self):
        """Environment for scripts/kafka and for `clickstream` (CLICKSTREAM_BROKERS)."""
        return {
            "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "KAFKA_DATA_DIR": str(self.data_dir),
            "CLICKSTREAM_BROKERS": self.bootstrap,
        }

    def _script(self, action, timeout):
        env = dict(os.environ)
        env.update(self.env)
        return subprocess.run(
            [str(SCRIPT), action], capture_output=True, text=True, env=env, timeout=timeout
        )

    def start(self):
        """Starts the broker (a no-op when it runs); returns once it answers metadata requests."""
        proc = self._script("start", timeout=180)
        if proc.returncode != 0:
            raise RuntimeError(f"scripts/kafka start failed: {proc.stderr.strip()}")
        return proc.stdout.strip()

    def stop(self):
        """Stops the broker cleanly (a no-op when it is not running)."""
        proc = self._script("stop", timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"scripts/kafka stop failed: {proc.stderr.strip()}")
        return proc.stdout.strip()

    def is_running(self):
        """True when the broker process is up and answers metadata requests."""
        return self._script("status", timeout=60).returncode == 0

    def unique_topic(self, prefix="topic"):
        """A topic name not used before on this broker, so tests sharing it do not collide."""
        return f"{prefix}_{os.getpid()}_{next(self._topic_ids)}"

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
