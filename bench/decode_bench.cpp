// The read answer path: a 1 MiB read arrives as {"bytes_read":1048576,"data":"<base64>"} and must
// become bytes at >= 1 GB/s of payload on one core, so decoding never limits a download. The
// ceiling printed beside it is a plain memcpy of the same answer, measured in the same run.
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <string>

#include "dbfs/base64.h"
#include "dbfs/json_codec.h"

namespace {

constexpr size_t kPayload = 1 << 20;

std::string random_bytes(size_t n) {
  std::mt19937_64 rng(7);
  std::string bytes(n, '\0');
  for (auto& c : bytes) c = static_cast<char>(rng());
  return bytes;
}

const std::string& read_answer() {
  static const std::string answer = "{\"bytes_read\":" + std::to_string(kPayload) + ",\"data\":\"" +
                                    dbfs::base64::encode(random_bytes(kPayload)) + "\"}";
  return answer;
}

// Parse + decode, as HttpApi::read does it. The answer is copied back each round because the
// in-situ parse consumes it; the copy is part of the measured time, so the figure is pessimistic.
void BM_ParseAndDecodeReadAnswer(benchmark::State& state) {
  std::string body, out;
  for (auto _ : state) {
    body = read_answer();
    benchmark::DoNotOptimize(dbfs::json::parse_read("read", body, out));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPayload));
}
BENCHMARK(BM_ParseAndDecodeReadAnswer);

void BM_Base64DecodeOnly(benchmark::State& state) {
  std::string text = dbfs::base64::encode(random_bytes(kPayload)), out;
  for (auto _ : state) benchmark::DoNotOptimize(dbfs::base64::decode(text, out));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPayload));
}
BENCHMARK(BM_Base64DecodeOnly);

// Ceiling: copying the answer once, which any decoder must at least read.
void BM_CeilingMemcpyOfAnswer(benchmark::State& state) {
  const std::string& answer = read_answer();
  std::string copy(answer.size(), '\0');
  for (auto _ : state) {
    std::memcpy(copy.data(), answer.data(), answer.size());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPayload));
}
BENCHMARK(BM_CeilingMemcpyOfAnswer);

}  // namespace

BENCHMARK_MAIN();
