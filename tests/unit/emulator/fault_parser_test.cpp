#include <gtest/gtest.h>

#include <stdexcept>

#include "emulator/faults.h"

namespace emulator {
namespace {

using Kind = FaultEffect::Kind;
using Trigger = FaultRule::Trigger;

TEST(FaultParser, OpsStarAndPlus) {
  EXPECT_TRUE(parse_fault("*:always:reset").ops.empty());
  EXPECT_EQ(parse_fault("add-block+close:always:reset").ops,
            (std::vector<std::string>{"add-block", "close"}));
}

TEST(FaultParser, Triggers) {
  auto p = parse_fault("read:p=0.05:reset");
  EXPECT_EQ(p.trigger, Trigger::kProbability);
  EXPECT_DOUBLE_EQ(p.probability, 0.05);
  EXPECT_EQ(parse_fault("read:every=10:reset").trigger, Trigger::kEvery);
  EXPECT_EQ(parse_fault("read:every=10:reset").n, 10);
  EXPECT_EQ(parse_fault("read:first=0:reset").trigger, Trigger::kFirst);
  EXPECT_EQ(parse_fault("read:after=3:reset").n, 3);
  EXPECT_EQ(parse_fault("read:always:reset").trigger, Trigger::kAlways);
}

TEST(FaultParser, StatusEffectWithDefaultsAndOptions) {
  auto e = parse_fault("*:every=10:status=429,retry-after=1").effect;
  EXPECT_EQ(e.kind, Kind::kStatus);
  EXPECT_EQ(e.status, 429);
  EXPECT_EQ(e.error_code, "REQUEST_LIMIT_EXCEEDED");
  EXPECT_EQ(e.retry_after_s, 1);
  EXPECT_EQ(parse_fault("*:always:status=503").effect.error_code, "TEMPORARILY_UNAVAILABLE");
  EXPECT_EQ(parse_fault("*:always:status=503").effect.retry_after_s, -1);
  EXPECT_EQ(parse_fault("*:always:status=502").effect.error_code, "");
  EXPECT_EQ(parse_fault("*:always:status=400,code=IO_ERROR").effect.error_code, "IO_ERROR");
}

TEST(FaultParser, OtherEffects) {
  EXPECT_EQ(parse_fault("list:first=2:html=502").effect.kind, Kind::kHtml);
  EXPECT_EQ(parse_fault("list:first=2:html=502").effect.status, 502);
  EXPECT_EQ(parse_fault("list:always:text=429").effect.kind, Kind::kText);
  EXPECT_EQ(parse_fault("close:first=1:lost").effect.kind, Kind::kLost);
  EXPECT_EQ(parse_fault("*:always:reset").effect.kind, Kind::kReset);
  auto delay = parse_fault("read:always:delay=200").effect;
  EXPECT_EQ(delay.kind, Kind::kDelay);
  EXPECT_EQ(delay.delay_ms, 200);
}

TEST(FaultParser, HostileServerEffects) {
  auto effect = [](const char* spec) { return parse_fault(spec).effect; };
  EXPECT_EQ(effect("read:always:short").kind, Kind::kShort);
  EXPECT_EQ(effect("list:always:hostile").kind, Kind::kHostile);
  EXPECT_EQ(effect("*:always:echo-auth").kind, Kind::kEchoAuth);
  EXPECT_EQ(effect("read:always:long=5").kind, Kind::kLong);
  EXPECT_EQ(effect("read:always:long=5").amount, 5);
  EXPECT_EQ(effect("read:always:long=67108864").amount, 67108864);
  EXPECT_EQ(effect("*:first=1:trickle=16").kind, Kind::kTrickle);
  EXPECT_EQ(effect("*:first=1:trickle=16").amount, 16);
  EXPECT_EQ(effect("*:always:oversize=1024").kind, Kind::kOversize);
  EXPECT_EQ(effect("*:always:oversize=1024").amount, 1024);
  EXPECT_EQ(effect("*:always:oversize-chunked=8").kind, Kind::kOversizeChunked);
  EXPECT_EQ(effect("*:always:oversize-chunked=8").amount, 8);
  EXPECT_EQ(effect("list:always:entries=1000000").kind, Kind::kEntries);
  EXPECT_EQ(effect("list:always:entries=1000000").amount, 1000000);
  EXPECT_EQ(effect("list:always:entries=0").amount, 0);
}

TEST(FaultParser, WhichEffectsApplyTheOperation) {
  for (const char* applied : {"lost", "delay=1", "short", "long=1", "trickle=1", "entries=1",
                              "hostile"}) {
    EXPECT_TRUE(applies_operation(parse_fault(std::string("*:always:") + applied).effect.kind))
        << applied;
  }
  for (const char* instead : {"status=503", "html=502", "text=500", "reset", "oversize=1",
                              "oversize-chunked=1", "echo-auth"}) {
    EXPECT_FALSE(applies_operation(parse_fault(std::string("*:always:") + instead).effect.kind))
        << instead;
  }
}

TEST(FaultParser, RejectsMalformedHostileEffects) {
  for (const char* bad :
       {"read:always:short=1", "read:always:shorts", "read:always:long", "read:always:long=",
        "read:always:long=0", "read:always:long=-1", "read:always:long=67108865",
        "read:always:long=1x", "*:always:trickle", "*:always:trickle=0", "*:always:trickle=1.5",
        "*:always:oversize", "*:always:oversize=0", "*:always:oversize=1048577",
        "*:always:oversize-chunked", "*:always:oversize-chunked=0", "*:always:oversize_chunked=1",
        "list:always:entries", "list:always:entries=-1", "list:always:entries=1000000001",
        "list:always:hostile=1", "*:always:echo-auth=1", "*:always:echo",
        "read:always:short,code=X", "*:always:oversize=8,retry-after=1"}) {
    EXPECT_THROW(parse_fault(bad), std::invalid_argument) << bad;
  }
}

TEST(FaultParser, RejectsMalformedRules) {
  for (const char* bad :
       {"", "read", "read:always", "read:always:reset:extra", "reed:always:reset",
        "read+:always:reset", "read:sometimes:reset", "read:p=0:reset", "read:p=1.5:reset",
        "read:p=x:reset", "read:every=0:reset", "read:first=-1:reset", "read:after=:reset",
        "read:always:boom", "read:always:status=99", "read:always:status=600",
        "read:always:status=503,bogus=1", "read:always:reset,code=X", "read:always:delay=-5",
        "read:always:html=abc"}) {
    EXPECT_THROW(parse_fault(bad), std::invalid_argument) << bad;
  }
}

TEST(FaultInjector, CountsPerRuleAndFirstFiringRuleDecides) {
  FaultInjector faults;
  faults.set({parse_fault("read:first=1:status=500"), parse_fault("*:every=2:status=503")});
  auto status = [&](const char* op) {
    auto e = faults.decide(op);
    return e ? e->status : 200;
  };
  EXPECT_EQ(status("read"), 500);  // rule 1; rule 2 counts 1
  EXPECT_EQ(status("read"), 503);  // rule 2 counts 2
  EXPECT_EQ(status("list"), 200);  // rule 2 counts 3
  EXPECT_EQ(status("list"), 503);
  faults.set({});
  EXPECT_EQ(status("read"), 200);
}

TEST(FaultInjector, AfterAndProbability) {
  FaultInjector faults;
  faults.set({parse_fault("close:after=2:lost"), parse_fault("read:p=1:reset")});
  EXPECT_FALSE(faults.decide("close"));
  EXPECT_FALSE(faults.decide("close"));
  EXPECT_EQ(faults.decide("close")->kind, Kind::kLost);
  EXPECT_EQ(faults.decide("read")->kind, Kind::kReset);
  EXPECT_FALSE(faults.decide("list"));
}

}  // namespace
}  // namespace emulator
