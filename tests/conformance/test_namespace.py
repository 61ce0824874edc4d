"""get-status, list, mkdirs, move, delete, and the path rules."""
import os
import time

import pytest

from dbfs_http import b64


def status_of(emu, path):
    return emu.call("get-status", params={"path": path})


def listing(emu, path):
    status, body = emu.call("list", params={"path": path})
    assert status == 200, body
    return body


def test_file_info_has_all_four_fields_with_mtime_in_ms(emulator, put_file):
    put_file("/d/f", b"12345")
    status, info = status_of(emulator, "/d/f")
    assert status == 200
    assert set(info) == {"path", "is_dir", "file_size", "modification_time"}
    assert info["path"] == "/d/f" and info["is_dir"] is False and info["file_size"] == 5
    mtime_ms = os.stat(emulator.root / "d" / "f").st_mtime_ns // 1_000_000
    assert info["modification_time"] == mtime_ms
    assert abs(info["modification_time"] - time.time() * 1000) < 60_000
    dir_mtime_ms = os.stat(emulator.root / "d").st_mtime_ns // 1_000_000
    assert status_of(emulator, "/d")[1] == {"path": "/d", "is_dir": True, "file_size": 0,
                                            "modification_time": dir_mtime_ms}


def test_root_is_a_directory(emulator):
    status, info = status_of(emulator, "/")
    assert status == 200 and info["path"] == "/" and info["is_dir"] is True


def test_dbfs_prefix_and_trailing_slash(emulator, put_file):
    put_file("/d/f", b"x")
    assert status_of(emulator, "dbfs:/d/f")[1]["path"] == "/d/f"
    assert status_of(emulator, "/d/")[1]["path"] == "/d"
    assert listing(emulator, "dbfs:/d/")["files"][0]["path"] == "/d/f"


def test_missing_path_is_not_found(emulator):
    for op in ("get-status", "list"):
        status, body = emulator.call(op, params={"path": "/missing"})
        assert status == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST", op


def test_empty_directory_lists_as_empty_object(emulator):
    emulator.call("mkdirs", params={"path": "/empty"})
    assert listing(emulator, "/empty") == {}
    assert listing(emulator, "/") == {"files": [
        {"path": "/empty", "is_dir": True, "file_size": 0,
         "modification_time": status_of(emulator, "/empty")[1]["modification_time"]}]}


def test_list_is_sorted_and_lists_a_file_as_itself(emulator, put_file):
    for name in ("b", "a", "c"):
        put_file(f"/dir/{name}", name.encode() * 3)
    emulator.call("mkdirs", params={"path": "/dir/sub"})
    files = listing(emulator, "/dir")["files"]
    assert [f["path"] for f in files] == ["/dir/a", "/dir/b", "/dir/c", "/dir/sub"]
    assert [f["file_size"] for f in files] == [3, 3, 3, 0]
    assert listing(emulator, "/dir/a") == {"files": [status_of(emulator, "/dir/a")[1]]}


def test_names_are_arbitrary_utf8_through_query_strings(emulator, put_file):
    name = "/odd/sp ace %25 + & # ? é 日本 'q\""
    put_file(name, b"odd")
    assert status_of(emulator, name)[1]["path"] == name
    assert listing(emulator, "/odd")["files"][0]["path"] == name
    assert os.listdir(emulator.root / "odd") == [name.split("/")[-1]]


def test_dot_components_are_invalid(emulator):
    for path in ("/a/../b", "/./a", "/a/.", "relative", ""):
        status, body = status_of(emulator, path)
        assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE", path


def test_mkdirs_is_mkdir_p_and_accepts_existing_directories(emulator):
    assert emulator.call("mkdirs", params={"path": "/m/n/o"}) == (200, {})
    assert emulator.call("mkdirs", params={"path": "/m/n"}) == (200, {})
    assert emulator.call("mkdirs", params={"path": "/"}) == (200, {})
    assert (emulator.root / "m" / "n" / "o").is_dir()


def test_mkdirs_through_or_onto_a_file_is_already_exists(emulator, put_file):
    put_file("/m/file", b"x")
    for path in ("/m/file", "/m/file/below"):
        status, body = emulator.call("mkdirs", params={"path": path})
        assert status == 400 and body["error_code"] == "RESOURCE_ALREADY_EXISTS", path


def test_move_file_and_directory_trees(emulator, put_file):
    put_file("/src/a/f", b"tree")
    put_file("/single", b"one")
    assert emulator.call("move", params={"source_path": "/single",
                                         "destination_path": "/src/moved"}) == (200, {})
    assert emulator.call("move", params={"source_path": "/src",
                                         "destination_path": "/dst"}) == (200, {})
    assert status_of(emulator, "/src")[0] == 404
    assert (emulator.root / "dst" / "a" / "f").read_bytes() == b"tree"
    assert (emulator.root / "dst" / "moved").read_bytes() == b"one"


def test_move_errors(emulator, put_file):
    put_file("/a", b"a")
    put_file("/b", b"b")
    emulator.call("mkdirs", params={"path": "/dir"})
    cases = [
        ("/missing", "/x", 404, "RESOURCE_DOES_NOT_EXIST"),
        ("/a", "/b", 400, "RESOURCE_ALREADY_EXISTS"),       # no replace
        ("/a", "/dir", 400, "RESOURCE_ALREADY_EXISTS"),     # no "move into"
        ("/a", "/no/parent/a", 404, "RESOURCE_DOES_NOT_EXIST"),
        ("/dir", "/dir/inside", 400, "INVALID_PARAMETER_VALUE"),
    ]
    for source, destination, status, code in cases:
        got, body = emulator.call("move", params={"source_path": source,
                                                  "destination_path": destination})
        assert (got, body["error_code"]) == (status, code), (source, destination)
    assert (emulator.root / "a").read_bytes() == b"a"


def test_delete_missing_path_succeeds(emulator):
    assert emulator.call("delete", params={"path": "/never/was"}) == (200, {})


def test_delete_file_and_empty_directory_without_recursive(emulator, put_file):
    put_file("/f", b"x")
    emulator.call("mkdirs", params={"path": "/empty"})
    assert emulator.call("delete", params={"path": "/f"}) == (200, {})
    assert emulator.call("delete", params={"path": "/empty"}) == (200, {})
    assert listing(emulator, "/") == {}


def test_delete_non_empty_directory_needs_recursive(emulator, put_file):
    put_file("/d/e/f", b"x")
    status, body = emulator.call("delete", params={"path": "/d"})
    assert status == 400 and body["error_code"] == "IO_ERROR"
    assert emulator.call("delete", params={"path": "/d", "recursive": True}) == (200, {})
    assert not (emulator.root / "d").exists()


def test_root_cannot_be_deleted(emulator, put_file):
    put_file("/keep", b"x")
    status, body = emulator.call("delete", params={"path": "/", "recursive": True})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert (emulator.root / "keep").exists()


@pytest.mark.parametrize("op,method", [("list", "POST"), ("put", "GET"), ("nope", "GET")])
def test_unknown_endpoint_or_wrong_method_is_endpoint_not_found(emulator, op, method):
    status, body = emulator.call(op, method=method, params={"path": "/"})
    assert status == 404 and body["error_code"] == "ENDPOINT_NOT_FOUND"


def test_staging_area_is_not_part_of_dbfs(emulator):
    names = [f["path"] for f in listing(emulator, "/").get("files", [])]
    assert names == []
    status, body = status_of(emulator, "/.dbfs-emulator-staging")
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    status, body = emulator.call("put", params={"path": "/.dbfs-emulator-staging/x",
                                                "contents": b64(b"x")})
    assert status == 400
