"""The read path: byte-identical data, and exactly the read calls it should cost."""
import hashlib
import os
import random
import subprocess
import threading

import pytest

MiB = 1 << 20


def make_file(path, size, seed):
    rng = random.Random(seed)
    data = rng.randbytes(size)
    path.write_bytes(data)
    return data


def test_reads_are_byte_identical_at_every_boundary(emulator, make_mount):
    sizes = [0, 1, MiB - 1, MiB, MiB + 1, 5 * MiB + 3]
    files = {size: make_file(emulator.root / f"f{size}", size, size) for size in sizes}
    m = make_mount(emulator)
    for size, data in files.items():
        assert (m.path / f"f{size}").read_bytes() == data, size
        assert os.stat(m.path / f"f{size}").st_size == size


def test_random_offsets_and_reads_past_eof(emulator, make_mount):
    data = make_file(emulator.root / "r", 9 * MiB + 77, 1)
    m = make_mount(emulator)
    rng = random.Random(2)
    with open(m.path / "r", "rb", buffering=0) as f:
        for _ in range(200):
            offset = rng.randrange(0, len(data) + 2 * MiB)
            length = rng.choice([1, 100, 4096, 65536, MiB, 3 * MiB + 5])
            assert os.pread(f.fileno(), length, offset) == data[offset:offset + length]


def test_a_3_gib_file_reads_byte_identical(emulator, make_mount):
    # Sparse on the emulator's side: mostly zeros, with marks across the 2 GiB and 4 GiB-ish
    # boundaries of 32-bit offsets.
    size = 3 << 30
    path = emulator.root / "huge"
    marks = {0: b"start", (2 << 30) - 3: b"across-2GiB", size - 4: b"end!"}
    with open(path, "wb") as f:
        f.truncate(size)
        for offset, mark in marks.items():
            f.seek(offset)
            f.write(mark)
    m = make_mount(emulator, "-o", "cache_size=64")
    with open(m.path / "huge", "rb", buffering=0) as f:
        for offset, mark in marks.items():
            assert os.pread(f.fileno(), len(mark), offset) == mark
    expected = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(16 * MiB):
            expected.update(chunk)
    got = subprocess.run(["sha256sum", str(m.path / "huge")], capture_output=True, text=True,
                         timeout=600, check=True).stdout.split()[0]
    assert got == expected.hexdigest()


@pytest.mark.concurrency
def test_a_sequential_read_fetches_each_block_once_and_a_reread_none(emulator, make_mount):
    data = make_file(emulator.root / "seq", 64 * MiB, 3)
    m = make_mount(emulator)
    os.stat(m.path / "seq")
    emulator.reset_stats()
    assert (m.path / "seq").read_bytes() == data
    assert emulator.stats()["requests"] == {"read": 64}
    emulator.reset_stats()
    assert (m.path / "seq").read_bytes() == data
    requests = emulator.stats()["requests"]
    assert requests.get("read", 0) == 0
    assert requests.get("get-status", 0) <= 1


@pytest.mark.concurrency
def test_parallel_readers_of_one_file_share_its_blocks(emulator, make_mount):
    # Eight threads, each with its own descriptor, read the whole file from different starting
    # points (wrapping round) while another lists its folder: every range is right, and the
    # blocks they share are fetched once.
    data = make_file(emulator.root / "shared", 24 * MiB + 5, 4)
    m = make_mount(emulator, "-o", "cache_size=64")
    os.stat(m.path / "shared")
    emulator.reset_stats()
    errors = []

    def reader(i):
        start, chunk = i * 3 * MiB + i, 300_000 + i
        try:
            with open(m.path / "shared", "rb", buffering=0) as f:
                for begin, end in ((start, len(data)), (0, start)):
                    for offset in range(begin, end, chunk):
                        length = min(chunk, end - offset)
                        got = os.pread(f.fileno(), length, offset)
                        assert got == data[offset:offset + length], (i, offset)
        except Exception as e:  # noqa: BLE001 - every failure counts
            errors.append(e)

    def lister():
        try:
            for _ in range(50):
                assert "shared" in os.listdir(m.path)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(8)]
    threads.append(threading.Thread(target=lister))
    for t in threads:
        t.start()
    for t in threads:
        t.join(240)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    # A cache of 64 MiB holds the whole file: no block is fetched twice.
    assert emulator.stats()["requests"].get("read", 0) <= 25


def test_a_file_changed_elsewhere_is_read_fresh_once_its_attributes_expire(emulator, make_mount):
    path = emulator.root / "changing"
    path.write_bytes(b"version one")
    m = make_mount(emulator, "-o", "attr_ttl=0,dir_ttl=0,negative_ttl=0")
    assert (m.path / "changing").read_bytes() == b"version one"
    path.write_bytes(b"version two, longer")
    os.utime(path, (1, 2_000_000_000))
    assert (m.path / "changing").read_bytes() == b"version two, longer"


def test_an_open_sees_a_change_made_elsewhere_while_the_file_is_open_here(emulator, make_mount):
    # The kernel sends RELEASE after close(2) has returned, so a file just closed may still be
    # open inside dbfs-fuse when the next open comes: that open must still check the version.
    path = emulator.root / "changing"
    path.write_bytes(b"version one")
    m = make_mount(emulator, "-o", "attr_ttl=0,dir_ttl=0,negative_ttl=0")
    with open(m.path / "changing", "rb") as held:
        assert held.read() == b"version one"
        path.write_bytes(b"version two, longer")
        os.utime(path, (1, 2_000_000_000))
        assert (m.path / "changing").read_bytes() == b"version two, longer"
