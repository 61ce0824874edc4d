// json::parse_list: the list answer, read as a stream of parse events straight into FileInfo
// entries. Building a document first would cost several times the answer's size for a
// directory of a million entries; this costs the entries themselves.
// reader.h first: through error/en.h, RapidJSON's stack.h would be known by a path
// ("rapidjson/error/../internal/stack.h") that src/sanitizers/ubsan.supp does not name.
#include <rapidjson/reader.h>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>

#include <cmath>
#include <cstdint>
#include <string_view>

#include "dbfs/json_codec.h"

namespace dbfs::json {
namespace {

constexpr const char* kNotAList = "\"files\" is not a list";
constexpr const char* kMalformedEntry = "malformed entry in list";

// One scalar JSON value, as the entry fields need it.
struct Scalar {
  enum class Type { kNull, kBool, kInteger, kOtherNumber, kString };
  Type type = Type::kNull;
  bool boolean = false;
  int64_t integer = 0;
  std::string_view text;
};

// Turns the parse events of {"files":[{"path":...,"is_dir":...,"file_size":...,
// "modification_time":...}, ...]} into entries, as tolerantly as the other answers are read:
// unknown members are skipped, null is absent, booleans may be strings, integers doubles.
class ListHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, ListHandler> {
 public:
  explicit ListHandler(std::vector<FileInfo>& entries) : entries_(entries) {}
  // Why the answer is no listing, once an event returned false; null otherwise.
  const char* problem() const { return problem_; }

  bool Null() { return scalar({}); }
  bool Bool(bool b) { return scalar({Scalar::Type::kBool, b}); }
  bool Int(int i) { return integer(i); }
  bool Uint(unsigned u) { return integer(u); }
  bool Int64(int64_t i) { return integer(i); }
  bool Uint64(uint64_t u) {
    return u <= uint64_t(INT64_MAX) ? integer(int64_t(u)) : scalar({Scalar::Type::kOtherNumber});
  }
  bool Double(double d) {
    // Out of int64's range the cast is undefined behaviour; a fraction is no integer.
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == std::trunc(d)) {
      return integer(static_cast<int64_t>(d));
    }
    return scalar({Scalar::Type::kOtherNumber});
  }
  bool String(const char* text, rapidjson::SizeType size, bool) {
    return scalar({Scalar::Type::kString, false, 0, {text, size}});
  }
  bool Key(const char* text, rapidjson::SizeType size, bool);
  bool StartObject();
  bool EndObject(rapidjson::SizeType);
  bool StartArray();
  bool EndArray(rapidjson::SizeType);

 private:
  enum class Place { kBeforeAnswer, kAnswer, kFiles, kEntry, kAfterAnswer };
  enum class Field { kOther, kFiles, kPath, kIsDir, kFileSize, kModificationTime };

  bool integer(int64_t i) { return scalar({Scalar::Type::kInteger, false, i}); }
  bool scalar(const Scalar& value);
  bool entry_field(const Scalar& value);
  bool fail(const char* problem) {
    problem_ = problem;
    return false;
  }

