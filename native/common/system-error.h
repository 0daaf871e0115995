// THE SystemError of the three N-API addons (ebpf, audit-netlink, libseccomp): shaped like Node's
// own, so callers match on `code` as they do for fs errors. Message "<CODE>: <strerror>, <call>"
// (plus " (detail)"), code ("EPERM"), errno (negative, as libuv and Node report it), syscall.
// Header-only, with the argument checks every addon repeats.
#pragma once
#include <napi.h>
#include <string.h>

#include <cstdlib>
#include <string>

namespace napi_common {

/** The error with its code and text given (a library's own error numbers: see ebpf's errors.h). */
inline Napi::Error SystemErrorNamed(Napi::Env env, int err, const std::string& code, const std::string& text, const std::string& syscall, const std::string& detail = "") {
  const int positive = std::abs(err);
  std::string message = code + ": " + text + ", " + syscall;
  if (!detail.empty()) message += " (" + detail + ")";
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.Set("errno", Napi::Number::New(env, -positive));
  error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

/** `err` may carry either sign (libbpf and libseccomp return -errno, errno is positive). */
inline Napi::Error SystemError(Napi::Env env, int err, const std::string& syscall, const std::string& detail = "") {
  const int positive = std::abs(err);
  const char* name = strerrorname_np(positive);
  return SystemErrorNamed(env, err, name != nullptr ? name : "E" + std::to_string(positive), strerror(positive), syscall, detail);
}

}  // namespace napi_common

// Argument checks: a TypeError naming the call's usage when argument `i` is missing or of the
// wrong type (C++ exceptions are on in every addon's binding.gyp).
#define REQUIRE_ARGUMENT(info, i, Is, usage)                                    \
  do {                                                                          \
    if ((info).Length() <= (i) || !(info)[i].Is()) throw Napi::TypeError::New((info).Env(), usage); \
  } while (0)
#define REQUIRE_ARGUMENT_STRING(info, i, usage) REQUIRE_ARGUMENT(info, i, IsString, usage)
#define REQUIRE_ARGUMENT_NUMBER(info, i, usage) REQUIRE_ARGUMENT(info, i, IsNumber, usage)
#define REQUIRE_ARGUMENT_BUFFER(info, i, usage) REQUIRE_ARGUMENT(info, i, IsBuffer, usage)
#define REQUIRE_ARGUMENT_OBJECT(info, i, usage) REQUIRE_ARGUMENT(info, i, IsObject, usage)
