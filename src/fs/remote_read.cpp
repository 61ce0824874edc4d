#include "fs/remote_read.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "dbfs/api_error.h"

namespace fs {

void read_exactly(Storage& storage, const std::string& path, int64_t offset, int64_t length,
                  char* out) {
  constexpr int kShortAnswersAllowed = 3;
  int short_answers = 0;
  const int64_t max_read = storage.capabilities(path).max_read;
  int64_t done = 0;
  while (done < length) {
    int64_t want = std::min(length - done, max_read);
    int64_t got = storage.read(path, offset + done, want, out + done);
    done += got;
    if (got == want) continue;
    if (++short_answers > kShortAnswersAllowed) {
      throw dbfs::ApiError::protocol(
          "read", 200,
          "answered " + std::to_string(got) + " of " + std::to_string(want) + " bytes at offset " +
              std::to_string(offset + done - got) + " of " + path +
              ", before its end (a faulty answer, or the file changed)");
    }
    spdlog::info("read {}: a short answer ({} of {} bytes) before the file's end; asking again",
                 path, got, want);
  }
}

}  // namespace fs
