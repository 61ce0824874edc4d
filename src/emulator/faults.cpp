#include "emulator/faults.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "emulator/ops.h"

namespace emulator {
namespace {

[[noreturn]] void fail(std::string_view spec, const std::string& why) {
  throw std::invalid_argument("bad fault rule '" + std::string(spec) + "': " + why);
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    size_t at = text.find(sep);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

int64_t parse_count(std::string_view spec, std::string_view text, int64_t min) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min)
    fail(spec, "'" + std::string(text) + "' is not a whole number >= " + std::to_string(min));
  return value;
}

int parse_status(std::string_view spec, std::string_view text) {
  int64_t status = parse_count(spec, text, 100);
  if (status > 599) fail(spec, "HTTP status " + std::string(text) + " out of range");
  return int(status);
}

// "key=value" -> value, when the key matches.
std::optional<std::string_view> value_of(std::string_view item, std::string_view key) {
  if (item.size() <= key.size() || !item.starts_with(key) || item[key.size()] != '=')
    return std::nullopt;
  return item.substr(key.size() + 1);
}

std::string default_error_code(int status) {
  switch (status) {
    case 400: return "INVALID_PARAMETER_VALUE";
    case 403: return "PERMISSION_DENIED";
    case 404: return "RESOURCE_DOES_NOT_EXIST";
    case 429: return "REQUEST_LIMIT_EXCEEDED";
    case 500: return "INTERNAL_ERROR";
    case 503: return "TEMPORARILY_UNAVAILABLE";
    default: return "";
  }
}

std::vector<std::string> parse_ops(std::string_view spec, std::string_view text) {
  if (text == "*") return {};
  std::vector<std::string> ops;
  for (std::string_view name : split(text, '+')) {
    if (!is_fault_target(name)) fail(spec, "unknown op '" + std::string(name) + "'");
    ops.emplace_back(name);
  }
  return ops;
}

void parse_trigger(std::string_view spec, std::string_view text, FaultRule& rule) {
  using Trigger = FaultRule::Trigger;
  if (text == "always") {
    rule.trigger = Trigger::kAlways;
  } else if (auto p = value_of(text, "p")) {
    double value = 0;
    auto [end, ec] = std::from_chars(p->data(), p->data() + p->size(), value);
    if (ec != std::errc() || end != p->data() + p->size() || !(value > 0 && value <= 1))
      fail(spec, "probability must be in (0, 1], got '" + std::string(*p) + "'");
    rule.trigger = Trigger::kProbability;
    rule.probability = value;
  } else if (auto n = value_of(text, "every")) {
    rule.trigger = Trigger::kEvery;
    rule.n = parse_count(spec, *n, 1);
  } else if (auto first = value_of(text, "first")) {
    rule.trigger = Trigger::kFirst;
    rule.n = parse_count(spec, *first, 0);
  } else if (auto after = value_of(text, "after")) {
    rule.trigger = Trigger::kAfter;
    rule.n = parse_count(spec, *after, 0);
  } else {
    fail(spec, "unknown trigger '" + std::string(text) + "'");
  }
}

// Upper bounds keep a typo from asking for an exabyte.
constexpr int64_t kMaxLongBytes = 64 << 20;     // held in memory with the answer
constexpr int64_t kMaxOversizeMib = 1 << 20;    // 1 TiB, streamed
constexpr int64_t kMaxEntries = 1'000'000'000;  // streamed

int64_t parse_bounded(std::string_view spec, std::string_view text, int64_t min, int64_t max) {
  int64_t value = parse_count(spec, text, min);
  if (value > max) fail(spec, std::string(text) + " is more than " + std::to_string(max));
  return value;
}

// The effects of a hostile or broken server; false if `head` is none of them.
bool parse_hostile(std::string_view spec, std::string_view head, FaultEffect& effect) {
  using Kind = FaultEffect::Kind;
  if (head == "short") {
    effect.kind = Kind::kShort;
  } else if (head == "hostile") {
    effect.kind = Kind::kHostile;
  } else if (head == "echo-auth") {
    effect.kind = Kind::kEchoAuth;
  } else if (auto n = value_of(head, "long")) {
    effect.kind = Kind::kLong;
    effect.amount = parse_bounded(spec, *n, 1, kMaxLongBytes);
  } else if (auto bps = value_of(head, "trickle")) {
    effect.kind = Kind::kTrickle;
    effect.amount = parse_count(spec, *bps, 1);
  } else if (auto mib = value_of(head, "oversize")) {
    effect.kind = Kind::kOversize;
    effect.amount = parse_bounded(spec, *mib, 1, kMaxOversizeMib);
  } else if (auto mib = value_of(head, "oversize-chunked")) {
    effect.kind = Kind::kOversizeChunked;
    effect.amount = parse_bounded(spec, *mib, 1, kMaxOversizeMib);
  } else if (auto n = value_of(head, "entries")) {
    effect.kind = Kind::kEntries;
    effect.amount = parse_bounded(spec, *n, 0, kMaxEntries);
  } else {
    return false;
  }
  return true;
}

FaultEffect parse_effect(std::string_view spec, std::string_view text) {
  using Kind = FaultEffect::Kind;
  FaultEffect effect;
  std::vector<std::string_view> items = split(text, ',');
  std::string_view head = items.front();
  if (items.size() > 1 && !head.starts_with("status="))
    fail(spec, "only status= takes options (code=, retry-after=)");
  if (parse_hostile(spec, head, effect)) return effect;
  if (head == "reset") {
    effect.kind = Kind::kReset;
  } else if (head == "lost") {
    effect.kind = Kind::kLost;
  } else if (auto ms = value_of(head, "delay")) {
    effect.kind = Kind::kDelay;
    effect.delay_ms = int(parse_count(spec, *ms, 0));
  } else if (auto code = value_of(head, "html")) {
    effect.kind = Kind::kHtml;
    effect.status = parse_status(spec, *code);
  } else if (auto code = value_of(head, "text")) {
    effect.kind = Kind::kText;
    effect.status = parse_status(spec, *code);
  } else if (auto code = value_of(head, "status")) {
    effect.kind = Kind::kStatus;
    effect.status = parse_status(spec, *code);
    effect.error_code = default_error_code(effect.status);
    for (size_t i = 1; i < items.size(); ++i) {
      if (auto error_code = value_of(items[i], "code")) {
        effect.error_code = std::string(*error_code);
      } else if (auto seconds = value_of(items[i], "retry-after")) {
        effect.retry_after_s = int(parse_count(spec, *seconds, 0));
      } else {
        fail(spec, "unknown status option '" + std::string(items[i]) + "'");
      }
    }
  } else {
    fail(spec, "unknown effect '" + std::string(head) + "'");
  }
  return effect;
}

}  // namespace

