"""Open files whose names go away, descriptors shared between processes, and writes that reach
the daemon after the last close: as on a local disk, nothing is lost, nothing is published
half-way, nothing hidden is left on DBFS, and the mount never dies."""
import ctypes
import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from mount import mount_entry

MiB = 1 << 20


def wait_until(predicate, what, timeout=20):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def hidden(root):
    """dbfs-fuse's hidden files (uploads in progress, old contents kept) anywhere on DBFS."""
    return [p for p in root.rglob(".dbfs-fuse-*")]


def on_dbfs(root):
    """The names at the top of DBFS (the emulator keeps its own staging folder there)."""
    return sorted(p.name for p in root.iterdir() if not p.name.startswith(".dbfs-emulator"))


TEMPORARY_FILE = """
import os, sys, tempfile
f = tempfile.TemporaryFile(dir=sys.argv[1])
f.write(b"hi" * 1000000)
f.seek(0)
data = f.read()
size_before = os.fstat(f.fileno()).st_size
os.ftruncate(f.fileno(), 5)
st = os.fstat(f.fileno())
print(data == b"hi" * 1000000, size_before, st.st_size, st.st_nlink)
"""


def test_a_temporary_file_is_written_read_and_truncated(mounted):
    emulator, m = mounted
    r = subprocess.run([sys.executable, "-c", TEMPORARY_FILE, str(m.path)], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr + m.log()
    assert r.stdout.split() == ["True", "2000000", "5", "0"]
    assert os.listdir(m.path) == []
    wait_until(lambda: not on_dbfs(emulator.root), "DBFS to hold nothing of it")


@pytest.mark.parametrize("size", [100, 3 * MiB + 17])
@pytest.mark.parametrize("how", ["rm", "mv over"])
def test_descriptors_keep_an_unlinked_or_replaced_file_until_they_close(mounted, size, how):
    emulator, m = mounted
    old = random.Random(size).randbytes(size)
    (emulator.root / "data").write_bytes(old)
    with open(m.path / "data", "rb") as reader, open(m.path / "data", "r+b") as writer:
        assert reader.read(10) == old[:10]
        if how == "rm":
            subprocess.run(["rm", str(m.path / "data")], check=True, timeout=30)
            assert not (m.path / "data").exists()
        else:
            (m.path / "new").write_bytes(b"new content")
            subprocess.run(["mv", str(m.path / "new"), str(m.path / "data")], check=True,
                           timeout=30)
            assert (m.path / "data").read_bytes() == b"new content"
            assert (emulator.root / "data").read_bytes() == b"new content"
        st = os.fstat(reader.fileno())
        assert (st.st_nlink, st.st_size) == (0, size)
        assert reader.read() == old[10:]
        writer.write(b"WRITTEN")
        os.ftruncate(writer.fileno(), 20)
        assert os.fstat(writer.fileno()).st_size == 20
        writer.seek(0)
        assert writer.read() == b"WRITTEN" + old[7:20]
        assert sorted(os.listdir(m.path)) == ([] if how == "rm" else ["data"])
    wait_until(lambda: not hidden(emulator.root), "the old content to be deleted")
    assert on_dbfs(emulator.root) == ([] if how == "rm" else ["data"])
    if how == "mv over":
        assert (emulator.root / "data").read_bytes() == b"new content"


def test_a_crash_while_a_removed_file_is_open_leaves_nothing_behind(emulator, make_mount):
    (emulator.root / "data").write_bytes(b"x" * (2 * MiB))
    m = make_mount(emulator, "-o", "auto_unmount")
    f = open(m.path / "data", "rb")
    try:
        os.unlink(m.path / "data")
        assert len(hidden(emulator.root)) == 1
        m.process.send_signal(signal.SIGKILL)
        m.process.wait(10)
    finally:
        try:
            f.close()
        except OSError:
            pass
    wait_until(lambda: mount_entry(m.path) is None, "auto_unmount")
    make_mount(emulator, name="mnt2", cache_dir=m.cache_dir)
    assert on_dbfs(emulator.root) == []


def write_through_mapping_after_close(path, offset, data):
    """mmap the file, close the descriptor, then write through the mapping and unmap: the
    kernel writes the pages back after the last close, as numpy.memmap and databases do."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    size = os.path.getsize(path)
    fd = os.open(path, os.O_RDWR)
    address = libc.mmap(None, size, 0x1 | 0x2, 0x01, fd, 0)  # PROT_READ|PROT_WRITE, MAP_SHARED
    os.close(fd)
    assert address not in (None, ctypes.c_void_p(-1).value), os.strerror(ctypes.get_errno())
    ctypes.memmove(address + offset, data, len(data))
    assert libc.munmap(address, size) == 0


def test_writes_through_mmap_after_close_reach_dbfs(mounted):
    emulator, m = mounted
    (m.path / "mapped").write_bytes(b"." * 8192)
    write_through_mapping_after_close(m.path / "mapped", 4096, b"WORLD")
    expected = b"." * 4096 + b"WORLD" + b"." * 4091
    wait_until(lambda: (emulator.root / "mapped").read_bytes() == expected,
               "the mapped write to reach DBFS")
    assert "discarding" not in m.log()


def test_children_sharing_a_descriptor_publish_the_file_once(mounted, tmp_path):
    emulator, m = mounted
    parts = [random.Random(i).randbytes(3 * MiB) for i in range(5)]
    for i, part in enumerate(parts):
        (tmp_path / f"part{i}").write_bytes(part)
    emulator.reset_stats()
    cats = "; ".join(f"cat '{tmp_path}/part{i}'" for i in range(5))
    subprocess.run(["bash", "-c", f"( {cats}; true ) > '{m.path}/joined'"], check=True,
                   timeout=120)
    assert (emulator.root / "joined").read_bytes() == b"".join(parts)
    requests = emulator.stats()["requests"]
    # One upload of 15 MiB: no child's exit published a part of it. (The shell's own close of
    # the descriptor it opened, once it has moved it to stdout, publishes the empty file.)
    assert (requests.get("close"), requests.get("add-block")) == (1, 15)
    assert requests.get("put", 0) <= 1


def test_a_file_created_read_only_comes_into_being(mounted):
    emulator, m = mounted
    os.close(os.open(m.path / "made", os.O_CREAT | os.O_EXCL | os.O_RDONLY, 0o644))
    assert (emulator.root / "made").read_bytes() == b""
    os.truncate(m.path / "made", 3)
    assert (emulator.root / "made").read_bytes() == b"\0\0\0"


def test_renaming_a_directory_while_a_file_in_it_is_written(mounted):
    emulator, m = mounted
    (m.path / "d").mkdir()
    data = random.Random(3).randbytes(6 * MiB)
    with open(m.path / "d" / "f", "wb") as f:
        f.write(data[:3 * MiB])
        wait_until(lambda: hidden(emulator.root), "the upload to start streaming")
        os.rename(m.path / "d", m.path / "e")
        f.write(data[3 * MiB:])
    assert (emulator.root / "e" / "f").read_bytes() == data
    assert not (emulator.root / "d").exists()
    assert not hidden(emulator.root)
    shutil.rmtree(m.path / "e")
    assert os.listdir(m.path) == [] and on_dbfs(emulator.root) == []


def test_hidden_names_are_refused_and_lookalikes_are_ordinary_files(mounted):
    emulator, m = mounted
    (m.path / ".dbfs-fuse-upload.txt").write_bytes(b"mine")
    assert (m.path / ".dbfs-fuse-upload.txt").read_bytes() == b"mine"
    assert os.listdir(m.path) == [".dbfs-fuse-upload.txt"]
    for name in (".dbfs-fuse-upload.0123456789abcdef", ".dbfs-fuse-old.0123456789abcdef"):
        for attempt in (lambda: (m.path / name).write_bytes(b"x"),
                        lambda: (m.path / name).mkdir(),
                        lambda: os.rename(m.path / ".dbfs-fuse-upload.txt", m.path / name)):
            with pytest.raises(OSError) as e:
                attempt()
            assert e.value.errno == errno.EINVAL
    assert "belong to dbfs-fuse's hidden files" in m.log()
    assert on_dbfs(emulator.root) == [".dbfs-fuse-upload.txt"]


def test_an_append_lands_on_the_file_as_another_mount_left_it(emulator, make_mount):
    (emulator.root / "log").write_bytes(b"a" * 1000)
    a = make_mount(emulator, name="a")
    b = make_mount(emulator, name="b")
    assert (b.path / "log").stat().st_size == 1000  # b now holds the size for attr_ttl
    with open(a.path / "log", "r+b") as f:
        f.truncate(10)
    assert (emulator.root / "log").read_bytes() == b"a" * 10
    with open(b.path / "log", "ab") as f:
        f.write(b"B")
    assert (emulator.root / "log").read_bytes() == b"a" * 10 + b"B"
    assert (b.path / "log").read_bytes() == b"a" * 10 + b"B"
