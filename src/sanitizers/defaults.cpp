// Runtime defaults for a sanitized build (meson -Db_sanitize=...), linked into each of its
// programs: daemons, unit tests and fuzz targets alike. A program run by hand then behaves as
// under tests/run, where $ASAN_OPTIONS and friends add only where reports go (log_path).
//
// UBSan checks stay recoverable at compile time so that ubsan.supp can excuse third-party
// reports; halt_on_error makes every other report stop the program like a crash.
// ThreadSanitizer reports and goes on (its default), so that one run shows every race; its
// exit code and the report files fail the test.

#ifndef SANITIZER_SUPPRESSIONS_DIR
#error "meson.build passes the folder of the suppression files"
#endif

extern "C" {

const char* __asan_default_options() {
  // A small quarantine: the mount tests run several sanitized daemons at once.
  return "detect_leaks=1:quarantine_size_mb=16:malloc_context_size=20";
}

const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1:suppressions=" SANITIZER_SUPPRESSIONS_DIR
         "/ubsan.supp";
}

const char* __tsan_default_options() {
  return "second_deadlock_stack=1:history_size=4:suppressions=" SANITIZER_SUPPRESSIONS_DIR
         "/tsan.supp";
}

const char* __lsan_default_options() {
  return "suppressions=" SANITIZER_SUPPRESSIONS_DIR "/lsan.supp";
}

}  // extern "C"
