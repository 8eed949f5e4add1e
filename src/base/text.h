// Words for people: counts with their nouns in the right number, words with their article, a parser's error.
#pragma once

#include <string>

namespace triage::base {

// A count with its noun, in the singular for one: Counted(1, "image") is "1 image", Counted(3, "image") "3 images",
// Counted(0, "image") "0 images". `plural` for nouns that do not take an s.
inline std::string Counted(long long n, const std::string& noun, const std::string& plural = "") {
  return std::to_string(n) + " " + (n == 1 ? noun : plural.empty() ? noun + "s" : plural);
}

// `text` with every `from` replaced by `to` (a staging path in an error named by the input's own name).
inline std::string ReplacedAll(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// A word after its indefinite article, "an" before a vowel letter: WithArticle("approved") is "an approved",
// WithArticle("pending") "a pending". By letter, not by sound: for the product's own words (states, categories).
inline std::string WithArticle(const std::string& word) {
  const bool vowel = !word.empty() && std::string("aeiouAEIOU").find(word.front()) != std::string::npos;
  return (vowel ? "an " : "a ") + word;
}

// Where and why a JSON text did not parse, from the JSON parser's exception text, for a message: "[json.exception.
// parse_error.101] parse error at line 3, column 5: syntax error ..." gives "line 3, column 5: syntax error ...", and
// "[json.exception.out_of_range.406] number overflow parsing '1e400'" gives "number overflow parsing '1e400'".
inline std::string JsonSyntaxError(const std::string& what) {
  if (const size_t line = what.find("line "); line != std::string::npos) return what.substr(line);
  if (what.rfind("[json.exception.", 0) == 0 && what.find("] ") != std::string::npos) {
    return what.substr(what.find("] ") + 2);
  }
  return what;
}

}  // namespace triage::base
