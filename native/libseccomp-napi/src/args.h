// Argument checks shared by every exported function: wrong type -> TypeError, out of range -> RangeError.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace scmp_napi {

uint32_t Uint32Arg(const Napi::Value& value, const char* what);
int32_t Int32Arg(const Napi::Value& value, const char* what);
// A JS number (safe integer) or a BigInt; both must fit an unsigned 64-bit syscall argument.
uint64_t Uint64Arg(const Napi::Value& value, const char* what);
std::string StringArg(const Napi::Value& value, const char* what);
Napi::Array ArrayArg(const Napi::Value& value, const char* what);
Napi::Object ObjectArg(const Napi::Value& value, const char* what);

}  // namespace scmp_napi
