// Runs the server's request parsing on raw connection bytes, without a socket: shared by the HTTP fuzz target
// and the test that replays its corpus.
#pragma once

#include <string_view>
#include <vector>

namespace triage::fuzz {

// Serves up to three requests read from `bytes` (one kept-alive connection) through httplib and the project's
// router with a few public routes that read JSON bodies, ids, query numbers and multipart uploads as the real
// routes do. Returns the status of each answer, in order. Not thread-safe (one shared server).
std::vector<int> ServeConnection(std::string_view bytes);

}  // namespace triage::fuzz
