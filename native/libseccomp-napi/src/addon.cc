// libseccomp for Node: lookups and filter compilation, nothing else. Policy (OCI strings, defaults,
// what counts as a valid profile) lives in src/native/libseccomp.ts.
#include <napi.h>
#include <seccomp.h>

#include "compile.h"
#include "resolve.h"

namespace {

// version(): "MAJOR.MINOR.MICRO" of the libseccomp this process loaded (for `--version`).
Napi::Value Version(const Napi::CallbackInfo& info) {
  const scmp_version* v = seccomp_version();
  return Napi::String::New(info.Env(), std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("architectures", Napi::Function::New(env, scmp_napi::Architectures, "architectures"));
  exports.Set("nativeArchToken", Napi::Function::New(env, scmp_napi::NativeArchToken, "nativeArchToken"));
  exports.Set("resolveSyscallName", Napi::Function::New(env, scmp_napi::ResolveSyscallName, "resolveSyscallName"));
  exports.Set("resolveSyscallNumber", Napi::Function::New(env, scmp_napi::ResolveSyscallNumber, "resolveSyscallNumber"));
  exports.Set("resolveSyscallNumbers", Napi::Function::New(env, scmp_napi::ResolveSyscallNumbers, "resolveSyscallNumbers"));
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  exports.Set("compile", Napi::Function::New(env, scmp_napi::Compile, "compile"));
  return exports;
}

}  // namespace

NODE_API_MODULE(libseccomp_napi, Init)
