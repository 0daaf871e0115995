// Lookups that need no filter: architectures and syscall names <-> numbers, exactly as libseccomp answers.
#pragma once

#include <napi.h>

#include <cstdint>

namespace scmp_napi {

// Throws RangeError unless `token` is 0 (native) or an architecture this libseccomp resolves.
uint32_t ArchTokenArg(const Napi::Value& value, const char* what);

Napi::Value Architectures(const Napi::CallbackInfo& info);
Napi::Value NativeArchToken(const Napi::CallbackInfo& info);
Napi::Value ResolveSyscallName(const Napi::CallbackInfo& info);
Napi::Value ResolveSyscallNumber(const Napi::CallbackInfo& info);
Napi::Value ResolveSyscallNumbers(const Napi::CallbackInfo& info);

}  // namespace scmp_napi
