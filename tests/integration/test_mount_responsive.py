"""A slow upload, a directory too big to list, many writers at once: the rest of the mount
answers at once, and memory stays within its budget."""
import os
import random
import threading
import time

MiB = 1 << 20


def test_a_slow_upload_freezes_nothing_else(emulator, make_mount):
    (emulator.root / "other").write_bytes(b"other content")
    m = make_mount(emulator)
    assert sorted(os.listdir(m.path)) == ["other"]
    emulator.set_faults(["add-block+close:always:delay=500"])
    data = random.Random(1).randbytes(10 * MiB)
    writer = threading.Thread(target=lambda: (m.path / "big").write_bytes(data))
    writer.start()
    try:
        deadline = time.monotonic() + 30
        while not list(emulator.root.glob(".dbfs-fuse-upload.*")):
            assert time.monotonic() < deadline, "the upload never started"
            time.sleep(0.02)
        slowest, sizes = 0.0, set()
        while writer.is_alive():
            started = time.monotonic()
            listed = {e.name: e.stat().st_size for e in os.scandir(m.path)}
            assert (m.path / "other").read_bytes() == b"other content"
            sizes.add(os.stat(m.path / "big").st_size)
            slowest = max(slowest, time.monotonic() - started)
            assert set(listed) == {"other", "big"}
            time.sleep(0.05)
    finally:
        writer.join(120)
    # Each add-block takes half a second and the whole upload several: nothing else waited.
    assert slowest < 1.5, slowest
    assert len(data) in sizes  # the file shows with the size being uploaded
    assert (emulator.root / "big").read_bytes() == data


def test_a_directory_too_big_to_list_is_asked_name_by_name(make_emulator, make_mount):
    emulator = make_emulator("--list-limit", "5")
    (emulator.root / "big").mkdir()
    for i in range(10):
        (emulator.root / "big" / f"f{i}").write_bytes(b"x")
    m = make_mount(emulator, "-o", "retry_timeout=30")
    emulator.reset_stats()
    started = time.monotonic()
    for i in range(8):
        assert (m.path / "big" / f"f{i}").stat().st_size == 1
    assert time.monotonic() - started < 10
    requests = emulator.stats()["requests"]
    # One listing tried (it failed at once and is remembered); then one get-status per name.
    assert requests.get("list") == 1 and requests.get("get-status", 0) >= 7


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(field)


def test_many_writers_share_one_memory_budget(emulator, make_mount):
    count, size = 40, 5 * MiB
    for i in range(count):
        (emulator.root / f"w{i}").write_bytes(b"-")
    m = make_mount(emulator, "-o", "write_memory=16")
    files = [open(m.path / f"w{i}", "r+b") for i in range(count)]
    try:
        before = rss_kib(m.process.pid, "VmRSS")
        for i, f in enumerate(files):
            f.write(random.Random(i).randbytes(size))
            f.flush()
        # Every file is being written at once: 200 MiB staged, 16 MiB of it in memory at most.
        grown = (rss_kib(m.process.pid, "VmHWM") - before) // 1024
    finally:
        for f in files:
            f.close()
    assert grown < 120, f"the daemon grew by {grown} MiB"
    for i in range(count):
        assert (emulator.root / f"w{i}").read_bytes() == random.Random(i).randbytes(size)
