// auditStatus(): the kernel's audit status, for its lost counter (see status.cc).
#pragma once
#include <napi.h>

namespace auditnl {

Napi::Value AuditStatus(const Napi::CallbackInfo& info);

}  // namespace auditnl
