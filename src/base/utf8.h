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

// `text` (a file name, a message naming one) made safe to print on a terminal: control characters are written as
// escapes a reader can type back ("\t", "\n", "\r", "\x1b"), so a name cannot move the cursor, recolour the
// screen or hide part of a line; C1 controls and the bidirectional overrides that reorder what follows (U+202E) are
// written as "\u202e"; bytes that are not UTF-8 as "\xff". With `keep_newlines`, '\n' stays a line break (a
// message of several lines). Printable text, any language's, comes back unchanged.
std::string ForTerminal(std::string_view text, bool keep_newlines = false);

// `text` with each of the characters ForTerminal writes out (controls, C1 controls, bidirectional marks, overrides
// and isolates) replaced by `replacement`: for a name that is stored and shown everywhere (a file in the library),
// where no escape would be read back. Bytes that are not UTF-8 are left as they are.
std::string WithoutHiddenControls(std::string_view text, std::string_view replacement);

// Valid UTF-8 `text` in at most `max_bytes` (at least 16): unchanged when it fits, else its beginning and its end
// joined by "…", never cutting a character in half. The end keeps up to a third of the room (at most 64 bytes): a
// long file name keeps what usually tells photos apart there ("IMG_20240712_183455_v2 (copy)").
std::string ShortenedInMiddle(std::string_view text, size_t max_bytes);

}  // namespace triage::base
