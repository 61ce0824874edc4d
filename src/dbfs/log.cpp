#include "dbfs/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "common/thread_annotations.h"
#include "dbfs/base64.h"

namespace dbfs {
namespace {

constexpr std::string_view kMask = "<redacted>";
constexpr size_t kShortestSecret = 6;

// Read for every log line, written once per secret.
struct SecretRegistry {
  threads::SharedMutex mutex;
  std::vector<std::string> secrets GUARDED_BY(mutex);
  std::vector<std::string> base64_forms GUARDED_BY(mutex);  // of the secrets (base64_forms())
};

SecretRegistry& registry() {
  static SecretRegistry instance;
  return instance;
}

void mask_all(std::string& text, std::string_view secret) {
  for (size_t at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + kMask.size())) {
    text.replace(at, secret.size(), kMask);
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The length of `secret` found at text[at], each of its bytes there either as itself or
// percent-encoded (%XX, hex digits in either case, as any URL encoder may have chosen); 0 when
// it is not there.
size_t match_plain_or_percent(std::string_view text, size_t at, std::string_view secret) {
  size_t i = at;
  for (char c : secret) {
    if (i < text.size() && text[i] == c) {
      ++i;
    } else if (i + 2 < text.size() && text[i] == '%' && hex_digit(text[i + 1]) >= 0 &&
               hex_digit(text[i + 2]) >= 0 &&
               hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]) ==
                   static_cast<unsigned char>(c)) {
      i += 3;
    } else {
      return 0;
    }
  }
  return i - at;
}

// Masks `secret` written plainly, URL-encoded, or partly both.
void mask_plain_or_percent(std::string& text, std::string_view secret) {
  for (size_t at = 0; at < text.size();) {
    size_t n = text[at] == secret[0] || text[at] == '%'
                   ? match_plain_or_percent(text, at, secret)
                   : 0;
    if (n > 0) {
      text.replace(at, n, kMask);
      at += kMask.size();
    } else {
      ++at;
    }
  }
}

// What `secret` looks like inside base64 text, say an echoed "Bearer <token>" encoded whole:
// its bytes may start at any of the 3 places of a 3-byte group, and for each the characters
// that only its bytes decide are fixed (the first and last may mix in neighbouring bytes, and
// so are left out). In the standard alphabet and the URL-safe one ('-' and '_' for '+' and '/').
std::vector<std::string> base64_forms(std::string_view secret) {
  std::vector<std::string> forms;
  for (size_t align = 0; align < 3; ++align) {
    std::string encoded = base64::encode(std::string(align, '\0').append(secret));
    // Character k holds bits [6k, 6k + 6) of the stream; the secret holds bits
    // [8 align, 8 (align + size)).
    size_t first = (8 * align + 5) / 6;
    size_t end = 8 * (align + secret.size()) / 6;
    std::string form = encoded.substr(first, end - first);
    std::string url_safe = form;
    std::replace(url_safe.begin(), url_safe.end(), '+', '-');
    std::replace(url_safe.begin(), url_safe.end(), '/', '_');
    for (std::string* f : {&form, &url_safe}) {
      if (f->size() >= kShortestSecret &&
          std::find(forms.begin(), forms.end(), *f) == forms.end()) {
        forms.push_back(std::move(*f));
      }
    }
  }
  return forms;
}

// Masks the word after each "Bearer " / "Basic " (any case), as an Authorization header has it,
// plainly or URL-encoded.
void mask_schemes(std::string& text) {
  for (std::string_view scheme : {"bearer ", "basic ", "bearer%20", "basic%20"}) {
    size_t at = 0;
    for (;;) {
      auto it = std::search(text.begin() + static_cast<ptrdiff_t>(at), text.end(), scheme.begin(),
                            scheme.end(), [](char a, char b) {
                              return std::tolower(static_cast<unsigned char>(a)) == b;
                            });
      if (it == text.end()) break;
      size_t start = static_cast<size_t>(it - text.begin()) + scheme.size();
      size_t end = text.find_first_of(" \t\r\n\"',;&", start);
      if (end == std::string::npos) end = text.size();
      if (end > start) text.replace(start, end - start, kMask);
      at = start + (end > start ? kMask.size() : 0);
    }
  }
}

// Masks each message, then hands it to the target sink, which formats and writes it. No lock of
// its own: it holds nothing that changes, and the target (an _mt sink) serialises its writes.
class RedactingSink : public spdlog::sinks::sink {
 public:
  explicit RedactingSink(spdlog::sink_ptr target) : target_(std::move(target)) {}

  void log(const spdlog::details::log_msg& msg) override {
    std::string payload = redact(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg clean(msg.time, msg.source, msg.logger_name, msg.level, payload);
    clean.thread_id = msg.thread_id;
    target_->log(clean);
  }
  void flush() override { target_->flush(); }
  void set_pattern(const std::string& pattern) override { target_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    target_->set_formatter(std::move(formatter));
  }

 private:
  spdlog::sink_ptr target_;
};

}  // namespace

void setup_logging(const LogOptions& options) {
  spdlog::sink_ptr target;
  if (options.syslog) {
    target = std::make_shared<spdlog::sinks::syslog_sink_mt>("dbfs-fuse", LOG_PID, LOG_DAEMON, true);
  } else if (options.file.empty()) {
    target = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  } else {
    target = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file);
  }
  auto sink = std::make_shared<RedactingSink>(target);
  auto logger = std::make_shared<spdlog::logger>("dbfs-fuse", sink);
  // syslog stamps time and pid itself.
  logger->set_pattern(options.syslog ? "%l %v" : "%Y-%m-%d %H:%M:%S.%e %^%l%$ [%t] %v");
  logger->set_level(options.level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) {
  auto level = spdlog::level::from_str(std::string(name));
  // from_str answers "off" for names it does not know.
  if (level == spdlog::level::off && name != "off") return std::nullopt;
  return level;
}

void register_secret(const std::string& secret) {
  if (secret.size() < kShortestSecret) return;
  std::vector<std::string> forms = base64_forms(secret);
  SecretRegistry& r = registry();
  threads::WriterMutexLock lock(r.mutex);
  if (std::find(r.secrets.begin(), r.secrets.end(), secret) == r.secrets.end()) {
    r.secrets.push_back(secret);
    r.base64_forms.insert(r.base64_forms.end(), forms.begin(), forms.end());
  }
}

std::string redact(std::string_view text) {
  std::string out(text);
  {
    SecretRegistry& r = registry();
    threads::ReaderMutexLock lock(r.mutex);
    for (const std::string& secret : r.secrets) mask_plain_or_percent(out, secret);
    for (const std::string& form : r.base64_forms) mask_all(out, form);
  }
  mask_schemes(out);
  return out;
}

}  // namespace dbfs
