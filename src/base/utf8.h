// UTF-8 checks for text that comes from outside (file names are bytes, not text): validate, and repair for display.
#pragma once

#include <string>
#include <string_view>

namespace triage::base {

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// `text` with every byte that is not part of a well-formed UTF-8 sequence replaced by `replacement`.
// Valid input comes back unchanged.
std::string ToValidUtf8(std::string_view text, std::string_view replacement = "\xEF\xBF\xBD");

}  // namespace triage::base
