#include "resolve.h"

#include <seccomp.h>
#include <stdlib.h>

#include <memory>
#include <string>
#include <vector>

#include "args.h"

namespace scmp_napi {

namespace {

struct ArchName {
  const char* name;
  uint32_t token;
};

// libseccomp has no "list architectures" call; its header is the list. Each entry is compiled in only
// when the header defines the token, and kept only if the library resolves the name back to it.
const std::vector<ArchName>& HeaderArches() {
  static const std::vector<ArchName> arches = {
    {"x86", SCMP_ARCH_X86},
    {"x86_64", SCMP_ARCH_X86_64},
    {"x32", SCMP_ARCH_X32},
    {"arm", SCMP_ARCH_ARM},
    {"aarch64", SCMP_ARCH_AARCH64},
#ifdef SCMP_ARCH_LOONGARCH64
    {"loongarch64", SCMP_ARCH_LOONGARCH64},
#endif
#ifdef SCMP_ARCH_M68K
    {"m68k", SCMP_ARCH_M68K},
#endif
    {"mips", SCMP_ARCH_MIPS},
    {"mips64", SCMP_ARCH_MIPS64},
    {"mips64n32", SCMP_ARCH_MIPS64N32},
    {"mipsel", SCMP_ARCH_MIPSEL},
    {"mipsel64", SCMP_ARCH_MIPSEL64},
    {"mipsel64n32", SCMP_ARCH_MIPSEL64N32},
    {"ppc", SCMP_ARCH_PPC},
    {"ppc64", SCMP_ARCH_PPC64},
    {"ppc64le", SCMP_ARCH_PPC64LE},
    {"s390", SCMP_ARCH_S390},
    {"s390x", SCMP_ARCH_S390X},
    {"parisc", SCMP_ARCH_PARISC},
    {"parisc64", SCMP_ARCH_PARISC64},
    {"riscv64", SCMP_ARCH_RISCV64},
#ifdef SCMP_ARCH_SHEB
    {"sheb", SCMP_ARCH_SHEB},
#endif
#ifdef SCMP_ARCH_SH
    {"sh", SCMP_ARCH_SH},
#endif
  };
  return arches;
}

bool KnownToken(uint32_t token) {
  if (token == SCMP_ARCH_NATIVE) return true;
  for (const ArchName& a : HeaderArches()) {
    if (a.token == token) return seccomp_arch_resolve_name(a.name) == token;
  }
  return false;
}

struct FreeDeleter {
  void operator()(char* p) const noexcept { free(p); }
};

}  // namespace

uint32_t ArchTokenArg(const Napi::Value& value, const char* what) {
  const uint32_t token = Uint32Arg(value, what);
  if (!KnownToken(token)) {
    throw Napi::RangeError::New(value.Env(), std::string(what) + " is not an architecture token libseccomp knows");
  }
  return token;
}

// () -> Array<{ name, token }>
Napi::Value Architectures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  for (const ArchName& a : HeaderArches()) {
    if (seccomp_arch_resolve_name(a.name) != a.token) continue;
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", a.name);
    entry.Set("token", Napi::Number::New(env, a.token));
    out.Set(i++, entry);
  }
  return out;
}

// () -> number
Napi::Value NativeArchToken(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), seccomp_arch_native());
}

// (token, name) -> number: >= 0 a real number; -1 (__NR_SCMP_ERROR) unknown to libseccomp;
// other negatives are libseccomp's pseudo-numbers for a name it knows but this arch lacks.
Napi::Value ResolveSyscallName(const Napi::CallbackInfo& info) {
  const uint32_t token = ArchTokenArg(info[0], "arch token");
  const std::string name = StringArg(info[1], "syscall name");
  return Napi::Number::New(info.Env(), seccomp_syscall_resolve_name_arch(token, name.c_str()));
}

// (token, nr) -> string | null
Napi::Value ResolveSyscallNumber(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint32_t token = ArchTokenArg(info[0], "arch token");
  const int32_t nr = Int32Arg(info[1], "syscall number");
  std::unique_ptr<char, FreeDeleter> name(seccomp_syscall_resolve_num_arch(token, nr));
  if (!name) return env.Null();
  return Napi::String::New(env, name.get());
}

// (token, from, count) -> Array<{ nr, name }> for every number in [from, from+count) that has a name.
// One crossing of the JS/C++ boundary instead of `count`.
Napi::Value ResolveSyscallNumbers(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint32_t token = ArchTokenArg(info[0], "arch token");
  const int32_t from = Int32Arg(info[1], "first syscall number");
  const uint32_t count = Uint32Arg(info[2], "count");
  if (count > (1u << 16)) throw Napi::RangeError::New(env, "count must be at most 65536");
  if (static_cast<int64_t>(from) + count - 1 > INT32_MAX) {
    throw Napi::RangeError::New(env, "first syscall number + count overflows a 32-bit syscall number");
  }
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const int32_t nr = from + static_cast<int32_t>(i);
    std::unique_ptr<char, FreeDeleter> name(seccomp_syscall_resolve_num_arch(token, nr));
    if (!name) continue;
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("nr", Napi::Number::New(env, nr));
    entry.Set("name", Napi::String::New(env, name.get()));
    out.Set(n++, entry);
  }
  return out;
}

}  // namespace scmp_napi
