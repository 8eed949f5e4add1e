// Reading part of a stored analysis: a SAX pass over the MessagePack (or JSON text) row that builds values only for
// the top-level keys asked for, so that skipped parts (faces, the explained score, the facts) cost a scan, not a tree.
#include "catalog/row_codec.h"

#include <utility>

namespace triage::catalog {
namespace {

using json = nlohmann::json;

// Builds the root object with only the wanted top-level members. Depth 0 is outside the root, 1 inside it.
class PartsSax : public nlohmann::json_sax<json> {
 public:
  explicit PartsSax(const std::vector<std::string_view>& keys) : keys_(keys) {}

  json Take() { return failed_ ? json() : std::move(root_); }

  bool null() override { return Value(nullptr); }
  bool boolean(bool v) override { return Value(v); }
  bool number_integer(number_integer_t v) override { return Value(v); }
  bool number_unsigned(number_unsigned_t v) override { return Value(v); }
  bool number_float(number_float_t v, const string_t&) override { return Value(v); }
  bool string(string_t& v) override { return Value(std::move(v)); }
  bool binary(binary_t& v) override { return Value(json::binary(std::move(v))); }

  bool start_object(std::size_t) override {
    if (depth_++ == 0) {
      root_ = json::object();
      return true;
    }
    if (!keep_) return true;
    json* made = Put(json::object());
    stack_.push_back(made);
    return true;
  }
  bool end_object() override { return End(); }
  bool start_array(std::size_t) override {
    if (depth_++ == 0) return false;  // an analysis is an object: anything else is a damaged row
    if (!keep_) return true;
    json* made = Put(json::array());
    stack_.push_back(made);
    return true;
  }
  bool end_array() override { return End(); }

  bool key(string_t& k) override {
    if (depth_ == 1) {
      keep_ = false;
      for (std::string_view wanted : keys_) keep_ = keep_ || wanted == k;
      if (keep_) key_ = std::move(k);
      return true;
    }
    if (keep_) key_ = std::move(k);
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    failed_ = true;
    return false;
  }

 private:
  // Places a value where the parse stands: as the current key's member of the innermost object, or at the end of
  // the innermost array; returns where it was placed.
  json* Put(json v) {
    json& parent = stack_.empty() ? root_ : *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    json& slot = parent[key_];
    slot = std::move(v);
    return &slot;
  }
  template <typename T>
  bool Value(T&& v) {
    if (depth_ == 0) return false;  // a bare value: not an analysis
    if (keep_) Put(json(std::forward<T>(v)));
    return true;
  }
  bool End() {
    --depth_;
    if (depth_ >= 1 && keep_ && !stack_.empty()) stack_.pop_back();
    if (depth_ == 1 && stack_.empty()) keep_ = false;
    return true;
  }

  const std::vector<std::string_view>& keys_;
  json root_;
  std::vector<json*> stack_;
  std::string key_;
  int depth_ = 0;
  bool keep_ = false;
  bool failed_ = false;
};

}  // namespace

nlohmann::json AnalysisJsonParts(const StoredAnalysisBytes& stored, const std::vector<std::string_view>& keys) {
  PartsSax sax(keys);
  bool ok = stored.binary ? json::sax_parse(stored.bytes, &sax, json::input_format_t::msgpack, /*strict=*/true)
                          : json::sax_parse(stored.bytes, &sax, json::input_format_t::json, /*strict=*/true);
  return ok ? sax.Take() : json();
}

model::StoredAnalysis ParseAnalysisMeasures(const StoredAnalysisBytes& stored) {
  static const std::vector<std::string_view> kMeasures = {"version", "readable", "width",   "height",
                                                          "format",  "taken_at", "capture", "metrics"};
  return model::StoredAnalysisFromJson(AnalysisJsonParts(stored, kMeasures));
}

}  // namespace triage::catalog
