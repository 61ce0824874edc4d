"""The fault language: every effect and trigger, rule order, the faults endpoint."""
import json
import subprocess
import time

import pytest

from dbfs_http import b64, http_request, raw_exchange
from emulator import emulator_binary


def mkdirs_request(emu, path):
    return http_request(emu, "POST", "/api/2.0/dbfs/mkdirs", json.dumps({"path": path}).encode())


@pytest.mark.parametrize("spec,status,code,retry_after", [
    ("status=503", 503, "TEMPORARILY_UNAVAILABLE", None),
    ("status=429", 429, "REQUEST_LIMIT_EXCEEDED", None),
    ("status=429,retry-after=3", 429, "REQUEST_LIMIT_EXCEEDED", "3"),
    ("status=500", 500, "INTERNAL_ERROR", None),
    ("status=403", 403, "PERMISSION_DENIED", None),
    ("status=404", 404, "RESOURCE_DOES_NOT_EXIST", None),
    ("status=400", 400, "INVALID_PARAMETER_VALUE", None),
    ("status=400,code=IO_ERROR", 400, "IO_ERROR", None),
])
def test_status_effect_answers_the_error_and_does_not_apply(make_emulator, spec, status, code,
                                                             retry_after):
    emu = make_emulator("--fault", f"mkdirs:always:{spec}")
    got, headers, body = emu.request("POST", "/api/2.0/dbfs/mkdirs", b'{"path": "/x"}')
    assert got == status and json.loads(body)["error_code"] == code
    assert headers.get("Retry-After") == retry_after
    assert not (emu.root / "x").exists()


@pytest.mark.parametrize("status", [502, 504])
def test_gateway_statuses_have_an_empty_body(make_emulator, status):
    emu = make_emulator("--fault", f"*:always:status={status}")
    assert emu.call("list", params={"path": "/"}, raw=True) == (status, b"")


def test_html_and_text_bodies(make_emulator):
    emu = make_emulator("--fault", "list:first=1:html=502", "--fault", "list:first=2:text=429")
    status, headers, body = emu.request("GET", "/api/2.0/dbfs/list?path=/")
    assert status == 502 and headers["Content-Type"] == "text/html"
    assert body.startswith(b"<html>") and b"502 Bad Gateway" in body
    status, headers, body = emu.request("GET", "/api/2.0/dbfs/list?path=/")
    assert status == 429 and headers["Content-Type"] == "text/plain"
    assert not body.startswith(b"{")
    assert emu.call("list", params={"path": "/"}) == (200, {})


def test_reset_gives_no_answer_and_does_not_apply(make_emulator):
    emu = make_emulator("--fault", "mkdirs:always:reset")
    assert raw_exchange(emu, mkdirs_request(emu, "/reset")) == b""
    assert not (emu.root / "reset").exists()
    assert emu.stats()["statuses"] == {"reset": 1}


def test_lost_applies_then_gives_no_answer(make_emulator):
    emu = make_emulator("--fault", "mkdirs:always:lost")
    assert raw_exchange(emu, mkdirs_request(emu, "/lost")) == b""
    assert (emu.root / "lost").is_dir()


def test_lost_add_block_appends_the_block(make_emulator):
    emu = make_emulator("--fault", "add-block:first=1:lost")
    handle = emu.call("create", params={"path": "/f"})[1]["handle"]
    request = http_request(emu, "POST", "/api/2.0/dbfs/add-block",
                           json.dumps({"handle": handle, "data": b64(b"block")}).encode())
    assert raw_exchange(emu, request) == b""
    # The client's retry appends the same block again: the danger this fault exists to show.
    assert emu.call("add-block", params={"handle": handle, "data": b64(b"block")})[0] == 200
    assert emu.call("close", params={"handle": handle})[0] == 200
    assert (emu.root / "f").read_bytes() == b"blockblock"


