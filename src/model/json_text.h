// Reading JSON that people and clients send (request bodies, triage.json, values on the command line): a bound on
// nesting, and values quoted back in messages at a readable length.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace triage::model {

// Deepest nesting of arrays and objects accepted. Nothing triage reads nests past 5; printing or copying a value
// recurses once per level, so a body of 100,000 '[' (200 KB) would otherwise overflow the stack where it is quoted.
inline constexpr int kMaxJsonDepth = 64;

struct JsonTooDeep : std::runtime_error {
  JsonTooDeep()
      : std::runtime_error("arrays and objects are nested more than " + std::to_string(kMaxJsonDepth) +
                           " levels deep") {}
};

// For a parser callback: throws JsonTooDeep at an array or object that opens deeper than kMaxJsonDepth.
inline void RefuseDeepNesting(int depth, nlohmann::json::parse_event_t event) {
  if ((event == nlohmann::json::parse_event_t::object_start || event == nlohmann::json::parse_event_t::array_start) &&
      depth >= kMaxJsonDepth) {
    throw JsonTooDeep();
  }
}

// `text` parsed with the nesting bounded. Throws nlohmann::json::exception (syntax, number overflow) or JsonTooDeep.
inline nlohmann::json ParseBoundedJson(std::string_view text) {
  return nlohmann::json::parse(text.begin(), text.end(), [](int depth, nlohmann::json::parse_event_t event, auto&) {
    RefuseDeepNesting(depth, event);
    return true;
  });
}

// `value` as JSON text for a message: invalid UTF-8 replaced, cut to `max_chars` bytes (at a character boundary)
// with "…" when longer.
inline std::string JsonExcerpt(const nlohmann::json& value, size_t max_chars = 60) {
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() <= max_chars) return text;
  size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "…";
}

}  // namespace triage::model
