// libseccomp for Node: lookups and filter compilation, nothing else. Policy (OCI strings, defaults,
// what counts as a valid profile) lives in src/native/libseccomp.ts.
#include <napi.h>
#include <seccomp.h>

#include "compile.h"
#include "resolve.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("architectures", Napi::Function::New(env, scmp_napi::Architectures, "architectures"));
  exports.Set("nativeArchToken", Napi::Function::New(env, scmp_napi::NativeArchToken, "nativeArchToken"));
  exports.Set("resolveSyscallName", Napi::Function::New(env, scmp_napi::ResolveSyscallName, "resolveSyscallName"));
  exports.Set("resolveSyscallNumber", Napi::Function::New(env, scmp_napi::ResolveSyscallNumber, "resolveSyscallNumber"));
  exports.Set("resolveSyscallNumbers", Napi::Function::New(env, scmp_napi::ResolveSyscallNumbers, "resolveSyscallNumbers"));
  exports.Set("compile", Napi::Function::New(env, scmp_napi::Compile, "compile"));
  return exports;
}

}  // namespace

NODE_API_MODULE(libseccomp_napi, Init)
