"""read: every row of the contract's read table."""
import os

from dbfs_http import MIB, b64, unb64


def read(emu, **params):
    return emu.call("read", params=params)


def test_length_omitted_reads_524288_bytes(emulator, put_file):
    data = os.urandom(MIB + 10)
    put_file("/f", data[:MIB])
    status, body = read(emulator, path="/f")
    assert status == 200
    assert body["bytes_read"] == 524288
    assert unb64(body["data"]) == data[:524288]


def test_reads_up_to_one_mib_at_any_offset(emulator, put_file):
    data = os.urandom(MIB)
    put_file("/f", data)
    status, body = read(emulator, path="/f", offset=0, length=MIB)
    assert status == 200 and body["bytes_read"] == MIB and unb64(body["data"]) == data
    status, body = read(emulator, path="/f", offset=12345, length=1000)
    assert body == {"bytes_read": 1000, "data": b64(data[12345:13345])}


def test_length_over_one_mib_is_max_read_size_exceeded(emulator, put_file):
    put_file("/f", b"x")
    status, body = read(emulator, path="/f", length=MIB + 1)
    assert status == 400 and body["error_code"] == "MAX_READ_SIZE_EXCEEDED"


def test_read_past_eof_returns_the_bytes_up_to_eof(emulator, put_file):
    put_file("/f", b"0123456789")
    assert read(emulator, path="/f", offset=7, length=100) == (200, {"bytes_read": 3,
                                                                     "data": b64(b"789")})


def test_read_at_eof_and_of_an_empty_file_answer_zero_bytes(emulator, put_file):
    put_file("/f", b"0123456789")
    put_file("/empty", b"")
    assert read(emulator, path="/f", offset=10, length=5) == (200, {"bytes_read": 0, "data": ""})
    assert read(emulator, path="/empty") == (200, {"bytes_read": 0, "data": ""})


def test_offset_past_size_is_invalid(emulator, put_file):
    put_file("/f", b"0123456789")
    status, body = read(emulator, path="/f", offset=11, length=1)
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"


def test_negative_offset_or_length_and_directories_are_invalid(emulator, put_file):
    put_file("/d/f", b"abc")
    for params in ({"offset": -1}, {"length": -1}):
        status, body = read(emulator, path="/d/f", **params)
        assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE", params
    for path in ("/d", "/"):
        status, body = read(emulator, path=path)
        assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE", path


def test_missing_file_is_not_found(emulator):
    status, body = read(emulator, path="/nope")
    assert status == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    status, body = read(emulator, path="/no/such/dir/file")
    assert status == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_read_answers_json_without_compression(emulator, put_file):
    put_file("/f", b"a" * 100000)
    status, headers, body = emulator.request(
        "GET", "/api/2.0/dbfs/read?path=/f", headers={"Accept-Encoding": "gzip, br"})
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert headers.get("Content-Encoding") is None
    assert body.startswith(b'{"bytes_read":100000,')
