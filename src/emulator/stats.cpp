#include "emulator/stats.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace emulator {
namespace {

void add(std::map<std::string, int64_t, std::less<>>& counts, std::string_view key) {
  auto it = counts.find(key);
  if (it == counts.end()) it = counts.emplace(std::string(key), 0).first;
  ++it->second;
}

}  // namespace

void Stats::request(std::string_view op) {
  threads::MutexLock lock(mu_);
  add(requests_, op);
}

void Stats::answered(int status, uint64_t bytes_in, uint64_t bytes_out) {
  threads::MutexLock lock(mu_);
  add(statuses_, status == 0 ? std::string("reset") : std::to_string(status));
  bytes_in_ += bytes_in;
  bytes_out_ += bytes_out;
}

void Stats::reset() {
  threads::MutexLock lock(mu_);
  requests_.clear();
  statuses_.clear();
  bytes_in_ = bytes_out_ = 0;
}

std::string Stats::json() const {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  threads::MutexLock lock(mu_);
  auto write_counts = [&](const char* name, const auto& counts) {
    w.Key(name);
    w.StartObject();
    for (const auto& [key, n] : counts) {
      w.Key(key.data(), rapidjson::SizeType(key.size()));
      w.Int64(n);
    }
    w.EndObject();
  };
  w.StartObject();
  write_counts("requests", requests_);
  write_counts("statuses", statuses_);
  w.Key("bytes_in");
  w.Uint64(bytes_in_);
  w.Key("bytes_out");
  w.Uint64(bytes_out_);
  w.EndObject();
  return out.GetString();
}

}  // namespace emulator
