"""How parameters arrive: query string or JSON body on GET, JSON whatever the Content-Type on
POST, booleans as strings, keep-alive connections."""
import http.client
import json
import urllib.parse

from dbfs_http import b64, http_request, raw_exchange


def test_get_parameters_from_a_json_body(emulator, put_file):
    put_file("/f", b"hello")
    status, _, body = emulator.request("GET", "/api/2.0/dbfs/read",
                                       json.dumps({"path": "/f", "offset": 1, "length": 3}).encode())
    assert status == 200 and json.loads(body) == {"bytes_read": 3, "data": b64(b"ell")}


def test_query_string_wins_over_the_json_body(emulator, put_file):
    put_file("/query", b"q")
    put_file("/body", b"b")
    status, _, body = emulator.request("GET", "/api/2.0/dbfs/get-status?path=/query",
                                       json.dumps({"path": "/body"}).encode())
    assert status == 200 and json.loads(body)["path"] == "/query"


def test_get_with_body_keeps_the_connection_usable(emulator, put_file):
    put_file("/f", b"x")
    parts = urllib.parse.urlsplit(emulator.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {"Authorization": f"Bearer {emulator.token}"}
    for _ in range(3):
        conn.request("GET", "/api/2.0/dbfs/get-status", body=b'{"path": "/f"}' + b" " * 70000,
                     headers=headers)
        answer = conn.getresponse()
        assert answer.status == 200 and json.loads(answer.read())["path"] == "/f"
    conn.close()


def test_post_json_whatever_the_content_type(emulator):
    for i, content_type in enumerate(["application/json", "text/json",
                                      "application/x-www-form-urlencoded", "text/plain"]):
        payload = {"path": f"/ct{i}", "contents": b64(b"a=b&c==")}
        status, _, body = emulator.request("POST", "/api/2.0/dbfs/put",
                                           json.dumps(payload).encode(),
                                           {"Content-Type": content_type})
        assert (status, body) == (200, b"{}"), content_type
        assert (emulator.root / f"ct{i}").read_bytes() == b"a=b&c=="


def test_booleans_as_strings(emulator, put_file):
    put_file("/d/f", b"x")
    status, body = emulator.call("put", params={"path": "/d/f", "contents": "", "overwrite": "true"})
    assert status == 200
    status, body = emulator.call("put", params={"path": "/d/f", "contents": "", "overwrite": "false"})
    assert status == 400 and body["error_code"] == "RESOURCE_ALREADY_EXISTS"
    status, body = emulator.call("delete", params={"path": "/d", "recursive": "True"})
    assert status == 200 and not (emulator.root / "d").exists()
    status, body = emulator.call("put", params={"path": "/g", "contents": "", "overwrite": "maybe"})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"


def test_numbers_as_strings_and_handles_as_numbers(emulator):
    handle = emulator.call("create", params={"path": "/n"})[1]["handle"]
    assert emulator.call("add-block", params={"handle": str(handle), "data": b64(b"abc")})[0] == 200
    assert emulator.call("close", params={"handle": handle})[0] == 200
    status, body = emulator.call("read", method="GET", json={"path": "/n", "offset": "1",
                                                             "length": "2"})
    assert status == 200 and body["data"] == b64(b"bc")


def test_malformed_bodies_and_missing_fields(emulator):
    status, _, body = emulator.request("POST", "/api/2.0/dbfs/mkdirs", b"{not json")
    assert status == 400 and json.loads(body)["error_code"] == "MALFORMED_REQUEST"
    status, body = emulator.call("mkdirs", json={})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    status, body = emulator.call("mkdirs", json={"path": 5})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    status, body = emulator.call("get-status", params={})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"


def test_keep_alive_serves_many_requests_on_one_connection(emulator):
    parts = urllib.parse.urlsplit(emulator.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    for _ in range(20):
        conn.request("GET", "/api/2.0/dbfs/get-status?path=/",
                     headers={"Authorization": f"Bearer {emulator.token}"})
        answer = conn.getresponse()
        assert answer.status == 200
        answer.read()
    conn.close()


def test_percent_encoded_path_in_the_url_is_decoded_once(emulator, put_file):
    put_file("/a%2Fb", b"x")
    answer = raw_exchange(emulator, http_request(
        emulator, "GET", "/api/2.0/dbfs/get-status?path=%2Fa%252Fb"))
    assert answer.startswith(b"HTTP/1.1 200") and b'"path":"/a%2Fb"' in answer
