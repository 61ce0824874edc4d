#include "dbfs/request_limits.h"

#include <algorithm>

#include "dbfs/api.h"
#include "dbfs/base64.h"

namespace dbfs::limits {

size_t max_answer(Op op, int64_t read_length, size_t list_answer) {
  switch (op) {
    case Op::kRead: {
      auto asked = static_cast<size_t>(std::clamp<int64_t>(read_length, 0, Api::kMaxBlock));
      return base64::encoded_size(asked) + kReadAnswerSlack;
    }
    case Op::kList: return list_answer;
    default: return kSmallAnswer;
  }
}

std::chrono::milliseconds request_deadline(std::chrono::milliseconds inactivity,
                                           size_t bytes_out, size_t max_answer) {
  // In double: a listing's cap at the minimum rate is hours, and must not overflow.
  double transfer_ms = (static_cast<double>(bytes_out) + static_cast<double>(max_answer)) *
                       1000.0 / static_cast<double>(kMinBytesPerSecond);
  constexpr double kCeiling = 365.0 * 24 * 3600 * 1000;  // far beyond any budget
  return inactivity +
         std::chrono::milliseconds(static_cast<int64_t>(std::min(transfer_ms, kCeiling)));
}

std::chrono::milliseconds attempt_timeout(std::chrono::milliseconds deadline,
                                          std::chrono::milliseconds budget_left) {
  return std::min(deadline, std::max(budget_left, kMinAttemptTime));
}

}  // namespace dbfs::limits
