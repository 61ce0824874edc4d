#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "common/thread_annotations.h"

namespace fs {

// A fixed set of worker threads running queued tasks in order of submission. Used for readahead
// fetches and uploads, so that FUSE request threads never wait on work they did not ask for.
class ThreadPool {
 public:
  explicit ThreadPool(size_t threads);
  ~ThreadPool();  // runs what is queued, then joins
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void submit(std::function<void()> task) EXCLUDES(mutex_);
  size_t size() const { return workers_.size(); }

 private:
  void run() EXCLUDES(mutex_);

  threads::Mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace fs
