// BpfObject: one ELF object from open to close. Policy (which object, which options) stays in
// JS; this file only maps libbpf calls to JS and reports their failures precisely.
#include <bpf/btf.h>
#include <bpf/bpf.h>
#include <cerrno>
#include <fcntl.h>
#include <cstdarg>
#include <cstring>
#include <unistd.h>
#include "errors.h"
#include "handles.h"

namespace ebpf {

namespace {
// libbpf reports the verifier log through its print callback. Loads run on the JS thread one
// at a time, so a single capture buffer is enough.
std::string* g_capture = nullptr;

int CapturePrint(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (!g_capture || level == LIBBPF_DEBUG) return 0;
  char buf[4096];
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(buf, sizeof buf, fmt, copy);
  va_end(copy);
  if (n > 0) g_capture->append(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
  return 0;
}

struct CaptureScope {
  std::string log;
  libbpf_print_fn_t previous;
  CaptureScope() { g_capture = &log; previous = libbpf_set_print(CapturePrint); }
  ~CaptureScope() { libbpf_set_print(previous); g_capture = nullptr; }
};
}  // namespace

Napi::Function BpfObject::Init(Napi::Env env) {
  return DefineClass(env, "BpfObject", {
    InstanceMethod<&BpfObject::RodataVariables>("rodataVariables"),
    InstanceMethod<&BpfObject::SetRodata>("setRodata"),
    InstanceMethod<&BpfObject::Load>("load"),
    InstanceMethod<&BpfObject::Programs>("programs"),
    InstanceMethod<&BpfObject::Maps>("maps"),
    InstanceMethod<&BpfObject::Attach>("attach"),
    InstanceMethod<&BpfObject::Map>("map"),
    InstanceMethod<&BpfObject::Close>("close"),
    InstanceAccessor<&BpfObject::IsLoaded>("loaded"),
  });
}

// new BpfObject(elf: Buffer, name: string)
BpfObject::BpfObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfObject>(info) {
  Napi::Env env = info.Env();
  REQUIRE_ARGUMENT(info, 0, IsBuffer, "BpfObject(elf: Buffer, name: string)");
  REQUIRE_ARGUMENT(info, 1, IsString, "BpfObject(elf: Buffer, name: string)");
  auto buf = info[0].As<Napi::Buffer<char>>();
  if (buf.Length() == 0) throw Napi::RangeError::New(env, "BpfObject: empty ELF buffer");
  elf_.assign(buf.Data(), buf.Data() + buf.Length());
  std::string name = info[1].As<Napi::String>();
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name.c_str());
  CaptureScope capture;
  bpf_object* obj = bpf_object__open_mem(elf_.data(), elf_.size(), &opts);
  int err = obj ? 0 : errno;
  if (!obj) {
    Napi::Error e = SystemError(env, err ? err : EINVAL, "bpf_object__open_mem", name);
    e.Set("log", Napi::String::New(env, capture.log));
    throw e;
  }
  obj_ = obj;
  cleanup_.Register(env, this, [](void* self) { static_cast<BpfObject*>(self)->Release(); });
}

BpfObject::~BpfObject() { Release(); }

void BpfObject::Release() {
  cleanup_.Unregister();
  if (obj_) bpf_object__close(obj_);
  obj_ = nullptr;
}

bpf_object* BpfObject::Checked(Napi::Env env) {
  if (!obj_) throw Napi::Error::New(env, "BpfObject is closed");
  return obj_;
}

bpf_map* BpfObject::Rodata(Napi::Env env) {
  bpf_map* m;
  bpf_object__for_each_map(m, Checked(env)) {
    const char* n = bpf_map__name(m);
    if (bpf_map__is_internal(m) && n && std::strstr(n, ".rodata")) return m;
  }
  throw Napi::Error::New(env, "the object has no .rodata section (no const volatile globals)");
}

// [{ name, offset, size }] of the `const volatile` globals, from the object's BTF DATASEC.
Napi::Value BpfObject::RodataVariables(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const btf* b = bpf_object__btf(Checked(env));
  Napi::Array out = Napi::Array::New(env);
  if (!b) return out;
  int id = btf__find_by_name_kind(b, ".rodata", BTF_KIND_DATASEC);
  if (id < 0) return out;
  const btf_type* sec = btf__type_by_id(b, id);
  const btf_var_secinfo* v = btf_var_secinfos(sec);
  for (uint16_t i = 0; i < btf_vlen(sec); i++, v++) {
    const btf_type* var = btf__type_by_id(b, v->type);
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", btf__name_by_offset(b, var->name_off));
    o.Set("offset", v->offset);
    o.Set("size", v->size);
    out.Set(i, o);
  }
  return out;
}

// setRodata(offset: number, bytes: Buffer): patch the initial .rodata image; before load only.
Napi::Value BpfObject::SetRodata(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (loaded_) throw Napi::Error::New(env, "setRodata: .rodata is frozen once the object is loaded");
  REQUIRE_ARGUMENT(info, 0, IsNumber, "setRodata(offset: number, bytes: Buffer)");
  REQUIRE_ARGUMENT(info, 1, IsBuffer, "setRodata(offset: number, bytes: Buffer)");
  bpf_map* m = Rodata(env);
  size_t size = 0;
  const void* init = bpf_map__initial_value(m, &size);
  int64_t off = info[0].As<Napi::Number>().Int64Value();
  auto bytes = info[1].As<Napi::Buffer<char>>();
  if (!init || off < 0 || static_cast<size_t>(off) + bytes.Length() > size)
    throw Napi::RangeError::New(env, "setRodata: offset/length outside .rodata");
  std::vector<char> image(static_cast<const char*>(init), static_cast<const char*>(init) + size);
  std::memcpy(image.data() + off, bytes.Data(), bytes.Length());
  int err = bpf_map__set_initial_value(m, image.data(), image.size());
  if (err) throw SystemError(env, ErrnoOf(err), "bpf_map__set_initial_value");
  return env.Undefined();
}

// load(): verifier errors throw with `verifierLog` holding libbpf's and the kernel's words.
Napi::Value BpfObject::Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bpf_object* obj = Checked(env);
  if (loaded_) return env.Undefined();
  CaptureScope capture;
  int err = bpf_object__load(obj);
  if (err) {
    Napi::Error e = SystemError(env, ErrnoOf(err), "bpf_object__load");
    e.Set("verifierLog", Napi::String::New(env, capture.log));
    throw e;
  }
  loaded_ = true;
  return env.Undefined();
}

