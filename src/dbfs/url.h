#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace dbfs::url {

// Percent-encodes every byte except the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~),
// so any UTF-8 name survives a query string or a form body unchanged.
std::string encode_component(std::string_view text);

// Undoes %XX escapes; nothing else is special ('+' stays '+'). nullopt for a malformed escape.
std::optional<std::string> decode(std::string_view text);

// "k1=v1&k2=v2", each key and value encoded; usable as a query string or a form body.
std::string encode_pairs(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);

}  // namespace dbfs::url
