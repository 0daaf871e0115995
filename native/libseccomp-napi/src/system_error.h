// JS errors shaped like Node's SystemError, so callers match on `code` the way they do for fs errors.
#pragma once

#include <napi.h>

#include <string>

namespace scmp_napi {

// `negativeErrno` is what libseccomp returns (-EINVAL); the JS `errno` keeps that sign, like Node.
Napi::Error SystemError(Napi::Env env, int negativeErrno, const char* syscall, const std::string& detail = "");

}  // namespace scmp_napi
