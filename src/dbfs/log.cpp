#include "dbfs/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace dbfs {
namespace {

constexpr std::string_view kMask = "<redacted>";
constexpr size_t kShortestSecret = 6;

struct SecretRegistry {
  std::shared_mutex mutex;
  std::vector<std::string> secrets;  // guarded by mutex
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

// Masks the word after each "Bearer " / "Basic " (any case), as an Authorization header has it.
void mask_schemes(std::string& text) {
  for (std::string_view scheme : {"bearer ", "basic "}) {
    size_t at = 0;
    for (;;) {
      auto it = std::search(text.begin() + static_cast<ptrdiff_t>(at), text.end(), scheme.begin(),
                            scheme.end(), [](char a, char b) {
                              return std::tolower(static_cast<unsigned char>(a)) == b;
                            });
      if (it == text.end()) break;
      size_t start = static_cast<size_t>(it - text.begin()) + scheme.size();
      size_t end = text.find_first_of(" \t\r\n\"',;", start);
      if (end == std::string::npos) end = text.size();
      if (end > start) text.replace(start, end - start, kMask);
      at = start + (end > start ? kMask.size() : 0);
    }
  }
}

// Formats as the wrapped sink would, masks, then hands the finished line over.
template <typename Mutex>
class RedactingSink : public spdlog::sinks::base_sink<Mutex> {
 public:
  explicit RedactingSink(spdlog::sink_ptr target) : target_(std::move(target)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string payload = redact(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg clean(msg.time, msg.source, msg.logger_name, msg.level, payload);
    clean.thread_id = msg.thread_id;
    target_->log(clean);
  }
  void flush_() override { target_->flush(); }
  void set_pattern_(const std::string& pattern) override { target_->set_pattern(pattern); }
  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override {
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
  auto sink = std::make_shared<RedactingSink<std::mutex>>(target);
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
  SecretRegistry& r = registry();
  std::unique_lock lock(r.mutex);
  if (std::find(r.secrets.begin(), r.secrets.end(), secret) == r.secrets.end()) {
    r.secrets.push_back(secret);
  }
}

std::string redact(std::string_view text) {
  std::string out(text);
  {
    SecretRegistry& r = registry();
    std::shared_lock lock(r.mutex);
    for (const std::string& secret : r.secrets) mask_all(out, secret);
  }
  mask_schemes(out);
  return out;
}

}  // namespace dbfs
