"""put (JSON and multipart), create / add-block / close, and handles."""
import os
import uuid

from dbfs_http import MIB, b64, unb64


def get_status(emu, path):
    return emu.call("get-status", params={"path": path})


def read_all(emu, path):
    data = b""
    while True:
        status, body = emu.call("read", params={"path": path, "offset": len(data), "length": MIB})
        assert status == 200, body
        if body["bytes_read"] == 0:
            return data
        data += unb64(body["data"])


def multipart(fields: dict, file_field: str, data: bytes):
    boundary = "----emulator" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
                 f'filename="blob"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                 + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def test_put_json_writes_the_file_and_creates_parents(emulator):
    data = os.urandom(1000)
    assert emulator.call("put", params={"path": "/a/b/c", "contents": b64(data)}) == (200, {})
    assert read_all(emulator, "/a/b/c") == data
    assert get_status(emulator, "/a/b")[1]["is_dir"] is True
    assert (emulator.root / "a" / "b" / "c").read_bytes() == data


def test_put_contents_up_to_one_mib(emulator):
    assert emulator.call("put", params={"path": "/max", "contents": b64(b"m" * MIB)})[0] == 200
    status, body = emulator.call("put", params={"path": "/over", "contents": b64(b"m" * (MIB + 1))})
    assert status == 400 and body["error_code"] == "MAX_BLOCK_SIZE_EXCEEDED"
    assert get_status(emulator, "/over")[0] == 404


def test_put_without_overwrite_refuses_an_existing_file(emulator):
    emulator.call("put", params={"path": "/f", "contents": b64(b"one")})
    status, body = emulator.call("put", params={"path": "/f", "contents": b64(b"two")})
    assert status == 400 and body["error_code"] == "RESOURCE_ALREADY_EXISTS"
    assert read_all(emulator, "/f") == b"one"
    assert emulator.call("put", params={"path": "/f", "contents": b64(b"two"),
                                        "overwrite": True})[0] == 200
    assert read_all(emulator, "/f") == b"two"


def test_put_onto_a_directory_or_through_a_file_is_already_exists(emulator):
    emulator.call("mkdirs", params={"path": "/d"})
    emulator.call("put", params={"path": "/f", "contents": ""})
    for path in ("/d", "/f/child"):
        status, body = emulator.call("put", params={"path": path, "contents": "",
                                                    "overwrite": True})
        assert status == 400 and body["error_code"] == "RESOURCE_ALREADY_EXISTS", path


def test_put_rejects_bad_base64(emulator):
    status, body = emulator.call("put", params={"path": "/f", "contents": "not base64!"})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"


def test_multipart_put_with_contents_part(emulator):
    data = os.urandom(3 * MIB + 7)  # multipart is not limited to one block
    body, headers = multipart({"path": "/mp/contents.bin", "overwrite": "false"}, "contents", data)
    status, _, answer = emulator.request("POST", "/api/2.0/dbfs/put", body, headers)
    assert (status, answer) == (200, b"{}")
    assert (emulator.root / "mp" / "contents.bin").read_bytes() == data


def test_multipart_put_with_legacy_file_part_and_fields_after_it(emulator):
    data = os.urandom(5000)
    emulator.call("put", params={"path": "/legacy", "contents": b64(b"old")})
    body, headers = multipart({}, "file", data)
    # The legacy CLI's field order varies: fields after the file part must work too.
    boundary = headers["Content-Type"].split("boundary=")[1]
    tail = (f'--{boundary}\r\nContent-Disposition: form-data; name="path"\r\n\r\n/legacy\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="overwrite"\r\n\r\nTrue\r\n'
            f"--{boundary}--\r\n").encode()
    body = body[: -len(f"--{boundary}--\r\n")] + tail
    status, _, answer = emulator.request("POST", "/api/2.0/dbfs/put", body, headers)
    assert (status, answer) == (200, b"{}")
    assert read_all(emulator, "/legacy") == data


def test_multipart_put_without_overwrite_refuses_an_existing_file(emulator):
    emulator.call("put", params={"path": "/x", "contents": b64(b"keep")})
    body, headers = multipart({"path": "/x"}, "contents", b"new")
    status, _, answer = emulator.request("POST", "/api/2.0/dbfs/put", body, headers)
    assert status == 400 and b"RESOURCE_ALREADY_EXISTS" in answer
    assert read_all(emulator, "/x") == b"keep"


