#include "errors.h"

#include <string.h>

#include <cstdlib>

namespace auditnl {

Napi::Error SystemError(Napi::Env env, int err, const char* syscall, const std::string& detail) {
  const int positive = std::abs(err);
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

}  // namespace auditnl