  std::vector<FileInfo>& entries_;
  Place place_ = Place::kBeforeAnswer;
  Field field_ = Field::kOther;  // the member whose value comes next
  int skipping_ = 0;             // depth inside a value that is skipped
  bool files_seen_ = false;      // only the first "files" counts, as a document lookup would
  bool has_path_ = false;        // the current entry has its path
  const char* problem_ = nullptr;
};

bool ListHandler::Key(const char* text, rapidjson::SizeType size, bool) {
  if (skipping_ > 0) return true;
  std::string_view key(text, size);
  if (place_ == Place::kAnswer) {
    field_ = key == "files" && !files_seen_ ? Field::kFiles : Field::kOther;
  } else if (place_ == Place::kEntry) {
    field_ = key == "path"                ? Field::kPath
             : key == "is_dir"            ? Field::kIsDir
             : key == "file_size"         ? Field::kFileSize
             : key == "modification_time" ? Field::kModificationTime
                                          : Field::kOther;
  }
  return true;
}

bool ListHandler::scalar(const Scalar& value) {
  if (skipping_ > 0) return true;
  switch (place_) {
    case Place::kBeforeAnswer:
    case Place::kAfterAnswer: return fail("expected a JSON object");
    case Place::kAnswer:
      if (field_ == Field::kFiles && value.type != Scalar::Type::kNull) return fail(kNotAList);
      return true;
    case Place::kFiles: return fail(kMalformedEntry);
    case Place::kEntry: return entry_field(value);
  }
  return true;
}

bool ListHandler::entry_field(const Scalar& value) {
  if (value.type == Scalar::Type::kNull) return true;
  FileInfo& entry = entries_.back();
  switch (field_) {
    case Field::kPath:
      if (value.type != Scalar::Type::kString) return fail(kMalformedEntry);
      entry.path = value.text.starts_with("dbfs:") ? value.text.substr(5) : value.text;
      has_path_ = true;
      return true;
    case Field::kIsDir:
      if (value.type == Scalar::Type::kBool) {
        entry.is_dir = value.boolean;
      } else if (value.type == Scalar::Type::kString &&
                 (value.text == "true" || value.text == "false")) {
        entry.is_dir = value.text == "true";
      } else {
        return fail(kMalformedEntry);
      }
      return true;
    case Field::kFileSize:
    case Field::kModificationTime:
      if (value.type != Scalar::Type::kInteger) return fail(kMalformedEntry);
      (field_ == Field::kFileSize ? entry.file_size : entry.modification_time) = value.integer;
      return true;
    default: return true;
  }
}

bool ListHandler::StartObject() {
  if (skipping_ > 0) {
    ++skipping_;
    return true;
  }
  switch (place_) {
    case Place::kBeforeAnswer: place_ = Place::kAnswer; return true;
    case Place::kAnswer:
      if (field_ == Field::kFiles) return fail(kNotAList);
      skipping_ = 1;
      return true;
    case Place::kFiles:
      entries_.emplace_back();
      has_path_ = false;
      place_ = Place::kEntry;
      return true;
    case Place::kEntry:
      if (field_ != Field::kOther) return fail(kMalformedEntry);
      skipping_ = 1;
      return true;
    case Place::kAfterAnswer: return fail("expected a JSON object");
  }
  return true;
}

bool ListHandler::EndObject(rapidjson::SizeType) {
  if (skipping_ > 0) {
    --skipping_;
  } else if (place_ == Place::kEntry) {
    if (!has_path_) return fail(kMalformedEntry);
    place_ = Place::kFiles;
  } else if (place_ == Place::kAnswer) {
    place_ = Place::kAfterAnswer;
  }
  return true;
}

bool ListHandler::StartArray() {
  if (skipping_ > 0) {
    ++skipping_;
    return true;
  }
  switch (place_) {
    case Place::kAnswer:
      if (field_ == Field::kFiles) {
        files_seen_ = true;
        place_ = Place::kFiles;
      } else {
        skipping_ = 1;
      }
      return true;
    case Place::kFiles: return fail(kMalformedEntry);
    case Place::kEntry:
      if (field_ != Field::kOther) return fail(kMalformedEntry);
      skipping_ = 1;
      return true;
    default: return fail("expected a JSON object");
  }
}

bool ListHandler::EndArray(rapidjson::SizeType) {
  if (skipping_ > 0) {
    --skipping_;
  } else if (place_ == Place::kFiles) {
    place_ = Place::kAnswer;
  }
  return true;
}

// At least as many entries as the answer holds, counted without parsing: every entry has a
// "path" key, and an unescaped `"path"` is a key or a value, never part of another string.
size_t entries_at_most(std::string_view body) {
  size_t count = 0;
  for (size_t at = body.find("\"path\""); at != std::string_view::npos;
       at = body.find("\"path\"", at + 6)) {
    ++count;
  }
  return count;
}

}  // namespace

std::vector<FileInfo> parse_list(std::string_view op, std::string_view body) {
  std::vector<FileInfo> entries;
  entries.reserve(entries_at_most(body));
  ListHandler handler(entries);
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(body.data(), body.size());
  // Iterative: a hostile answer nested a million levels deep must not exhaust the stack.
  rapidjson::ParseResult result = reader.Parse<rapidjson::kParseIterativeFlag>(stream, handler);
  if (!result.IsError()) return entries;
  std::string what = handler.problem()
                         ? std::string(handler.problem())
                         : std::string("invalid JSON at offset ") + std::to_string(result.Offset()) +
                               " (" + rapidjson::GetParseError_En(result.Code()) + ")";
  if (!body.empty()) what += ": " + excerpt(body);
  throw ApiError::protocol(std::string(op), 200, std::move(what));
}

}  // namespace dbfs::json
