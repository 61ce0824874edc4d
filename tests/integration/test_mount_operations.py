"""Running dbfs-fuse as a service: OAuth service principals, the SIGUSR1 summary, SIGTERM."""
import os
import signal
import threading
import time

MiB = 1 << 20


def test_oauth_m2m_mount_refreshes_its_short_lived_tokens(make_emulator, make_mount):
    emulator = make_emulator("--oauth-client", "sp-id:sp-secret-value", "--oauth-token-ttl-s", "3",
                             token=None)
    (emulator.root / "f").write_bytes(b"via oauth")
    m = make_mount(emulator, env={"DATABRICKS_CLIENT_ID": "sp-id",
                                  "DATABRICKS_CLIENT_SECRET": "sp-secret-value"})
    assert (m.path / "f").read_bytes() == b"via oauth"
    time.sleep(4)  # the first token has expired by now
    (m.path / "g").write_bytes(b"still allowed")
    assert (emulator.root / "g").read_bytes() == b"still allowed"
    assert "sp-secret-value" not in m.log()


def test_a_wrong_client_secret_fails_the_mount_clearly(make_emulator, tmp_path):
    from mount import FuseMount
    emulator = make_emulator("--oauth-client", "sp-id:sp-secret-value", token=None)
    m = FuseMount(emulator, tmp_path / "mnt", env={"DATABRICKS_CLIENT_ID": "sp-id",
                                                   "DATABRICKS_CLIENT_SECRET": "wrong-secret"})
    try:
        m.start()
        raise AssertionError("mounted with a wrong secret")
    except RuntimeError as e:
        assert "dbfs-fuse:" in str(e)
        assert "wrong-secret" not in str(e)


def test_sigusr1_logs_a_summary(mounted):
    emulator, m = mounted
    (m.path / "f").write_bytes(b"y" * (2 * MiB))
    (m.path / "f").read_bytes()
    os.kill(m.process.pid, signal.SIGUSR1)
    deadline = time.monotonic() + 10
    while "summary of" not in m.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = m.log()
    assert "summary of dbfs:/" in log
    assert "put: 0 calls" not in log  # only ops that were called are listed
    for expected in ("get-status:", "block cache:", "uploads: 1 done", "connections opened"):
        assert expected in log, log
    assert emulator.token not in log


def test_sigterm_finishes_a_close_in_flight_and_fails_later_writes_loudly(make_emulator,
                                                                           make_mount):
    emulator = make_emulator("--fault", "add-block:always:delay=80")
    m = make_mount(emulator)
    data = os.urandom(12 * MiB)
    closing = threading.Event()
    result = {}

    def write():
        # Back half first: nothing streams, so close uploads all 12 blocks (about a second).
        fd = os.open(m.path / "big", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.pwrite(fd, data[6 * MiB:], 6 * MiB)
        os.pwrite(fd, data[:6 * MiB], 0)
        closing.set()
        try:
            os.close(fd)
            result["closed"] = True
        except OSError as e:
            result["error"] = e.errno

    writer = threading.Thread(target=write)
    writer.start()
    assert closing.wait(30)
    time.sleep(0.3)  # the upload is under way
    m.process.send_signal(signal.SIGTERM)
    writer.join(60)
    assert result == {"closed": True}
    assert m.process.wait(30) == 0
    assert (emulator.root / "big").read_bytes() == data
    # After the daemon is gone, the mount point is clean and nothing pretends to work.
    assert os.listdir(m.path) == []
