// ebpf-napi: a thin Node-API binding of libbpf. No policy and no JSON here; see
// src/native/ebpf.ts for the typed wrapper.
#include <cerrno>
#include <fcntl.h>
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
  exports.Set("libbpfVersion", Napi::Function::New(env, LibbpfVersion));
  return exports;
}

}  // namespace ebpf

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return ebpf::Init(env, exports); }
NODE_API_MODULE(ebpf_napi, InitAddon)
