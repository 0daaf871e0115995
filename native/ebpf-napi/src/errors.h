// Errors shaped like Node's SystemError: message "<syscall> failed: <strerror>",
// code ("EPERM"), errno (negative, as libuv and Node report it), syscall (the libbpf call).
#pragma once
#include <napi.h>
#include <string>

namespace ebpf {

Napi::Error SystemError(Napi::Env env, int err, const std::string& syscall, const std::string& detail = "");
// libbpf returns -errno (and also sets errno); normalise to a positive errno.
inline int ErrnoOf(long ret) { return ret < 0 ? static_cast<int>(-ret) : static_cast<int>(ret); }

}  // namespace ebpf