def test_curl_sees_an_empty_reply_on_reset(make_emulator):
    emu = make_emulator("--fault", "get-status:always:reset")
    result = subprocess.run(["curl", "-sS", "-H", f"Authorization: Bearer {emu.token}",
                             emu.url + "/api/2.0/dbfs/get-status?path=/"],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode in (52, 56), result  # empty reply / connection reset
    assert result.stdout == ""


def test_delay_effect(make_emulator):
    emu = make_emulator("--fault", "get-status:always:delay=300")
    start = time.monotonic()
    assert emu.call("get-status", params={"path": "/"})[0] == 200
    assert time.monotonic() - start >= 0.3
    start = time.monotonic()
    assert emu.call("list", params={"path": "/"})[0] == 200
    assert time.monotonic() - start < 0.3


def statuses_of(emu, op, n):
    return [emu.call(op, params={"path": "/"})[0] for _ in range(n)]


def test_triggers_every_first_after(make_emulator):
    emu = make_emulator("--fault", "get-status:every=3:status=503",
                        "--fault", "list:first=2:status=500",
                        "--fault", "read:after=2:status=429")
    assert statuses_of(emu, "get-status", 7) == [200, 200, 503, 200, 200, 503, 200]
    assert statuses_of(emu, "list", 4) == [500, 500, 200, 200]
    # read of "/" is 400 (a directory) when the fault does not fire
    assert statuses_of(emu, "read", 4) == [400, 400, 429, 429]


def test_probability_trigger(make_emulator):
    emu = make_emulator("--fault", "get-status:p=0.5:status=503")
    got = statuses_of(emu, "get-status", 200)
    assert 40 < got.count(503) < 160 and got.count(200) == 200 - got.count(503)
    emu.set_faults(["get-status:p=1:status=503"])
    assert statuses_of(emu, "get-status", 5) == [503] * 5


def test_star_and_plus_select_ops(make_emulator):
    emu = make_emulator("--fault", "list+get-status:always:status=500")
    assert statuses_of(emu, "list", 1) + statuses_of(emu, "get-status", 1) == [500, 500]
    assert emu.call("mkdirs", params={"path": "/ok"})[0] == 200
    emu.set_faults(["*:always:status=503"])
    assert emu.call("mkdirs", params={"path": "/no"})[0] == 503


def test_first_matching_rule_decides_and_each_rule_counts_its_own_ops(make_emulator):
    emu = make_emulator("--fault", "get-status:first=1:status=500",
                        "--fault", "*:every=2:status=503")
    # request 1: rule 1 fires (rule 2 counts 1); 2: rule 2 fires (count 2); 3: none; 4: rule 2
    assert statuses_of(emu, "get-status", 4) == [500, 503, 200, 503]
    assert statuses_of(emu, "list", 2) == [200, 503]


def test_faults_endpoint_replaces_rules_and_rejects_bad_specs(make_emulator):
    emu = make_emulator("--fault", "*:always:status=500")
    emu.set_faults([])
    assert statuses_of(emu, "get-status", 2) == [200, 200]
    for bad in (["nope:always:reset"], ["*:sometimes:reset"], ["*:always:explode"], "not a list",
                [5], ["*:p=2:reset"]):
        status, _, body = emu.request("POST", "/emulator/v1/faults", json.dumps(bad).encode())
        assert status == 400 and json.loads(body)["error_code"] == "INVALID_PARAMETER_VALUE", bad
    assert statuses_of(emu, "get-status", 1) == [200]


def test_faults_apply_to_multipart_put_and_leave_the_connection_usable(make_emulator):
    emu = make_emulator("--fault", "put:first=1:status=503")
    boundary = "XyZ"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="path"\r\n\r\n/mp\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="contents"; filename="f"\r\n'
            f"\r\n" + "z" * 100000 + f"\r\n--{boundary}--\r\n").encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    assert emu.request("POST", "/api/2.0/dbfs/put", body, headers)[0] == 503
    assert not (emu.root / "mp").exists()
    assert emu.request("POST", "/api/2.0/dbfs/put", body, headers)[0] == 200
    assert (emu.root / "mp").read_bytes() == b"z" * 100000


@pytest.mark.parametrize("spec", ["list", "list:always", "bogus:always:reset", "list:every=0:reset",
                                  "list:always:status=99", "list:always:reset,code=X"])
def test_bad_fault_spec_at_startup_exits_2(tmp_path, spec):
    result = subprocess.run([str(emulator_binary()), "--root", str(tmp_path), "--no-auth",
                             "--fault", spec], capture_output=True, text=True, timeout=10)
    assert result.returncode == 2
    assert "bad fault rule" in result.stderr and spec in result.stderr
