// audit-netlink-napi: a read-only listener on the kernel's audit multicast group. Socket, bind,
// receive buffer, a uv_poll on Node's own loop, batches of (type, text) to JS; and the kernel's
// audit status (its lost counter). No parsing and no policy here (see src/native/audit-netlink.ts).
#include "listener.h"
#include "status.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("AuditListener", auditnl::Listener::Init(env));
  exports.Set("auditStatus", Napi::Function::New(env, auditnl::AuditStatus, "auditStatus"));
  return exports;
}

NODE_API_MODULE(audit_netlink_napi, Init)
