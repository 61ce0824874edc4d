// Sanitizer defaults compiled into every fuzz target, so a target run by hand behaves as under
// tests/fuzz/run: undefined behaviour stops the run like a crash (UBSan only reports and
// continues by default), except for what ubsan.supp excuses in third-party headers.

#ifndef FUZZ_UBSAN_SUPPRESSIONS
#error "meson.build passes the path of ubsan.supp"
#endif

extern "C" const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1:suppressions=" FUZZ_UBSAN_SUPPRESSIONS;
}
