// Serving the embedded web UI and the OpenAPI document.
#pragma once

#include <httplib.h>

#include <string_view>

namespace triage::server {

// The OpenAPI 3 document (src/server/openapi.json, embedded).
std::string_view OpenApiJson();

// Serves the web UI's files for every GET outside /api/ ("/" is index.html), with ETag and Cache-Control: no-cache
// (the browser revalidates, so a new binary's UI is picked up at once). Unknown files are a JSON 404.
void InstallStaticFiles(httplib::Server& server);

}  // namespace triage::server
