#include "dbfs/base64_avx2.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define DBFS_AVX2 __attribute__((target("avx2")))

namespace dbfs::base64::detail {
namespace {

// 0xFF in each lane whose byte b has lo <= b <= hi (as unsigned numbers): b - lo wraps below lo,
// so min(b - lo, hi - lo) == b - lo exactly when b is in range.
DBFS_AVX2 inline __m256i in_range(__m256i c, unsigned char lo, unsigned char hi) {
  __m256i x = _mm256_sub_epi8(c, _mm256_set1_epi8(static_cast<char>(lo)));
  return _mm256_cmpeq_epi8(_mm256_min_epu8(x, _mm256_set1_epi8(static_cast<char>(hi - lo))), x);
}

// What to add to a character of a class to get its 6-bit value (wrapping bytes).
DBFS_AVX2 inline __m256i offset_where(__m256i mask, int offset) {
  return _mm256_and_si256(mask, _mm256_set1_epi8(static_cast<char>(offset)));
}

}  // namespace

bool avx2_available() { return __builtin_cpu_supports("avx2"); }

DBFS_AVX2 size_t decode_avx2(const unsigned char* in, size_t n, unsigned char* out, bool& valid) {
  // Within each 128-bit lane, every 32-bit word holds one quartet's 24 bits with the first
  // output byte at byte 2: gather the three bytes of each word in order, then the two lanes'
  // 12 bytes next to each other.
  const __m256i order_bytes = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1,
                                               -1, 2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1,
                                               -1, -1);
  const __m256i join_lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
  __m256i all_valid = _mm256_set1_epi8(-1);
  size_t i = 0;
  for (; i + 32 + 12 <= n; i += 32, out += 24) {
    __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    __m256i upper = in_range(c, 'A', 'Z'), lower = in_range(c, 'a', 'z');
    __m256i digit = in_range(c, '0', '9');
    __m256i plus = _mm256_cmpeq_epi8(c, _mm256_set1_epi8('+'));
    __m256i slash = _mm256_cmpeq_epi8(c, _mm256_set1_epi8('/'));
    __m256i known = _mm256_or_si256(_mm256_or_si256(upper, lower),
                                    _mm256_or_si256(digit, _mm256_or_si256(plus, slash)));
    all_valid = _mm256_and_si256(all_valid, known);
    __m256i offset = _mm256_or_si256(
        _mm256_or_si256(offset_where(upper, 0 - 'A'), offset_where(lower, 26 - 'a')),
        _mm256_or_si256(offset_where(digit, 52 - '0'),
                        _mm256_or_si256(offset_where(plus, 62 - '+'),
                                        offset_where(slash, 63 - '/'))));
    __m256i sextets = _mm256_add_epi8(c, offset);
    // Pairs of sextets into 12 bits (a * 64 + b), then pairs of those into 24 (ab * 4096 + cd).
    __m256i twelve = _mm256_maddubs_epi16(sextets, _mm256_set1_epi32(0x01400140));
    __m256i quartets = _mm256_madd_epi16(twelve, _mm256_set1_epi32(0x00011000));
    __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(quartets, order_bytes),
                                                join_lanes);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), bytes);
  }
  valid = _mm256_movemask_epi8(all_valid) == -1;
  return i;
}

}  // namespace dbfs::base64::detail

#else

namespace dbfs::base64::detail {
bool avx2_available() { return false; }
size_t decode_avx2(const unsigned char*, size_t, unsigned char*, bool& valid) {
  valid = true;
  return 0;
}
}  // namespace dbfs::base64::detail

#endif
