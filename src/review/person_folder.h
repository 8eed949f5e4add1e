// A person's folder (faces/<person>/) once nobody is filed there: removed with the person, so that taking an
// enrolment back leaves no empty folder behind.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

#include "config/config.h"

namespace triage::review {

// Removes faces/<person>/ when it is empty; a folder with anything in it (photos, a user's file) stays as it is.
inline void RemoveEmptyPersonFolder(const config::Config& config, const std::string& person) {
  if (person.empty()) return;
  std::error_code ec;
  const std::filesystem::path folder = config.FacesDir() / person;
  if (std::filesystem::is_directory(folder, ec) && std::filesystem::is_empty(folder, ec) && !ec) {
    std::filesystem::remove(folder, ec);
  }
}

}  // namespace triage::review
