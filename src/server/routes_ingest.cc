// Ingest through the same pipeline as the CLI: uploads (multipart) and URLs.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include "base/files.h"
#include "base/ids.h"
#include "base/utf8.h"
#include "model/json.h"
#include "model/json_text.h"
#include "quality/recompute.h"
#include "server/server_state.h"
#include "source/url_downloader.h"

namespace triage::server {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Once the library outgrows the scale its scores were made on, they are put on the one it has now, as after a CLI
// ingest (quality::RecomputeIfOutgrown). Best effort: the photos are in, and `recompute` does the same later.
void RescaleIfOutgrown(ServerState& state) {
  auto r = quality::RecomputeIfOutgrown(state.ctx.catalog, *state.ctx.config.Current());
  if (!r.ok()) {
    fmt::print(stderr, "triage: warning: putting quality scores on the library's scale: {} (run triage recompute)\n",
               r.status().message());
  }
}

json OutcomeJson(const pipeline::ItemOutcome& o) {
  return {{"input", o.input},
          {"ok", o.ok},
          {"item_id", o.ok ? json(o.item_id) : json(nullptr)},
          {"path", o.path},
          {"decision", o.decision},
          {"error", o.error.ok() ? json(nullptr) : json(o.error.message())},
          {"error_code", o.error.ok() ? json(nullptr) : json(base::CodeName(o.error.code()))}};
}

// An upload as it arrives: each file part streamed into the staging folder under a random name (the catalog keeps
// the original name), small form fields kept in memory. Files not handed to the ingestor are removed.
// A browser writes a double quote in a file's name as %22 in the form (the HTML standard's multipart encoding);
// the name is kept as the user's file had it.
std::string BrowserFileName(std::string name) {
  for (size_t at = name.find("%22"); at != std::string::npos; at = name.find("%22", at + 1)) name.replace(at, 3, "\"");
  return name;
}

class UploadForm {
 public:
  explicit UploadForm(fs::path staging_dir) : staging_dir_(std::move(staging_dir)) {}
  ~UploadForm() {
    Close();
    for (const auto& f : files_) fs::remove(f.staged, ignored_);
  }
  UploadForm(const UploadForm&) = delete;
  UploadForm& operator=(const UploadForm&) = delete;

  struct File {
    std::string name;
    fs::path staged;
  };

  bool Start(const httplib::MultipartFormData& part) {
    if (!Close()) return false;
    field_ = part.name;
    if (part.filename.empty() && fields_.size() >= kMaxFields) {
      return Refuse(fmt::format("at most {} form fields", kMaxFields));
    }
    if (part.filename.empty()) return true;
    if (files_.size() >= kMaxFiles) return Refuse(fmt::format("at most {} files in one upload", kMaxFiles));
    std::string ext = base::LowerExtension(fs::path(part.filename));
    fs::path staged = staging_dir_ / (base::RandomId() + (ext.empty() ? "" : "." + base::SanitizeFileName(ext)));
    out_ = std::fopen(staged.c_str(), "wbx");
    if (out_ == nullptr)
      return Failed("cannot create a file in the staging folder for", BrowserFileName(part.filename));
    files_.push_back({BrowserFileName(part.filename), staged});
    return true;
  }

  bool Data(const char* data, size_t size) {
    if (out_ != nullptr) {
      return std::fwrite(data, 1, size, out_) == size || Failed("writing into the staging folder failed for", "");
    }
    std::string& value = fields_[field_];
    if (value.size() + size > kMaxFieldBytes) {
      // Mostly a file sent without a file name (filename="" reads as a form field).
      return Refuse(fmt::format(
          "form field \"{}\" is over {} bytes: a file part needs a file name (Content-Disposition: form-data; "
          "name=\"files\"; filename=\"photo.jpg\")",
          field_.substr(0, 64), kMaxFieldBytes));
    }
    value.append(data, size);
    return true;
  }

  // Flushes and syncs the file being written. False on a write error.
  bool Close() {
    if (out_ == nullptr) return true;
    bool ok = std::fflush(out_) == 0 && ::fsync(::fileno(out_)) == 0;
    const int flush_errno = errno;
    ok = std::fclose(out_) == 0 && ok;
    out_ = nullptr;
    if (!ok && write_errno_ == 0) {
      errno = flush_errno != 0 ? flush_errno : errno;
      Failed("writing into the staging folder failed for", "");
    }
    return ok;
  }

  // Hands the next staged file over (the caller owns it from then on); false when there is none.
  bool TakeFile(File& file) {
    if (taken_ >= files_.size()) return false;
    file = files_[taken_];
    files_[taken_++].staged.clear();
    return true;
  }
  const std::map<std::string, std::string>& fields() const { return fields_; }
  bool empty() const { return files_.empty(); }
  // Why the form refused the body (the client's fault: kInvalidArgument), or Ok when it did not.
  const base::Status& refusal() const { return refusal_; }
  // Why a file of the form could not be stored (the server's side), "" when none failed; its errno.
  const std::string& write_error() const { return write_error_; }
  int write_errno() const { return write_errno_; }

