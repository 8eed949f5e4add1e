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
// A password that ends the host part early (one holding "/", "?", "#" or a space, as typed into a URL that is then
// malformed) is found too: when the host part holds no "@" but reads as "user:password" (a ":" followed by anything
// but a port's digits), the user information runs to the last "@" before white space that follows a "/" or an "@".
std::string WithoutUrlCredentials(std::string_view text, Credentials how = Credentials::kDrop);

// A database address (a URL or libpq's "key=value" form) as it may be shown: the URL's password masked, and the value
// of every password parameter ("?password=...", "password=... host=...") as "***".
std::string WithoutConnectionSecrets(std::string_view text);

}  // namespace triage::base
