#pragma once

// Clang thread-safety annotations (checked with -Wthread-safety); empty for other compilers.
// Mutex is std::mutex declared as a capability, so GUARDED_BY/REQUIRES can name it.

#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define DBFS_TSA(x) __attribute__((x))
#else
#define DBFS_TSA(x)
#endif

#define CAPABILITY(x) DBFS_TSA(capability(x))
#define SCOPED_CAPABILITY DBFS_TSA(scoped_lockable)
#define GUARDED_BY(x) DBFS_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) DBFS_TSA(pt_guarded_by(x))
#define REQUIRES(...) DBFS_TSA(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) DBFS_TSA(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) DBFS_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) DBFS_TSA(release_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS DBFS_TSA(no_thread_safety_analysis)

namespace fs {

class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { m_.lock(); }
  void unlock() RELEASE() { m_.unlock(); }
  std::mutex& native() { return m_; }

 private:
  std::mutex m_;
};

// A scoped lock that also works with std::condition_variable (through native()).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& m) ACQUIRE(m) : lock_(m.native()) {}
  ~MutexLock() RELEASE() {}
  // Waits on `cv` until `done()`; the lock is held again on return.
  template <typename Pred>
  void wait(std::condition_variable& cv, Pred done) {
    cv.wait(lock_, done);
  }
  template <typename Duration, typename Pred>
  bool wait_for(std::condition_variable& cv, Duration d, Pred done) {
    return cv.wait_for(lock_, d, done);
  }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace fs
