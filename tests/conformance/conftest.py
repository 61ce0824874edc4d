"""Fixtures of the conformance tests; the HTTP helpers are in dbfs_http.py."""
import pytest

from dbfs_http import b64


@pytest.fixture
def put_file(emulator):
    """put_file(path, data): writes a file through put (JSON), asserting success."""
    def put(path: str, data: bytes, emu=None):
        status, body = (emu or emulator).call("put", params={"path": path, "contents": b64(data),
                                                             "overwrite": True})
        assert status == 200, body
    return put
