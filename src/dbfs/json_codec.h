#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dbfs/api_error.h"
#include "dbfs/file_info.h"

// The wire format of the DBFS API: request bodies written with RapidJSON's Writer (so any UTF-8
// name is escaped properly) and answers parsed tolerantly. Every parse failure is an ApiError of
// kind kProtocol naming `op`, with a short, printable excerpt of what arrived.
namespace dbfs::json {

// Builds one flat JSON object, field by field.
class RequestBody {
 public:
  RequestBody();
  RequestBody& add(std::string_view key, std::string_view value);
  RequestBody& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  RequestBody& add(std::string_view key, bool value);
  RequestBody& add(std::string_view key, int64_t value);
  std::string finish();
  // Ends the object with `key` holding the base64 encoding of `bytes`, encoded straight into the
  // body: a MiB of payload is neither copied nor scanned for characters to escape.
  std::string finish_with_base64(std::string_view key, std::string_view bytes);

 private:
  void key(std::string_view key);
  std::string text_;
  bool empty_ = true;
};

FileInfo parse_file_info(std::string_view op, std::string_view body);
// A missing "files" is an empty directory. Streams over the answer (no document is built), so
// a huge listing costs little more than its entries.
std::vector<FileInfo> parse_list(std::string_view op, std::string_view body);
// Parses the read answer in place (`body` is overwritten) and decodes "data" into `out`.
// A missing "data" is empty. Returns bytes_read.
int64_t parse_read(std::string_view op, std::string& body, std::string& out);
// As parse_read, into `out`, which has room for `capacity` bytes; more data than that fails.
int64_t parse_read_into(std::string_view op, std::string& body, char* out, size_t capacity);
int64_t parse_handle(std::string_view op, std::string_view body);

// The error an HTTP error answer stands for, whatever its body: a DBFS error object (string or
// numeric error_code), HTML from a proxy, plain text, or nothing.
ApiError parse_error(std::string_view op, int status, std::string_view body);

// At most `limit` bytes of `body`, printable, on one line; the text of an HTML page rather than
// its markup. For error messages.
std::string excerpt(std::string_view body, size_t limit = 200);

struct OAuthToken {
  std::string access_token;
  std::string token_type;
  int64_t expires_in = 0;  // seconds
};
// The OIDC discovery document's token_endpoint.
std::string parse_token_endpoint(std::string_view op, std::string_view body);
OAuthToken parse_oauth_token(std::string_view op, std::string_view body);

}  // namespace dbfs::json
