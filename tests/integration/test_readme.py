"""The README's two quick-start commands, exactly as written."""
import os
import pathlib
import re
import subprocess

from mount import force_unmount, mount_entry

REPO = pathlib.Path(__file__).resolve().parent.parent.parent


def quick_start_commands():
    text = (REPO / "README.md").read_text()
    section = text.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_the_test_command_is_what_ci_runs():
    assert quick_start_commands()[1] == "./tests/run"
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert ci[-1] == "./tests/run"


def test_the_first_command_mounts_an_emulator_from_a_clean_clone(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True, timeout=120)
    mnt = tmp_path / "mnt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
    env.update(HOME=str(tmp_path / "home"), DBFS_MOUNT=str(mnt),
               DBFS_EMULATOR_DATA=str(tmp_path / "data"),
               DBFS_QUICKSTART_STATE=str(tmp_path / "state"), CCACHE_BASEDIR=str(clone),
               CCACHE_NOHASHDIR="true")
    env.pop("DBFS_BUILD_DIR", None)
    (tmp_path / "home").mkdir()
    command = quick_start_commands()[0]
    try:
        result = subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True,
                                text=True, timeout=900)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"mounted at {mnt}" in result.stdout
        assert "packaging/quickstart stop" in result.stdout
        assert mount_entry(mnt) is not None
        (mnt / "hello.txt").write_text("hello")
        # The data folder persists: it is the emulator's root.
        assert (tmp_path / "data" / "hello.txt").read_text() == "hello"
        stop = subprocess.run(["bash", "-c", command + " stop"], cwd=clone, env=env,
                              capture_output=True, text=True, timeout=60)
        assert stop.returncode == 0, stop.stderr
        assert mount_entry(mnt) is None
    finally:
        subprocess.run(["bash", "-c", "packaging/quickstart stop"], cwd=clone, env=env,
                       capture_output=True, timeout=60)
        force_unmount(mnt)
    assert (tmp_path / "data" / "hello.txt").read_text() == "hello"
