#include "emulator/hostile_answers.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "dbfs/api_error.h"
#include "dbfs/base64.h"
#include "emulator/answers.h"

namespace emulator::hostile {
namespace {

using Clock = std::chrono::steady_clock;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// The most a content provider writes at once: small enough to notice a stop or a client gone
// between pieces, big enough that a GiB costs little CPU.
constexpr size_t kPiece = 64 * 1024;
// Trickle sleeps at most this long between two looks at the stop flag and the client.
constexpr auto kStep = std::chrono::milliseconds(20);
// Synthetic and hostile entries all claim this modification time (2023-11-14).
constexpr int64_t kModificationTime = 1700000000000;

// `name` inside `dir`, the way DBFS paths are joined ("/" has no trailing separator added).
std::string join(const std::string& dir, std::string_view name) {
  std::string path = dir == "/" ? dir : dir + "/";
  return path.append(name);
}

void write_entry(Writer& w, const std::string& path, bool is_dir) {
  w.StartObject();
  w.Key("path");
  w.String(path.data(), rapidjson::SizeType(path.size()));
  w.Key("is_dir");
  w.Bool(is_dir);
  w.Key("file_size");
  w.Int64(is_dir ? 0 : 1);
  w.Key("modification_time");
  w.Int64(kModificationTime);
  w.EndObject();
}

// `text` as the inside of a JSON string (escaped, without the quotes).
std::string json_escaped(std::string_view text) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.String(text.data(), rapidjson::SizeType(text.size()));
  return std::string(out.GetString() + 1, out.GetSize() - 2);
}

// The content type the answer was given, taken off it: a content provider sets its own, and a
// second Content-Type header would be sent as well.
std::string take_content_type(httplib::Response& res) {
  std::string type = res.get_header_value("Content-Type");
  res.headers.erase("Content-Type");
  return type.empty() ? "application/json" : type;
}

// A body made of a head, `filler_size` copies of one character and a tail: a huge but valid
// JSON text, any piece of which is made on demand.
struct PaddedBody {
  std::string head;
  uint64_t filler_size = 0;
  char filler = 'x';
  std::string tail;

  uint64_t size() const { return head.size() + filler_size + tail.size(); }