FaultRule parse_fault(std::string_view spec) {
  std::vector<std::string_view> parts = split(spec, ':');
  if (parts.size() != 3) fail(spec, "expected OPS:TRIGGER:EFFECT");
  FaultRule rule;
  rule.ops = parse_ops(spec, parts[0]);
  parse_trigger(spec, parts[1], rule);
  rule.effect = parse_effect(spec, parts[2]);
  return rule;
}

FaultInjector::FaultInjector() : random_(std::random_device{}()) {}

void FaultInjector::set(std::vector<FaultRule> rules) {
  threads::MutexLock lock(mu_);
  rules_ = std::move(rules);
  seen_.assign(rules_.size(), 0);
}

std::optional<FaultEffect> FaultInjector::decide(std::string_view op) {
  using Trigger = FaultRule::Trigger;
  threads::MutexLock lock(mu_);
  std::optional<FaultEffect> decided;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const FaultRule& rule = rules_[i];
    if (!rule.ops.empty() && std::find(rule.ops.begin(), rule.ops.end(), op) == rule.ops.end())
      continue;
    int64_t k = ++seen_[i];
    bool fires = false;
    switch (rule.trigger) {
      case Trigger::kAlways: fires = true; break;
      case Trigger::kProbability:
        fires = std::uniform_real_distribution<double>(0, 1)(random_) < rule.probability;
        break;
      case Trigger::kEvery: fires = k % rule.n == 0; break;
      case Trigger::kFirst: fires = k <= rule.n; break;
      case Trigger::kAfter: fires = k > rule.n; break;
    }
    if (fires && !decided) decided = rule.effect;
  }
  return decided;
}

}  // namespace emulator
