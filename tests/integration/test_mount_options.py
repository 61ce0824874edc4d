"""Mounting and unmounting: the daemon, options, and failing fast and clearly."""
import os
import subprocess

import pytest

from mount import FuseMount, fuse_binary, mount_entry, force_unmount


def run_fuse(args, env, timeout=20):
    return subprocess.run([str(fuse_binary()), *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_help_documents_every_option_and_version_prints():
    out = run_fuse(["--help"], os.environ).stdout
    for option in ["profile", "config_file", "host", "token_file", "ca_file", "insecure", "ro",
                   "uid", "gid", "umask", "allow_other", "cache_size", "attr_ttl", "dir_ttl",
                   "negative_ttl", "log_level", "--foreground", "--debug"]:
        assert option in out
    version = run_fuse(["--version"], os.environ)
    assert version.returncode == 0 and version.stdout.startswith("dbfs-fuse ")


def test_daemon_returns_once_the_mount_is_live(emulator, tmp_path):
    m = FuseMount(emulator, tmp_path / "mnt")
    m.path.mkdir()
    (emulator.root / "hello").write_bytes(b"hi")
    try:
        # Without -f: the command returns only when the mount answers.
        result = subprocess.run([str(fuse_binary()), m.source, str(m.path),
                                 "-o", f"cache_dir={m.cache_dir}"], env=m.environment(),
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        entry = mount_entry(m.path)
        assert entry is not None and "fuse.dbfs-fuse" in entry
        assert (m.path / "hello").read_bytes() == b"hi"
    finally:
        subprocess.run(["fusermount3", "-u", str(m.path)], capture_output=True, timeout=30)
        force_unmount(m.path)
    assert mount_entry(m.path) is None


@pytest.mark.parametrize("case", ["bad token", "no server", "missing path", "file as root"])
def test_a_mount_that_cannot_work_fails_fast_with_one_sentence(emulator, tmp_path, case):
    (emulator.root / "afile").write_bytes(b"x")
    m = FuseMount(emulator, tmp_path / "mnt")
    m.path.mkdir()
    env = m.environment()
    source = "dbfs:/"
    if case == "bad token":
        env["DATABRICKS_TOKEN"] = "wrong-token"
    elif case == "no server":
        env["DATABRICKS_HOST"] = "http://127.0.0.1:9"  # discard port: nothing listens
        env["DBFS_FUSE_TEST"] = "1"
    elif case == "missing path":
        source = "dbfs:/no/such/dir"
    else:
        source = "dbfs:/afile"
    try:
        result = run_fuse([source, str(m.path), "-o", f"cache_dir={m.cache_dir},retry_timeout=2"],
                          env)
        assert result.returncode != 0
        lines = [l for l in result.stderr.splitlines() if l.startswith("dbfs-fuse:")]
        assert len(lines) == 1, result.stderr
        expected = {"bad token": "refused the credentials", "no server": "cannot reach",
                    "missing path": "no such directory", "file as root": "not a directory"}[case]
        assert expected in lines[0]
        assert "wrong-token" not in result.stderr
        assert mount_entry(m.path) is None
    finally:
        force_unmount(m.path)


def test_unknown_and_malformed_options_are_clear_errors(emulator, tmp_path):
    m = FuseMount(emulator, tmp_path / "mnt")
    m.path.mkdir()
    for args, source, words in [(["-o", "bogus=1"], "dbfs:/", "unknown option 'bogus'"),
                                (["--cache-size", "lots"], "dbfs:/", "cache_size"),
                                (["-o", "umask=999"], "dbfs:/", "umask"),
                                ([], "/local/path", "DBFS path")]:
        result = run_fuse(args + [source, str(m.path)], m.environment())
        assert result.returncode == 2, (args, result.stderr)
        assert words in result.stderr, (args, result.stderr)
    assert mount_entry(m.path) is None


def test_a_subtree_can_be_mounted(emulator, make_mount):
    (emulator.root / "mnt" / "data").mkdir(parents=True)
    (emulator.root / "mnt" / "data" / "part-0").write_bytes(b"rows")
    (emulator.root / "outside").write_bytes(b"no")
    m = make_mount(emulator, source="dbfs:/mnt/data")
    assert sorted(os.listdir(m.path)) == ["part-0"]
    assert (m.path / "part-0").read_bytes() == b"rows"
    (m.path / "new").write_bytes(b"n")
    assert (emulator.root / "mnt" / "data" / "new").read_bytes() == b"n"


def test_ownership_and_modes_follow_the_options(emulator, make_mount):
    (emulator.root / "f").write_bytes(b"x")
    (emulator.root / "d").mkdir()
    m = make_mount(emulator, "-o", "uid=1234,gid=4321,umask=027")
    st = os.stat(m.path / "f")
    assert (st.st_uid, st.st_gid) == (1234, 4321)
    assert st.st_mode & 0o777 == 0o640
    assert os.stat(m.path / "d").st_mode & 0o777 == 0o750
    # Stable inode numbers per path.
    assert os.stat(m.path / "f").st_ino == st.st_ino


def test_read_only_mount_refuses_changes(emulator, make_mount):
    (emulator.root / "f").write_bytes(b"x")
    m = make_mount(emulator, "-o", "ro")
    assert (m.path / "f").read_bytes() == b"x"
    with pytest.raises(OSError) as e:
        (m.path / "g").write_bytes(b"y")
    assert e.value.errno == 30  # EROFS
    assert not (emulator.root / "g").exists()


def test_unsupported_operations_give_clear_errnos(mounted):
    emulator, m = mounted
    (m.path / "f").write_bytes(b"x")
    for call in [lambda: os.symlink("f", m.path / "l"), lambda: os.link(m.path / "f", m.path / "h"),
                 lambda: os.mkfifo(m.path / "p")]:
        with pytest.raises(OSError) as e:
            call()
        assert e.value.errno == 1  # EPERM, never EIO
    with pytest.raises(OSError) as e:
        os.setxattr(m.path / "f", "user.k", b"v")
    assert e.value.errno == 95  # EOPNOTSUPP
    # chmod, chown and utime succeed without effect.
    os.chmod(m.path / "f", 0o600)
    os.chown(m.path / "f", 0, 0)
    os.utime(m.path / "f", (1, 1))
    st = os.statvfs(m.path)
    assert st.f_bavail * st.f_frsize > 1 << 40
