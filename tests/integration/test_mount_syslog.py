"""A daemonised dbfs-fuse logs to syslog (it has no stderr), through /dev/log."""
import os
import signal
import socket
import subprocess
import time

import pytest

from mount import FuseMount, force_unmount, fuse_binary


@pytest.fixture
def syslog_socket():
    """Stands in for the syslog daemon at /dev/log; a machine that has one keeps it."""
    if os.path.exists("/dev/log"):
        pytest.skip("a syslog daemon owns /dev/log here; its log is checked on machines without")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("/dev/log")
    sock.settimeout(5)
    yield sock
    sock.close()
    os.unlink("/dev/log")


def test_a_daemon_logs_to_syslog_without_secrets(emulator, tmp_path, syslog_socket):
    m = FuseMount(emulator, tmp_path / "mnt")
    m.path.mkdir()
    try:
        subprocess.run([str(fuse_binary()), m.source, str(m.path), "-o",
                        f"cache_dir={m.cache_dir}"], env=m.environment(), check=True, timeout=30)
        (m.path / "f").write_bytes(b"x")
        pid = int(subprocess.run(["pgrep", "-f", f"dbfs-fuse {m.source} {m.path}"],
                                 capture_output=True, text=True).stdout.split()[0])
        os.kill(pid, signal.SIGUSR1)
        time.sleep(0.5)
        subprocess.run(["fusermount3", "-u", str(m.path)], timeout=30)
        messages = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any("unmounting" in x for x in messages):
            try:
                messages.append(syslog_socket.recv(65536).decode(errors="replace"))
            except socket.timeout:
                break
    finally:
        force_unmount(m.path)
    text = "\n".join(messages)
    assert f"dbfs-fuse[{pid}]" in text
    assert "mounted dbfs:/" in text and "summary of dbfs:/" in text and "unmounting" in text
    assert emulator.token not in text
