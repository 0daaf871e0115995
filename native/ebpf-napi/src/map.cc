// BpfMap: an owned map fd (from a loaded object, or bpf_obj_get on a bpffs pin).
#include <bpf/bpf.h>
#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "errors.h"
#include "handles.h"

namespace ebpf {

Napi::Function BpfMap::Init(Napi::Env env) {
  return DefineClass(env, "BpfMap", {
    StaticMethod<&BpfMap::OpenPinned>("openPinned"),
    InstanceAccessor<&BpfMap::Info>("info"),
    InstanceAccessor<&BpfMap::Fd>("fd"),
    InstanceMethod<&BpfMap::Lookup>("lookup"),
    InstanceMethod<&BpfMap::Update>("update"),
    InstanceMethod<&BpfMap::Delete>("delete"),
    InstanceMethod<&BpfMap::NextKey>("nextKey"),
    InstanceMethod<&BpfMap::Pin>("pin"),
    InstanceMethod<&BpfMap::Mmap>("mmap"),
    InstanceMethod<&BpfMap::Close>("close"),
  });
}

Napi::Object NewMap(Napi::Env env, int ownedFd) {
  auto* data = env.GetInstanceData<AddonData>();
  return data->mapCtor.New({Napi::Number::New(env, ownedFd)});
}

// new BpfMap(ownedFd: number): takes ownership of the fd (internal; use openPinned or obj.map).
BpfMap::BpfMap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfMap>(info) {
  Napi::Env env = info.Env();
  REQUIRE_ARGUMENT_NUMBER(info, 0, "BpfMap(fd: number)");
  int fd = info[0].As<Napi::Number>().Int32Value();
  bpf_map_info mi = {};
  uint32_t len = sizeof mi;
  if (bpf_obj_get_info_by_fd(fd, &mi, &len) != 0) {
    int err = errno;
    throw SystemError(env, err, "bpf_obj_get_info_by_fd", "not a BPF map fd");
  }
  fd_ = fd;
  type_ = mi.type; keySize_ = mi.key_size; valueSize_ = mi.value_size;
  maxEntries_ = mi.max_entries; flags_ = mi.map_flags; id_ = mi.id; name_ = mi.name;
  cleanup_.Register(env, this, [](void* self) { static_cast<BpfMap*>(self)->Release(); });
}

BpfMap::~BpfMap() { Release(); }
void BpfMap::Release() {
  cleanup_.Unregister();
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

int BpfMap::Checked(Napi::Env env) {
  if (fd_ < 0) throw Napi::Error::New(env, "BpfMap is closed");
  return fd_;
}

// Per-CPU maps return one value per possible CPU, each rounded up to 8 bytes.
size_t BpfMap::ValueBytes() const {
  bool percpu = type_ == BPF_MAP_TYPE_PERCPU_ARRAY || type_ == BPF_MAP_TYPE_PERCPU_HASH ||
                type_ == BPF_MAP_TYPE_LRU_PERCPU_HASH || type_ == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
  if (!percpu) return valueSize_;
  return ((valueSize_ + 7) / 8) * 8 * static_cast<size_t>(libbpf_num_possible_cpus());
}

void BpfMap::CheckKey(Napi::Env env, const Napi::Value& v, const char* what, uint32_t size) {
  if (!v.IsBuffer()) throw Napi::TypeError::New(env, std::string(what) + " must be a Buffer");
  if (v.As<Napi::Buffer<char>>().Length() != size)
    throw Napi::RangeError::New(env, std::string(what) + " must be " + std::to_string(size) + " bytes for map " + name_);
}

Napi::Value BpfMap::OpenPinned(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  REQUIRE_ARGUMENT_STRING(info, 0, "openPinned(path: string)");
  std::string path = info[0].As<Napi::String>();
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) throw SystemError(env, errno, "bpf_obj_get", path);
  try {
    return NewMap(env, fd);
  } catch (...) {
    close(fd);
    throw;
  }
}

Napi::Value BpfMap::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", name_);
  o.Set("id", id_);
  o.Set("type", type_);
  o.Set("keySize", keySize_);
  o.Set("valueSize", valueSize_);
  o.Set("maxEntries", maxEntries_);
  o.Set("flags", flags_);
  return o;
}

Napi::Value BpfMap::Fd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }

// lookup(key): Buffer, or undefined when there is no such key.
Napi::Value BpfMap::Lookup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = Checked(env);
  // Task storage is keyed by a pidfd: 4 bytes, same as key_size, nothing special here.
  CheckKey(env, info[0], "key", keySize_);
  auto key = info[0].As<Napi::Buffer<char>>();
  auto value = Napi::Buffer<char>::New(env, ValueBytes());
  if (bpf_map_lookup_elem(fd, key.Data(), value.Data()) != 0) {
    int err = errno;
    if (err == ENOENT) return env.Undefined();
    throw SystemError(env, err, "bpf_map_lookup_elem", name_);
  }
  return value;
}

// update(key, value, flags = BPF_ANY): false when flags say NOEXIST and the key exists.
Napi::Value BpfMap::Update(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = Checked(env);
  CheckKey(env, info[0], "key", keySize_);
  CheckKey(env, info[1], "value", static_cast<uint32_t>(ValueBytes()));
  uint64_t flags = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int64Value() : BPF_ANY;
  if (bpf_map_update_elem(fd, info[0].As<Napi::Buffer<char>>().Data(), info[1].As<Napi::Buffer<char>>().Data(), flags) != 0) {
    int err = errno;
    if (err == EEXIST && flags == BPF_NOEXIST) return Napi::Boolean::New(env, false);
    throw SystemError(env, err, "bpf_map_update_elem", name_);
  }
  return Napi::Boolean::New(env, true);
}

// delete(key): true if it was there.
Napi::Value BpfMap::Delete(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = Checked(env);
  CheckKey(env, info[0], "key", keySize_);
  if (bpf_map_delete_elem(fd, info[0].As<Napi::Buffer<char>>().Data()) != 0) {
    int err = errno;
    if (err == ENOENT) return Napi::Boolean::New(env, false);
    throw SystemError(env, err, "bpf_map_delete_elem", name_);
  }
  return Napi::Boolean::New(env, true);
}

// nextKey(key?): the key after `key` (or the first), undefined at the end.
Napi::Value BpfMap::NextKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = Checked(env);
  const void* cur = nullptr;
  if (info.Length() > 0 && !info[0].IsUndefined() && !info[0].IsNull()) {
    CheckKey(env, info[0], "key", keySize_);
    cur = info[0].As<Napi::Buffer<char>>().Data();
  }
  auto next = Napi::Buffer<char>::New(env, keySize_);
  if (bpf_map_get_next_key(fd, cur, next.Data()) != 0) {
    int err = errno;
    if (err == ENOENT) return env.Undefined();
    throw SystemError(env, err, "bpf_map_get_next_key", name_);
  }
  return next;
}

Napi::Value BpfMap::Pin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = Checked(env);
  REQUIRE_ARGUMENT_STRING(info, 0, "pin(path: string)");
  std::string path = info[0].As<Napi::String>();
  if (bpf_obj_pin(fd, path.c_str()) != 0) throw SystemError(env, errno, "bpf_obj_pin", path);
  return env.Undefined();
}

// mmap(): an ArrayBuffer over a BPF_F_MMAPABLE array's values, shared live with the kernel.
// The mapping stays valid after close() (the kernel keeps the map while it is mapped) and is
// unmapped when the ArrayBuffer is collected.
Napi::Value BpfMap::Mmap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = Checked(env);
  if (type_ != BPF_MAP_TYPE_ARRAY || !(flags_ & BPF_F_MMAPABLE))
    throw Napi::Error::New(env, "mmap: map " + name_ + " is not a BPF_F_MMAPABLE array");
  size_t bytes = ((valueSize_ + 7) / 8) * 8 * static_cast<size_t>(maxEntries_);
  long page = sysconf(_SC_PAGESIZE);
  size_t mapped = (bytes + page - 1) / page * page;
  bool writable = info.Length() > 0 && info[0].ToBoolean();
  void* p = mmap(nullptr, mapped, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) throw SystemError(env, errno, "mmap", name_);
  return Napi::ArrayBuffer::New(env, p, bytes, [](Napi::Env, void* data, size_t* len) {
    munmap(data, *len);
    delete len;
  }, new size_t(mapped));
}

Napi::Value BpfMap::Close(const Napi::CallbackInfo& info) {
  Release();
  return info.Env().Undefined();
}

}  // namespace ebpf