Napi::Value BpfObject::IsLoaded(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), loaded_);
}

Napi::Value BpfObject::Programs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  bpf_program* p;
  uint32_t i = 0;
  bpf_object__for_each_program(p, Checked(env)) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", bpf_program__name(p));
    o.Set("section", bpf_program__section_name(p));
    out.Set(i++, o);
  }
  return out;
}

Napi::Value BpfObject::Maps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  bpf_map* m;
  uint32_t i = 0;
  bpf_object__for_each_map(m, Checked(env)) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", bpf_map__name(m));
    o.Set("type", static_cast<uint32_t>(bpf_map__type(m)));
    o.Set("keySize", bpf_map__key_size(m));
    o.Set("valueSize", bpf_map__value_size(m));
    o.Set("maxEntries", bpf_map__max_entries(m));
    o.Set("internal", bpf_map__is_internal(m));
    out.Set(i++, o);
  }
  return out;
}

// attach(program: string): BpfLink, attached the way the program's SEC() says.
Napi::Value BpfObject::Attach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  REQUIRE_ARGUMENT_STRING(info, 0, "attach(program: string)");
  if (!loaded_) throw Napi::Error::New(env, "attach: load() the object first");
  std::string name = info[0].As<Napi::String>();
  bpf_program* p = bpf_object__find_program_by_name(Checked(env), name.c_str());
  if (!p) throw SystemError(env, ENOENT, "bpf_object__find_program_by_name", name);
  CaptureScope capture;
  bpf_link* link = bpf_program__attach(p);
  if (!link) {
    Napi::Error e = SystemError(env, errno ? errno : EINVAL, "bpf_program__attach", name);
    e.Set("log", Napi::String::New(env, capture.log));
    throw e;
  }
  return NewLink(env, link);
}

// map(name: string): BpfMap owning a dup of the map's fd, valid after this object closes.
Napi::Value BpfObject::Map(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  REQUIRE_ARGUMENT_STRING(info, 0, "map(name: string)");
  if (!loaded_) throw Napi::Error::New(env, "map: load() the object first");
  std::string name = info[0].As<Napi::String>();
  bpf_map* m = bpf_object__find_map_by_name(Checked(env), name.c_str());
  if (!m) throw SystemError(env, ENOENT, "bpf_object__find_map_by_name", name);
  int fd = fcntl(bpf_map__fd(m), F_DUPFD_CLOEXEC, 3);
  if (fd < 0) throw SystemError(env, errno, "fcntl(F_DUPFD_CLOEXEC)");
  // The map takes the duplicate only once constructed: if that throws, the duplicate is ours to close.
  try {
    return NewMap(env, fd);
  } catch (...) {
    close(fd);
    throw;
  }
}

Napi::Value BpfObject::Close(const Napi::CallbackInfo& info) {
  Release();
  return info.Env().Undefined();
}

}  // namespace ebpf
