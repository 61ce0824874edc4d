"""The Files API 2.0 on files (docs/volumes-api.md, "Calls", "Files", "Paths", "Errors"):
HEAD, GET with Range and If-Unmodified-Since, PUT (streamed, atomic, overwrite, 5 GiB), DELETE,
and how paths are read."""
import email.utils
import os
import pathlib
import socket
import time
import urllib.parse
import urllib.request

import pytest

from dbfs_http import MIB, VOLUME, fs_error, fs_target, http_request, make_volume, raw_exchange

F = f"{VOLUME}/dir/f.bin"


def write(emu, path, data: bytes, mtime: float | None = None):
    """A file placed directly in the emulator's folder."""
    local = emu.root / path.lstrip("/")
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_bytes(data)
    if mtime is not None:
        os.utime(local, (mtime, mtime))
    return local


def http_date(seconds: float) -> str:
    return email.utils.formatdate(seconds, usegmt=True)


def test_head_answers_size_type_and_last_modified_at_one_second(emulator, volume, fs):
    write(emulator, F, b"0123456789", mtime=1_700_000_000.987)
    status, headers, body = fs("HEAD", "files", F)
    assert (status, body) == (200, b"")
    assert headers["Content-Length"] == "10"
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Last-Modified"] == http_date(1_700_000_000) == "Tue, 14 Nov 2023 22:13:20 GMT"


def test_get_answers_the_whole_file_with_the_same_headers(emulator, volume, fs):
    data = os.urandom(300_000)
    write(emulator, F, data, mtime=1_600_000_000)
    status, headers, body = fs("GET", "files", F)
    assert (status, body) == (200, data)
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Length"] == str(len(data))
    assert headers["Last-Modified"] == http_date(1_600_000_000)
    assert "Content-Range" not in headers


@pytest.mark.parametrize("spec,first,last", [
    ("bytes=2-5", 2, 5),       # inclusive
    ("bytes=0-0", 0, 0),
    ("bytes=7-", 7, 9),        # to the end
    ("bytes=6-100", 6, 9),     # an end past the end is cut to it
    ("bytes=-3", 7, 9),        # the last 3 bytes
])
def test_range_answers_206_with_content_range(emulator, volume, fs, spec, first, last):
    write(emulator, F, b"0123456789", mtime=1_600_000_000)
    status, headers, body = fs("GET", "files", F, headers={"Range": spec})
    assert status == 206 and body == b"0123456789"[first:last + 1]
    assert headers["Content-Range"] == f"bytes {first}-{last}/10"
    assert headers["Content-Length"] == str(last - first + 1)
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Last-Modified"] == http_date(1_600_000_000)


@pytest.mark.parametrize("data,spec", [(b"0123456789", "bytes=10-"), (b"0123456789", "bytes=11-20"),
                                       (b"", "bytes=0-"), (b"abc", "bytes=-0")])
def test_range_starting_at_or_past_the_end_is_416(emulator, volume, fs, data, spec):
    write(emulator, F, data)
    status, headers, body = fs("GET", "files", F, headers={"Range": spec})
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(data)}"
    assert fs_error(416, "INVALID_PARAMETER_VALUE")(status, body)


def test_several_ranges_are_ignored_for_the_whole_file(emulator, volume, fs):
    write(emulator, F, b"0123456789")
    assert fs("GET", "files", F, headers={"Range": "bytes=0-1,4-5"})[::2] == (200, b"0123456789")


def test_if_unmodified_since_answers_412_once_the_file_changed(emulator, volume, fs):
    write(emulator, F, b"old", mtime=1_600_000_000.5)
    same_second = {"If-Unmodified-Since": http_date(1_600_000_000)}
    assert fs("GET", "files", F, headers=same_second)[::2] == (200, b"old")
    ranged = dict(same_second, Range="bytes=1-")
    assert fs("GET", "files", F, headers=ranged)[::2] == (206, b"ld")
    write(emulator, F, b"new", mtime=1_600_000_001)
    status, _, body = fs("GET", "files", F, headers=same_second)
    assert fs_error(412, "PRECONDITION_FAILED")(status, body)
    unparsable = {"If-Unmodified-Since": "yesterday"}
    assert fs("GET", "files", F, headers=unparsable)[::2] == (200, b"new")


def test_put_answers_204_creates_parents_and_overwrites_by_default(emulator, volume, fs):
    status, headers, body = fs("PUT", "files", F, b"first",
                               {"Content-Type": "application/octet-stream"})
    assert (status, body) == (204, b"") and "Content-Length" not in headers
    assert (emulator.root / F.lstrip("/")).read_bytes() == b"first"
    assert fs("PUT", "files", F, b"second")[0] == 204
    assert fs("PUT", "files", F, b"third", overwrite="true")[0] == 204
    assert (emulator.root / F.lstrip("/")).read_bytes() == b"third"


