"""Starts and drives dbfs-emulator processes for the Python tests (stdlib only).

    with start_emulator(tmp_path / "root", "--visible-at", "close") as emu:
        status, body = emu.call("list", params={"path": "/"})

The binary is $DBFS_BUILD_DIR/src/emulator/dbfs-emulator (DBFS_BUILD_DIR defaults to <repo>/build).
Every wait is bounded; stop() always reaps the process.
"""
from __future__ import annotations

import json as _json  # call() takes a `json` keyword
import os
import pathlib
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

REPO = pathlib.Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 10
STOP_TIMEOUT_S = 5
LISTENING = "dbfs-emulator listening on "


def emulator_binary() -> pathlib.Path:
    build = pathlib.Path(os.environ.get("DBFS_BUILD_DIR", REPO / "build"))
    return build / "src" / "emulator" / "dbfs-emulator"


class EmulatorError(RuntimeError):
    pass


class Emulator:
    """One running dbfs-emulator. `token` is None when it runs with --no-auth."""

    def __init__(self, root: pathlib.Path, args: tuple[str, ...], token: str | None,
                 env: dict[str, str] | None):
        self.root = pathlib.Path(root)
        self.args = tuple(args)
        self.token = token
        self.env = env
        self.url = ""
        self.process: subprocess.Popen | None = None
        self._stderr: list[str] = []

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self, port: int = 0) -> "Emulator":
        env = dict(os.environ if self.env is None else self.env)
        argv = [str(emulator_binary()), "--root", str(self.root), "--port", str(port)]
        if self.token is None:
            if "--oauth-client" not in self.args:
                argv.append("--no-auth")
        else:
            env["DBFS_EMULATOR_TOKEN"] = self.token  # kept out of argv
        argv += list(self.args)
        self._stderr = []
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env=env, text=True)
        threading.Thread(target=self._collect_stderr, args=(self.process,), daemon=True).start()
        line = self._first_line(self.process)
        if not line.startswith(LISTENING):
            self.stop()
            time.sleep(0.1)  # let the stderr reader catch up
            raise EmulatorError(f"dbfs-emulator did not start (got {line!r}); stderr:\n"
                                + "".join(self._stderr[-30:]))
        self.url = line[len(LISTENING):].strip()
        return self

    def _collect_stderr(self, process: subprocess.Popen) -> None:
        try:
            for line in process.stderr:
                self._stderr.append(line)
        except (ValueError, OSError):
            pass  # stop() closed the pipe while this thread was still reading

    def _first_line(self, process: subprocess.Popen) -> str:
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(process.stdout.readline()),
                                  daemon=True)
        reader.start()
        reader.join(STARTUP_TIMEOUT_S)
        return result[0] if result else ""

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 5 s; returns the exit code."""
        process, self.process = self.process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdout, process.stderr):
            stream.close()
        return process.returncode

    def restart(self) -> "Emulator":
        """Stops and starts again on the same root, on the same port if it is still free."""
        port = urllib.parse.urlsplit(self.url).port or 0
        self.stop()
        try:
            return self.start(port)
        except EmulatorError:
            return self.start(0)

    def stderr(self) -> str:
        return "".join(self._stderr)

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- HTTP -----------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30):
        """Any HTTP request to the emulator: (status, headers, body bytes)."""
        all_headers = {}
        if self.token is not None:
            all_headers["Authorization"] = f"Bearer {self.token}"
        all_headers.update(headers or {})
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers=all_headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as answer:
                return answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read()

    def call(self, op: str, method: str | None = None, params: dict | None = None,
             json=None, raw: bool = False, headers: dict[str, str] | None = None):
        """One DBFS API call: (status, body), the body decoded from JSON unless raw=True.

        `method` defaults to the op's own. With GET, `params` go in the query string; with POST,
        `params` (or `json`, any JSON value) make the JSON body.
        """
        if method is None:
            method = "GET" if op in ("get-status", "list", "read") else "POST"
        path = f"/api/2.0/dbfs/{op}"
        if method == "GET" and params:
            path += "?" + urllib.parse.urlencode(params)
        elif params is not None and json is None:
            json = params
        body = None if json is None else _json.dumps(json).encode()
        status, _, data = self.request(method, path, body, headers)
        if raw:
            return status, data
        return status, (_json.loads(data) if data else None)

    def stats(self) -> dict:
        status, _, data = self.request("GET", "/emulator/v1/stats")
        assert status == 200, data
        return _json.loads(data)

    def reset_stats(self) -> None:
        status, _, data = self.request("POST", "/emulator/v1/reset", b"")
        assert status == 200, data

    def set_faults(self, rules: list[str]) -> None:
        status, _, data = self.request("POST", "/emulator/v1/faults", _json.dumps(rules).encode())
        assert status == 200, data




def start_emulator(root: pathlib.Path, *extra_args: str, token: str | None = "test-token",
                   env: dict[str, str] | None = None) -> Emulator:
    """Starts dbfs-emulator on a free port; raises EmulatorError with its stderr if it fails."""
    pathlib.Path(root).mkdir(parents=True, exist_ok=True)
    return Emulator(root, extra_args, token, env).start()
