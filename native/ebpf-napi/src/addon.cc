// ebpf-napi: a thin Node-API binding of libbpf. No policy and no JSON here; see
// src/native/ebpf.ts for the typed wrapper.
#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "errors.h"
#include "handles.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

namespace ebpf {

// pidfdOpen(pid: number, thread?: boolean): number. Task storage maps are keyed by pidfd from
// user space; a thread pidfd (Linux 6.9+) addresses one thread instead of its group leader.
static Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  REQUIRE_ARGUMENT_NUMBER(info, 0, "pidfdOpen(pid: number, thread?: boolean)");
  int pid = info[0].As<Napi::Number>().Int32Value();
  if (pid <= 0) throw Napi::RangeError::New(env, "pidfdOpen: pid must be positive");
  unsigned flags = info.Length() > 1 && info[1].ToBoolean() ? PIDFD_THREAD : 0;
  long fd = syscall(SYS_pidfd_open, pid, flags);
  if (fd < 0) throw SystemError(env, errno, "pidfd_open", std::to_string(pid));
  return Napi::Number::New(env, static_cast<double>(fd));
}

// peerCredentials(fd: number): {pid, uid, gid}. SO_PEERCRED: who was at the other end of a
// connected unix socket when it connected, as the kernel recorded it (the peer cannot forge it).
// Node exposes no getsockopt for this; hookd needs it to refuse anyone but root.
static Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  REQUIRE_ARGUMENT_NUMBER(info, 0, "peerCredentials(fd: number)");
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct ucred c = {};
  socklen_t len = sizeof c;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len) != 0) throw SystemError(env, errno, "getsockopt", "SO_PEERCRED");
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", Napi::Number::New(env, c.pid));
  o.Set("uid", Napi::Number::New(env, c.uid));
  o.Set("gid", Napi::Number::New(env, c.gid));
  return o;
}

// libbpfVersion(): "MAJOR.MINOR" of the libbpf this process loaded (for `--version`).
static Napi::Value LibbpfVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), std::to_string(libbpf_major_version()) + "." + std::to_string(libbpf_minor_version()));
}

static void Cleanup(Napi::Env, AddonData* data) { delete data; }

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  Napi::Function map = BpfMap::Init(env);
  Napi::Function link = BpfLink::Init(env);
  data->mapCtor = Napi::Persistent(map);
  data->linkCtor = Napi::Persistent(link);
  env.SetInstanceData<AddonData, Cleanup>(data);
  exports.Set("BpfObject", BpfObject::Init(env));
  exports.Set("BpfMap", map);
  exports.Set("BpfLink", link);
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen));
  exports.Set("peerCredentials", Napi::Function::New(env, PeerCredentials));
  exports.Set("libbpfVersion", Napi::Function::New(env, LibbpfVersion));
  return exports;
}

}  // namespace ebpf

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return ebpf::Init(env, exports); }
NODE_API_MODULE(ebpf_napi, InitAddon)
