// The addon's JS classes. Each owns exactly one kernel resource and releases it in one
// idempotent Release(), which close(), the destructor (GC) and the env cleanup hook all call.
#pragma once
#include <napi.h>
#include <bpf/libbpf.h>
#include <string>
#include <vector>

namespace ebpf {

// Releases a handle when its Node environment ends (a worker thread exits, the process tears its
// main environment down) before close() or the garbage collector did: a loaded object or an
// attached link must not outlive it. Registered by each constructor once it owns its resource,
// removed by Release() (unless the hook itself is what runs it).
class EnvCleanup {
 public:
  using ReleaseFn = void (*)(void*);
  void Register(napi_env env, void* self, ReleaseFn release) {
    if (napi_add_env_cleanup_hook(env, &EnvCleanup::Run, this) == napi_ok) env_ = env, self_ = self, release_ = release;
  }
  void Unregister() {
    if (env_) napi_remove_env_cleanup_hook(env_, &EnvCleanup::Run, this);
    env_ = nullptr;
  }

 private:
  static void Run(void* arg) {
    auto* c = static_cast<EnvCleanup*>(arg);
    c->env_ = nullptr;  // being run: not to be removed again
    if (c->release_) c->release_(c->self_);
  }
  napi_env env_ = nullptr;
  void* self_ = nullptr;
  ReleaseFn release_ = nullptr;
};

struct AddonData {
  Napi::FunctionReference mapCtor;
  Napi::FunctionReference linkCtor;
};

class BpfObject : public Napi::ObjectWrap<BpfObject> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit BpfObject(const Napi::CallbackInfo& info);
  ~BpfObject() override;

 private:
  Napi::Value RodataVariables(const Napi::CallbackInfo& info);
  Napi::Value SetRodata(const Napi::CallbackInfo& info);
  Napi::Value Load(const Napi::CallbackInfo& info);
  Napi::Value Programs(const Napi::CallbackInfo& info);
  Napi::Value Maps(const Napi::CallbackInfo& info);
  Napi::Value Attach(const Napi::CallbackInfo& info);
  Napi::Value Map(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value IsLoaded(const Napi::CallbackInfo& info);
  bpf_object* Checked(Napi::Env env);
  bpf_map* Rodata(Napi::Env env);
  void Release();

  std::vector<char> elf_;  // libbpf keeps pointers into the ELF image until load
  bpf_object* obj_ = nullptr;
  bool loaded_ = false;
  EnvCleanup cleanup_;
};

class BpfMap : public Napi::ObjectWrap<BpfMap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit BpfMap(const Napi::CallbackInfo& info);
  ~BpfMap() override;

 private:
  static Napi::Value OpenPinned(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Fd(const Napi::CallbackInfo& info);
  Napi::Value Lookup(const Napi::CallbackInfo& info);
  Napi::Value Update(const Napi::CallbackInfo& info);
  Napi::Value Delete(const Napi::CallbackInfo& info);
  Napi::Value NextKey(const Napi::CallbackInfo& info);
  Napi::Value Pin(const Napi::CallbackInfo& info);
  Napi::Value Mmap(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  int Checked(Napi::Env env);
  size_t ValueBytes() const;
  void CheckKey(Napi::Env env, const Napi::Value& v, const char* what, uint32_t size);
  void Release();

  int fd_ = -1;
  uint32_t type_ = 0, keySize_ = 0, valueSize_ = 0, maxEntries_ = 0, flags_ = 0, id_ = 0;
  std::string name_;
  EnvCleanup cleanup_;
};

class BpfLink : public Napi::ObjectWrap<BpfLink> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit BpfLink(const Napi::CallbackInfo& info);
  ~BpfLink() override;

 private:
  static Napi::Value OpenPinned(const Napi::CallbackInfo& info);
  Napi::Value Pin(const Napi::CallbackInfo& info);
  Napi::Value Unpin(const Napi::CallbackInfo& info);
  Napi::Value Detach(const Napi::CallbackInfo& info);
  Napi::Value Fd(const Napi::CallbackInfo& info);
  Napi::Value ProgramInfo(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  bpf_link* Checked(Napi::Env env);
  void Release();

  bpf_link* link_ = nullptr;
  EnvCleanup cleanup_;
};

// Wraps a bpf_link* / an owned map fd into a new JS object of the right class.
Napi::Object NewLink(Napi::Env env, bpf_link* link);
Napi::Object NewMap(Napi::Env env, int ownedFd);

}  // namespace ebpf
