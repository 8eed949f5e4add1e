// UTF-8 validation after the Unicode standard's table 3-7 (well-formed byte sequences).
#include "base/utf8.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace triage::base {
namespace {

// Length of the well-formed sequence starting at text[i], or 0 when the byte there does not start one.
size_t SequenceLength(std::string_view text, size_t i) {
  auto at = [&](size_t k) { return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u; };
  auto tail = [&](size_t k) { return (at(k) & 0xC0u) == 0x80u; };
  unsigned b = at(0);
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return tail(1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    unsigned lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;  // no overlongs, no surrogates
    return at(1) >= lo && at(1) <= hi && tail(2) ? 3 : 0;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    unsigned lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;  // no overlongs, nothing past U+10FFFF
    return at(1) >= lo && at(1) <= hi && tail(2) && tail(3) ? 4 : 0;
  }
  return 0;
}

// The code point of the well-formed sequence of `n` bytes at text[i].
uint32_t CodePoint(std::string_view text, size_t i, size_t n) {
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(text[i + k])); };
  if (n == 1) return byte(0);
  if (n == 2) return ((byte(0) & 0x1Fu) << 6) | (byte(1) & 0x3Fu);
  if (n == 3) return ((byte(0) & 0x0Fu) << 12) | ((byte(1) & 0x3Fu) << 6) | (byte(2) & 0x3Fu);
  return ((byte(0) & 0x07u) << 18) | ((byte(1) & 0x3Fu) << 12) | ((byte(2) & 0x3Fu) << 6) | (byte(3) & 0x3Fu);
}

// Characters that act instead of showing: C0 controls and DEL move the cursor or start escapes, C1 controls
// (U+0080-U+009F) act as escapes on some terminals, and the bidirectional marks, embeddings, overrides and isolates
// reorder the text shown after them (U+202E shows "photo\u202egpj.exe" as "photoexe.jpg").
bool IsHiddenControl(uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

// `text` with each sequence (a well-formed one, or a single byte that starts none: length 0) for which `replace` says
// true swapped for `replacement`, and everything else kept.
template <typename Replace>
std::string Replaced(std::string_view text, std::string_view replacement, Replace replace) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t length = SequenceLength(text, i), n = std::max<size_t>(length, 1);
    if (replace(i, length))
      out += replacement;
    else
      out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    // ASCII eight bytes at a time (hex, base64, most names): no byte with its high bit set.
    uint64_t eight = 0;
    if (text.size() - i >= 8 && (std::memcpy(&eight, text.data() + i, 8), (eight & 0x8080808080808080ull) == 0)) {
      i += 8;
      continue;
    }
    size_t n = SequenceLength(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string ToValidUtf8(std::string_view text, std::string_view replacement) {
  return Replaced(text, replacement, [](size_t, size_t length) { return length == 0; });
}

std::string ForTerminal(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t n = SequenceLength(text, i);
    const auto b = static_cast<unsigned char>(text[i]);
    if (n == 0) {
      out += fmt::format("\\x{:02x}", b);
      ++i;
      continue;
    }
    const uint32_t cp = CodePoint(text, i, n);
    if (!IsHiddenControl(cp)) {
      out.append(text.substr(i, n));
    } else if (cp == '\n') {
      out += keep_newlines ? "\n" : "\\n";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\r') {
      out += "\\r";
    } else {
      out += cp < 0x80 ? fmt::format("\\x{:02x}", cp) : fmt::format("\\u{:04x}", cp);
    }
    i += n;
  }
  return out;
}

std::string WithoutHiddenControls(std::string_view text, std::string_view replacement) {
  return Replaced(text, replacement,
                  [&](size_t i, size_t length) { return length > 0 && IsHiddenControl(CodePoint(text, i, length)); });
}

std::string ShortenedInMiddle(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
  auto continuation = [&](size_t i) { return (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80; };
  const size_t room = max_bytes > kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  const size_t tail_room = std::min<size_t>(64, room / 3);
  size_t head = room - tail_room;  // the beginning ends before a character's first byte
  while (head > 0 && continuation(head)) --head;
  size_t tail = text.size() - tail_room;  // the end starts at a character's first byte
  while (tail < text.size() && continuation(tail)) ++tail;
  return std::string(text.substr(0, head)) + std::string(kEllipsis) + std::string(text.substr(tail));
}

}  // namespace triage::base
