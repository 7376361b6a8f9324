"""A real local Ray cluster for the sweep tests: a head node with 2 CPUs started from this venv by the tests.

The head runs as ``ray start --head --block`` in its own process group with its own temp folder, so stopping it
(signals to the group: GCS, raylet and workers are all in it) ends exactly its processes and never another
cluster on the machine.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("", 0))
        return s.getsockname()[1]


def _stop(head: subprocess.Popen) -> None:
    """End the head's process group: SIGTERM, then SIGKILL (Ray's own graceful stop takes ~30 s)."""
    try:
        os.killpg(head.pid, signal.SIGTERM)
        time.sleep(2)
        os.killpg(head.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    head.wait(30)


@pytest.fixture(scope="session")
def ray_head():
    """Addresses (``<ip>:<port>``, ``ray://<ip>:<client port>``) of a fresh 2-CPU Ray head (the Ray
    tests are skipped where Ray is not installed)."""
    pytest.importorskip("ray")
    from ray.util import get_node_ip_address

    host = get_node_ip_address()  # where the head listens; Ray resolves 127.0.0.1 to it as well
    ray_cli = Path(sys.executable).with_name("ray")
    port, client_port = _free_port(), _free_port()
    temp = tempfile.mkdtemp(prefix="rayt", dir="/tmp")  # short: Ray's socket paths must stay < 108 chars
    # no token authentication: the tests connect by explicit address, for which Ray never sends a token
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0", RAY_AUTH_MODE="disabled")
    head = subprocess.Popen(
        [str(ray_cli), "start", "--head", "--block", "--num-cpus", "2", "--port", str(port),
         "--ray-client-server-port", str(client_port),
         "--object-store-memory", "200000000", "--include-dashboard=false",
         "--disable-usage-stats", "--temp-dir", temp],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    address = f"{host}:{port}"
    try:
        deadline = time.time() + 90
        while True:
            with socket.socket() as s:
                if s.connect_ex((host, port)) == 0:
                    break
            if head.poll() is not None or time.time() > deadline:
                pytest.fail(f"the Ray head did not start (exit {head.poll()})")
            time.sleep(0.5)
        yield address, f"ray://{host}:{client_port}"
    finally:
        import ray

        if ray.is_initialized():
            ray.shutdown()
        _stop(head)
        shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture
def ray_address(ray_head):
    return ray_head[0]


@pytest.fixture
def ray_client_address(ray_head):
    return ray_head[1]
