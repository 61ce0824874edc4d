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


@pytest.fixture
def volume(emulator):
    """The path of a volume made in the default emulator's folder."""
    from dbfs_http import make_volume
    return make_volume(emulator)


@pytest.fixture
def fs(emulator):
    """fs(method, kind, path, body=None, headers=None, **query) -> (status, headers, body): one
    Files API request to the default emulator."""
    from dbfs_http import fs_target

    def request(method, kind, path, body=None, headers=None, emu=None, **query):
        return (emu or emulator).request(method, fs_target(kind, path, **query), body, headers)
    return request
