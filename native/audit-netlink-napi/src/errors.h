// Errors shaped like Node's SystemError: message "<CODE>: <strerror>, <syscall>", code ("EPERM"),
// errno (negative, as libuv and Node report it), syscall.
#pragma once
#include <napi.h>
#include <string>

namespace auditnl {

Napi::Error SystemError(Napi::Env env, int err, const char* syscall, const std::string& detail = "");

}  // namespace auditnl
