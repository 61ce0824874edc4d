"""Helpers for the conformance suite: the DBFS contract (docs/dbfs-api.md) over real HTTP."""
import base64
import socket
import urllib.parse


MIB = 1 << 20


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


def raw_exchange(emu, request: bytes, timeout: float = 10) -> bytes:
    """Sends raw bytes on a fresh connection and returns everything received until the server
    closes or resets it (b"" when it answered nothing at all)."""
    parts = urllib.parse.urlsplit(emu.url)
    received = b""
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(request)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    return received


def http_request(emu, method: str, path: str, body: bytes = b"", headers: dict | None = None,
                 close: bool = True) -> bytes:
    """A hand-built HTTP/1.1 request with the emulator's token."""
    lines = [f"{method} {path} HTTP/1.1", "Host: emulator"]
    if emu.token:
        lines.append(f"Authorization: Bearer {emu.token}")
    for key, value in (headers or {}).items():
        lines.append(f"{key}: {value}")
    lines.append(f"Content-Length: {len(body)}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


