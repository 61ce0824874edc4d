"""The switches for what the contract marks [guess], and latency / rate limit."""
import time

from dbfs_http import b64


def test_visible_at_create_shows_a_growing_file(emulator):
    handle = emulator.call("create", params={"path": "/growing"})[1]["handle"]
    assert emulator.call("get-status", params={"path": "/growing"})[1]["file_size"] == 0
    emulator.call("add-block", params={"handle": handle, "data": b64(b"abc")})
    assert emulator.call("get-status", params={"path": "/growing"})[1]["file_size"] == 3
    emulator.call("close", params={"handle": handle})
    assert (emulator.root / "growing").read_bytes() == b"abc"


def test_visible_at_close_shows_nothing_until_close(make_emulator):
    emu = make_emulator("--visible-at", "close")
    emu.call("put", params={"path": "/old", "contents": b64(b"old")})
    handle = emu.call("create", params={"path": "/new/file"})[1]["handle"]
    replacing = emu.call("create", params={"path": "/old", "overwrite": True})[1]["handle"]
    for h in (handle, replacing):
        emu.call("add-block", params={"handle": h, "data": b64(b"new data")})
    assert emu.call("get-status", params={"path": "/new/file"})[0] == 404
    assert emu.call("get-status", params={"path": "/new"})[0] == 404
    assert (emu.root / "old").read_bytes() == b"old"
    assert sorted(p.name for p in emu.root.iterdir()) == [".dbfs-emulator-staging", "old"]
    for h in (handle, replacing):
        assert emu.call("close", params={"handle": h}) == (200, {})
    assert (emu.root / "new" / "file").read_bytes() == b"new data"
    assert (emu.root / "old").read_bytes() == b"new data"


def test_visible_at_close_still_refuses_existing_files_at_create(make_emulator):
    emu = make_emulator("--visible-at", "close")
    emu.call("put", params={"path": "/f", "contents": ""})
    status, body = emu.call("create", params={"path": "/f"})
    assert status == 400 and body["error_code"] == "RESOURCE_ALREADY_EXISTS"


def test_nonempty_delete_bad_request(make_emulator):
    emu = make_emulator("--nonempty-delete", "BAD_REQUEST")
    emu.call("put", params={"path": "/d/f", "contents": ""})
    status, body = emu.call("delete", params={"path": "/d"})
    assert status == 400 and body["error_code"] == "BAD_REQUEST"
    assert body["message"].startswith("Directory is not empty")


def test_partial_delete_continuation(make_emulator):
    emu = make_emulator("--partial-delete-after", "4")
    for i in range(10):
        emu.call("put", params={"path": f"/big/{i % 3}/f{i}", "contents": ""})
    expected = ("The requested operation has deleted 4 files. There are more files remaining. "
                "You must make another request to delete more.")
    answers = []
    for _ in range(5):
        answers.append(emu.call("delete", params={"path": "/big", "recursive": True}))
        if answers[-1][0] == 200:
            break
    assert answers == [(503, {"error_code": "PARTIAL_DELETE", "message": expected})] * 2 + [(200, {})]
    assert not (emu.root / "big").exists()


def test_list_limit_answers_like_a_timeout(make_emulator):
    emu = make_emulator("--list-limit", "3")
    for i in range(4):
        emu.call("put", params={"path": f"/many/f{i}", "contents": ""})
    status, body = emu.call("list", params={"path": "/many"})
    assert status == 504 and body["error_code"] == "TEMPORARILY_UNAVAILABLE"
    emu.call("delete", params={"path": "/many/f0"})
    assert len(emu.call("list", params={"path": "/many"})[1]["files"]) == 3


def test_latency_and_jitter(make_emulator):
    emu = make_emulator("--latency-ms", "100", "--jitter-ms", "50")
    times = []
    for _ in range(5):
        start = time.monotonic()
        assert emu.call("get-status", params={"path": "/"})[0] == 200
        times.append(time.monotonic() - start)
    assert min(times) >= 0.1 and max(times) < 1.0


def test_rate_limit(make_emulator):
    emu = make_emulator("--rate-limit", "5")
    answers = []
    for _ in range(12):
        status, headers, _ = emu.request("GET", "/api/2.0/dbfs/get-status?path=/")
        answers.append((status, headers.get("Retry-After")))
    assert answers.count((200, None)) in (5, 6)
    assert (429, "1") in answers and set(answers) == {(200, None), (429, "1")}
    time.sleep(1.1)
    assert emu.call("get-status", params={"path": "/"})[0] == 200
