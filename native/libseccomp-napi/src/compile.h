// Builds a libseccomp filter from plain numbers and names and exports it without loading it.
#pragma once

#include <napi.h>

namespace scmp_napi {

Napi::Value Compile(const Napi::CallbackInfo& info);

}  // namespace scmp_napi