def test_create_add_block_close_in_call_order(emulator):
    status, body = emulator.call("create", params={"path": "/up/load.bin"})
    assert status == 200 and set(body) == {"handle"}
    handle = body["handle"]
    assert isinstance(handle, int) and 0 < handle < 2**53
    blocks = [os.urandom(MIB), os.urandom(MIB), os.urandom(12345)]
    for block in blocks:
        assert emulator.call("add-block", params={"handle": handle, "data": b64(block)}) == (200, {})
    assert emulator.call("close", params={"handle": handle}) == (200, {})
    assert read_all(emulator, "/up/load.bin") == b"".join(blocks)


def test_handles_are_unique_large_and_not_sequential(emulator):
    handles = [emulator.call("create", params={"path": f"/h{i}"})[1]["handle"] for i in range(20)]
    assert len(set(handles)) == 20
    assert all(2**40 < h < 2**53 for h in handles)
    assert all(abs(b - a) > 1 for a, b in zip(handles, handles[1:]))


def test_add_block_over_one_mib_is_max_block_size_exceeded(emulator):
    handle = emulator.call("create", params={"path": "/f"})[1]["handle"]
    status, body = emulator.call("add-block", params={"handle": handle, "data": b64(b"x" * (MIB + 1))})
    assert status == 400 and body["error_code"] == "MAX_BLOCK_SIZE_EXCEEDED"


def test_create_refuses_existing_file_without_overwrite_and_directories_always(emulator):
    emulator.call("put", params={"path": "/f", "contents": b64(b"old")})
    emulator.call("mkdirs", params={"path": "/d"})
    status, body = emulator.call("create", params={"path": "/f"})
    assert status == 400 and body["error_code"] == "RESOURCE_ALREADY_EXISTS"
    for overwrite in (False, True):
        status, body = emulator.call("create", params={"path": "/d", "overwrite": overwrite})
        assert status == 400 and body["error_code"] == "RESOURCE_ALREADY_EXISTS"
    status, body = emulator.call("create", params={"path": "/f/under-a-file", "overwrite": True})
    assert status == 400 and body["error_code"] == "RESOURCE_ALREADY_EXISTS"


def test_create_with_overwrite_replaces_the_file(emulator):
    emulator.call("put", params={"path": "/f", "contents": b64(b"old contents")})
    handle = emulator.call("create", params={"path": "/f", "overwrite": True})[1]["handle"]
    emulator.call("add-block", params={"handle": handle, "data": b64(b"new")})
    emulator.call("close", params={"handle": handle})
    assert read_all(emulator, "/f") == b"new"


def test_unknown_and_closed_handles_are_not_found(emulator):
    for op, params in (("add-block", {"data": ""}), ("close", {})):
        status, body = emulator.call(op, params={"handle": 1234567890123, **params})
        assert status == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST", op
    handle = emulator.call("create", params={"path": "/f"})[1]["handle"]
    assert emulator.call("close", params={"handle": handle})[0] == 200
    for op, params in (("add-block", {"data": b64(b"late")}), ("close", {})):
        status, body = emulator.call(op, params={"handle": handle, **params})
        assert status == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST", op
    assert read_all(emulator, "/f") == b""


def test_handles_expire_after_the_idle_timeout(make_emulator):
    import time
    emu = make_emulator("--handle-timeout-s", "1")
    idle = emu.call("create", params={"path": "/idle"})[1]["handle"]
    busy = emu.call("create", params={"path": "/busy"})[1]["handle"]
    for _ in range(3):  # each call restarts the idle clock
        time.sleep(0.6)
        assert emu.call("add-block", params={"handle": busy, "data": b64(b"x")})[0] == 200
    for op, params in (("add-block", {"data": ""}), ("close", {})):
        status, body = emu.call(op, params={"handle": idle, **params})
        assert status == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST", op
    assert emu.call("close", params={"handle": busy})[0] == 200
    assert read_all(emu, "/busy") == b"xxx"
