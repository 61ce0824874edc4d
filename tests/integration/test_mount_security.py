"""TLS verified by default, secrets kept out of logs and argv, mounts private to their user."""
import os
import shutil
import subprocess
import tempfile

import pytest

from mount import FuseMount, force_unmount, fuse_binary, mount_entry


@pytest.fixture
def certificate(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True,
                   timeout=60)
    return cert, key


def test_tls_is_verified_by_default(make_emulator, make_mount, certificate, tmp_path):
    cert, key = certificate
    emulator = make_emulator("--cert", str(cert), "--key", str(key))
    assert emulator.url.startswith("https://")
    (emulator.root / "f").write_bytes(b"secret data")
    m = FuseMount(emulator, tmp_path / "refused")
    m.path.mkdir()
    result = subprocess.run([str(fuse_binary()), "dbfs:/", str(m.path), "-o",
                             f"cache_dir={m.cache_dir},retry_timeout=2"], env=m.environment(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "certificate" in result.stderr and "ca_file" in result.stderr, result.stderr
    assert mount_entry(m.path) is None

    trusted = make_mount(emulator, "-o", f"ca_file={cert}", name="trusted")
    assert (trusted.path / "f").read_bytes() == b"secret data"
    insecure = make_mount(emulator, "-o", "insecure", name="insecure")
    assert (insecure.path / "f").read_bytes() == b"secret data"
    assert "insecure" in insecure.log().lower()


def test_the_token_never_reaches_logs_argv_or_ps(emulator, make_mount, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(emulator.token + "\n")
    token_file.chmod(0o600)
    m = make_mount(emulator, "-o", f"token_file={token_file},log_level=debug",
                   env={"DATABRICKS_TOKEN": ""})
    (m.path / "f").write_bytes(b"x" * (3 << 20))
    assert (m.path / "f").read_bytes() == b"x" * (3 << 20)
    os.listdir(m.path)
    assert not (m.path / "missing").exists()
    log = m.log()
    assert "get-status" in log  # debug logging was on and logged calls
    assert emulator.token not in log
    cmdline = open(f"/proc/{m.process.pid}/cmdline", "rb").read()
    assert emulator.token.encode() not in cmdline
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, timeout=30).stdout
    assert emulator.token not in ps


def test_a_token_file_others_can_read_is_warned_about(emulator, make_mount, tmp_path):
    token_file = tmp_path / "open-token"
    token_file.write_text(emulator.token)
    token_file.chmod(0o644)
    m = make_mount(emulator, "-o", f"token_file={token_file}", env={"DATABRICKS_TOKEN": ""})
    assert "readable" in m.log(), m.log()


@pytest.fixture
def shared_folder():
    """A folder other users may enter (pytest's tmp_path is private to root)."""
    folder = tempfile.mkdtemp(prefix="dbfs-fuse-shared-")
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def as_nobody(*cmd):
    return subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                           *map(str, cmd)], capture_output=True, text=True, timeout=30)


def test_the_mount_is_private_to_its_user_unless_allow_other(emulator, shared_folder):
    (emulator.root / "f").write_bytes(b"data")
    private = FuseMount(emulator, os.path.join(shared_folder, "private"))
    shared = FuseMount(emulator, os.path.join(shared_folder, "shared"), "-o", "allow_other")
    with private, shared:
        denied = as_nobody("ls", private.path)
        assert denied.returncode != 0 and "Permission denied" in denied.stderr
        allowed = as_nobody("cat", shared.path / "f")
        assert allowed.returncode == 0 and allowed.stdout == "data", allowed.stderr
        # default_permissions: modes still apply to other users.
        refused = as_nobody("touch", shared.path / "g")
        assert refused.returncode != 0
        assert not (emulator.root / "g").exists()


def refused_mount(emulator, tmp_path, cache):
    m = FuseMount(emulator, tmp_path / "refused", cache_dir=cache)
    m.path.mkdir(exist_ok=True)
    try:
        result = subprocess.run([str(fuse_binary()), "-f", "dbfs:/", str(m.path), "-o",
                                 f"cache_dir={cache}"], env=m.environment(), capture_output=True,
                                text=True, timeout=15)
    except subprocess.TimeoutExpired:
        result = None  # it mounted and kept serving
    finally:
        mounted = mount_entry(m.path) is not None
        force_unmount(m.path)
    assert result is not None and result.returncode != 0 and not mounted
    return result.stderr


@pytest.mark.parametrize("mode", [0o777, 0o1777, 0o770])
def test_a_cache_dir_others_can_write_is_refused(emulator, tmp_path, mode):
    cache = tmp_path / "cache"
    cache.mkdir()
    os.chmod(cache, mode)
    assert "can be written by other users" in refused_mount(emulator, tmp_path, cache)


def test_a_cache_dir_of_another_user_is_refused(emulator, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    os.chown(cache, 4321, 4321)
    assert "belongs to user 4321" in refused_mount(emulator, tmp_path, cache)


def dead_journal(cache, emulator, lines):
    """A journal as a crashed dbfs-fuse would leave it (no process has that number)."""
    journal = cache / "uploads-4194303.journal"
    journal.write_text(f"workspace {emulator.url}\n" + "".join(line + "\n" for line in lines))
    os.chmod(journal, 0o600)
    return journal


def test_recovery_touches_only_hidden_names_from_journals_only_this_user_can_write(
        emulator, make_mount, tmp_path):
    (emulator.root / "precious").write_bytes(b"keep me")
    (emulator.root / "etc").mkdir()
    (emulator.root / "etc" / "passwd").write_bytes(b"root")
    leftover = emulator.root / ".dbfs-fuse-upload.0123456789abcdef"
    leftover.write_bytes(b"left by a crash")
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    journal = dead_journal(cache, emulator, [f"+ /{leftover.name}"])
    os.chmod(journal, 0o666)  # anyone could have written it: not trusted
    make_mount(emulator, cache_dir=cache, name="first").stop()
    assert leftover.exists()

    dead_journal(cache, emulator, ["+ /precious", "x /etc/passwd", "< /precious /etc/passwd",
                                   f"+ /{leftover.name}"])
    m = make_mount(emulator, cache_dir=cache, name="second")
    assert (emulator.root / "precious").read_bytes() == b"keep me"
    assert (emulator.root / "etc" / "passwd").read_bytes() == b"root"
    assert not leftover.exists()
    assert "not one of dbfs-fuse's hidden files" in m.log()


def test_the_journal_never_follows_a_link(emulator, make_mount, tmp_path):
    leftover = emulator.root / ".dbfs-fuse-upload.0123456789abcdef"
    leftover.write_bytes(b"left by a crash")
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    target = tmp_path / "elsewhere.journal"
    target.write_text(f"workspace {emulator.url}\n+/{leftover.name}\n")  # as older versions wrote
    os.chmod(target, 0o600)
    (cache / "uploads-4194303.journal").symlink_to(target)
    make_mount(emulator, cache_dir=cache)
    assert leftover.exists()
    assert target.read_text().startswith("workspace")
