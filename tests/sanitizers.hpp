// Whether this test binary is built with AddressSanitizer (scripts/sanitize.sh),
// for the few checks that cannot hold under it: they call GTEST_SKIP with the
// reason instead of failing. GCC defines __SANITIZE_ADDRESS__, clang 14 only
// answers __has_feature.
#pragma once

namespace apollo_tests {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

}  // namespace apollo_tests
