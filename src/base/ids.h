// Random identifiers for journal entries, staging files and sessions.
#pragma once

#include <string>

namespace triage::base {

// 32 lowercase hex characters from the OS's random source. Thread-safe.
std::string RandomId();

}  // namespace triage::base