  // Bytes [offset, offset + n) of the body into `out`.
  void piece(uint64_t offset, uint64_t n, std::string& out) const {
    out.clear();
    uint64_t end = offset + n;
    // The part of the segment [begin, begin + size) inside [offset, end): (start in it, length).
    auto overlap = [&](uint64_t begin, uint64_t size) {
      uint64_t from = std::max(offset, begin), to = std::min(end, begin + size);
      if (from >= to) return std::pair<uint64_t, uint64_t>(0, 0);
      return std::pair<uint64_t, uint64_t>(from - begin, to - from);
    };
    auto [head_at, head_n] = overlap(0, head.size());
    out.append(head, head_at, head_n);
    out.append(overlap(head.size(), filler_size).second, filler);
    auto [tail_at, tail_n] = overlap(head.size() + filler_size, tail.size());
    out.append(tail, tail_at, tail_n);
  }
};

// The oversize body of `op`: base64 that decodes (to zeros) for read, so that a client checking
// bytes_read against the data finds them in agreement and only the size is wrong.
PaddedBody oversize_body(std::string_view op, int64_t mib) {
  uint64_t filler = uint64_t(mib) << 20;  // a multiple of 4: whole base64 quanta
  if (op == "read") {
    return {"{\"bytes_read\":" + std::to_string(filler / 4 * 3) + ",\"data\":\"", filler, 'A',
            "\"}"};
  }
  return {"{\"padding\":\"", filler, 'x', "\"}"};
}

// The bytes of a read answer ({"bytes_read":N,"data":"..."}), decoded; false if it is not one.
bool read_bytes(const std::string& answer, std::string& bytes) {
  rapidjson::Document doc;
  doc.Parse(answer.data(), answer.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  if (!doc.HasMember("data") || !doc["data"].IsString()) return false;
  const rapidjson::Value& data = doc["data"];
  return dbfs::base64::decode({data.GetString(), data.GetStringLength()}, bytes);
}

// A read answer carrying `bytes`, shaped as the read endpoint shapes it.
std::string read_answer(std::string_view bytes) {
  std::string answer = "{\"bytes_read\":" + std::to_string(bytes.size()) + ",\"data\":\"";
  dbfs::base64::encode_append(bytes, answer);
  return answer + "\"}";
}

// The synthetic listing of entries=N, made a few hundred entries at a time as it is sent.
struct SyntheticListing {
  static constexpr std::string_view kOpen = "{\"files\":[";
  static constexpr std::string_view kClose = "]}";
  static constexpr std::string_view kTail =
      "\",\"is_dir\":false,\"file_size\":1,\"modification_time\":1700000000000}";

  std::string prefix;  // {"path":"DIR/ with DIR escaped for JSON
  int64_t n = 0;
  int64_t next = 1;   // the number of the next entry to make
  uint64_t made = 0;  // bytes made so far

  SyntheticListing(const std::string& dir, int64_t count)
      : prefix("{\"path\":\"" + json_escaped(join(dir, ""))), n(count) {}

  // The exact size of the listing, for its Content-Length: each name is 'f' and at least 7
  // digits.
  uint64_t size() const {
    uint64_t names = 0;
    int64_t digits = 1;
    for (int64_t low = 1; low <= n; low *= 10, ++digits) {
      int64_t high = std::min(n, low * 10 - 1);
      names += uint64_t(high - low + 1) * uint64_t(1 + std::max<int64_t>(7, digits));
    }
    return kOpen.size() + kClose.size() + uint64_t(n - 1) +
           uint64_t(n) * (prefix.size() + kTail.size()) + names;
  }

  // The next entries, about kPiece bytes of them, into `out`; the last piece closes the object.
  void next_piece(std::string& out) {
    out.clear();
    if (next == 1) out += kOpen;
    char name[32];
    while (next <= n && out.size() < kPiece) {
      if (next > 1) out += ',';
      out += prefix;
      out.append(name, size_t(std::snprintf(name, sizeof name, "f%07lld", (long long)next)));
      out += kTail;
      ++next;
    }
    if (next > n) out += kClose;
    made += out.size();
  }
};

// Percent-encoding (RFC 3986): every byte but the unreserved characters as %XX.
std::string percent_encoded(std::string_view text) {
  static constexpr std::string_view kUnreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (kUnreserved.find(char(c)) != std::string_view::npos) {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Sleeps until `due` in short steps; false as soon as the server stops or the client cannot be
// written to, so that a trickle never outlives either by more than a step.
bool wait_until(Clock::time_point due, const std::atomic<bool>& stop, httplib::DataSink& sink) {
  for (;;) {
    if (stop.load() || !sink.is_writable()) return false;
    auto now = Clock::now();
    if (now >= due) return true;
    std::this_thread::sleep_for(std::min<Clock::duration>(kStep, due - now));
  }
}

}  // namespace

uint64_t oversize(httplib::Response& res, std::string_view op, int64_t mib, bool chunked,
                  StopFlag stop) {
  auto body = std::make_shared<const PaddedBody>(oversize_body(op, mib));
  res.status = 200;
  res.body.clear();
  res.headers.erase("Content-Type");
  if (chunked) {
    res.set_chunked_content_provider(
        "application/json", [body, stop](size_t offset, httplib::DataSink& sink) {
          if (stop->load()) return false;
          if (offset >= body->size()) {
            sink.done();
            return true;
          }
          thread_local std::string piece;
          body->piece(offset, std::min<uint64_t>(kPiece, body->size() - offset), piece);
          return sink.write(piece.data(), piece.size());
        });
  } else {
    res.set_content_provider(
        body->size(), "application/json",
        [body, stop](size_t offset, size_t length, httplib::DataSink& sink) {
          if (stop->load()) return false;
          thread_local std::string piece;
          body->piece(offset, std::min<uint64_t>(kPiece, length), piece);
          return sink.write(piece.data(), piece.size());
        });
  }
  return body->size();
}

void echo_auth(httplib::Response& res, std::string_view op, const std::string& authorization) {
  answers::error(res, dbfs::ApiError::http(
                          std::string(op), 400, "INVALID_PARAMETER_VALUE",
                          "Invalid Authorization header '" + authorization + "' (base64: " +
                              dbfs::base64::encode(authorization) + ", url-encoded: " +
                              percent_encoded(authorization) + ")"));
}

void shorten_read(std::string& answer) {
  std::string bytes;
  if (!read_bytes(answer, bytes)) return;
  bytes.resize(bytes.size() / 2);
  answer = read_answer(bytes);
}

void lengthen_read(std::string& answer, int64_t extra) {
  std::string bytes;
  if (!read_bytes(answer, bytes)) return;
  bytes.append(size_t(extra), 'X');
  answer = read_answer(bytes);
}

void add_hostile_entries(std::string& answer, const std::string& dir) {
  rapidjson::Document real;
  real.Parse(answer.data(), answer.size());
  if (real.HasParseError() || !real.IsObject()) return;  // not a listing: nothing to add to
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("files");
  w.StartArray();
  const rapidjson::Value* first = nullptr;
  if (real.HasMember("files") && real["files"].IsArray()) {
    for (const auto& entry : real["files"].GetArray()) {
      entry.Accept(w);
      if (!first) first = &entry;
    }
  }
  using namespace std::string_view_literals;
  write_entry(w, join(dir, "a/b"), false);           // a '/' inside a name
  write_entry(w, join(dir, ".."), true);             // the parent, as a child
  write_entry(w, join(dir, "."), true);              // the directory itself, as a child
  write_entry(w, "/etc/passwd", false);              // outside the listed directory
  write_entry(w, join(dir, ""), false);              // an empty name
  write_entry(w, join(dir, "nul\0cut"sv), false);    // a NUL inside a name (\u0000 in JSON)
  if (first) first->Accept(w);                       // a duplicate
  w.EndArray();
  w.EndObject();
  answer.assign(out.GetString(), out.GetSize());
}

uint64_t synthetic_listing(httplib::Response& res, const std::string& dir, int64_t n,
                           StopFlag stop) {
  if (n == 0) {
    res.body = "{}";  // an empty directory has no "files" key
    return 0;
  }
  auto listing = std::make_shared<SyntheticListing>(dir, n);
  uint64_t size = listing->size();
  res.body.clear();
  res.set_content_provider(
      size, take_content_type(res),
      [listing, stop](size_t offset, size_t, httplib::DataSink& sink) {
        // httplib asks for the bytes in order, each piece written whole or the answer given up.
        if (stop->load() || offset != listing->made) return false;
        thread_local std::string piece;
        listing->next_piece(piece);
        return !piece.empty() && sink.write(piece.data(), piece.size());
      });
  return size;
}

uint64_t trickle(httplib::Response& res, int64_t bps, StopFlag stop) {
  if (res.body.empty()) return 0;  // nothing to send slowly
  struct Trickle {
    std::string body;
    int64_t bps;
    size_t piece;  // about 50 ms worth, at least a byte
    std::optional<Clock::time_point> start;
  };
  auto state = std::make_shared<Trickle>(Trickle{
      std::move(res.body), bps, size_t(std::clamp<int64_t>(bps / 20, 1, kPiece)), std::nullopt});
  res.body.clear();
  uint64_t size = state->body.size();
  res.set_content_provider(
      size, take_content_type(res),
      [state, stop](size_t offset, size_t length, httplib::DataSink& sink) {
        if (!state->start) state->start = Clock::now();
        // Byte `offset` is due offset/bps seconds after the first.
        auto due = *state->start + std::chrono::microseconds(int64_t(offset) * 1'000'000 /
                                                             state->bps);
        if (!wait_until(due, *stop, sink)) return false;
        return sink.write(state->body.data() + offset, std::min(length, state->piece));
      });
  return size;
}

}  // namespace emulator::hostile
