"""The write path: everyday tools work unchanged, bytes arrive intact, calls are as few as they
should be, and close(2) reports every failure."""
import hashlib
import os
import random
import shutil
import subprocess
import threading
import time
import zipfile

import pytest

MiB = 1 << 20


def sh(*cmd, timeout=300, check=True, **kw):
    return subprocess.run(list(map(str, cmd)), capture_output=True, text=True, timeout=timeout,
                          check=check, **kw)


def uploads(stats):
    r = stats["requests"]
    return {op: r[op] for op in ("put", "create", "add-block", "close") if r.get(op)}


def make_tree(root):
    """Mixed sizes around the 1 MiB block, binary content, odd names, nested folders."""
    rng = random.Random(7)
    files = {
        "empty": 0, "one": 1, "block-1": MiB - 1, "block": MiB, "block+1": MiB + 1,
        "sub/dir/deep file.bin": 3 * MiB + 5, "odd names/per%cent #1?&+.txt": 100,
        "odd names/ünï 名前": 5000, "hundred": 100 * MiB,
    }
    for rel, size in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(rng.randbytes(size))
    (root / "empty dir").mkdir()
    return files


def assert_same_tree(a, b):
    result = sh("diff", "-r", a, b, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cp_r_round_trip(mounted, tmp_path):
    emulator, m = mounted
    make_tree(tmp_path / "src")
    sh("cp", "-r", tmp_path / "src", m.path / "tree")
    assert_same_tree(tmp_path / "src", emulator.root / "tree")
    sh("cp", "-r", m.path / "tree", tmp_path / "back")
    assert_same_tree(tmp_path / "src", tmp_path / "back")
    assert not [p for p in (emulator.root / "tree").rglob(".dbfs-fuse-upload.*")]


def test_rsync_round_trip_and_a_cheap_second_run(mounted, tmp_path):
    emulator, m = mounted
    make_tree(tmp_path / "src")
    # The README's command: DBFS keeps no mtimes, so compare by size only.
    sh("rsync", "-a", "--size-only", f"{tmp_path / 'src'}/", m.path / "tree")
    assert_same_tree(tmp_path / "src", emulator.root / "tree")
    sh("rsync", "-a", f"{m.path / 'tree'}/", tmp_path / "back")
    assert_same_tree(tmp_path / "src", tmp_path / "back")
    emulator.reset_stats()
    sh("rsync", "-a", "--size-only", f"{tmp_path / 'src'}/", m.path / "tree")
    assert uploads(emulator.stats()) == {}
    # Plain rsync -a, with its temporary-file-then-rename pattern, also works.
    sh("rsync", "-a", f"{tmp_path / 'src'}/", m.path / "tree2")
    assert_same_tree(tmp_path / "src", emulator.root / "tree2")


def test_call_counts_for_small_and_large_files_and_unchanged_closes(mounted, tmp_path):
    emulator, m = mounted
    os.stat(m.path)
    emulator.reset_stats()
    (m.path / "small").write_bytes(b"s" * 4096)
    assert uploads(emulator.stats()) == {"put": 1}
    emulator.reset_stats()
    data = random.Random(1).randbytes(10 * MiB)
    (m.path / "large").write_bytes(data)
    assert uploads(emulator.stats()) == {"create": 1, "add-block": 10, "close": 1}
    assert (emulator.root / "large").read_bytes() == data
    emulator.reset_stats()
    with open(m.path / "large", "rb") as f:
        f.read(100)
    with open(m.path / "large", "r+b") as f:
        f.read(100)
    assert uploads(emulator.stats()) == {}


def test_overwrite_append_random_writes_and_truncate(mounted):
    emulator, m = mounted
    rng = random.Random(3)
    data = bytearray(rng.randbytes(5 * MiB + 11))
    p = m.path / "f"
    p.write_bytes(data)
    with open(p, "r+b") as f:  # scattered writes into the existing file
        for _ in range(50):
            off = rng.randrange(0, len(data) + MiB)
            chunk = rng.randbytes(rng.randrange(1, 200_000))
            f.seek(off)
            f.write(chunk)
            if off > len(data):
                data.extend(b"\0" * (off - len(data)))
            data[off:off + len(chunk)] = chunk
    assert (emulator.root / "f").read_bytes() == bytes(data)
    with open(p, "ab") as f:
        f.write(b"appended")
    data += b"appended"
    assert (emulator.root / "f").read_bytes() == bytes(data)
    os.truncate(p, 2 * MiB + 1)
    assert (emulator.root / "f").read_bytes() == bytes(data[:2 * MiB + 1])
    os.truncate(p, 3 * MiB)
    assert (emulator.root / "f").read_bytes() == bytes(data[:2 * MiB + 1]) + b"\0" * (MiB - 1)
    sh("truncate", "-s", "10", p)
    assert (emulator.root / "f").read_bytes() == bytes(data[:10])
    assert p.read_bytes() == bytes(data[:10])


def test_shell_redirections_sed_tar_unzip_and_dd(mounted, tmp_path):
    emulator, m = mounted
    sh("bash", "-c", f"echo one > '{m.path}/t.txt' && echo two >> '{m.path}/t.txt'")
    assert (emulator.root / "t.txt").read_bytes() == b"one\ntwo\n"
    sh("sed", "-i", "s/two/three/", m.path / "t.txt")
    assert (emulator.root / "t.txt").read_bytes() == b"one\nthree\n"

    make_tree(tmp_path / "src")
    sh("tar", "-cf", tmp_path / "t.tar", "-C", tmp_path / "src", ".")
    (m.path / "untar").mkdir()
    sh("tar", "-xf", tmp_path / "t.tar", "-C", m.path / "untar")
    assert_same_tree(tmp_path / "src", emulator.root / "untar")

    with zipfile.ZipFile(tmp_path / "z.zip", "w") as z:
        z.writestr("a/b.txt", "zipped")
        z.writestr("big.bin", random.Random(5).randbytes(3 * MiB))
    sh("unzip", "-q", tmp_path / "z.zip", "-d", m.path / "unzipped")
    assert (emulator.root / "unzipped" / "a" / "b.txt").read_bytes() == b"zipped"
    assert (emulator.root / "unzipped" / "big.bin").read_bytes() == random.Random(5).randbytes(3 * MiB)

    sh("dd", f"if={tmp_path / 'src' / 'hundred'}", f"of={m.path / 'dd.bin'}", "bs=1M")
    assert (emulator.root / "dd.bin").read_bytes() == (tmp_path / "src" / "hundred").read_bytes()


def test_cp_p_cp_a_and_rsync_inplace(mounted, tmp_path):
    emulator, m = mounted
    make_tree(tmp_path / "src")
    sh("cp", "-p", tmp_path / "src" / "block+1", m.path / "p")
    sh("cp", "-a", tmp_path / "src", m.path / "a")
    assert_same_tree(tmp_path / "src", emulator.root / "a")
    (tmp_path / "src" / "block+1").write_bytes(b"changed")
    sh("rsync", "-a", "--inplace", f"{tmp_path / 'src'}/", m.path / "a")
    assert_same_tree(tmp_path / "src", emulator.root / "a")


def test_editor_and_program_save_patterns(mounted):
    emulator, m = mounted
    p = m.path / "doc.txt"
    p.write_text("first draft\n")
    # Python's atomic save: write a temporary file, then replace.
    tmp = m.path / ".doc.txt.tmp"
    tmp.write_text("second draft\n")
    os.replace(tmp, p)
    assert (emulator.root / "doc.txt").read_text() == "second draft\n"
    # vim's default: rename the original to a backup, write anew, delete the backup.
    os.rename(p, m.path / "doc.txt~")
    with open(p, "w") as f:
        f.write("third draft\n")
        f.flush()
        os.fsync(f.fileno())
    os.unlink(m.path / "doc.txt~")
    assert (emulator.root / "doc.txt").read_text() == "third draft\n"
    assert sorted(os.listdir(emulator.root / "")) == [".dbfs-emulator-staging", "doc.txt"] or \
        sorted(n for n in os.listdir(emulator.root) if not n.startswith(".dbfs-emulator")) == ["doc.txt"]


def test_git_clone_onto_the_mount(mounted, tmp_path):
    emulator, m = mounted
    repo = tmp_path / "repo"
    repo.mkdir()
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")
    sh("git", "init", "-q", repo, env=env)
    (repo / "README").write_text("hello\n")
    sh("git", "-C", repo, "add", "README", env=env)
    sh("git", "-C", repo, "commit", "-qm", "first", env=env)
    sh("git", "clone", "-q", repo, m.path / "clone", env=env)
    assert (emulator.root / "clone" / "README").read_text() == "hello\n"
    assert sh("git", "-C", m.path / "clone", "log", "--oneline").stdout.strip().endswith("first")


def test_unlinked_open_file_stays_gone_and_rename_carries_staged_data(mounted):
    emulator, m = mounted
    f = open(m.path / "doomed", "wb")
    f.write(b"x" * 100)
    os.unlink(m.path / "doomed")
    f.write(b"y" * 100)
    f.close()
    assert not (emulator.root / "doomed").exists()
    assert not (m.path / "doomed").exists()
    with open(m.path / "before", "wb") as g:
        g.write(b"moving data")
        os.rename(m.path / "before", m.path / "after")
    assert (emulator.root / "after").read_bytes() == b"moving data"
    assert not (emulator.root / "before").exists()


@pytest.mark.concurrency
def test_concurrent_writers(mounted):
    emulator, m = mounted
    payloads = {i: random.Random(i).randbytes(3 * MiB + i) for i in range(6)}

    def write(i):
        (m.path / f"c{i}").write_bytes(payloads[i])

    threads = [threading.Thread(target=write, args=(i,)) for i in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for i, data in payloads.items():
        assert (emulator.root / f"c{i}").read_bytes() == data
    # Several processes appending to one file end with one consistent upload of all of it.
    procs = [subprocess.Popen(["bash", "-c", f"for i in $(seq 20); do echo p{n}-$i >> '{m.path}/shared'; done"])
             for n in range(4)]
    for p in procs:
        assert p.wait(120) == 0
    lines = (emulator.root / "shared").read_text().splitlines()
    assert sorted(lines) == sorted(f"p{n}-{i}" for n in range(4) for i in range(1, 21))


def test_a_reader_never_sees_a_half_uploaded_file(emulator, make_mount, tmp_path):
    emulator.set_faults(["add-block:always:delay=100"])
    m = make_mount(emulator)
    old = b"old content " * 1000
    (emulator.root / "target").write_bytes(old)
    new = random.Random(9).randbytes(8 * MiB)
    writer = threading.Thread(target=lambda: (m.path / "target").write_bytes(new))
    writer.start()
    seen = set()
    while writer.is_alive():
        try:
            seen.add(hashlib.sha256((emulator.root / "target").read_bytes()).hexdigest())
        except FileNotFoundError:
            pass  # replacing is delete-then-move: for a moment there is no file
        time.sleep(0.01)
    writer.join()
    assert seen <= {hashlib.sha256(old).hexdigest(), hashlib.sha256(new).hexdigest()}
    assert (emulator.root / "target").read_bytes() == new


def test_faults_on_add_block_and_close_still_end_byte_identical(emulator, make_mount, tmp_path):
    data = random.Random(11).randbytes(50 * MiB)
    (tmp_path / "src.bin").write_bytes(data)
    emulator.set_faults(["add-block:every=7:status=503", "add-block:every=11:reset",
                         "add-block:every=13:lost", "close:first=1:lost",
                         "add-block:every=5:status=429,retry-after=1"])
    m = make_mount(emulator, "-o", "retry_timeout=60")
    sh("cp", tmp_path / "src.bin", m.path / "dst.bin", timeout=600)
    emulator.set_faults([])
    assert (emulator.root / "dst.bin").read_bytes() == data
    assert (m.path / "dst.bin").read_bytes() == data
    assert not list(emulator.root.glob(".dbfs-fuse-upload.*"))


def test_exhausted_retries_make_cp_fail_and_keep_the_old_file(emulator, make_mount, tmp_path):
    (emulator.root / "kept").write_bytes(b"precious")
    (tmp_path / "new.bin").write_bytes(random.Random(12).randbytes(3 * MiB))
    (tmp_path / "small").write_bytes(b"tiny")
    m = make_mount(emulator, "-o", "retry_timeout=2")
    emulator.set_faults(["add-block+put:always:status=503"])
    assert sh("cp", tmp_path / "new.bin", m.path / "kept", check=False).returncode != 0
    assert sh("cp", tmp_path / "small", m.path / "kept", check=False).returncode != 0
    emulator.set_faults([])
    assert (emulator.root / "kept").read_bytes() == b"precious"


def test_a_full_cache_dir_fails_the_copy_and_publishes_nothing(emulator, make_mount, tmp_path):
    # Staging beyond 8 MiB a file spills to cache_dir; here that holds 16 MiB.
    cache = tmp_path / "small-cache"
    cache.mkdir()
    sh("mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", cache, timeout=30)
    m = None
    try:
        (emulator.root / "kept").write_bytes(b"precious")
        (tmp_path / "big").write_bytes(random.Random(14).randbytes(48 * MiB))
        m = make_mount(emulator, cache_dir=cache)
        for name in ("new", "kept"):
            r = sh("cp", tmp_path / "big", m.path / name, check=False)
            assert r.returncode != 0 and "No space left on device" in r.stderr, r.stderr
        # Neither a part of the new file nor of the overwrite reached a final name, and what the
        # streams had sent is removed (on their own threads).
        assert not (emulator.root / "new").exists()
        assert (emulator.root / "kept").read_bytes() == b"precious"
        deadline = time.monotonic() + 15
        while list(emulator.root.glob(".dbfs-fuse-upload.*")) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not list(emulator.root.glob(".dbfs-fuse-upload.*"))
        # The space comes back when the kernel releases the failed files; then a copy that fits
        # (12 MiB: 4 of them spilled) goes through.
        while os.statvfs(cache).f_bfree * os.statvfs(cache).f_frsize < 15 * MiB:
            assert time.monotonic() < deadline, "cache_dir space not given back"
            time.sleep(0.1)
        (tmp_path / "fits").write_bytes(random.Random(15).randbytes(12 * MiB))
        sh("cp", tmp_path / "fits", m.path / "new")
        assert (emulator.root / "new").read_bytes() == (tmp_path / "fits").read_bytes()
    finally:
        if m is not None:
            m.stop()
        sh("umount", "-l", cache, timeout=30, check=False)


def _peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_a_4_gib_dd_is_byte_identical_with_bounded_memory(mounted, tmp_path):
    emulator, m = mounted
    pattern = random.Random(13).randbytes(16 * MiB)
    (tmp_path / "pattern").write_bytes(pattern)
    repeats = 256  # 4 GiB
    sh("bash", "-c", f"for i in $(seq {repeats}); do cat '{tmp_path / 'pattern'}'; done"
       f" | dd of='{m.path / 'huge'}' bs=1M iflag=fullblock status=none", timeout=900)
    peak = _peak_rss_kib(m.process.pid)
    expected = hashlib.sha256()
    for _ in range(repeats):
        expected.update(pattern)
    got = hashlib.sha256()
    with open(emulator.root / "huge", "rb") as f:
        while chunk := f.read(16 * MiB):
            got.update(chunk)
    assert got.hexdigest() == expected.hexdigest()
    assert peak < 150 * 1024, f"peak RSS {peak} KiB"
