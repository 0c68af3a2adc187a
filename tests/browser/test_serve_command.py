"""`briefgen serve` as a command: where it listens, and what it says when it cannot."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

import pytest
from conftest import run_cli

from browser.conftest import LiveServer


def test_it_listens_on_127_0_0_1_only(live: LiveServer):
    port = int(live.url.rstrip("/").rsplit(":", 1)[1])
    with urllib.request.urlopen(live.url, timeout=10) as response:
        assert response.status == 200
    with pytest.raises(ConnectionRefusedError):   # another loopback address: not bound there
        socket.create_connection(("127.0.0.2", port), timeout=10)


def test_a_port_in_use_is_a_usage_error(project: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--root", project, "--port", port)
    assert result.code == 2
    assert result.err == (f"error: port {port} on 127.0.0.1 is in use; pick another with --port N "
                          "(--port 0 picks a free one)\n")


def test_a_bad_port_is_a_usage_error(project: Path):
    result = run_cli("serve", "--root", project, "--port", "http")
    assert result.code == 2
    assert "expected a port number from 0 to 65535, got 'http'" in result.err
