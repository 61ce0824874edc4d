"""GET /emulator/v1/stats and POST /emulator/v1/reset: exact counts."""
import json

from dbfs_http import b64, http_request, raw_exchange


def test_counts_requests_statuses_and_body_bytes_exactly(emulator):
    emulator.reset_stats()
    put_body = json.dumps({"path": "/f", "contents": b64(b"hello")}).encode()
    assert emulator.request("POST", "/api/2.0/dbfs/put", put_body)[0] == 200
    _, _, read_answer = emulator.request("GET", "/api/2.0/dbfs/read?path=/f")
    _, _, missing_answer = emulator.request("GET", "/api/2.0/dbfs/get-status?path=/missing")
    emulator.request("GET", "/api/2.0/dbfs/get-status?path=/", headers={"Authorization": "x"})
    assert emulator.stats() == {
        "requests": {"put": 1, "read": 1, "get-status": 2},
        "statuses": {"200": 2, "404": 1, "401": 1},
        "bytes_in": len(put_body),
        "bytes_out": 2 + len(read_answer) + len(missing_answer) + len(
            b'{"error_code":401,"message":"Credential was not sent or was of an unsupported '
            b'type for this API."}'),
    }
    emulator.reset_stats()
    assert emulator.stats() == {"requests": {}, "statuses": {}, "bytes_in": 0, "bytes_out": 0}


def test_faulted_and_dropped_requests_are_counted(make_emulator):
    emu = make_emulator("--fault", "mkdirs:first=1:reset", "--fault", "mkdirs:first=2:status=503")
    request = http_request(emu, "POST", "/api/2.0/dbfs/mkdirs", b'{"path": "/d"}')
    assert raw_exchange(emu, request) == b""
    assert emu.call("mkdirs", params={"path": "/d"})[0] == 503
    assert emu.call("mkdirs", params={"path": "/d"})[0] == 200
    stats = emu.stats()
    assert stats["requests"] == {"mkdirs": 3}
    assert stats["statuses"] == {"reset": 1, "503": 1, "200": 1}


def test_control_endpoints_are_not_counted(emulator):
    emulator.stats()
    emulator.set_faults([])
    emulator.reset_stats()
    emulator.stats()
    assert emulator.stats()["requests"] == {}
