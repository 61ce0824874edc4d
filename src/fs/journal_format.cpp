#include "fs/journal_format.h"

#include <cstdio>

#include "dbfs/url.h"

namespace fs::journal_format {
namespace {

bool needs_escape(unsigned char c) { return c <= ' ' || c == '%' || c == 0x7f; }

void append_escaped(std::string& out, std::string_view text) {
  for (unsigned char c : text) {
    if (needs_escape(c)) {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    } else {
      out += char(c);
    }
  }
}

std::optional<std::string> unescape(std::string_view text) {
  auto path = dbfs::url::decode(text);
  if (!path || path->empty() || (*path)[0] != '/') return std::nullopt;
  return path;
}

bool takes_final(char tag) { return tag == '=' || tag == '<'; }
bool known(char tag) { return tag == '+' || tag == '-' || tag == 'x' || takes_final(tag); }

}  // namespace

std::string format(char tag, std::string_view path, std::string_view final_path) {
  std::string line(1, tag);
  line += ' ';
  append_escaped(line, path);
  if (!final_path.empty()) {
    line += ' ';
    append_escaped(line, final_path);
  }
  return line;
}

std::optional<Line> parse(std::string_view text) {
  if (text.size() < 2 || !known(text[0])) return std::nullopt;
  Line line;
  line.tag = text[0];
  if (text[1] == '/' && (line.tag == '+' || line.tag == '-')) {  // the old form, unescaped
    line.path = std::string(text.substr(1));
    return line;
  }
  if (text[1] != ' ') return std::nullopt;
  text.remove_prefix(2);
  size_t blank = text.find(' ');
  auto path = unescape(text.substr(0, blank));
  if (!path) return std::nullopt;
  line.path = std::move(*path);
  if (takes_final(line.tag) != (blank != std::string_view::npos)) return std::nullopt;
  if (blank != std::string_view::npos) {
    auto final_path = unescape(text.substr(blank + 1));
    if (!final_path) return std::nullopt;
    line.final_path = std::move(*final_path);
  }
  return line;
}

}  // namespace fs::journal_format