 private:
  bool Refuse(const std::string& why) {
    refusal_ = base::Status::InvalidArgument(why);
    return false;
  }
  // Records the first write failure with the system's reason: `what` and the file it was (the one being written when
  // `name` is empty), counted among the files of the upload.
  bool Failed(const std::string& what, const std::string& name) {
    if (write_errno_ != 0) return false;
    write_errno_ = errno != 0 ? errno : EIO;
    const std::string file = name.empty() && !files_.empty() ? files_.back().name : name;
    write_error_ = fmt::format("{} \"{}\" (file {} of the upload): {}", what, base::ForTerminal(file),
                               files_.size() + (name.empty() ? 0 : 1), std::strerror(write_errno_));
    return false;
  }
  static constexpr size_t kMaxFiles = 1000;
  static constexpr size_t kMaxFields = 100;
  static constexpr size_t kMaxFieldBytes = 4096;
  fs::path staging_dir_;
  std::vector<File> files_;
  size_t taken_ = 0;
  std::map<std::string, std::string> fields_;
  std::string field_;
  std::FILE* out_ = nullptr;
  std::error_code ignored_;
  base::Status refusal_;
  std::string write_error_;
  int write_errno_ = 0;
};

base::Status Upload(ServerState& state, Call& call) {
  UploadForm form(state.ctx.staging_dir);
  base::Status read = call.ReadMultipart([&](const httplib::MultipartFormData& p) { return form.Start(p); },
                                         [&](const char* d, size_t n) { return form.Data(d, n); });
  if (read.ok() && !form.Close()) read = base::Status::Io("the upload could not be written to the staging folder");
  // A refused form is a bad request (400), not a failure to store it (500).
  if (!read.ok() && !form.refusal().ok()) return form.refusal();
  // A file the server could not store fails the whole upload (what was received of it is removed), with the system's
  // reason; a full disk is 507 and says what to do. The client still has every file.
  if (!read.ok() && !form.write_error().empty()) {
    const bool full = form.write_errno() == ENOSPC || form.write_errno() == EDQUOT;
    const std::string message =
        fmt::format("{}; nothing of this upload was added{}", form.write_error(),
                    full ? ": the server's disk is full; free space on it (or send fewer files) and upload again" : "");
    SendError(call.response(), full ? 507 : 500, full ? "insufficient_storage" : "io", message);
    return base::Status::Ok();
  }
  if (!read.ok()) return read;
  pipeline::IngestOptions options;
  auto source = form.fields().find("source");
  options.source = source != form.fields().end() ? source->second : "upload";
  if (options.source.empty() || options.source.size() > 100) {
    return base::Status::InvalidArgument("source: must be 1 to 100 characters");
  }
  if (form.empty()) return base::Status::InvalidArgument("no file in the upload (send file fields)");
  options.actor = call.actor();
  json items = json::array();
  int placed = 0;
  for (UploadForm::File file; form.TakeFile(file);) {
    std::lock_guard ingest_lock(state.ingest_mu);
    pipeline::ItemOutcome outcome = state.ctx.ingestor.IngestStaged(file.staged, file.name, options);
    state.review_counts.Invalidate();  // the ingestor places or discards the staged upload
    outcome.input = file.name;         // the name the client sent, not where the server staged it
    placed += outcome.ok ? 1 : 0;
    items.push_back(OutcomeJson(outcome));
  }
  if (placed > 0) {
    std::lock_guard ingest_lock(state.ingest_mu);
    RescaleIfOutgrown(state);
  }
  call.Reply({{"items", items}, {"placed", placed}, {"failed", static_cast<int>(items.size()) - placed}});
  return base::Status::Ok();
}

base::Status IngestUrl(ServerState& state, Call& call) {
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  if (!body->contains("url")) return base::Status::InvalidArgument("url is required: {\"url\": \"https://...\"}");
  if (!(*body)["url"].is_string()) {
    return base::Status::InvalidArgument(fmt::format(
        "url must be a string such as \"https://example.org/photo.jpg\" (got {})", model::JsonExcerpt((*body)["url"])));
  }
  std::string url = (*body)["url"];
  const std::string scheme = source::UrlScheme(url);
  if (scheme != "http" && scheme != "https") {
    return base::Status::InvalidArgument("url: must start with http:// or https://");
  }
  // A URL that cannot be fetched as written is the request's fault (400), not a failed download (422).
  TRIAGE_RETURN_IF_ERROR(source::CheckHttpUrl(url));
  pipeline::IngestOptions options;
  if (body->contains("source")) {
    if (!(*body)["source"].is_string()) return base::Status::InvalidArgument("source: must be a string");
    options.source = (*body)["source"];
  }
  options.actor = call.actor();
  const config::DownloadLimits limits = state.ctx.config.Current()->downloads;
  // Downloaded before taking the ingest lock: a slow remote server must not stall uploads and other URLs.
  auto fetched = pipeline::FetchUrl(url, limits, state.ctx.staging_dir);
  if (!fetched.ok()) {
    SendError(call.response(), 422, "ingest_failed", fetched.status().message());
    return base::Status::Ok();
  }
  std::lock_guard ingest_lock(state.ingest_mu);
  pipeline::ItemOutcome outcome = state.ctx.ingestor.IngestFetched(*fetched, options);
  state.review_counts.Invalidate();
  if (!outcome.ok) {
    return outcome.error;  // mapped to its HTTP status by code (a refused URL 400, a failed download 502, ...)
  }
  RescaleIfOutgrown(state);
  call.Reply({{"item", OutcomeJson(outcome)}});
  return base::Status::Ok();
}

}  // namespace

void AddIngestRoutes(ApiRouter& router, ServerState& state) {
  // Uploads are written to disk as they arrive; two at a time bounds the disk and CPU they can take at once.
  router.Add(
      Method::kPost, "/api/ingest", Permission::kReview, [&state](Call& c) { return Upload(state, c); },
      RouteLimits{static_cast<size_t>(state.options.max_upload_bytes), BodyMode::kStreamed, 2});
  router.Add(Method::kPost, "/api/ingest/url", Permission::kReview, [&state](Call& c) { return IngestUrl(state, c); });
}

}  // namespace triage::server
