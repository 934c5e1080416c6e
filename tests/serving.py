"""Real uvicorn servers for tests that need HTTP on a socket, not a TestClient: in a thread of
this process (`serving`), or in a process of its own with its own settings (`serving_apart`)."""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

_START_SECONDS = 60


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serving(app: FastAPI, *, lifespan: str = "auto") -> Iterator[str]:
    """Yields the base URL of uvicorn serving the app on a free port of 127.0.0.1."""
    sock = _free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan=lifespan))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + _START_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the uvicorn server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@contextmanager
def serving_apart(environment: dict[str, str]) -> Iterator[str]:
    """Yields the base URL of the application served by uvicorn in a process of its own, whose
    settings are this process's environment with `environment` over it: its database and
    settings never mix with those of the apps this process serves or calls."""
    sock = _free_socket()
    port = sock.getsockname()[1]
    sock.close()
    command = [sys.executable, "-m", "uvicorn", "onegrid.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--lifespan", "off"]
    command += ["--log-level", "warning"]
    process = subprocess.Popen(command, env={**os.environ, **environment})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + _START_SECONDS
    try:
        while True:
            try:
                httpx.get(url + "/login", timeout=5)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the uvicorn server did not start (exit {process.poll()})")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
