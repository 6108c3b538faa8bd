"""The app's server opens a session only for the names it is served under: a hostile site whose name points at
127.0.0.1 (DNS rebinding) sends its own name in the Host header, and gets no websocket, the channel every page runs
on (`server.allowedHosts` in .streamlit/config.toml)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from tests.browser import streamlit_server
from tests.conftest import ROOT


def upgrade_status(url: str, host: str) -> int:
    """The HTTP status of a websocket handshake on the app's stream, sent with `host` as the Host header."""
    parts = urlsplit(url)
    request = (f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as conn:
        conn.sendall(request.encode())
        status_line = conn.recv(4096).split(b"\r\n", 1)[0].decode()
    return int(status_line.split()[1])


@pytest.fixture(scope="module")
def server_url():
    with streamlit_server(ROOT / "app.py") as url:
        yield url


@pytest.mark.deep
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_app_s_own_names_open_a_session(server_url, host):
    """Deep tier: about 3 s, as it drives whole pages in AppTest, with their simulations."""
    assert upgrade_status(server_url, f"{host}:{urlsplit(server_url).port}") == 101


@pytest.mark.deep
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8501", "127.0.0.1.evil.example"])
def test_any_other_name_gets_no_session(server_url, host):
    """Deep tier: about 1 s, as it starts the app's server."""
    assert upgrade_status(server_url, host) != 101
