// The addon's errors: native/common/system-error.h's SystemError, and libbpf's return convention.
#pragma once
#include <bpf/libbpf.h>

#include "../../common/system-error.h"

namespace ebpf {

// libbpf's own error numbers (LIBBPF_ERRNO__FORMAT and the rest, 4000 and up) have no errno
// name: code ELIBBPF, with libbpf's text for them.
inline Napi::Error SystemError(Napi::Env env, int err, const std::string& syscall, const std::string& detail = "") {
  const int positive = err < 0 ? -err : err;
  if (positive >= 4000 && positive < 4100) {
    char text[128];
    libbpf_strerror(positive, text, sizeof text);
    return napi_common::SystemErrorNamed(env, positive, "ELIBBPF", text, syscall, detail);
  }
  return napi_common::SystemError(env, err, syscall, detail);
}
// libbpf returns -errno (and also sets errno); normalise to a positive errno.
inline int ErrnoOf(long ret) { return ret < 0 ? static_cast<int>(-ret) : static_cast<int>(ret); }

}  // namespace ebpf