def test_put_with_overwrite_false_over_a_file_is_409_already_exists(emulator, volume, fs):
    assert fs("PUT", "files", F, b"kept", overwrite="false")[0] == 204
    status, _, body = fs("PUT", "files", F, b"lost", overwrite="false")
    assert fs_error(409, "ALREADY_EXISTS")(status, body)
    assert (emulator.root / F.lstrip("/")).read_bytes() == b"kept"


def test_put_where_a_directory_is_is_409_already_exists(emulator, volume, fs):
    (emulator.root / F.lstrip("/")).mkdir(parents=True)
    status, _, body = fs("PUT", "files", F, b"x")
    assert fs_error(409, "ALREADY_EXISTS")(status, body)
    status, _, body = fs("PUT", "files", F + "/below", b"x")  # fine: a directory is a parent
    assert status == 204


def test_put_below_a_file_is_409(emulator, volume, fs):
    write(emulator, F, b"file")
    status, _, body = fs("PUT", "files", F + "/child", b"x")
    assert fs_error(409, "ALREADY_EXISTS")(status, body)


def test_put_with_an_empty_body_makes_an_empty_file(emulator, volume, fs):
    assert fs("PUT", "files", F, b"")[0] == 204
    assert fs("HEAD", "files", F)[1]["Content-Length"] == "0"
    assert fs("GET", "files", F)[::2] == (200, b"")


def test_implicit_parents_off_answers_404_for_a_missing_parent(make_emulator):
    emu = make_emulator("--volumes-implicit-parents", "off")
    make_volume(emu)
    status, _, body = emu.request("PUT", fs_target("files", F), b"x")
    assert fs_error(404, "NOT_FOUND", "FILES_API_DIRECTORY_IS_NOT_FOUND")(status, body)
    assert not (emu.root / F.lstrip("/")).parent.exists()
    assert emu.request("PUT", fs_target("files", f"{VOLUME}/top"), b"x")[0] == 204


def test_a_body_over_5_gib_is_400_before_it_is_read(emulator, volume):
    declared = 5 * 1024**3 + 1
    request = http_request(emulator, "PUT", fs_target("files", F), b"only a little",
                           close=False).replace(b"Content-Length: 13", f"Content-Length: {declared}".encode())
    answer = raw_exchange(emulator, request)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ") and b"Connection: close" in head
    length = int(next(line for line in head.split(b"\r\n") if line.startswith(b"Content-Length:"))
                 .split(b":")[1])
    assert fs_error(400, "INVALID_PARAMETER_VALUE")(400, body[:length])
    assert not (emulator.root / F.lstrip("/")).exists()


