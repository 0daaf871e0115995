// sys-napi: the Linux calls the project needs that Node has no API for and that belong to no
// library binding (libbpf, libseccomp, audit netlink). One today: SO_PEERCRED, for hookd's
// socket. Typed face: src/native/peer-credentials.ts.
#include <sys/socket.h>

#include <cerrno>

#include "../../common/system-error.h"

namespace {

// peerCredentials(fd: number): {pid, uid, gid}. Who was at the other end of a connected unix
// socket when it connected, as the kernel recorded it (the peer cannot forge it).
Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  REQUIRE_ARGUMENT_NUMBER(info, 0, "peerCredentials(fd: number)");
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct ucred c = {};
  socklen_t len = sizeof c;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len) != 0) throw napi_common::SystemError(env, errno, "getsockopt", "SO_PEERCRED");
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", Napi::Number::New(env, c.pid));
  o.Set("uid", Napi::Number::New(env, c.uid));
  o.Set("gid", Napi::Number::New(env, c.gid));
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("peerCredentials", Napi::Function::New(env, PeerCredentials, "peerCredentials"));
  return exports;
}

}  // namespace

NODE_API_MODULE(sys_napi, Init)
