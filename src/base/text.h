// Words for people: counts with their nouns in the right number, words with their article.
#pragma once

#include <string>

namespace triage::base {

// A count with its noun, in the singular for one: Counted(1, "image") is "1 image", Counted(3, "image") "3 images",
// Counted(0, "image") "0 images". `plural` for nouns that do not take an s.
inline std::string Counted(long long n, const std::string& noun, const std::string& plural = "") {
  return std::to_string(n) + " " + (n == 1 ? noun : plural.empty() ? noun + "s" : plural);
}

// A word after its indefinite article, "an" before a vowel letter: WithArticle("approved") is "an approved",
// WithArticle("pending") "a pending". By letter, not by sound: for the product's own words (states, categories).
inline std::string WithArticle(const std::string& word) {
  const bool vowel = !word.empty() && std::string("aeiouAEIOU").find(word.front()) != std::string::npos;
  return (vowel ? "an " : "a ") + word;
}

}  // namespace triage::base