def peak_rss_kib(emu) -> int:
    status = pathlib.Path(f"/proc/{emu.process.pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])


def test_bodies_stream_through_without_being_held_in_memory(emulator, volume, fs):
    size = 160 * MIB
    piece = os.urandom(MIB)
    before = peak_rss_kib(emulator)
    chunks = (piece for _ in range(size // MIB))
    status, _, _ = fs("PUT", "files", F, chunks, {"Content-Length": str(size)})
    assert status == 204 and (emulator.root / F.lstrip("/")).stat().st_size == size
    with_upload = peak_rss_kib(emulator)
    req = urllib.request.Request(emulator.url + fs_target("files", F),
                                 headers={"Authorization": f"Bearer {emulator.token}"})
    received = 0
    with urllib.request.urlopen(req, timeout=30) as answer:
        while chunk := answer.read(4 * MIB):
            assert chunk[:16] == piece[received % MIB:received % MIB + 16]
            received += len(chunk)
    assert received == size
    # Held whole, either body would add 160 MiB to the peak; pieces add a few MiB.
    assert with_upload - before < 48 * 1024 and peak_rss_kib(emulator) - before < 48 * 1024


def test_an_upload_appears_whole_or_not_at_all(emulator, volume, fs):
    write(emulator, F, b"old contents")
    half = os.urandom(MIB)
    parts = urllib.parse.urlsplit(emulator.url)
    request = http_request(emulator, "PUT", fs_target("files", F), b"")
    request = request.replace(b"Content-Length: 0", f"Content-Length: {2 * MIB}".encode())
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request + half)
        time.sleep(0.3)
        # Mid-upload: readers see the old file whole; no name shows the new one.
        assert fs("GET", "files", F)[::2] == (200, b"old contents")
        assert os.listdir((emulator.root / F.lstrip("/")).parent) == ["f.bin"]
        sock.sendall(half)
        assert sock.recv(100).startswith(b"HTTP/1.1 204 ")
    assert fs("GET", "files", F)[::2] == (200, half + half)


def test_an_upload_cut_short_leaves_nothing(emulator, volume, fs):
    parts = urllib.parse.urlsplit(emulator.url)
    request = http_request(emulator, "PUT", fs_target("files", F), b"")
    request = request.replace(b"Content-Length: 0", f"Content-Length: {2 * MIB}".encode())
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request + os.urandom(MIB))
        time.sleep(0.2)
    deadline = time.time() + 5
    while os.listdir(emulator.root / ".dbfs-emulator-staging") and time.time() < deadline:
        time.sleep(0.05)
    assert os.listdir(emulator.root / ".dbfs-emulator-staging") == []
    assert fs("HEAD", "files", F)[0] == 404


def test_delete_answers_204_then_404(emulator, volume, fs):
    write(emulator, F, b"x")
    assert fs("DELETE", "files", F)[::2] == (204, b"")
    assert not (emulator.root / F.lstrip("/")).exists()
    status, _, body = fs("DELETE", "files", F)
    assert fs_error(404, "NOT_FOUND", "FILES_API_FILE_NOT_FOUND")(status, body)


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_missing_file_or_a_directory_is_404_file_not_found(emulator, volume, fs, method):
    (emulator.root / VOLUME.lstrip("/") / "dir").mkdir()
    for path in (f"{VOLUME}/missing", f"{VOLUME}/no/such/file", f"{VOLUME}/dir"):
        status, _, body = fs(method, "files", path)
        assert fs_error(404, "NOT_FOUND", "FILES_API_FILE_NOT_FOUND")(status, body), path
    assert (emulator.root / VOLUME.lstrip("/") / "dir").is_dir()


def test_a_failed_head_has_its_status_and_no_body(emulator, volume, fs):
    (emulator.root / VOLUME.lstrip("/") / "dir").mkdir()
    for path in (f"{VOLUME}/missing", f"{VOLUME}/dir"):
        assert fs("HEAD", "files", path)[::2] == (404, b"")
    assert fs("HEAD", "files", "/Volumes/main")[::2] == (403, b"")


def test_segments_are_percent_decoded_and_a_bare_plus_is_itself(emulator, volume, fs):
    name = "sp ace %25 ?q #h +plus é 日本"
    assert fs("PUT", "files", f"{VOLUME}/{name}", b"odd")[0] == 204
    assert os.listdir(emulator.root / VOLUME.lstrip("/")) == [name]
    raw_plus = f"/api/2.0/fs/files{VOLUME}/a+b"
    assert emulator.request("PUT", raw_plus, b"plus")[0] == 204
    assert (emulator.root / VOLUME.lstrip("/") / "a+b").read_bytes() == b"plus"
    assert fs("GET", "files", f"{VOLUME}/a+b")[::2] == (200, b"plus")


@pytest.mark.parametrize("raw", ["/dir//f", "/dir/./f", "/dir/../f", "/dir/%2E%2E/f", "/f/",
                                 "/a%2Fb", "/a%00b", "/bad%zz", "/cut%4"])
def test_bad_segments_and_escapes_are_400(emulator, volume, raw):
    for method, kind in (("GET", "files"), ("PUT", "files"), ("PUT", "directories")):
        status, _, body = emulator.request(method, f"/api/2.0/fs/{kind}{VOLUME}{raw}", b"")
        assert fs_error(400, "INVALID_PARAMETER_VALUE")(status, body), (method, kind)
    assert sorted(os.listdir(emulator.root / VOLUME.lstrip("/"))) == []


@pytest.mark.parametrize("path", ["/Volumes", "/Volumes/main", "/Volumes/main/default", VOLUME,
                                  "/tmp/f", "/volumes/main/default/vol/f"])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_a_path_that_is_not_inside_a_volume_is_403_for_files(emulator, volume, fs, path, method):
    status, _, body = fs(method, "files", path, b"x" if method == "PUT" else None)
    assert fs_error(403, "PERMISSION_DENIED")(status, body)
    assert (emulator.root / VOLUME.lstrip("/")).is_dir()


def test_a_put_into_a_volume_that_does_not_exist_is_404_and_makes_nothing(emulator, fs):
    status, _, body = fs("PUT", "files", f"{VOLUME}/f", b"x")
    assert fs_error(404, "NOT_FOUND", "FILES_API_DIRECTORY_IS_NOT_FOUND")(status, body)
    assert not (emulator.root / "Volumes").exists()
