#include "dbfs/request_limits.h"

#include <gtest/gtest.h>

#include "dbfs/api.h"

namespace dbfs::limits {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RequestLimits, AReadAnswerHoldsNoMoreThanWhatWasAskedForEncoded) {
  EXPECT_EQ(max_answer(Op::kRead, 3), 4 + kReadAnswerSlack);
  EXPECT_EQ(max_answer(Op::kRead, 1 << 20), 1398104 + kReadAnswerSlack);
  EXPECT_EQ(max_answer(Op::kRead, int64_t{1} << 30), max_answer(Op::kRead, Api::kMaxBlock));
  EXPECT_EQ(max_answer(Op::kRead, -5), kReadAnswerSlack);
  EXPECT_EQ(max_answer(Op::kList, 0), kListAnswer);
  EXPECT_EQ(max_answer(Op::kList, 0, 1000), 1000u);
  for (Op op : {Op::kGetStatus, Op::kCreate, Op::kAddBlock, Op::kMove, Op::kDelete}) {
    EXPECT_EQ(max_answer(op, 1 << 20), kSmallAnswer);
  }
}

TEST(RequestLimits, ADeadlineGivesTheBytesTimeAtTheMinimumRate) {
  EXPECT_EQ(request_deadline(seconds(60), 0, 0), seconds(60));
  // A 1 MiB read: 1.4 MB of base64 at 64 KiB/s is ~21 s more.
  milliseconds read = request_deadline(seconds(60), 0, max_answer(Op::kRead, 1 << 20));
  EXPECT_GT(read, seconds(81));
  EXPECT_LT(read, seconds(82));
  // An add-block sends its 1 MiB as base64 and gets a small answer.
  milliseconds add_block = request_deadline(seconds(5), 1398130, kSmallAnswer);
  EXPECT_GT(add_block, seconds(5 + 21 + 4));
  EXPECT_LT(add_block, seconds(5 + 21 + 5));
  // A listing's cap gives hours: the call's budget bounds it instead.
  EXPECT_GT(request_deadline(seconds(5), 0, kListAnswer), seconds(3600));
}

TEST(RequestLimits, AnAttemptEndsWithTheBudgetButAlwaysGetsAFewSeconds) {
  EXPECT_EQ(attempt_timeout(seconds(60), seconds(120)), seconds(60));
  EXPECT_EQ(attempt_timeout(seconds(60), seconds(30)), seconds(30));
  EXPECT_EQ(attempt_timeout(seconds(60), milliseconds(10)), kMinAttemptTime);
  EXPECT_EQ(attempt_timeout(seconds(60), -seconds(10)), kMinAttemptTime);
  EXPECT_EQ(attempt_timeout(seconds(2), -seconds(10)), seconds(2));
  // Attempts made outside a retry loop have no budget end (time_point::max()).
  EXPECT_EQ(attempt_timeout(seconds(9), milliseconds::max()), seconds(9));
}

}  // namespace
}  // namespace dbfs::limits
