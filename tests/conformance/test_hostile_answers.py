"""The fault effects of a hostile or broken server: short, long, trickle, oversize,
oversize-chunked, entries, hostile, echo-auth. Every answer is read over real HTTP; the big ones
are counted as they stream, never held whole."""
import base64
import contextlib
import http.client
import json
import os
import socket
import subprocess
import time
import urllib.parse

import pytest

from dbfs_http import MIB, b64, http_request, unb64
from emulator import emulator_binary

pytestmark = pytest.mark.timeout(60)


def connect(emu, timeout=30):
    parts = urllib.parse.urlsplit(emu.url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def get(emu, path, timeout=30):
    """A GET on a fresh connection: (connection, response) with only the headers read."""
    conn = connect(emu, timeout)
    conn.request("GET", path, headers={"Authorization": f"Bearer {emu.token}"})
    return conn, conn.getresponse()


def stream(response, filler, keep=64):
    """Reads the whole body in pieces: (size, its first and last `keep` bytes, how many of its
    bytes are `filler`)."""
    size, head, tail, fillers = 0, b"", b"", 0
    while piece := response.read(256 * 1024):
        size += len(piece)
        fillers += piece.count(filler)
        if len(head) < keep:
            head += piece[:keep - len(head)]
        tail = (tail + piece)[-keep:]
    return size, head, tail, fillers


def socket_fds(pid):
    fds = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            fds += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
        except OSError:
            pass  # closed meanwhile
    return fds


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def read_call(emu, path, offset, length):
    return emu.call("read", params={"path": path, "offset": offset, "length": length})


# -- short, long ---------------------------------------------------------------------------------

def test_short_read_answers_half_the_range(make_emulator):
    emu = make_emulator("--fault", "*:always:short")
    (emu.root / "f").write_bytes(b"0123456789a")
    status, body = read_call(emu, "/f", 0, 100)  # the range holds the 11 bytes of the file
    assert status == 200 and body["bytes_read"] == 5 and unb64(body["data"]) == b"01234"
    status, body = read_call(emu, "/f", 2, 4)
    assert status == 200 and body == {"bytes_read": 2, "data": b64(b"23")}
    status, body = read_call(emu, "/f", 10, 1)  # a 1-byte range answers nothing at all
    assert status == 200 and body["bytes_read"] == 0 and unb64(body["data"]) == b""
    # errors and other ops are as without the fault
    assert read_call(emu, "/missing", 0, 10)[1]["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert emu.call("get-status", params={"path": "/f"})[1]["file_size"] == 11
    assert emu.call("mkdirs", params={"path": "/d"})[0] == 200 and (emu.root / "d").is_dir()
    stats = emu.stats()
    assert stats["requests"] == {"read": 4, "get-status": 1, "mkdirs": 1}
    assert stats["statuses"] == {"200": 5, "404": 1}


def test_long_read_appends_bytes_counted_in_bytes_read(make_emulator):
    emu = make_emulator("--fault", "read:first=2:long=5")
    (emu.root / "f").write_bytes(b"hello")
    status, body = read_call(emu, "/f", 0, 1000)
    assert status == 200 and body["bytes_read"] == 10
    data = unb64(body["data"])
    assert len(data) == 10 and data.startswith(b"hello")
    status, body = read_call(emu, "/f", 1, 2)  # more than the 2 bytes asked for
    assert status == 200 and body["bytes_read"] == 7 and unb64(body["data"])[:2] == b"el"
    assert read_call(emu, "/f", 0, 1000)[1] == {"bytes_read": 5, "data": b64(b"hello")}
    assert emu.stats()["statuses"] == {"200": 3}


# -- trickle --------------------------------------------------------------------------------------

def test_trickle_sends_the_answer_slowly_but_steadily(make_emulator):
    emu = make_emulator("--fault", "read:first=1:trickle=16")
    (emu.root / "f").write_bytes(b"t" * 27)  # a read answer of 63 bytes: about 4 s at 16 B/s
    start = time.monotonic()
    conn, response = get(emu, "/api/2.0/dbfs/read?path=/f&length=100")
    with contextlib.closing(conn):
        assert response.status == 200
        assert time.monotonic() - start < 2  # the headers come at once
        body, longest_gap, last = b"", 0.0, time.monotonic()
        while byte := response.read(1):
            now = time.monotonic()
            body, longest_gap, last = body + byte, max(longest_gap, now - last), now
    elapsed = time.monotonic() - start
    assert json.loads(body) == {"bytes_read": 27, "data": b64(b"t" * 27)}
    assert len(body) == 63 and 2 <= elapsed < 30
    assert longest_gap < 1.5  # it never stalls for long
    # only the first read trickles
    start = time.monotonic()
    assert read_call(emu, "/f", 0, 100)[0] == 200
    assert time.monotonic() - start < 1.5
    stats = emu.stats()
    assert stats["statuses"] == {"200": 2} and stats["bytes_out"] == 2 * 63


def test_trickle_applies_to_error_answers_and_any_op(make_emulator):
    emu = make_emulator("--fault", "*:always:trickle=64")
    start = time.monotonic()
    status, body = emu.call("get-status", params={"path": "/missing"})
    assert status == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert time.monotonic() - start >= 0.5  # about 90 bytes at 64 B/s
    assert emu.call("mkdirs", params={"path": "/made"})[0] == 200
    assert (emu.root / "made").is_dir()


def open_trickle(emu, path):
    """A raw connection reading a trickled answer: the socket, once the first body bytes came."""
    parts = urllib.parse.urlsplit(emu.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    sock.sendall(http_request(emu, "GET", path, close=False))
    received = b""
    while b"\r\n\r\n" not in received or received.endswith(b"\r\n\r\n"):
        chunk = sock.recv(1024)
        assert chunk, received
        received += chunk
    assert received.startswith(b"HTTP/1.1 200")
    return sock


def test_trickle_ends_when_the_client_goes(make_emulator):
    emu = make_emulator("--fault", "read:always:trickle=16")
    (emu.root / "big").write_bytes(b"b" * 3000)  # 4 KB: over 4 minutes at 16 B/s
    pid = emu.process.pid
    emu.stats()
    assert wait_for(lambda: socket_fds(pid) == 1, 5)  # the listening socket alone
    sock = open_trickle(emu, "/api/2.0/dbfs/read?path=/big")
    assert socket_fds(pid) == 2
    sock.close()
    # The emulator notices at its next write or two and closes its end: its thread is free.
    assert wait_for(lambda: socket_fds(pid) == 1, 5), "the trickle outlived its client"
    start = time.monotonic()
    assert emu.call("get-status", params={"path": "/big"})[0] == 200
    assert time.monotonic() - start < 1.5
    assert emu.stats()["requests"] == {"read": 1, "get-status": 1}


def test_trickle_ends_when_the_emulator_stops(make_emulator):
    emu = make_emulator("--fault", "read:always:trickle=1")
    (emu.root / "big").write_bytes(b"b" * 3000)
    sock = open_trickle(emu, "/api/2.0/dbfs/read?path=/big")
    with sock:
        start = time.monotonic()
        assert emu.stop() == 0
        # Past 2 s the emulator would have given up waiting for its connections.
        assert time.monotonic() - start < 1.8
        sock.settimeout(5)
        try:
            while sock.recv(1024):
                pass
        except ConnectionResetError:
            pass


# -- oversize -------------------------------------------------------------------------------------

@pytest.mark.parametrize("chunked", [False, True])
def test_oversize_answers_a_huge_valid_json_without_applying(make_emulator, chunked):
    effect = "oversize-chunked=8" if chunked else "oversize=8"
    emu = make_emulator("--fault", f"*:always:{effect}")
    conn, response = get(emu, "/api/2.0/dbfs/get-status?path=/")
    with contextlib.closing(conn):
        assert response.status == 200 and response.getheader("Content-Type") == "application/json"
        if chunked:
            assert response.getheader("Transfer-Encoding") == "chunked"
            assert response.getheader("Content-Length") is None
        size, head, tail, fillers = stream(response, b"x")
    assert size == 8 * MIB + len(b'{"padding":""}') and fillers == 8 * MIB
    if not chunked:
        assert int(response.getheader("Content-Length")) == size
    assert head.startswith(b'{"padding":"xxx') and tail.endswith(b'xxx"}')
    # not applied
    assert emu.call("mkdirs", params={"path": "/no"}, raw=True)[0] == 200
    assert not (emu.root / "no").exists()
    stats = emu.stats()
    assert stats["statuses"] == {"200": 2} and stats["bytes_out"] == 2 * size


def test_oversize_read_is_base64_agreeing_with_bytes_read(make_emulator):
    emu = make_emulator("--fault", "read:always:oversize-chunked=8")
    (emu.root / "f").write_bytes(b"small")
    conn, response = get(emu, "/api/2.0/dbfs/read?path=/f&length=5")
    with contextlib.closing(conn):
        assert response.status == 200
        size, head, tail, fillers = stream(response, b"A")
    prefix = b'{"bytes_read":6291456,"data":"'  # 8 MiB of base64 hold 6 MiB
    assert head.startswith(prefix) and tail.endswith(b'AAAA"}')
    assert size == len(prefix) + 8 * MIB + 2 and fillers == 8 * MIB
    assert emu.stats()["bytes_out"] == size


# -- entries, hostile -----------------------------------------------------------------------------

def test_entries_lists_n_synthetic_files_instead(make_emulator):
    emu = make_emulator("--fault", "*:always:entries=5000")
    (emu.root / "d").mkdir()
    (emu.root / "d" / "real").write_bytes(b"r")
    conn, response = get(emu, "/api/2.0/dbfs/list?path=/d")
    with contextlib.closing(conn):
        assert response.status == 200
        body = response.read()
        assert int(response.getheader("Content-Length")) == len(body)
    files = json.loads(body)["files"]
    assert len(files) == 5000
    assert [f["path"] for f in files] == [f"/d/f{i:07d}" for i in range(1, 5001)]
    assert all(f["file_size"] == 1 and not f["is_dir"] for f in files)
    assert len({f["modification_time"] for f in files}) == 1
    # the root's names have no doubled '/'; a file, and other ops, are as without the fault
    status, root_body = emu.call("list", params={"path": "/"}, raw=True)
    assert json.loads(root_body)["files"][0]["path"] == "/f0000001"
    assert emu.call("list", params={"path": "/d/real"})[1]["files"][0]["path"] == "/d/real"
    assert emu.call("get-status", params={"path": "/d/real"})[1]["file_size"] == 1
    assert emu.call("list", params={"path": "/nope"})[0] == 404
    stats = emu.stats()
    assert stats["requests"]["list"] == 4
    assert stats["statuses"] == {"200": 4, "404": 1}
    assert stats["bytes_out"] > len(body) + len(root_body)  # the synthetic listings counted


def test_entries_zero_is_an_empty_directory(make_emulator):
    emu = make_emulator("--fault", "list:always:entries=0")
    (emu.root / "x").write_bytes(b"x")
    assert emu.call("list", params={"path": "/"}) == (200, {})


def test_hostile_entries_follow_the_real_listing(make_emulator):
    emu = make_emulator("--fault", "list:always:hostile")
    (emu.root / "d").mkdir()
    (emu.root / "d" / "one").write_bytes(b"1")
    status, raw = emu.call("list", params={"path": "/d"}, raw=True)
    assert status == 200 and b"nul\\u0000cut" in raw
    paths = [f["path"] for f in json.loads(raw)["files"]]
    assert paths == ["/d/one", "/d/a/b", "/d/..", "/d/.", "/etc/passwd", "/d/", "/d/nul\0cut",
                     "/d/one"]
    # an empty directory gets the hostile entries without a duplicate
    (emu.root / "empty").mkdir()
    paths = [f["path"] for f in emu.call("list", params={"path": "/empty"})[1]["files"]]
    assert paths == ["/empty/a/b", "/empty/..", "/empty/.", "/etc/passwd", "/empty/",
                     "/empty/nul\0cut"]
    assert emu.call("get-status", params={"path": "/d/one"})[1]["path"] == "/d/one"
    assert emu.stats()["statuses"] == {"200": 3}


# -- echo-auth ------------------------------------------------------------------------------------

def test_echo_auth_leaks_the_authorization_header_three_ways(make_emulator):
    token = "dapi/secret+token="
    emu = make_emulator("--fault", "mkdirs+get-status:always:echo-auth", token=token)
    status, body = emu.call("mkdirs", params={"path": "/leak"})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    header = f"Bearer {token}"
    message = body["message"]
    assert header in message
    assert base64.b64encode(header.encode()).decode() in message
    assert "Bearer%20dapi%2Fsecret%2Btoken%3D" in message
    assert not (emu.root / "leak").exists()  # not applied
    assert emu.call("list", params={"path": "/"})[0] == 200
    assert emu.stats()["statuses"] == {"400": 1, "200": 1}


def test_echo_auth_without_a_header(make_emulator):
    emu = make_emulator("--fault", "*:always:echo-auth", token=None)
    status, body = emu.call("get-status", params={"path": "/"})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"


# -- the rules ------------------------------------------------------------------------------------

def test_faults_endpoint_takes_the_new_effects(make_emulator):
    emu = make_emulator()
    emu.set_faults(["read:always:short", "read:always:long=1", "*:p=0.5:trickle=100",
                    "*:first=1:oversize=1", "*:first=1:oversize-chunked=1",
                    "list:always:entries=1000000", "list:always:hostile", "*:always:echo-auth"])
    for bad in (["read:always:long=0"], ["*:always:trickle=0"], ["*:always:oversize"],
                ["list:always:entries=-1"], ["list:always:hostile=1"]):
        status, _, body = emu.request("POST", "/emulator/v1/faults", json.dumps(bad).encode())
        assert status == 400 and json.loads(body)["error_code"] == "INVALID_PARAMETER_VALUE", bad


@pytest.mark.parametrize("spec", ["read:always:long", "*:always:trickle=0",
                                  "*:always:oversize=0", "list:always:entries=x",
                                  "*:always:echo-auth,code=X"])
def test_bad_hostile_spec_at_startup_exits_2(tmp_path, spec):
    result = subprocess.run([str(emulator_binary()), "--root", str(tmp_path), "--no-auth",
                             "--fault", spec], capture_output=True, text=True, timeout=10)
    assert result.returncode == 2
    assert "bad fault rule" in result.stderr and spec in result.stderr


def test_help_lists_the_new_effects():
    result = subprocess.run([str(emulator_binary()), "--help"], capture_output=True, text=True,
                            timeout=10)
    assert result.returncode == 0
    for effect in ("short", "long=N", "trickle=BPS", "oversize=MIB", "oversize-chunked=MIB",
                   "entries=N", "hostile", "echo-auth"):
        assert effect in result.stdout, effect
