// Credentials left out of text that may hold URLs (error messages, stored origins, catalog addresses).
#pragma once

#include <string>
#include <string_view>

namespace triage::base {

enum class Credentials {
  kDrop,          // "http://user:pw@host/" -> "http://host/"
  kMaskPassword,  // "postgresql://user:pw@host/db" -> "postgresql://user:***@host/db" (a user alone stays)
};

// `text` with the user information of every URL in it (what lies between "scheme://" and an "@" before the first
// "/", "?", "#" or white space; the last such "@") dropped or its password masked. One pass over the text, without
// backtracking: the text may be a hostile URL of any length.
std::string WithoutUrlCredentials(std::string_view text, Credentials how = Credentials::kDrop);

}  // namespace triage::base
