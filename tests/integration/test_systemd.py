"""The systemd example units pass `systemd-analyze verify`.

verify checks that every ExecStart= program exists and that every Documentation=man: page
exists. The units name the installed /usr/bin/dbfs-fuse and man:dbfs-fuse(8), so the test
verifies a copy in which the built binary stands in for /usr/bin/dbfs-fuse (nothing else is
changed) and MANPATH holds packaging/man. verify cannot judge what dbfs-fuse does with the
units' options, so two more tests hand those options to dbfs-fuse itself.
"""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from mount import REPO, force_unmount, fuse_binary, mount_entry  # noqa: E402
from test_fstab import daemons_serving, kill_daemons  # noqa: E402

UNITS = ["mnt-dbfs.mount", "mnt-dbfs.automount", "dbfs-fuse-mnt-dbfs.service"]
INSTALLED_BINARY = "/usr/bin/dbfs-fuse"

needs_analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                   reason="systemd-analyze is not installed")


def unit_copies(folder: pathlib.Path) -> list[pathlib.Path]:
    paths = []
    for name in UNITS:
        text = (REPO / "systemd" / name).read_text()
        path = folder / name
        path.write_text(text.replace(INSTALLED_BINARY, str(fuse_binary())))
        paths.append(path)
    return paths


def man_tree(folder: pathlib.Path) -> pathlib.Path:
    for page in (REPO / "packaging" / "man").iterdir():
        section = folder / f"man{page.suffix[1:]}"
        section.mkdir(parents=True, exist_ok=True)
        (section / page.name).symlink_to(page)
    return folder


def verify(units: list[pathlib.Path], manpath: pathlib.Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    # Units beside each other find one another (the automount its mount); the trailing ':'
    # keeps the standard search path for the targets they name.
    env["SYSTEMD_UNIT_PATH"] = f"{units[0].parent}:"
    env["MANPATH"] = str(manpath)
    return subprocess.run(["systemd-analyze", "verify", *map(str, units)], env=env,
                          capture_output=True, text=True, timeout=60)


@needs_analyze
def test_example_units_verify(tmp_path):
    assert fuse_binary().exists(), f"build dbfs-fuse first: {fuse_binary()}"
    (tmp_path / "units").mkdir()
    units = unit_copies(tmp_path / "units")
    result = verify(units, man_tree(tmp_path / "man"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == "", result.stderr


@needs_analyze
def test_verify_catches_a_broken_unit(tmp_path):
    """The check above can fail: a misspelt setting is reported."""
    (tmp_path / "units").mkdir()
    units = unit_copies(tmp_path / "units")
    mount = units[0]
    mount.write_text(mount.read_text().replace("Where=", "Wher="))
    result = verify(units, man_tree(tmp_path / "man"))
    assert "Wher" in result.stderr


def test_units_keep_secrets_out_of_argv_and_home():
    for name in UNITS:
        text = (REPO / "systemd" / name).read_text()
        settings = [line for line in text.splitlines() if line and not line.startswith("#")]
        for line in settings:
            assert "token=" not in line.replace("token_file=", ""), f"{name}: {line}"
            assert "HOME" not in line and "~" not in line, f"{name}: {line}"


def unit_setting(name: str, key: str) -> str:
    for line in (REPO / "systemd" / name).read_text().splitlines():
        if line.startswith(key + "="):
            return line[len(key) + 1:]
    raise AssertionError(f"no {key}= in {name}")


def test_mount_unit_options_are_dbfs_fuse_options(tmp_path):
    """verify cannot tell whether dbfs-fuse accepts Options=; dbfs-fuse can: a bad option exits
    2 with "unknown option", while these get as far as looking for the (absent) config file."""
    absent = tmp_path / "absent"
    options = unit_setting("mnt-dbfs.mount", "Options").replace("/etc/dbfs-fuse/databrickscfg",
                                                                 str(absent))
    result = subprocess.run([str(fuse_binary()), "dbfs:/", str(tmp_path), "-o", options],
                            capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin"})
    assert result.returncode == 1, result.stderr
    assert f"config file {absent} does not exist" in result.stderr


def test_service_command_line_mounts_with_a_credential(tmp_path, emulator):
    """The service's ExecStart, run as systemd would run it (no -f: dbfs-fuse forks once
    mounted), with its absolute paths moved under tmp_path and %d a scratch credentials
    directory: the host comes from the config file, the token from the credential, and the
    token is in no process's argv."""
    (emulator.root / "hello.txt").write_text("hello")
    credentials = tmp_path / "credentials"
    credentials.mkdir(mode=0o700)
    (credentials / "dbfs-token").write_text(emulator.token + "\n")
    (credentials / "dbfs-token").chmod(0o400)
    config = tmp_path / "databrickscfg"
    config.write_text(f"[DEFAULT]\nhost = {emulator.url}\n")
    config.chmod(0o600)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    command = (unit_setting("dbfs-fuse-mnt-dbfs.service", "ExecStart")
               .replace(INSTALLED_BINARY, str(fuse_binary()))
               .replace("%d", str(credentials))
               .replace("/etc/dbfs-fuse/databrickscfg", str(config))
               .replace("/var/cache/dbfs-fuse", str(tmp_path / "cache"))
               .replace("/mnt/dbfs", str(mnt)))
    env = {"PATH": "/usr/bin:/bin"}  # no HOME, no DATABRICKS_*: as systemd starts it
    try:
        with open(tmp_path / "daemon.err", "w") as err:
            started = subprocess.run(command.split(), env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=err, timeout=30)
        assert started.returncode == 0, (tmp_path / "daemon.err").read_text()
        assert mount_entry(mnt) is not None
        assert (mnt / "hello.txt").read_text() == "hello"
        daemons = daemons_serving(mnt)
        assert daemons, "no dbfs-fuse process names the mount point"
        for pid in daemons:
            cmdline = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
            assert str(credentials / "dbfs-token").encode() in cmdline
            assert emulator.token.encode() not in cmdline
    finally:
        force_unmount(mnt)
        kill_daemons(mnt)
