"""What the Files API shares with the DBFS API (docs/volumes-api.md, "The DBFS API and Volumes",
"What dbfs-emulator serves"): the DBFS API refusing /Volumes and, with --dbfs-root-disabled,
everything; auth, OAuth, the rate limit, faults and stats on the Files API operations."""
import base64
import json
import subprocess
import urllib.request

import pytest

from dbfs_http import VOLUME, b64, fs_target, http_request, make_volume, raw_exchange
from emulator import emulator_binary

F = f"{VOLUME}/f"
NO_OPERATIONS = {"error_code": "PERMISSION_DENIED", "message": "No operations allowed on this path."}


@pytest.mark.parametrize("op,params", [
    ("get-status", {"path": VOLUME}), ("list", {"path": "/Volumes"}), ("read", {"path": F}),
    ("put", {"path": F, "contents": b64(b"x")}), ("create", {"path": "dbfs:" + F}),
    ("mkdirs", {"path": VOLUME + "/d"}), ("delete", {"path": VOLUME, "recursive": True}),
    ("move", {"source_path": "/elsewhere", "destination_path": F}),
])
def test_dbfs_calls_on_volumes_are_403(emulator, volume, op, params):
    (emulator.root / "elsewhere").write_bytes(b"x")
    assert emulator.call(op, params=params) == (403, NO_OPERATIONS)
    assert sorted(p.name for p in (emulator.root / VOLUME.lstrip("/")).iterdir()) == []
    assert (emulator.root / "elsewhere").exists()


