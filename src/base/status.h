// Errors as values at module boundaries: Status (success or a coded error) and Result<T>.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace triage::base {

// Stable error codes; server/ maps them to HTTP statuses, cli/ to exit codes.
enum class Code {
  kOk,
  kNotFound,
  kCorrupt,
  kIo,
  kInvalidArgument,
  kUnavailable,
  kAlreadyExists,
  kPermissionDenied,
  kConflict,  // the state the caller acted on has changed meanwhile; nothing was done
};

// Name of a code as used in JSON output ("not_found", ...).
const char* CodeName(Code code);

// A success or an error with a message a user can act on ("unreadable: truncated JPEG").
// Cheap to copy when ok. Thread-compatible.
class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Corrupt(std::string msg) { return Status(Code::kCorrupt, std::move(msg)); }
  static Status Io(std::string msg) { return Status(Code::kIo, std::move(msg)); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status Unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }
  static Status AlreadyExists(std::string msg) { return Status(Code::kAlreadyExists, std::move(msg)); }
  static Status PermissionDenied(std::string msg) { return Status(Code::kPermissionDenied, std::move(msg)); }
  static Status Conflict(std::string msg) { return Status(Code::kConflict, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "not_found: no item 42" or "ok".
  std::string ToString() const;
  // Prefixes the message with context: "reading x.jpg: <message>".
  Status WithContext(const std::string& context) const;
  // The same code with another message (a path in it named as the user knows it).
  Status WithMessage(std::string message) const { return Status(code_, std::move(message)); }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or an error Status. REQUIRES: a Status passed in is not ok.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  // By value from a temporary: a reference into it would dangle once the full expression ends
  // (`for (x : *MakeResult())`, `const T& x = *MakeResult();`).
  T value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace triage::base

// Returns early from the enclosing function when `expr` (a Status) is an error.
#define TRIAGE_RETURN_IF_ERROR(expr)     \
  do {                                   \
    ::triage::base::Status _st = (expr); \
    if (!_st.ok()) return _st;           \
  } while (0)
