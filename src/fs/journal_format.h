#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fs::journal_format {

// One line of an upload journal: a tag character, then one or two paths, each percent-escaped so
// that no path (DBFS names may hold blanks and newlines) can split or end a line:
//   "+ PATH", "= PATH FINAL", "< PATH FINAL", "x PATH", "- PATH".
// Journals written before the tags had fields ("+PATH", "-PATH") still parse.
struct Line {
  char tag = 0;
  std::string path;
  std::string final_path;  // empty when the tag takes one path
};

std::string format(char tag, std::string_view path, std::string_view final_path = {});
// nullopt for a line that is not one of ours (a torn last line after a crash, say).
std::optional<Line> parse(std::string_view text);

}  // namespace fs::journal_format
