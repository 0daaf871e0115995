// BpfLink: an attachment. Closing a link that is not pinned detaches the program; a pinned
// link stays attached (that is what lets the tracer outlive the hook process) until unpinned.
#include <bpf/bpf.h>
#include <cerrno>
#include <unistd.h>
#include "errors.h"
#include "handles.h"

namespace ebpf {

Napi::Function BpfLink::Init(Napi::Env env) {
  return DefineClass(env, "BpfLink", {
    StaticMethod<&BpfLink::OpenPinned>("openPinned"),
    InstanceMethod<&BpfLink::Pin>("pin"),
    InstanceMethod<&BpfLink::Unpin>("unpin"),
    InstanceMethod<&BpfLink::Detach>("detach"),
    InstanceAccessor<&BpfLink::Fd>("fd"),
    InstanceMethod<&BpfLink::ProgramInfo>("programInfo"),
    InstanceMethod<&BpfLink::Close>("close"),
  });
}

Napi::Object NewLink(Napi::Env env, bpf_link* link) {
  auto* data = env.GetInstanceData<AddonData>();
  Napi::Object o = data->linkCtor.New({Napi::External<bpf_link>::New(env, link)});
  return o;
}

BpfLink::BpfLink(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfLink>(info) {
  if (info.Length() < 1 || !info[0].IsExternal())
    throw Napi::TypeError::New(info.Env(), "BpfLink is created by attach() or openPinned()");
  link_ = info[0].As<Napi::External<bpf_link>>().Data();
  cleanup_.Register(info.Env(), this, [](void* self) { static_cast<BpfLink*>(self)->Release(); });
}

BpfLink::~BpfLink() { Release(); }
void BpfLink::Release() {
  cleanup_.Unregister();
  if (link_) bpf_link__destroy(link_);
  link_ = nullptr;
}

bpf_link* BpfLink::Checked(Napi::Env env) {
  if (!link_) throw Napi::Error::New(env, "BpfLink is closed");
  return link_;
}

Napi::Value BpfLink::OpenPinned(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  REQUIRE_ARGUMENT_STRING(info, 0, "openPinned(path: string)");
  std::string path = info[0].As<Napi::String>();
  bpf_link* link = bpf_link__open(path.c_str());
  if (!link) throw SystemError(env, errno, "bpf_link__open", path);
  return NewLink(env, link);
}

Napi::Value BpfLink::Pin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  REQUIRE_ARGUMENT_STRING(info, 0, "pin(path: string)");
  std::string path = info[0].As<Napi::String>();
  int err = bpf_link__pin(Checked(env), path.c_str());
  if (err) throw SystemError(env, ErrnoOf(err), "bpf_link__pin", path);
  return env.Undefined();
}

Napi::Value BpfLink::Unpin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int err = bpf_link__unpin(Checked(env));
  if (err) throw SystemError(env, ErrnoOf(err), "bpf_link__unpin");
  return env.Undefined();
}

// detach(): force the program off its hook now, even if the link is pinned elsewhere.
Napi::Value BpfLink::Detach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int err = bpf_link__detach(Checked(env));
  if (err) throw SystemError(env, ErrnoOf(err), "bpf_link__detach");
  return env.Undefined();
}

Napi::Value BpfLink::Fd(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), link_ ? bpf_link__fd(link_) : -1);
}

// programInfo(): the attached program's id, name and the kernel's run counters (non-zero only
// while sysctl kernel.bpf_stats_enabled=1): what benchmarks read instead of wall-clock time.
Napi::Value BpfLink::ProgramInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bpf_link_info li = {};
  uint32_t len = sizeof li;
  if (bpf_obj_get_info_by_fd(bpf_link__fd(Checked(env)), &li, &len) != 0)
    throw SystemError(env, errno, "bpf_obj_get_info_by_fd", "link");
  int pfd = bpf_prog_get_fd_by_id(li.prog_id);
  if (pfd < 0) throw SystemError(env, errno, "bpf_prog_get_fd_by_id");
  bpf_prog_info pi = {};
  len = sizeof pi;
  int r = bpf_obj_get_info_by_fd(pfd, &pi, &len);
  int err = errno;
  close(pfd);
  if (r != 0) throw SystemError(env, err, "bpf_obj_get_info_by_fd", "program");
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", pi.id);
  o.Set("name", pi.name);
  o.Set("runTimeNs", Napi::BigInt::New(env, static_cast<uint64_t>(pi.run_time_ns)));
  o.Set("runCount", Napi::BigInt::New(env, static_cast<uint64_t>(pi.run_cnt)));
  return o;
}

Napi::Value BpfLink::Close(const Napi::CallbackInfo& info) {
  Release();
  return info.Env().Undefined();
}

}  // namespace ebpf
