// Request parsing over plain text, shared by the router and the fuzz target.
#include "server/request_parsing.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "base/text.h"
#include "model/json_text.h"

namespace triage::server {

namespace {

// What was sent in a field of the wrong type, cut short for a message.
std::string Sent(const nlohmann::json& value) { return model::JsonExcerpt(value, 40); }

// A whole decimal number spanning all of `text`.
bool ParseWhole(std::string_view text, int64_t& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

int64_t ParseContentLength(std::string_view text) {
  int64_t length = -1;
  return ParseWhole(text, length) && length >= 0 ? length : -1;
}

base::Result<nlohmann::json> ParseJsonObject(std::string_view body) {
  nlohmann::json doc;
  // A key given twice in one object: the parser keeps the last one unsaid ({"person":"a","person":"b"} filed the
  // photo under b), so the body is refused naming it.
  std::vector<std::set<std::string>> open;
  std::string repeated;
  try {
    using Event = nlohmann::json::parse_event_t;
    doc = nlohmann::json::parse(body.begin(), body.end(), [&](int depth, Event event, nlohmann::json& parsed) {
      model::RefuseDeepNesting(depth, event);
      if (event == Event::object_start) {
        open.emplace_back();
      } else if (event == Event::object_end && !open.empty()) {
        open.pop_back();
      } else if (event == Event::key && !open.empty() && parsed.is_string()) {
        if (!open.back().insert(parsed.get<std::string>()).second && repeated.empty())
          repeated = parsed.get<std::string>();
      }
      return true;
    });
  } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number too large (out_of_range)
    return base::Status::InvalidArgument(
        fmt::format("the request body is not valid JSON ({})", base::JsonSyntaxError(e.what())));
  } catch (const model::JsonTooDeep& e) {
    return base::Status::InvalidArgument(fmt::format("the request body is not accepted: {}", e.what()));
  }
  if (!doc.is_object()) return base::Status::InvalidArgument("the request body must be a JSON object");
  if (!repeated.empty()) {
    return base::Status::InvalidArgument(
        fmt::format("the request body gives the key {} more than once in one object", model::JsonExcerpt(repeated)));
  }
  return doc;
}

bool AsId(const nlohmann::json& value, int64_t& id) {
  if (value.is_number_unsigned()) {
    const uint64_t u = value.get<uint64_t>();
    if (u == 0 || u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    id = static_cast<int64_t>(u);
    return true;
  }
  if (!value.is_number_integer() || value.get<int64_t>() <= 0) return false;
  id = value.get<int64_t>();
  return true;
}

base::Result<int64_t> IdField(const nlohmann::json& body, std::string_view name, std::string_view noun) {
  const char* article = noun.find_first_of("aeiou") == 0 ? "an" : "a";
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    return base::Status::InvalidArgument(fmt::format("{} ({} {} id) is required", name, article, noun));
  }
  int64_t id = 0;
  if (!AsId(*it, id)) {
    return base::Status::InvalidArgument(
        fmt::format("{}: {} is not {} {} id (a positive whole number)", name, Sent(*it), article, noun));
  }
  return id;
}

base::Result<std::vector<int64_t>> IdListField(const nlohmann::json& body, std::string_view name, std::string_view noun,
                                               size_t min, size_t max) {
  const auto it = body.find(name);
  const size_t given = it != body.end() && it->is_array() ? it->size() : 0;
  if (it == body.end() || !it->is_array() || given < min || given > max) {
    const std::string count =
        max == std::numeric_limits<size_t>::max() ? fmt::format("{} or more", min) : fmt::format("{} to {}", min, max);
    return base::Status::InvalidArgument(fmt::format("{} (a list of {} {} ids) is required{}", name, count, noun,
                                                     given > max ? fmt::format(": it has {}", given) : ""));
  }
  std::vector<int64_t> ids;
  for (const auto& value : *it) {
    int64_t id = 0;
    if (!AsId(value, id)) {
      return base::Status::InvalidArgument(fmt::format("{}: {} is not {} {} id (a positive whole number)", name,
                                                       Sent(value), noun.find_first_of("aeiou") == 0 ? "an" : "a",
                                                       noun));
    }
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  return ids;
}

base::Result<int64_t> ParseId(std::string_view text, std::string_view noun) {
  int64_t id = 0;
  if (!ParseWhole(text, id) || id <= 0) {
    return base::Status::InvalidArgument(fmt::format("\"{}\" is not a{} {} id (a positive whole number)", text,
                                                     noun.find_first_of("aeiou") == 0 ? "n" : "", noun));
  }
  return id;
}

std::string IdNoun(std::string_view path, std::string_view id_text) {
  static const std::pair<std::string_view, std::string_view> kCollections[] = {{"/faces/", "face"},
                                                                               {"/clusters/", "cluster"},
                                                                               {"/proposals/", "proposal"},
                                                                               {"/references/", "reference"},
                                                                               {"/users/", "user"}};
  for (const auto& [collection, noun] : kCollections) {
    const size_t at = path.find(collection);
    if (at != std::string_view::npos && path.substr(at + collection.size()).rfind(id_text, 0) == 0) {
      return std::string(noun);
    }
  }
  return "item";
}

base::Result<std::string> OptionalString(const nlohmann::json& body, std::string_view name, std::string fallback) {
  const auto it = body.find(name);
  if (it == body.end()) return fallback;
  if (!it->is_string()) {
    return base::Status::InvalidArgument(fmt::format("{}: must be a string (got {})", name, Sent(*it)));
  }
  return it->get<std::string>();
}

base::Result<bool> OptionalBool(const nlohmann::json& body, std::string_view name, bool fallback) {
  const auto it = body.find(name);
  if (it == body.end()) return fallback;
  if (!it->is_boolean()) {
    return base::Status::InvalidArgument(fmt::format("{}: must be true or false (got {})", name, Sent(*it)));
  }
  return it->get<bool>();
}

base::Result<int64_t> ParseIntQuery(std::string_view name, std::string_view text, int64_t fallback, int64_t min,
                                    int64_t max) {
  if (text.empty()) return fallback;
  int64_t value = 0;
  if (!ParseWhole(text, value) || value < min || value > max) {
    return base::Status::InvalidArgument(
        fmt::format("query parameter {}: must be a whole number from {} to {} (got \"{}\")", name, min, max, text));
  }
  return value;
}

bool MultipartLimit::OnPart(bool accepted) {
  refused_ = !accepted;
  return accepted;
}

base::Status MultipartLimit::Result(bool reader_ok) const {
  if (too_large_) return base::Status::InvalidArgument("the request body is too large");
  if (refused_) return base::Status::Io("the upload could not be stored");
  if (!reader_ok) return base::Status::InvalidArgument("the multipart body is malformed or was cut off");
  return base::Status::Ok();
}

}  // namespace triage::server
