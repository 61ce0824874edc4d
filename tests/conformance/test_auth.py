"""Bearer tokens (401/403 with numeric codes), --no-auth, TLS, OAuth M2M."""
import base64
import json
import ssl
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

MISSING = {"error_code": 401,
           "message": "Credential was not sent or was of an unsupported type for this API."}
INVALID = {"error_code": 403, "message": "Invalid access token."}

API_AND_CONTROL = [("GET", "/api/2.0/dbfs/get-status?path=/"), ("POST", "/api/2.0/dbfs/mkdirs"),
                   ("GET", "/emulator/v1/stats"), ("POST", "/emulator/v1/reset"),
                   ("POST", "/emulator/v1/faults")]


@pytest.mark.parametrize("method,path", API_AND_CONTROL)
def test_no_credentials_is_401_and_a_bad_token_403(emulator, method, path):
    body = b'{"path": "/made"}' if path.endswith("mkdirs") else b"[]"
    for headers, expected_status, expected in (
            ({"Authorization": ""}, 401, MISSING),
            ({"Authorization": "Basic dXNlcjpwYXNz"}, 401, MISSING),
            ({"Authorization": "Bearer wrong"}, 403, INVALID)):
        status, _, answer = emulator.request(method, path, body, headers)
        assert (status, json.loads(answer)) == (expected_status, expected), headers
    assert not (emulator.root / "made").exists()


def test_no_auth_accepts_anonymous_requests(make_emulator):
    emu = make_emulator("--no-auth", token=None)
    assert emu.call("mkdirs", params={"path": "/open"}) == (200, {})
    assert emu.stats()["requests"]["mkdirs"] == 1


def test_tls(make_emulator, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    emu = make_emulator("--cert", str(cert), "--key", str(key))
    assert emu.url.startswith("https://127.0.0.1:")
    context = ssl.create_default_context(cafile=str(cert))
    context.check_hostname = False
    req = urllib.request.Request(emu.url + "/api/2.0/dbfs/get-status?path=/",
                                 headers={"Authorization": "Bearer test-token"})
    with urllib.request.urlopen(req, context=context, timeout=10) as answer:
        assert json.loads(answer.read())["is_dir"] is True


def oauth_token(emu, credentials: str, form: str = "grant_type=client_credentials&scope=all-apis"):
    req = urllib.request.Request(emu.url + "/oidc/v1/token", data=form.encode(), method="POST",
                                 headers={"Authorization": "Basic " +
                                          base64.b64encode(credentials.encode()).decode(),
                                          "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_oauth_m2m_issues_short_lived_tokens_the_api_accepts(make_emulator):
    emu = make_emulator("--oauth-client", "sp-id:sp-secret", "--oauth-token-ttl-s", "2",
                        token=None)
    with urllib.request.urlopen(emu.url + "/oidc/.well-known/oauth-authorization-server",
                                timeout=10) as answer:
        metadata = json.loads(answer.read())
    assert metadata["token_endpoint"] == emu.url + "/oidc/v1/token"
    assert metadata["issuer"] == emu.url + "/oidc"

    assert oauth_token(emu, "sp-id:wrong")[0] == 401
    assert oauth_token(emu, "sp-id:sp-secret", "grant_type=password")[0] == 400
    status, token = oauth_token(emu, "sp-id:sp-secret")
    assert status == 200
    assert token["token_type"] == "Bearer" and token["expires_in"] == 2
    emu.token = token["access_token"]
    assert emu.call("mkdirs", params={"path": "/via-oauth"}) == (200, {})
    time.sleep(2.2)
    assert emu.call("mkdirs", params={"path": "/expired"}) == (403, INVALID)
    emu.token = None
    assert emu.call("mkdirs", params={"path": "/anonymous"}) == (401, MISSING)


def test_oauth_with_a_static_token_accepts_both(make_emulator):
    emu = make_emulator("--oauth-client", "id:secret")
    assert emu.call("mkdirs", params={"path": "/static"})[0] == 200
    emu.token = oauth_token(emu, "id:secret")[1]["access_token"]
    assert emu.call("mkdirs", params={"path": "/issued"})[0] == 200
