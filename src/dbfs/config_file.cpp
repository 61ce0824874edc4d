#include "dbfs/config_file.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace dbfs {
namespace {

std::string_view strip_inline_comment(std::string_view value) {
  for (size_t i = 1; i < value.size(); ++i) {
    if ((value[i] == '#' || value[i] == ';') && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
      return value.substr(0, i);
    }
  }
  return value;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string_view trim_blanks(std::string_view s) {
  size_t start = s.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return {};
  return s.substr(start, s.find_last_not_of(" \t\r\n") - start + 1);
}

IniFile IniFile::parse(std::string_view text) {
  IniFile ini;
  Section* current = &ini.sections_["DEFAULT"];
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = trim_blanks(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      size_t close = line.find(']');
      if (close != std::string_view::npos) {
        current = &ini.sections_[std::string(trim_blanks(line.substr(1, close - 1)))];
      }
      continue;
    }
    size_t separator = line.find_first_of("=:");
    if (separator == std::string_view::npos) continue;
    std::string key = lower(trim_blanks(line.substr(0, separator)));
    (*current)[key] = std::string(trim_blanks(strip_inline_comment(line.substr(separator + 1))));
  }
  return ini;
}

const IniFile::Section* IniFile::section(const std::string& name) const {
  auto it = sections_.find(name);
  return it == sections_.end() ? nullptr : &it->second;
}

std::optional<std::string> read_secret_file(const std::string& path) {
  struct stat info{};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return std::nullopt;
    throw ConfigError(path + ": " + std::strerror(errno));
  }
  if (info.st_mode & (S_IRGRP | S_IROTH)) {
    spdlog::warn("{} holds credentials but is readable by group or others (mode {:o}); "
                 "chmod 600 it", path, info.st_mode & 0777);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot be read: " + std::strerror(errno));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace dbfs
