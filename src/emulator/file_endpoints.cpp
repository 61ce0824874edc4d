// The Files API endpoints on files: HEAD, GET (whole, or a range), PUT (streamed), DELETE.

#include <cerrno>
#include <memory>
#include <vector>

#include "emulator/byte_range.h"
#include "emulator/files_api_error.h"
#include "emulator/files_endpoints.h"
#include "emulator/http_date.h"

namespace emulator::files {
namespace {

constexpr const char* kOctetStream = "application/octet-stream";
constexpr size_t kPiece = 256 * 1024;  // what one call of the content provider sends

// 412 when the file changed after the client's If-Unmodified-Since, compared at the 1 s
// resolution of an HTTP-date; a date that does not parse is ignored, as RFC 9110 has it.
void check_unmodified_since(const httplib::Request& req, const OpenedFile& file,
                            const VolumePath& path) {
  if (!req.has_header("If-Unmodified-Since")) return;
  std::string date = req.get_header_value("If-Unmodified-Since");
  std::optional<std::time_t> since = parse_http_date(date);
  if (since && file.st.st_mtim.tv_sec > *since) throw modified_since(path.path, date);
}

// The range's bytes, read from the open file piece by piece as httplib sends them: a file of
// gigabytes costs one piece of memory. The file stays open with the answer, so a file replaced
// meanwhile is still answered whole from what was opened.
void stream_range(httplib::Response& res, UniqueFd fd, ByteRange range) {
  if (range.length == 0) {
    res.set_header("Content-Type", kOctetStream);
    return;
  }
  auto file = std::make_shared<UniqueFd>(std::move(fd));
  res.set_content_provider(
      size_t(range.length), kOctetStream,
      [file, start = range.offset](size_t offset, size_t length, httplib::DataSink& sink) {
        thread_local std::vector<char> piece(kPiece);
        ssize_t n;
        do {
          n = ::pread(file->get(), piece.data(), std::min(length, kPiece), start + int64_t(offset));
        } while (n < 0 && errno == EINTR);
        // A file cut short under the reader ends the answer short: the client sees it.
        return n > 0 && sink.write(piece.data(), size_t(n));
      });
}

// Consumes a body that will not be used, so the connection can carry the next request.
void drain(BodyReader body) {
  if (body) (*body)([](const char*, size_t) { return true; });
}

}  // namespace

uint64_t head_file(VolumeStore& store, std::string_view encoded, const httplib::Request&,
                   httplib::Response& res, BodyReader) {
  OpenedFile file = store.open_file(parse_volume_path(encoded));
  res.status = 200;
  res.set_header("Content-Length", std::to_string(file.st.st_size));
  res.set_header("Content-Type", kOctetStream);
  res.set_header("Last-Modified", format_http_date(file.st.st_mtim.tv_sec));
  return 0;
}

uint64_t get_file(VolumeStore& store, std::string_view encoded, const httplib::Request& req,
                  httplib::Response& res, BodyReader) {
  VolumePath path = parse_volume_path(encoded);
  OpenedFile file = store.open_file(path);
  check_unmodified_since(req, file, path);
  int64_t size = file.st.st_size;
  std::optional<ByteRange> range;
  if (req.has_header("Range")) range = parse_range(req.get_header_value("Range"), size);
  res.status = range ? 206 : 200;
  if (range) {
    res.set_header("Content-Range", "bytes " + std::to_string(range->offset) + "-" +
                                        std::to_string(range->offset + range->length - 1) + "/" +
                                        std::to_string(size));
  }
  res.set_header("Last-Modified", format_http_date(file.st.st_mtim.tv_sec));
  ByteRange sent = range.value_or(ByteRange{0, size});
  stream_range(res, std::move(file.fd), sent);
  return uint64_t(sent.length);
}

// The body goes to a staged file as it arrives, then is renamed into place: the file appears
// whole or not at all. What can be refused before a byte is read is refused then.
uint64_t put_file(VolumeStore& store, std::string_view encoded, const httplib::Request& req,
                  httplib::Response& res, BodyReader body) {
  bool overwrite = true;
  bool body_read = false;
  try {
    if (req.has_param("overwrite")) {
      std::string value = req.get_param_value("overwrite");
      if (value != "true" && value != "false")
        throw invalid("overwrite must be true or false, got '" + value + "'");
      overwrite = value == "true";
    }
    VolumePath path = parse_volume_path(encoded);
    if (req.has_header("Content-Length")) {
      uint64_t declared = req.get_header_value<uint64_t>("Content-Length");
      if (declared > kMaxUpload) {
        // Not read: the rest of this connection is that body, so it closes after the answer.
        res.set_header("Connection", "close");
        body_read = true;
        throw too_large(declared, kMaxUpload);
      }
    }
    store.check_file_writable(path, overwrite);
    StagedFile staged = store.stage();
    int write_error = 0;
    body_read = true;
    bool complete = (*body)([&](const char* data, size_t n) {
      if (uint64_t(staged.size()) + n > kMaxUpload) return false;
      if (staged.append({data, n})) return true;
      write_error = errno;
      return false;
    });
    if (write_error) throw io_error(path.path, write_error);
    if (!complete) {
      res.set_header("Connection", "close");
      if (uint64_t(staged.size()) < kMaxUpload) throw invalid("The request body was cut short");
      throw too_large(uint64_t(staged.size()) + 1, kMaxUpload);
    }
    store.place_file(path, staged, overwrite);
  } catch (const FilesApiError&) {
    if (!body_read) drain(body);
    throw;
  }
  res.status = 204;
  return 0;
}

uint64_t delete_file(VolumeStore& store, std::string_view encoded, const httplib::Request&,
                     httplib::Response& res, BodyReader) {
  store.delete_file(parse_volume_path(encoded));
  res.status = 204;
  return 0;
}

}  // namespace emulator::files
