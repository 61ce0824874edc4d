#pragma once

#include <cstddef>

// The vector kernel of base64::decode, for x86-64 CPUs with AVX2 (chosen at run time). A 1 MiB
// read answer is 1.4 MB of base64, decoded for every block a cold read fetches: a quartet at a
// time, that decoding is a large share of the CPU such a read costs.
namespace dbfs::base64::detail {

// True when this CPU can run decode_avx2.
bool avx2_available();

// Decodes whole groups of 32 characters from `in` (n characters, all of them in whole quartets,
// no padding) into `out`, and returns how many characters it consumed (a multiple of 32); the
// caller decodes the rest. Each group stores 32 bytes of which 24 are its output, so it stops
// while at least 12 characters remain: the 8 bytes past a group's output always belong to the
// output of characters still to come, and are rewritten. `valid` becomes false when any consumed
// character is outside the alphabet.
size_t decode_avx2(const unsigned char* in, size_t n, unsigned char* out, bool& valid);

}  // namespace dbfs::base64::detail
