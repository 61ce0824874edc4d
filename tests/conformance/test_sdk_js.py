"""Databricks' own JavaScript SDK (@databricks/sdk-experimental, its DbfsService) against the
emulator: an official client that no one here wrote. Skipped only when npm is absent."""
import os
import pathlib
import shutil
import subprocess

import pytest

SDK_DIR = pathlib.Path(__file__).resolve().parent / "sdk_js"


@pytest.fixture(scope="module")
def sdk_installed():
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("npm/node not installed: cannot run Databricks' JavaScript SDK against the "
                    "emulator (install nodejs and npm to run this test)")
    if not (SDK_DIR / "node_modules" / "@databricks" / "sdk-experimental").is_dir():
        result = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=SDK_DIR,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"npm ci failed:\n{result.stdout}\n{result.stderr}"


@pytest.mark.timeout(420)  # covers a cold `npm ci` in the fixture
def test_official_js_sdk_round_trip(sdk_installed, emulator):
    env = dict(os.environ, DATABRICKS_HOST=emulator.url, DATABRICKS_TOKEN=emulator.token)
    for name in ("DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CONFIG_FILE", "DATABRICKS_AUTH_TYPE",
                 "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET"):
        env.pop(name, None)
    result = subprocess.run(["node", "roundtrip.js"], cwd=SDK_DIR, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert "sdk-js roundtrip ok" in result.stdout
    stats = emulator.stats()
    # One create, six 1 MiB-or-less blocks, one close: the SDK used the streaming upload.
    assert stats["requests"]["create"] == 1
    assert stats["requests"]["add-block"] == 6
    assert stats["requests"]["close"] == 1
    assert stats["requests"]["read"] >= 6
    assert not any((emulator.root / "sdk-js").glob("*"))
