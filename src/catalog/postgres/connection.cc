// libpq connection, parameters and rows (see connection.h).
#include "catalog/postgres/connection.h"

#include <fmt/format.h>

#include <cstring>

#include "base/url_text.h"

namespace triage::catalog::postgres {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

// "23505" unique_violation; class 08 connection exceptions; 57P01 admin shutdown.
base::Code CodeOf(const char* sqlstate) {
  if (sqlstate == nullptr) return base::Code::kUnavailable;
  std::string state = sqlstate;
  if (state == "23505") return base::Code::kAlreadyExists;
  if (state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0) return base::Code::kUnavailable;
  return base::Code::kIo;
}

}  // namespace

Params& Params::Add(double value) { return AddText(fmt::format("{:.17g}", value)); }

Params& Params::AddText(std::string value) {
  values_.emplace_back(std::move(value));
  formats_.push_back(0);
  return *this;
}

Params& Params::AddBytes(const void* data, size_t size) {
  values_.emplace_back(std::string(static_cast<const char*>(data), size));
  formats_.push_back(1);
  return *this;
}

Params& Params::AddNull() {
  values_.emplace_back(std::nullopt);
  formats_.push_back(0);
  return *this;
}

int64_t Rows::affected() const {
  const char* n = PQcmdTuples(result_.get());
  return n && *n ? std::stoll(n) : 0;
}

int64_t Rows::Int(int row, int col) const {
  if (IsNull(row, col)) return 0;
  return std::strtoll(PQgetvalue(result_.get(), row, col), nullptr, 10);
}

double Rows::Real(int row, int col) const {
  if (IsNull(row, col)) return 0;
  return std::strtod(PQgetvalue(result_.get(), row, col), nullptr);
}

std::vector<uint8_t> Rows::Bytes(int row, int col) const {
  if (IsNull(row, col)) return {};
  const char* text = PQgetvalue(result_.get(), row, col);  // bytea in hex output: \x0a1b...
  size_t len = std::strlen(text);
  if (len < 2 || text[0] != '\\' || text[1] != 'x') return {};
  std::vector<uint8_t> out((len - 2) / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>(HexValue(text[2 + 2 * i]) * 16 + HexValue(text[3 + 2 * i]));
  }
  return out;
}

std::vector<float> Rows::Floats(int row, int col) const {
  std::vector<uint8_t> bytes = Bytes(row, col);
  std::vector<float> out(bytes.size() / sizeof(float));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

base::Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (conn == nullptr) return base::Status::Unavailable("out of memory connecting to the catalog");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    PQfinish(conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return base::Status::Unavailable(fmt::format("cannot connect to catalog {}: {}", RedactUrl(url), msg));
  }
  std::unique_ptr<Connection> c(new Connection(conn));
  // Notices (e.g. "relation exists, skipping") are not errors; keep them off the terminal.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return c;
}

Connection::~Connection() { PQfinish(conn_); }

void Connection::ReconnectIfBroken() {
  if (PQstatus(conn_) == CONNECTION_BAD) PQreset(conn_);
}

base::Status Connection::Check(PGresult* result, const char* sql) {
  ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return base::Status::Ok();
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = result ? PQresultErrorMessage(result) : PQerrorMessage(conn_);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  std::string first_words = std::string(sql).substr(0, 60);
  switch (CodeOf(state)) {
    case base::Code::kAlreadyExists:
      return base::Status::AlreadyExists(msg);
    case base::Code::kUnavailable:
      return base::Status::Unavailable(fmt::format("catalog server: {}", msg));
    default:
      return base::Status::Io(fmt::format("catalog query failed ({}...): {}", first_words, msg));
  }
}

base::Result<Rows> Connection::Query(const char* sql, const Params& params) {
  if (PQtransactionStatus(conn_) == PQTRANS_UNKNOWN) ReconnectIfBroken();
  std::vector<const char*> values;
  std::vector<int> lengths;
  for (const auto& v : params.values_) {
    values.push_back(v ? v->data() : nullptr);
    lengths.push_back(v ? static_cast<int>(v->size()) : 0);
  }
  PGresult* result =
      PQexecParams(conn_, sql, params.size(), nullptr, values.data(), lengths.data(), params.formats_.data(), 0);
  base::Status st = Check(result, sql);
  if (!st.ok()) {
    PQclear(result);
    return st;
  }
  return Rows(result);
}

base::Status Connection::Script(const char* sql) {
  if (PQtransactionStatus(conn_) == PQTRANS_UNKNOWN) ReconnectIfBroken();
  PGresult* result = PQexec(conn_, sql);
  base::Status st = Check(result, sql);
  PQclear(result);
  return st;
}

std::string RedactUrl(const std::string& url) { return base::WithoutConnectionSecrets(url); }

}  // namespace triage::catalog::postgres
