"""No path leads outside --root: dot components, planted symlinks, odd encodings."""
import os

import pytest

from dbfs_http import b64, http_request, raw_exchange


@pytest.fixture
def outside(tmp_path):
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "secret.txt").write_bytes(b"top secret")
    return secret


def test_dot_dot_is_rejected_everywhere(emulator, outside):
    escape = "/../outside/secret.txt"
    for op, params in (("get-status", {"path": escape}), ("read", {"path": escape}),
                       ("list", {"path": "/../outside"}),
                       ("put", {"path": "/../outside/new", "contents": b64(b"x")}),
                       ("delete", {"path": "/../outside", "recursive": True}),
                       ("mkdirs", {"path": "/../outside/d"}),
                       ("move", {"source_path": "/../outside/secret.txt",
                                 "destination_path": "/stolen"})):
        status, body = emulator.call(op, params=params)
        assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE", op
    assert sorted(os.listdir(outside)) == ["secret.txt"]


def test_percent_encoded_dots_are_decoded_then_rejected(emulator, outside):
    for query in ("%2e%2e/outside/secret.txt", "%2E%2E%2Foutside%2Fsecret.txt"):
        answer = raw_exchange(emulator, http_request(
            emulator, "GET", f"/api/2.0/dbfs/read?path=%2F{query}"))
        assert answer.startswith(b"HTTP/1.1 400") and b"INVALID_PARAMETER_VALUE" in answer
    answer = raw_exchange(emulator, http_request(
        emulator, "GET", "/api/2.0/dbfs/../../etc/passwd?path=/"))
    assert not answer.startswith(b"HTTP/1.1 200")


def test_planted_symlinks_are_never_followed(emulator, outside):
    os.symlink(outside, emulator.root / "link_dir")
    os.symlink(outside / "secret.txt", emulator.root / "link_file")
    (emulator.root / "real").mkdir()
    os.symlink("../../outside", emulator.root / "real" / "relative_link")

    for path in ("/link_dir", "/link_file", "/link_dir/secret.txt", "/real/relative_link",
                 "/real/relative_link/secret.txt"):
        for op in ("get-status", "read", "list"):
            status, body = emulator.call(op, params={"path": path})
            assert status == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST", (op, path)
    assert emulator.call("list", params={"path": "/real"}) == (200, {})
    assert [f["path"] for f in emulator.call("list", params={"path": "/"})[1]["files"]] == ["/real"]

    # Writing through a link must not reach its target either.
    for op, params in (("put", {"path": "/link_dir/new", "contents": b64(b"x"), "overwrite": True}),
                       ("mkdirs", {"path": "/link_dir/newdir"}),
                       ("create", {"path": "/link_dir/h", "overwrite": True}),
                       ("move", {"source_path": "/real", "destination_path": "/link_dir/real"})):
        status, _ = emulator.call(op, params=params)
        assert status in (400, 404), op
    emulator.call("put", params={"path": "/link_file", "contents": b64(b"overwritten"),
                                 "overwrite": True})
    emulator.call("delete", params={"path": "/link_dir", "recursive": True})
    assert sorted(os.listdir(outside)) == ["secret.txt"]
    assert (outside / "secret.txt").read_bytes() == b"top secret"


def test_recursive_delete_removes_links_not_their_targets(emulator, outside):
    (emulator.root / "tree").mkdir()
    os.symlink(outside, emulator.root / "tree" / "escape")
    assert emulator.call("delete", params={"path": "/tree", "recursive": True}) == (200, {})
    assert not (emulator.root / "tree").exists()
    assert (outside / "secret.txt").read_bytes() == b"top secret"


def test_nul_bytes_and_overlong_names_are_invalid(emulator):
    status, body = emulator.call("mkdirs", params={"path": "/a\u0000b"})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    status, body = emulator.call("get-status", params={"path": "/" + "n" * 300})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
