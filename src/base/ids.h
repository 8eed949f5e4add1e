// Random identifiers for journal entries, staging files and sessions, and the name of this host.
#pragma once

#include <string>

namespace triage::base {

// 32 lowercase hex characters from the OS's random source. Thread-safe.
std::string RandomId();

// This host's name as the library knows it: $TRIAGE_HOST when set, else gethostname(2). Several hosts that share one
// library must each have a different one (journal and staging folders are per host). Made safe as one path
// component: characters outside [A-Za-z0-9._-] become '_', a leading '.' too; never empty.
std::string HostName();
// `name` made safe as a host folder's name (as HostName does).
std::string SafeHostName(const std::string& name);

}  // namespace triage::base
