"""Restart, concurrency, big streamed uploads, the command line."""
import concurrent.futures
import os
import signal
import subprocess
import uuid

import pytest

from dbfs_http import MIB, b64, unb64
from emulator import emulator_binary, start_emulator


def test_data_survives_a_restart(emulator):
    data = os.urandom(2 * MIB + 1)
    handle = emulator.call("create", params={"path": "/keep/big"})[1]["handle"]
    for at in range(0, len(data), MIB):
        emulator.call("add-block", params={"handle": handle, "data": b64(data[at:at + MIB])})
    emulator.call("close", params={"handle": handle})
    emulator.call("put", params={"path": "/keep/small", "contents": b64(b"small")})
    before = emulator.call("list", params={"path": "/keep"})[1]
    emulator.restart()
    assert emulator.call("list", params={"path": "/keep"})[1] == before
    got = b""
    while len(got) < len(data):
        got += unb64(emulator.call("read", params={"path": "/keep/big", "offset": len(got),
                                                    "length": MIB})[1]["data"])
    assert got == data
    assert emulator.stats()["requests"] == {"list": 1, "read": 3}


def test_many_parallel_requests(emulator):
    def worker(i):
        data = os.urandom(1000 + i)
        path = f"/par/{i % 7}/f{i}"
        assert emulator.call("put", params={"path": path, "contents": b64(data)})[0] == 200
        handle = emulator.call("create", params={"path": path + ".s"})[1]["handle"]
        for _ in range(3):
            assert emulator.call("add-block", params={"handle": handle, "data": b64(data)})[0] == 200
        assert emulator.call("close", params={"handle": handle})[0] == 200
        status, body = emulator.call("read", params={"path": path + ".s", "length": 10 ** 6})
        assert status == 200 and unb64(body["data"]) == data * 3
        return i

    with concurrent.futures.ThreadPoolExecutor(64) as pool:
        assert sorted(pool.map(worker, range(200))) == list(range(200))
    stats = emulator.stats()
    assert stats["requests"] == {"put": 200, "create": 200, "add-block": 600, "close": 200,
                                 "read": 200}
    assert stats["statuses"] == {"200": 1400}
    assert sum(len(emulator.call("list", params={"path": f"/par/{d}"})[1]["files"])
               for d in range(7)) == 400


def vm_hwm_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_big_multipart_upload_streams_to_disk(emulator):
    size = 300 * MIB
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="path"\r\n\r\n/huge.bin\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="contents"; filename="h"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    chunk = os.urandom(MIB)

    def body():
        yield head
        for _ in range(size // MIB):
            yield chunk
        yield tail

    import http.client
    import urllib.parse
    parts = urllib.parse.urlsplit(emulator.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.request("POST", "/api/2.0/dbfs/put", body=body(), headers={
        "Authorization": f"Bearer {emulator.token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(len(head) + size + len(tail))})
    answer = conn.getresponse()
    assert (answer.status, answer.read()) == (200, b"{}")
    conn.close()
    assert (emulator.root / "huge.bin").stat().st_size == size
    with open(emulator.root / "huge.bin", "rb") as f:
        f.seek(size - MIB)
        assert f.read() == chunk
    assert vm_hwm_kib(emulator.process.pid) < 100 * 1024  # far below the 300 MiB uploaded


def run_cli(*args, timeout=10):
    return subprocess.run([str(emulator_binary()), *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("args,message", [
    ((), "--root"),
    (("--root", "/tmp/x"), "--token"),
    (("--root", "/tmp/x", "--no-auth", "--port", "70000"), "--port"),
    (("--root", "/tmp/x", "--no-auth", "--visible-at", "later"), "--visible-at"),
    (("--root", "/tmp/x", "--no-auth", "--nonempty-delete", "EIO"), "--nonempty-delete"),
    (("--root", "/tmp/x", "--no-auth", "--latency-ms", "-1"), "--latency-ms"),
    (("--root", "/tmp/x", "--no-auth", "--cert", "c.pem"), "--key"),
    (("--root", "/tmp/x", "--no-auth", "--frobnicate", "1"), "--frobnicate"),
    (("--root", "/tmp/x", "--no-auth", "--token", "t"), "--no-auth"),
    (("--root", "/tmp/x", "--no-auth", "--log-level", "loud"), "--log-level"),
])
def test_bad_options_exit_2_with_a_message(args, message):
    result = run_cli(*args)
    assert result.returncode == 2, result
    assert message in result.stderr and result.stdout == ""


def test_help_documents_options_and_fault_language():
    result = run_cli("--help")
    assert result.returncode == 0
    for text in ("--partial-delete-after", "--oauth-client", "OPS:TRIGGER:EFFECT", "lost",
                 "retry-after"):
        assert text in result.stdout


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_prints_one_line_and_exits_0_on_signal(tmp_path, sig):
    emu = start_emulator(tmp_path / "root")
    try:
        assert emu.url.startswith("http://127.0.0.1:")
        assert emu.call("get-status", params={"path": "/"})[0] == 200  # a keep-alive connection
        emu.process.send_signal(sig)
        assert emu.process.wait(5) == 0
        assert emu.process.stdout.read() == ""  # nothing after the listening line
    finally:
        emu.stop()


def test_token_from_the_environment_stays_out_of_argv(tmp_path):
    with start_emulator(tmp_path / "root", token="env-secret") as emu:
        assert "env-secret" not in open(f"/proc/{emu.process.pid}/cmdline").read()
        assert emu.call("get-status", params={"path": "/"})[0] == 200


def test_fixed_port_in_use_fails_cleanly(emulator, tmp_path):
    port = emulator.url.rsplit(":", 1)[1]
    result = run_cli("--root", str(tmp_path / "other"), "--no-auth", "--port", port)
    assert result.returncode == 1 and "cannot listen" in result.stderr
