#include "system_error.h"

#include <string.h>

#include <cstdlib>

namespace scmp_napi {

Napi::Error SystemError(Napi::Env env, int negativeErrno, const char* syscall, const std::string& detail) {
  const int positive = std::abs(negativeErrno);
  const char* name = strerrorname_np(positive);
  const std::string code = name != nullptr ? name : "E" + std::to_string(positive);
  std::string message = code + ": " + strerror(positive) + ", " + syscall;
  if (!detail.empty()) message += " (" + detail + ")";

  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.Set("errno", Napi::Number::New(env, -positive));
  error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

}  // namespace scmp_napi
