"""Faults, dead servers, killed daemons and throttling: nothing lost, nothing hangs."""
import errno
import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest

from mount import mount_entry

MiB = 1 << 20


def content(name: str, size: int) -> bytes:
    return random.Random(name).randbytes(size)


def kill_daemon_once(m, ready, what, timeout=30):
    """SIGKILLs the mount's daemon as soon as `ready()` holds."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)
    m.process.send_signal(signal.SIGKILL)
    m.process.wait(10)


# Writes `count` files, reporting each whose close returned 0, then starts one more and stops
# half-way through it, so that an upload is certainly in flight when the daemon dies.
WRITER = """
import random, sys, pathlib, time
folder, count, size = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for i in range(count):
    name = f"file{i:03d}"
    with open(folder / name, "wb") as f:
        f.write(random.Random(name).randbytes(size))
    print("CLOSED", name, flush=True)
name = f"file{count:03d}"
with open(folder / name, "wb") as f:
    f.write(random.Random(name).randbytes(size)[:size // 2])
    print("MIDWAY", name, flush=True)
    time.sleep(60)
"""


def test_a_killed_daemon_loses_no_closed_file_and_leaves_no_partial_one(make_emulator, make_mount):
    emulator = make_emulator()
    m = make_mount(emulator, "-o", "auto_unmount")
    size = 6 * MiB
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(m.path), "4", str(size)],
                              stdout=subprocess.PIPE, text=True)
    try:
        closed = []
        for line in writer.stdout:
            if line.startswith("CLOSED"):
                closed.append(line.split()[1])
            if line.startswith("MIDWAY"):
                break
        kill_daemon_once(m, lambda: list(emulator.root.glob(".dbfs-fuse-upload.*")),
                         "the half-written file never started streaming")
    finally:
        writer.kill()
        writer.wait(30)
    assert len(closed) == 4

    # auto_unmount: the mount point is clean, not "Transport endpoint is not connected".
    deadline = time.monotonic() + 10
    while mount_entry(m.path) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert mount_entry(m.path) is None
    assert os.listdir(m.path) == []

    for name in closed:
        assert (emulator.root / name).read_bytes() == content(name, size), name
    for path in emulator.root.iterdir():
        if path.name.startswith("file"):  # under its final name: complete, never partial
            assert path.read_bytes() == content(path.name, size), path.name
    leftovers = list(emulator.root.glob(".dbfs-fuse-upload.*"))
    assert leftovers, "the kill should have left an unfinished upload to clean up"

    # A new mount with the same cache folder removes what the dead one left.
    emulator.set_faults([])
    again = make_mount(emulator, name="mnt2", cache_dir=m.cache_dir)
    assert sorted(n for n in os.listdir(again.path) if n.startswith("file")) == \
        sorted(p.name for p in emulator.root.glob("file*"))
    assert not list(emulator.root.glob(".dbfs-fuse-upload.*"))


@pytest.mark.concurrency
def test_a_dead_server_fails_operations_in_time_and_the_mount_recovers(make_emulator, make_mount):
    emulator = make_emulator()
    (emulator.root / "listed").write_bytes(b"cached")
    m = make_mount(emulator, "-o", "retry_timeout=3,http_timeout=3,attr_ttl=0,dir_ttl=0,negative_ttl=0")
    assert os.listdir(m.path) == ["listed"]
    emulator.stop()
    started = time.monotonic()
    results = {}

    def attempt(name, call):
        try:
            call()
            results[name] = 0
        except OSError as e:
            results[name] = e.errno

    calls = {
        "write": lambda: (m.path / "new").write_bytes(b"x" * (3 * MiB)),
        "read": lambda: (m.path / "listed").read_bytes(),
        "ls": lambda: os.listdir(m.path),
    }
    threads = [threading.Thread(target=attempt, args=item) for item in calls.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "an operation hung"
    assert time.monotonic() - started < 20
    assert set(results.values()) <= {errno.EIO, errno.ETIMEDOUT}, results
    # No process stuck in D state.
    state = open(f"/proc/{m.process.pid}/stat").read().split(")")[1].split()[0]
    assert state != "D"
    emulator.restart()
    m.emulator = emulator
    deadline = time.monotonic() + 20
    while True:
        try:
            (m.path / "after").write_bytes(b"back")
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    assert (emulator.root / "after").read_bytes() == b"back"
    assert sorted(os.listdir(m.path)) == ["after", "listed"]


def test_an_expired_upload_handle_restarts_the_upload(make_emulator, make_mount):
    emulator = make_emulator("--handle-timeout-s", "2")
    m = make_mount(emulator)
    data = content("slow", 5 * MiB)
    with open(m.path / "slow", "wb") as f:
        f.write(data[:2 * MiB + 7])  # streaming has begun
        f.flush()
        time.sleep(3)  # the handle expires while the writer thinks
        f.write(data[2 * MiB + 7:])
    assert (emulator.root / "slow").read_bytes() == data
    assert emulator.stats()["requests"]["create"] >= 2
    assert not list(emulator.root.glob(".dbfs-fuse-upload.*"))


@pytest.mark.concurrency
def test_a_rate_limited_parallel_workload_completes_and_backs_off(make_emulator, make_mount):
    # Low enough that even a slow machine's workload goes over it.
    emulator = make_emulator("--rate-limit", "10")
    for i in range(8):
        (emulator.root / f"in{i}").write_bytes(content(f"in{i}", 3 * MiB))
    m = make_mount(emulator, "-o", "retry_timeout=120")
    errors = []
    samples = []

    def reader(i):
        try:
            assert (m.path / f"in{i}").read_bytes() == content(f"in{i}", 3 * MiB)
        except Exception as e:  # noqa: BLE001 - every failure counts
            errors.append(e)

    def writer(i):
        try:
            for j in range(3):
                (m.path / f"out{i}-{j}").write_bytes(content(f"out{i}-{j}", 64 * 1024))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(8)]
    threads += [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    samples.append(emulator.stats()["statuses"].get("429", 0))
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        samples.append(emulator.stats()["statuses"].get("429", 0))
        time.sleep(1)
    for t in threads:
        t.join()
    assert errors == []
    for i in range(4):
        for j in range(3):
            assert (emulator.root / f"out{i}-{j}").read_bytes() == content(f"out{i}-{j}", 64 * 1024)
    total = emulator.stats()["statuses"].get("429", 0)
    assert total > 0, "the workload should have hit the limit"
    # 429s per second: the first second's burst, then far fewer once the client has adapted.
    per_second = [b - a for a, b in zip(samples, samples[1:])]
    assert len(per_second) >= 4, per_second
    first = max(per_second[:2])
    later = sum(per_second[2:]) / len(per_second[2:])
    assert later < first, per_second


def test_names_with_every_byte_round_trip(mounted):
    emulator, m = mounted
    names = []
    for b in range(1, 256):
        if b == ord("/") or b == ord("."):
            continue
        names.append(bytes([b]) + b"-name")
    names += [b"." * 3, b"x" * 255]
    for name in names:
        path = os.path.join(bytes(m.path), name)
        try:
            with open(path, "wb") as f:
                f.write(name)
        except OSError as e:
            # A name DBFS cannot hold (not UTF-8) gets a clean error, never EIO.
            assert e.errno in (errno.EINVAL, errno.EILSEQ), (name, e)
            continue
        with open(path, "rb") as f:
            assert f.read() == name
    listed = set(os.listdir(bytes(m.path)))
    for name in names:
        if os.path.exists(os.path.join(bytes(m.path), name)):
            assert name in listed


def test_a_replace_whose_moves_fail_keeps_the_old_file(make_emulator, make_mount):
    emulator = make_emulator()
    old = content("old", 2 * MiB)
    (emulator.root / "f").write_bytes(old)
    m = make_mount(emulator, "-o", "retry_timeout=2")
    # The first move finds the old file in the way; every later one fails.
    emulator.set_faults(["move:after=1:status=500"])
    with pytest.raises(OSError):
        (m.path / "f").write_bytes(content("new", 3 * MiB))
    emulator.set_faults([])
    assert (emulator.root / "f").read_bytes() == old
    assert not list(emulator.root.glob(".dbfs-fuse-*"))


def test_a_crash_in_the_middle_of_a_replace_leaves_old_or_new(make_emulator, make_mount,
                                                              tmp_path):
    emulator = make_emulator()
    (emulator.root / "f").write_bytes(content("old", 2 * MiB))
    new = content("new", 3 * MiB)
    (tmp_path / "new").write_bytes(new)
    m = make_mount(emulator, "-o", "auto_unmount,retry_timeout=60")
    # The new file is complete and the old one moved aside; then nothing moves any more.
    emulator.set_faults(["move:first=2:delay=1", "move:always:reset"])
    writer = subprocess.Popen(["cp", str(tmp_path / "new"), str(m.path / "f")])
    try:
        kill_daemon_once(m, lambda: not (emulator.root / "f").exists() and
                         list(emulator.root.glob(".dbfs-fuse-old.*")),
                         "the replace never reached the moment between")
    finally:
        writer.kill()
        writer.wait(30)
    emulator.set_faults([])
    again = make_mount(emulator, name="mnt2", cache_dir=m.cache_dir)
    # The new content was complete: it is put in place, and nothing hidden is left.
    assert (emulator.root / "f").read_bytes() == new
    assert not list(emulator.root.glob(".dbfs-fuse-*"))
    assert "put back in place" in again.log()
