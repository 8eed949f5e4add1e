// Reading triage.json's text (config.cc and config_store.cc share it).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"

namespace triage::config {

// The JSON object in `text`, read from `path`. Errors name the file and what is wrong: an empty file, or the line and
// column where the syntax breaks and why ("line 3, column 5: syntax error while parsing object key - unexpected ','"),
// or a document that is not an object.
base::Result<nlohmann::json> ParseConfigJson(const std::string& text, const std::filesystem::path& path);

}  // namespace triage::config
