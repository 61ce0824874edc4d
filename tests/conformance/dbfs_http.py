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



# -- the Files API 2.0 (docs/volumes-api.md) --------------------------------------------------

VOLUME = "/Volumes/main/default/vol"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


def make_volume(emu, volume: str = VOLUME) -> str:
    """Creates the volume's folder under the emulator's root (volumes are made in Databricks,
    never through the API) and returns its path."""
    (emu.root / volume.lstrip("/")).mkdir(parents=True, exist_ok=True)
    return volume


def fs_target(kind: str, path: str, **query) -> str:
    """/api/2.0/fs/{kind}{path} with every segment percent-encoded as the SDKs do ('/' kept as
    the separator); `kind` is "files" or "directories"."""
    encoded = "/".join(urllib.parse.quote(segment, safe="") for segment in path.split("/"))
    target = f"/api/2.0/fs/{kind}{encoded}"
    if query:
        target += "?" + urllib.parse.urlencode(query)
    return target


def fs_error(status: int, error_code: str, reason: str | None = None):
    """A predicate on (status, body bytes): the Files API error with that ErrorInfo reason (or
    none, when the contract names no reason)."""
    import json

    def matches(got_status: int, body: bytes) -> bool:
        answer = json.loads(body)
        details = [{"@type": ERROR_INFO, "reason": reason,
                    "domain": "filesystem.databricks.com"}] if reason else None
        return (got_status == status and answer["error_code"] == error_code
                and isinstance(answer["message"], str) and answer.get("details") == details)
    return matches
