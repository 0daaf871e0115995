#include "compile.h"

#include <errno.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "args.h"
#include "raii.h"
#include "resolve.h"
#include "system_error.h"

namespace scmp_napi {

namespace {

// The kernel passes at most six syscall arguments; libseccomp rejects more conditions anyway,
// but a fixed bound keeps the array below from growing with untrusted input.
constexpr uint32_t kMaxConditions = 6;

Napi::Error RuleError(Napi::Env env, int rc, const char* syscall, uint32_t ruleIndex, const std::string& name,
                      const std::string& detail) {
  Napi::Error error = SystemError(env, rc, syscall, detail);
  error.Set("ruleIndex", Napi::Number::New(env, ruleIndex));
  error.Set("syscallName", Napi::String::New(env, name));
  return error;
}

// libseccomp 2.5.4 can only export to a file descriptor (seccomp_export_bpf_mem came in 2.6):
// write into an anonymous memory file and read it back, so nothing touches the disk.
std::string ExportThroughMemfd(Napi::Env env, scmp_filter_ctx ctx, int (*exporter)(const scmp_filter_ctx, int),
                               const char* exporterName) {
  UniqueFd fd(memfd_create(exporterName, MFD_CLOEXEC));
  if (fd.get() < 0) throw SystemError(env, -errno, "memfd_create");
  const int rc = exporter(ctx, fd.get());
  if (rc < 0) throw SystemError(env, rc, exporterName);
  struct stat st;
  if (fstat(fd.get(), &st) < 0) throw SystemError(env, -errno, "fstat");
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = pread(fd.get(), out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw SystemError(env, -errno, "pread");
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

std::vector<scmp_arg_cmp> Conditions(const Napi::Array& args, uint32_t ruleIndex) {
  Napi::Env env = args.Env();
  if (args.Length() > kMaxConditions) {
    throw Napi::RangeError::New(env, "rules[" + std::to_string(ruleIndex) + "].args has more than 6 entries");
  }
  std::vector<scmp_arg_cmp> conditions;
  for (uint32_t i = 0; i < args.Length(); ++i) {
    Napi::Object arg = ObjectArg(args.Get(i), "rule argument");
    scmp_arg_cmp cmp{};
    // Which index and operator are valid is libseccomp's to judge (it returns -EINVAL), so the error
    // names the library call and the rule. Only values the C enum cannot hold are refused here:
    // converting them to scmp_compare would be undefined behaviour.
    cmp.arg = Uint32Arg(arg.Get("index"), "argument index");
    const uint32_t op = Uint32Arg(arg.Get("op"), "argument operator");
    if (op >= _SCMP_CMP_MAX) throw Napi::RangeError::New(env, "argument operator " + std::to_string(op) + " is not a scmp_compare value");
    cmp.op = static_cast<scmp_compare>(op);
    cmp.datum_a = Uint64Arg(arg.Get("value"), "argument value");
    cmp.datum_b = arg.Get("valueTwo").IsUndefined() ? 0 : Uint64Arg(arg.Get("valueTwo"), "argument valueTwo");
    conditions.push_back(cmp);
  }
  return conditions;
}

}  // namespace

// ({ defaultAction, architectures: token[], optimize?, rules: [{ name, action, args: [{ index, op, value, valueTwo? }] }] })
//   -> { bpf: Buffer, pfc: string }
// Architectures are added as given (the native one is already in a new filter: passing it again fails
// with EEXIST). Rules are added in order with seccomp_rule_add_array, which lets libseccomp translate
// a name to each architecture in the filter, as the container runtimes do.
Napi::Value Compile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object spec = ObjectArg(info[0], "filter spec");
  const uint32_t defaultAction = Uint32Arg(spec.Get("defaultAction"), "defaultAction");
  Napi::Array arches = ArrayArg(spec.Get("architectures"), "architectures");
  Napi::Array rules = ArrayArg(spec.Get("rules"), "rules");
  const Napi::Value optimize = spec.Get("optimize");

  FilterCtx ctx(seccomp_init(defaultAction));
  if (!ctx) throw SystemError(env, -EINVAL, "seccomp_init", "invalid default action");

  // Report the kernel's and library's own errno values instead of libseccomp's generic -ECANCELED.
  int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_API_SYSRAWRC, 1);
  if (rc < 0) throw SystemError(env, rc, "seccomp_attr_set", "SCMP_FLTATR_API_SYSRAWRC");
  if (!optimize.IsUndefined()) {
    rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, Uint32Arg(optimize, "optimize"));
    if (rc < 0) throw SystemError(env, rc, "seccomp_attr_set", "SCMP_FLTATR_CTL_OPTIMIZE");
  }

  for (uint32_t i = 0; i < arches.Length(); ++i) {
    const uint32_t token = ArchTokenArg(arches.Get(i), "architecture token");
    rc = seccomp_arch_add(ctx.get(), token);
    if (rc < 0) throw SystemError(env, rc, "seccomp_arch_add", "architecture token " + std::to_string(token));
  }

  for (uint32_t i = 0; i < rules.Length(); ++i) {
    Napi::Object rule = ObjectArg(rules.Get(i), "rule");
    const std::string name = StringArg(rule.Get("name"), "rule name");
    const uint32_t action = Uint32Arg(rule.Get("action"), "rule action");
    const std::vector<scmp_arg_cmp> conditions = Conditions(ArrayArg(rule.Get("args"), "rule args"), i);

    // The native-arch lookup returns a pseudo-number for names the native arch lacks; the rule call
    // maps it to each architecture of the filter. Only names libseccomp has never heard of fail here.
    const int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) {
      throw RuleError(env, -EINVAL, "seccomp_syscall_resolve_name", i, name, "unknown syscall name");
    }
    rc = seccomp_rule_add_array(ctx.get(), action, nr, static_cast<unsigned int>(conditions.size()),
                                conditions.empty() ? nullptr : conditions.data());
    if (rc < 0) throw RuleError(env, rc, "seccomp_rule_add_array", i, name, "syscall " + name);
  }

  const std::string bpf = ExportThroughMemfd(env, ctx.get(), seccomp_export_bpf, "seccomp_export_bpf");
  const std::string pfc = ExportThroughMemfd(env, ctx.get(), seccomp_export_pfc, "seccomp_export_pfc");
  Napi::Object out = Napi::Object::New(env);
  out.Set("bpf", Napi::Buffer<char>::Copy(env, bpf.data(), bpf.size()));
  out.Set("pfc", Napi::String::New(env, pfc));
  return out;
}

}  // namespace scmp_napi
