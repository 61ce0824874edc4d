#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "dbfs/api.h"

namespace fs::testing {

// Wraps an Api, counting calls per endpoint and letting a test fail chosen calls, so the core's
// call patterns can be asserted exactly, in-process.
class CountingApi : public dbfs::Api {
 public:
  explicit CountingApi(dbfs::Api& inner) : inner_(inner) {}

  // Called before each call with its op name; may throw to fail it.
  std::function<void(const std::string& op)> before;

  int count(const std::string& op) {
    std::lock_guard lock(mutex_);
    return counts_[op];
  }
  int total() {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (auto& [op, c] : counts_) n += c;
    return n;
  }
  void reset() {
    std::lock_guard lock(mutex_);
    counts_.clear();
    read_bytes = 0;
  }

  std::atomic<int64_t> read_bytes{0};  // asked for by read calls

  dbfs::FileInfo get_status(const std::string& p) override {
    hit("get-status");
    return inner_.get_status(p);
  }
  std::vector<dbfs::FileInfo> list(const std::string& p) override {
    hit("list");
    return inner_.list(p);
  }
  int64_t read(const std::string& p, int64_t off, int64_t len, std::string& out) override {
    hit("read");
    read_bytes += len;
    return inner_.read(p, off, len, out);
  }
  void put(const std::string& p, std::string_view c, bool o) override {
    hit("put");
    inner_.put(p, c, o);
  }
  int64_t create(const std::string& p, bool o) override {
    hit("create");
    return inner_.create(p, o);
  }
  void add_block(int64_t h, std::string_view d) override {
    hit("add-block");
    inner_.add_block(h, d);
  }
  void close(int64_t h) override {
    hit("close");
    inner_.close(h);
  }
  void remove(const std::string& p, bool r) override {
    hit("delete");
    inner_.remove(p, r);
  }
  void mkdirs(const std::string& p) override {
    hit("mkdirs");
    inner_.mkdirs(p);
  }
  void move(const std::string& s, const std::string& d) override {
    hit("move");
    inner_.move(s, d);
  }

 private:
  void hit(const std::string& op) {
    {
      std::lock_guard lock(mutex_);
      ++counts_[op];
    }
    if (before) before(op);
  }

  dbfs::Api& inner_;
  std::mutex mutex_;
  std::map<std::string, int> counts_;
};

}  // namespace fs::testing