def test_a_multipart_dbfs_put_on_volumes_is_403(emulator, volume):
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n{F}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"contents\"; filename=\"f\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\nabc\r\n--{boundary}--\r\n").encode()
    status, _, answer = emulator.request(
        "POST", "/api/2.0/dbfs/put", body,
        {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert (status, json.loads(answer)) == (403, NO_OPERATIONS)
    assert not (emulator.root / F.lstrip("/")).exists()


def test_dbfs_root_disabled_refuses_every_dbfs_call_but_not_the_files_api(make_emulator):
    emu = make_emulator("--dbfs-root-disabled")
    make_volume(emu)
    for op, params in (("get-status", {"path": "/"}), ("mkdirs", {"path": "/d"}),
                       ("close", {"handle": 1})):
        status, body = emu.call(op, params=params)
        assert status == 403 and body["error_code"] == "PERMISSION_DENIED", op
        assert body["message"].startswith("Public DBFS root is disabled."), op
    assert emu.call("get-status", params={"path": VOLUME}) == (403, NO_OPERATIONS)
    assert not (emu.root / "d").exists()
    assert emu.request("PUT", fs_target("files", F), b"ok")[0] == 204
    assert emu.request("GET", fs_target("files", F))[::2] == (200, b"ok")


def test_stats_count_each_files_api_operation(emulator, volume, fs):
    emulator.reset_stats()
    assert fs("PUT", "directories", VOLUME + "/d")[0] == 204
    assert fs("PUT", "files", F, b"hello")[0] == 204
    assert fs("HEAD", "files", F)[0] == 200
    assert fs("HEAD", "directories", VOLUME + "/d")[0] == 200
    assert fs("GET", "files", F, headers={"Range": "bytes=1-3"})[::2] == (206, b"ell")
    _, _, listed = fs("GET", "directories", VOLUME)
    assert fs("DELETE", "files", F)[0] == 204
    assert fs("DELETE", "directories", VOLUME + "/d")[0] == 204
    _, _, missing = fs("GET", "files", F)
    assert emulator.stats() == {
        "requests": {"fs.mkdir": 1, "fs.put": 1, "fs.head": 2, "fs.get": 2, "fs.list": 1,
                     "fs.delete": 2},
        "statuses": {"204": 4, "200": 3, "206": 1, "404": 1},
        "bytes_in": 5,
        "bytes_out": 3 + len(listed) + len(missing),  # a HEAD sends no body
    }


@pytest.mark.parametrize("op,method,kind,path", [
    ("fs.head", "HEAD", "files", F), ("fs.get", "GET", "files", F),
    ("fs.put", "PUT", "files", F), ("fs.delete", "DELETE", "files", F),
    ("fs.head", "HEAD", "directories", VOLUME), ("fs.list", "GET", "directories", VOLUME),
    ("fs.mkdir", "PUT", "directories", VOLUME + "/d"),
    ("fs.delete", "DELETE", "directories", VOLUME + "/d"),
])
def test_faults_target_each_operation_by_name(make_emulator, op, method, kind, path):
    emu = make_emulator("--fault", f"{op}:first=1:status=503")
    make_volume(emu)
    (emu.root / F.lstrip("/")).write_bytes(b"old")
    (emu.root / VOLUME.lstrip("/") / "d").mkdir()
    body = b"new" if method == "PUT" else None
    assert emu.request(method, fs_target(kind, path), body)[0] == 503
    assert (emu.root / F.lstrip("/")).read_bytes() == b"old"  # not applied
    assert emu.request(method, fs_target(kind, path), body)[0] in (200, 204)
    assert emu.stats()["requests"] == {op: 2}


def test_a_dropped_or_lost_upload_is_whole_or_absent(make_emulator):
    emu = make_emulator("--fault", "fs.put:first=1:reset", "--fault", "fs.put:first=2:lost")
    make_volume(emu)
    request = http_request(emu, "PUT", fs_target("files", F), b"x" * 100_000)
    assert raw_exchange(emu, request) == b""
    assert not (emu.root / F.lstrip("/")).exists()
    assert raw_exchange(emu, request) == b""
    assert (emu.root / F.lstrip("/")).read_bytes() == b"x" * 100_000
    assert emu.stats()["statuses"] == {"reset": 2}


def test_the_wildcard_and_html_faults_reach_the_files_api(make_emulator):
    emu = make_emulator("--fault", "*:first=1:html=502", "--fault", "fs.get+fs.list:always:delay=1")
    make_volume(emu)
    status, headers, body = emu.request("GET", fs_target("directories", VOLUME))
    assert status == 502 and headers["Content-Type"] == "text/html"
    assert emu.request("GET", fs_target("directories", VOLUME))[0] == 200


def test_an_unknown_operation_name_is_refused(make_emulator, emulator):
    status, _, body = emulator.request("POST", "/emulator/v1/faults",
                                       json.dumps(["fs.rename:always:reset"]).encode())
    assert status == 400 and b"unknown op 'fs.rename'" in body


@pytest.mark.parametrize("method,kind", [("HEAD", "files"), ("GET", "files"), ("PUT", "files"),
                                         ("DELETE", "files"), ("GET", "directories"),
                                         ("PUT", "directories")])
def test_credentials_are_checked_before_anything_happens(emulator, volume, method, kind):
    path = F if kind == "files" else VOLUME + "/d"
    for headers, expected in (({"Authorization": ""}, 401), ({"Authorization": "Bearer no"}, 403)):
        status, _, body = emulator.request(method, fs_target(kind, path),
                                           b"x" if method == "PUT" else None, headers)
        assert status == expected
        assert (body == b"") if method == "HEAD" else json.loads(body)["error_code"] == expected
    assert list((emulator.root / VOLUME.lstrip("/")).iterdir()) == []


def test_oauth_tokens_reach_the_files_api(make_emulator):
    emu = make_emulator("--oauth-client", "id:secret", token=None)
    make_volume(emu)
    credentials = base64.b64encode(b"id:secret").decode()
    request = urllib.request.Request(emu.url + "/oidc/v1/token",
                                     data=b"grant_type=client_credentials&scope=all-apis",
                                     headers={"Authorization": f"Basic {credentials}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        emu.token = json.loads(answer.read())["access_token"]
    assert emu.request("PUT", fs_target("files", F), b"via oauth")[0] == 204
    assert emu.request("GET", fs_target("files", F))[::2] == (200, b"via oauth")


def test_the_rate_limit_covers_the_files_api(make_emulator):
    emu = make_emulator("--rate-limit", "5")
    make_volume(emu)
    answers = []
    for _ in range(12):
        status, headers, _ = emu.request("GET", fs_target("directories", VOLUME))
        answers.append((status, headers.get("Retry-After")))
    assert answers.count((200, None)) in (5, 6) and (429, "1") in answers


def test_help_lists_the_switches_and_the_operations():
    text = subprocess.run([str(emulator_binary()), "--help"], capture_output=True, text=True,
                          timeout=10, check=True).stdout
    for word in ("--volumes-implicit-parents", "--dbfs-root-disabled", "fs.head", "fs.get",
                 "fs.put", "fs.list", "fs.mkdir", "fs.delete"):
        assert word in text
