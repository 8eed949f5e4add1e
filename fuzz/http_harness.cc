// The HTTP fuzz harness: a socket-less connection, a fake user store and routes that use the Call API.
#include "fuzz/http_harness.h"

#include <httplib.h>

#include <algorithm>
#include <memory>
#include <string>

#include "base/files.h"
#include "catalog/user_store.h"
#include "server/api.h"
#include "server/auth.h"

namespace triage::fuzz {
namespace {

using base::Status;

// One connection whose incoming bytes are the input; the statuses of the answers written are collected.
class InputStream : public httplib::Stream {
 public:
  explicit InputStream(std::string_view input) : input_(input) {}
  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const size_t n = std::min(size, input_.size());
    std::copy_n(input_.data(), n, ptr);
    input_.remove_prefix(n);
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    std::string_view out(ptr, size);
    if (out.rfind("HTTP/1.1 ", 0) == 0 && out.size() >= 12)
      statuses.push_back(std::atoi(std::string(out.substr(9, 3)).c_str()));
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 40000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 8080;
  }
  socket_t socket() const override { return INVALID_SOCKET; }
  bool done() const { return input_.empty(); }
  std::vector<int> statuses;

 private:
  std::string_view input_;
};

// The routes are public, so no user is ever looked up.
class NoUsers : public catalog::UserStore {
 public:
  base::Result<int64_t> AddUser(const catalog::UserRecord&) override { return Status::Unavailable("fuzz"); }
  base::Result<catalog::UserRecord> GetUser(const std::string&) override { return Status::NotFound("fuzz"); }
  base::Result<std::vector<catalog::UserRecord>> ListUsers() override { return std::vector<catalog::UserRecord>{}; }
  base::Result<int64_t> CountUsers() override { return 0; }
  Status SetPassword(const std::string&, const std::string&) override { return Status::NotFound("fuzz"); }
  Status RemoveUser(const std::string&) override { return Status::NotFound("fuzz"); }
  Status SetRole(const std::string&, const std::string&) override { return Status::NotFound("fuzz"); }
  Status AddSession(const catalog::SessionRecord&) override { return Status::Unavailable("fuzz"); }
  base::Result<catalog::SessionRecord> FindSession(const std::string&, int64_t) override {
    return Status::NotFound("fuzz");
  }
  Status RemoveSession(const std::string&) override { return Status::Ok(); }
  base::Result<int64_t> RemoveExpiredSessions(int64_t) override { return 0; }
};

// process_request is protected: this is the way in without a socket.
class HarnessServer : public httplib::Server {
 public:
  bool Serve(httplib::Stream& stream, bool last) {
    bool closed = false;
    process_request(stream, last, closed, nullptr);
    return !closed;
  }
};

// Like the upload route: file parts are counted (not stored), form fields kept up to a small size.
Status Upload(server::Call& call) {
  int parts = 0;
  size_t field_bytes = 0;
  bool in_file = false;
  std::string names;
  Status refusal;
  Status st = call.ReadMultipart(
      [&](const httplib::MultipartFormData& part) {
        in_file = !part.filename.empty();
        field_bytes = 0;
        names += base::SanitizeFileName(part.filename) + base::LowerExtension(part.filename);
        if (++parts <= 4) return true;
        refusal = Status::InvalidArgument("at most 4 parts");
        return false;
      },
      [&](const char*, size_t size) {
        field_bytes += size;
        if (in_file || field_bytes <= 1024) return true;
        refusal = Status::InvalidArgument("form fields: at most 1024 bytes");
        return false;
      });
  if (!st.ok()) return refusal.ok() ? st : refusal;  // as the upload route does: a refused form is a 400
  call.Reply({{"parts", parts}, {"names", names}});
  return Status::Ok();
}

HarnessServer& Server() {
  static HarnessServer* server = [] {
    static NoUsers users;
    static auto auth = std::move(*server::Authenticator::Create(users, {.no_auth = true}));
    static server::ApiRouter router(*auth);
    using server::Method;
    using server::Permission;
    router.Add(
        Method::kPost, "/api/json", Permission::kPublic,
        [](server::Call& call) -> Status {
          auto doc = call.JsonBody();
          if (!doc.ok()) return doc.status();
          call.Reply(*doc);
          return Status::Ok();
        },
        4096);
    router.Add(Method::kGet, "/api/items/{id}", Permission::kPublic, [](server::Call& call) -> Status {
      auto id = call.IdParam();
      if (!id.ok()) return id.status();
      auto limit = call.IntQuery("limit", 50, 1, 500);
      if (!limit.ok()) return limit.status();
      call.Reply({{"id", *id}, {"limit", *limit}, {"q", call.Query("q")}});
      return Status::Ok();
    });
    router.Add(Method::kPost, "/api/upload", Permission::kPublic, Upload,
               server::RouteLimits{64 * 1024, server::BodyMode::kStreamed, 1});
    auto* s = new HarnessServer;
    s->set_payload_max_length(router.MaxBodyBytes());
    router.Install(*s);
    return s;
  }();
  return *server;
}

}  // namespace

std::vector<int> ServeConnection(std::string_view bytes) {
  InputStream stream(bytes);
  for (int i = 0; i < 3 && !stream.done(); ++i) {
    if (!Server().Serve(stream, i == 2)) break;
  }
  return stream.statuses;
}

}  // namespace triage::fuzz
