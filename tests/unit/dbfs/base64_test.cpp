#include "dbfs/base64.h"

#include <gtest/gtest.h>

#include <random>

#include "dbfs/base64_avx2.h"

namespace dbfs {
namespace {

TEST(Base64, KnownVectors) {
  EXPECT_EQ(base64::encode(""), "");
  EXPECT_EQ(base64::encode("f"), "Zg==");
  EXPECT_EQ(base64::encode("fo"), "Zm8=");
  EXPECT_EQ(base64::encode("foo"), "Zm9v");
  EXPECT_EQ(base64::encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64::encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Base64, DecodesWithAndWithoutPadding) {
  std::string out;
  ASSERT_TRUE(base64::decode("Zm9vYg==", out));
  EXPECT_EQ(out, "foob");
  ASSERT_TRUE(base64::decode("Zm9vYg", out));
  EXPECT_EQ(out, "foob");
  ASSERT_TRUE(base64::decode("Zm9vYmE=", out));
  EXPECT_EQ(out, "fooba");
  ASSERT_TRUE(base64::decode("", out));
  EXPECT_EQ(out, "");
}

TEST(Base64, RejectsGarbage) {
  std::string out;
  EXPECT_FALSE(base64::decode("Zm9v!mFy", out));
  EXPECT_FALSE(base64::decode("Z", out));
  EXPECT_FALSE(base64::decode("Zm9vY", out));
  EXPECT_FALSE(base64::decode("Zm=v", out));
  EXPECT_FALSE(base64::decode("Zg===", out));
  EXPECT_FALSE(base64::decode("<html>", out));
  EXPECT_FALSE(base64::decode("Zm9vYmFy\n", out));
}

TEST(Base64, RoundTripsRandomBytesOfEveryLengthMod3) {
  std::mt19937 rng(42);
  for (size_t len : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 100u, 1000u, 1u << 20, (1u << 20) + 1}) {
    std::string bytes(len, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    std::string decoded;
    ASSERT_TRUE(base64::decode(base64::encode(bytes), decoded)) << len;
    EXPECT_EQ(decoded, bytes) << len;
  }
}

const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The obvious decoder, a character at a time, to hold the fast one to.
bool reference_decode(std::string_view text, std::string& out) {
  out.clear();
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    size_t v = kAlphabet.find(c);
    if (v == std::string::npos) return false;
    bits = bits << 6 | uint32_t(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>(bits >> count));
    }
  }
  return true;
}

// Long inputs go through the vector kernel where the CPU has one (AVX2), and its tail through
// the scalar loop: every length from 0 to 400 crosses each boundary between them.
TEST(Base64, FastDecoderAgreesWithTheObviousOneAtEveryLength) {
  RecordProperty("avx2", base64::detail::avx2_available() ? "yes" : "no");
  std::mt19937 rng(7);
  for (size_t len = 0; len <= 400; ++len) {
    std::string bytes(len, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    std::string text = base64::encode(bytes);
    while (!text.empty() && text.back() == '=') text.pop_back();
    std::string fast, slow;
    ASSERT_TRUE(base64::decode(text, fast)) << len;
    ASSERT_TRUE(reference_decode(text, slow)) << len;
    ASSERT_EQ(fast, slow) << len;
    ASSERT_EQ(fast, bytes) << len;
  }
}

// Every byte that is not in the alphabet, at every position of a 200-character text (groups of
// 32 in the kernel, and the tail), is refused.
TEST(Base64, RefusesEachForeignByteAtEachPosition) {
  std::string text = base64::encode(std::string(150, 'x'));
  ASSERT_EQ(text.size(), 200u);
  std::string out;
  for (int b = 0; b < 256; ++b) {
    if (kAlphabet.find(static_cast<char>(b)) != std::string::npos) continue;
    for (size_t pos = 0; pos < text.size(); ++pos) {
      std::string bad = text;
      bad[pos] = static_cast<char>(b);
      // '=' is padding, which may end the text: it is only refused where data must follow.
      if (b == '=' && pos >= text.size() - 2) continue;
      EXPECT_FALSE(base64::decode(bad, out)) << "byte " << b << " at " << pos;
    }
  }
}

}  // namespace
}  // namespace dbfs
