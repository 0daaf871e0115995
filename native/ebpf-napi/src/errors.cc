#include "errors.h"
#include <cstring>

namespace ebpf {

Napi::Error SystemError(Napi::Env env, int err, const std::string& syscall, const std::string& detail) {
  const char* name = strerrorname_np(err);
  std::string msg = syscall + " failed: " + std::strerror(err);
  if (!detail.empty()) msg += " (" + detail + ")";
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, name ? name : "EUNKNOWN"));
  e.Set("errno", Napi::Number::New(env, -err));
  e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}

}  // namespace ebpf
