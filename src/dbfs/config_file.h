#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dbfs {

// A configuration or credential problem the user must fix; the message says what and where.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An INI file as ~/.databrickscfg writes it: "[profile]" headers, "key = value" lines (":" also
// separates), whole-line comments starting with '#' or ';', inline comments only after
// whitespace (so a '#' inside a token stays). Keys are lower-cased; lines before any header
// belong to DEFAULT.
class IniFile {
 public:
  using Section = std::map<std::string, std::string>;

  static IniFile parse(std::string_view text);
  const Section* section(const std::string& name) const;

 private:
  std::map<std::string, Section> sections_;
};

// `s` without leading and trailing blanks (spaces, tabs, line ends).
std::string_view trim_blanks(std::string_view s);

// Reads a file holding secrets (a config file, a token file); nullopt when it does not exist.
// Warns when group or others may read it. Throws ConfigError when it exists but cannot be read.
std::optional<std::string> read_secret_file(const std::string& path);

}  // namespace dbfs
