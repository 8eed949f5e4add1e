// The parts of reading a request that the server owns, as pure functions over text: declared lengths, JSON
// bodies, numbers in paths and queries, and the limit and refusal logic around multipart bodies. The router and
// Call use them, and so does the fuzz target (fuzz/http_request_fuzzer.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace triage::server {

// A Content-Length value as a byte count, or -1 when it is not a plain non-negative decimal number.
int64_t ParseContentLength(std::string_view text);

// A request body that must be a JSON object; kInvalidArgument ("not valid JSON" / "must be a JSON object").
base::Result<nlohmann::json> ParseJsonObject(std::string_view body);

// An optional field of a JSON object body: `fallback` when it is absent, its value when it has the type asked for,
// else kInvalidArgument naming the field, the type wanted and what was sent ("rename: must be true or false (got
// \"true\")"), never a JSON library's type error answered as a server error.
base::Result<std::string> OptionalString(const nlohmann::json& body, std::string_view name, std::string fallback);
base::Result<bool> OptionalBool(const nlohmann::json& body, std::string_view name, bool fallback);

// A JSON value naming a catalog id: a whole number from 1 to 2^63 - 1 (one above, sent as an unsigned number, would
// wrap to a negative id); the id in `id`.
bool AsId(const nlohmann::json& value, int64_t& id);

// The id under `name` of a JSON object body (as AsId): kInvalidArgument "<name> (a<n> <noun> id) is required" when
// absent, "<name>: <what was sent> is not a<n> <noun> id (a positive whole number)" otherwise.
base::Result<int64_t> IdField(const nlohmann::json& body, std::string_view name, std::string_view noun = "item");

// The list of ids under `name` of a JSON object body: at least `min` and at most `max` entries, each an id (AsId),
// an id named twice kept once (acted on once, counted once); kInvalidArgument naming the field and what is wrong.
base::Result<std::vector<int64_t>> IdListField(const nlohmann::json& body, std::string_view name, std::string_view noun,
                                               size_t min, size_t max);

// A path parameter naming a catalog id: a positive whole number, else kInvalidArgument naming what the id is of
// (`noun`: "item", "face", "cluster", ...).
base::Result<int64_t> ParseId(std::string_view text, std::string_view noun = "item");

// What the id in a path is of, from the collection named before it ("/api/faces/7/crop" -> "face"); "item" for the
// item routes (/api/items, /api/review, /api/trash) and any other.
std::string IdNoun(std::string_view path, std::string_view id_text);

// A query parameter's value as a whole number within [min, max]; `fallback` when empty; kInvalidArgument naming
// `name` otherwise.
base::Result<int64_t> ParseIntQuery(std::string_view name, std::string_view text, int64_t fallback, int64_t min,
                                    int64_t max);

// Counts a multipart body's bytes against a limit and records why reading stopped. Not thread-safe.
class MultipartLimit {
 public:
  explicit MultipartLimit(size_t max_bytes) : max_bytes_(max_bytes) {}
  // Whether reading may go on after a part's start; `accepted` is the handler's answer.
  bool OnPart(bool accepted);
  // Whether reading may go on after `size` more bytes; `accept` is called only while under the limit.
  template <typename AcceptFn>
  bool OnData(size_t size, AcceptFn&& accept) {
    total_ += size;
    if (total_ > max_bytes_) {
      too_large_ = true;
      return false;
    }
    refused_ = !accept();
    return !refused_;
  }
  // Ok, or why the body was not read through: too large (kInvalidArgument), refused by the handler (kIo), or
  // malformed / cut off when `reader_ok` is false (kInvalidArgument).
  base::Status Result(bool reader_ok) const;
  bool too_large() const { return too_large_; }

 private:
  size_t max_bytes_;
  size_t total_ = 0;
  bool too_large_ = false;
  bool refused_ = false;
};

}  // namespace triage::server
