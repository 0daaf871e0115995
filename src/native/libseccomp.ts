// Typed face of native/libseccomp-napi. The addon only answers libseccomp's questions with numbers;
// everything OCI (action and operator strings, arch tokens, errno defaults, what a runtime would do
// with a profile) is decided here.
import { profileCompileFailed, unknownArch } from '../errors.js';
import { loadAddon } from './load-addon.js';

export interface ArchInfo {
  /** libseccomp's name: x86_64, x86, x32, aarch64, arm, ... (the Event contract's `arch`). */
  name: string;
  /** The OCI/Docker profile token: SCMP_ARCH_X86_64. */
  token: string;
  /** The AUDIT_ARCH_* value the kernel reports in audit records (`arch=c000003e`). */
  auditArch: number;
}

export interface ProfileLike {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  syscalls?: Array<{
    names: string[];
    action: string;
    errnoRet?: number;
    args?: Array<{ index: number; value: number | bigint; valueTwo?: number | bigint; op: string }>;
  }>;
}

export interface CompileResult {
  /** BPF instructions (8 bytes each) the kernel would run, as libseccomp generates them. */
  instructions: number;
  /** libseccomp's pseudo filter code: a readable listing of the same filter. */
  pfc: string;
  /** The raw `struct sock_filter[]`. */
  bpf: Buffer;
}

interface NativeArg { index: number; op: number; value: bigint; valueTwo: bigint }
interface NativeRule { name: string; action: number; args: NativeArg[] }
interface NativeFilterSpec { defaultAction: number; architectures: number[]; optimize?: number; rules: NativeRule[] }
interface NativeSystemError extends Error { code?: string; errno?: number; syscall?: string; ruleIndex?: number; syscallName?: string }

interface LibseccompAddon {
  architectures(): Array<{ name: string; token: number }>;
  nativeArchToken(): number;
  /** >= 0 a number; -1 unknown to libseccomp; other negatives: known name this arch lacks. */
  resolveSyscallName(token: number, name: string): number;
  resolveSyscallNumber(token: number, nr: number): string | null;
  resolveSyscallNumbers(token: number, from: number, count: number): Array<{ nr: number; name: string }>;
  compile(spec: NativeFilterSpec): { bpf: Buffer; pfc: string };
  version(): string;
}

// Loaded on first use, so importing this module never fails on a machine without the build.
let addon: LibseccompAddon | undefined;
function native(): LibseccompAddon {
  addon ??= loadAddon<LibseccompAddon>('libseccomp-napi');
  return addon;
}

// --- architectures ------------------------------------------------------------------------------

const AUDIT_ARCH_X86_64 = 0xc000003e;

interface ArchTables { infos: ArchInfo[]; seccompToken: Map<string, number>; byOciToken: Map<string, string>; byAudit: Map<number, string> }
let archTables: ArchTables | undefined;

function arches(): ArchTables {
  if (archTables) return archTables;
  const infos: ArchInfo[] = [];
  const seccompToken = new Map<string, number>();
  const byOciToken = new Map<string, string>();
  const byAudit = new Map<number, string>();
  for (const { name, token } of native().architectures()) {
    // libseccomp's tokens are the kernel's AUDIT_ARCH_* values, except x32: the kernel reports x32
    // syscalls as AUDIT_ARCH_X86_64 with bit 0x40000000 set in the number, and SCMP_ARCH_X32
    // (0x4000003e) exists only inside libseccomp. So x32 shares x86_64's audit value, and an audit
    // value alone maps back to x86_64; the syscall number tells the two apart.
    const auditArch = name === 'x32' ? AUDIT_ARCH_X86_64 : token;
    const info = { name, token: `SCMP_ARCH_${name.toUpperCase()}`, auditArch };
    infos.push(info);
    seccompToken.set(name, token);
    byOciToken.set(info.token, name);
    if (name !== 'x32') byAudit.set(auditArch, name);
  }
  archTables = { infos, seccompToken, byOciToken, byAudit };
  return archTables;
}

/** The version of the libseccomp this process runs with (seccomp_version()). */
export const libseccompVersion = (): string => native().version();

/** Every architecture this libseccomp knows (19 for 2.5.4). */
export function architectures(): ArchInfo[] {
  return arches().infos.map((a) => ({ ...a }));
}

export function nativeArch(): string {
  const token = native().nativeArchToken();
  for (const [name, t] of arches().seccompToken) if (t === token) return name;
  throw unknownArch(`0x${token.toString(16)}`);
}

const AUDIT_HEX = /^(?:0x)?([0-9a-f]{1,8})$/i;

export function archFromAuditValue(v: number | string): string | undefined {
  let value: number;
  if (typeof v === 'number') value = v;
  else {
    const m = AUDIT_HEX.exec(v.trim());
    if (!m?.[1]) return undefined;
    value = Number.parseInt(m[1], 16);
  }
  return Number.isInteger(value) ? arches().byAudit.get(value >>> 0) : undefined;
}

/** A libseccomp name, an OCI token (SCMP_ARCH_X86_64, SCMP_ARCH_NATIVE) or an audit value in hex. */
export function normalizeArch(input: string): string {
  const s = input.trim();
  const { seccompToken, byOciToken } = arches();
  if (seccompToken.has(s)) return s;
  const upper = s.toUpperCase();
  if (upper === 'SCMP_ARCH_NATIVE') return nativeArch();
  const fromToken = byOciToken.get(upper);
  if (fromToken) return fromToken;
  // Only 8 digits or an explicit 0x count as an audit value, so a typo is not read as a number.
  if (/^0x[0-9a-f]{1,8}$/i.test(s) || /^[0-9a-f]{8}$/i.test(s)) {
    const fromAudit = archFromAuditValue(s);
    if (fromAudit) return fromAudit;
  }
  throw unknownArch(input);
}

function tokenOf(arch: string): number {
  const token = arches().seccompToken.get(normalizeArch(arch));
  if (token === undefined) throw unknownArch(arch);
  return token;
}

// --- syscalls -----------------------------------------------------------------------------------

/**
 * The number the kernel uses for `name` on `arch`. Where libseccomp answers with a pseudo-number
 * (x86, s390, ppc, mips o32: the socket and IPC calls it filters through the socketcall/ipc
 * multiplexers), the direct number from the table is returned instead, e.g. socket = 359 on x86.
 */
export function syscallNumber(arch: string, name: string): number | undefined {
  const nr = native().resolveSyscallName(tokenOf(arch), name);
  if (nr >= 0) return nr;
  if (nr === NR_SCMP_ERROR) return undefined;
  return syscallTable(arch).find((e) => e.name === name)?.nr;
}

/** x32 numbers are accepted with or without the 0x40000000 bit (libseccomp strips it). */
export function syscallName(arch: string, nr: number): string | undefined {
  if (!Number.isInteger(nr) || nr < 0 || nr > 0x7fffffff) return undefined;
  return native().resolveSyscallNumber(tokenOf(arch), nr) ?? undefined;
}

// libseccomp's "unknown name" answer; other negative answers are its pseudo-numbers.
const NR_SCMP_ERROR = -1;
// libseccomp 2.5.4 cannot list its table, so every number in the ranges real kernels use is looked up:
// 0-based tables, MIPS o32/n64/n32 (4000/5000/6000), x32 (0x40000000) and ARM's private calls (0xf0000).
const NUMBER_RANGES: Array<[from: number, count: number]> = [
  [0, 1100], [4000, 1100], [5000, 1100], [6000, 1100], [0x40000000, 1100], [0xf0000, 0x100],
];
const tables = new Map<string, Array<{ nr: number; name: string }>>();

/** The arch's full number/name table (like `ausyscall --dump`), sorted by number. */
export function syscallTable(arch: string): Array<{ nr: number; name: string }> {
  const name = normalizeArch(arch);
  let table = tables.get(name);
  if (!table) {
    table = buildTable(tokenOf(name));
    tables.set(name, table);
  }
  return table.map((e) => ({ ...e }));
}

function buildTable(token: number): Array<{ nr: number; name: string }> {
  const found = NUMBER_RANGES.flatMap(([from, count]) => native().resolveSyscallNumbers(token, from, count));
  const canonical = found.filter((e) => native().resolveSyscallName(token, e.name) === e.nr);
  // libseccomp also answers for numbers without the arch's offset (x32: 0 is read, mips: 3 is read);
  // those echoes are dropped by keeping only numbers at or above the arch's lowest real number.
  const base = Math.min(...canonical.map((e) => e.nr));
  // Multiplexed calls (socket on x86 = 359) resolve by number only: their name gives a pseudo-number.
  const direct = found.filter((e) => e.nr >= base && native().resolveSyscallName(token, e.name) < NR_SCMP_ERROR);
  return [...canonical, ...direct].sort((a, b) => a.nr - b.nr);
}

// --- compile ------------------------------------------------------------------------------------

const EPERM = 1;
const ACTIONS: Record<string, (errno: number) => number> = {
  SCMP_ACT_KILL: () => 0x00000000, // libseccomp's KILL is KILL_THREAD
  SCMP_ACT_KILL_THREAD: () => 0x00000000,
  SCMP_ACT_KILL_PROCESS: () => 0x80000000,
  SCMP_ACT_TRAP: () => 0x00030000,
  SCMP_ACT_ERRNO: (errno) => (0x00050000 | (errno & 0xffff)) >>> 0,
  SCMP_ACT_TRACE: (errno) => (0x7ff00000 | (errno & 0xffff)) >>> 0,
  SCMP_ACT_LOG: () => 0x7ffc0000,
  SCMP_ACT_ALLOW: () => 0x7fff0000,
  SCMP_ACT_NOTIFY: () => 0x7fc00000,
};
const OPERATORS: Record<string, number> = {
  SCMP_CMP_NE: 1, SCMP_CMP_LT: 2, SCMP_CMP_LE: 3, SCMP_CMP_EQ: 4, SCMP_CMP_GE: 5, SCMP_CMP_GT: 6, SCMP_CMP_MASKED_EQ: 7,
};
// runc turns on libseccomp's binary-tree optimisation above this many rules; doing the same keeps
// our instruction count equal to what the runtime loads.
const RUNC_BINARY_TREE_THRESHOLD = 32;
const U64_MAX = (1n << 64n) - 1n;

type Rule = NonNullable<ProfileLike['syscalls']>[number];
type RuleArg = NonNullable<Rule['args']>[number];

function actionValue(action: string, errno: number | undefined, where: string): number {
  const make = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
  if (!make) throw new Error(`${where}: unknown action "${action}" (expected one of ${Object.keys(ACTIONS).join(', ')})`);
  if (errno !== undefined && (!Number.isInteger(errno) || errno < 0 || errno > 0xffff)) {
    throw new Error(`${where}: errnoRet ${String(errno)} is not an integer between 0 and 65535`);
  }
  return make(errno ?? EPERM);
}

function argValue(v: number | bigint | undefined, what: string): bigint {
  if (v === undefined) return 0n;
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new Error(`${what} ${v} is not a safe integer (use a bigint)`);
  const b = BigInt(v);
  if (b < 0n || b > U64_MAX) throw new Error(`${what} ${String(v)} is outside 0..2^64-1`);
  return b;
}

function nativeArgs(args: RuleArg[]): NativeArg[] {
  return args.map((a, k) => {
    const op = Object.hasOwn(OPERATORS, a.op) ? OPERATORS[a.op] : undefined;
    if (op === undefined) throw new Error(`args[${k}]: unknown operator "${a.op}" (expected one of ${Object.keys(OPERATORS).join(', ')})`);
    if (!Number.isInteger(a.index) || a.index < 0 || a.index > 5) throw new Error(`args[${k}]: index ${a.index} is not 0-5 (syscalls take at most 6 arguments)`);
    return { index: a.index, op, value: argValue(a.value, `args[${k}].value`), valueTwo: argValue(a.valueTwo, `args[${k}].valueTwo`) };
  });
}

/**
 * Compiles the profile with libseccomp the way runc builds its filter, without loading it.
 * Stricter than runc where runc stays silent: a name no architecture of the filter knows is an error
 * (runc skips names libseccomp cannot resolve, so a typo would silently deny the syscall).
 */
export function compileProfile(p: ProfileLike): CompileResult {
  let defaultAction: number;
  try {
    defaultAction = actionValue(p.defaultAction, p.defaultErrnoRet, 'defaultAction');
  } catch (e) {
    throw profileCompileFailed((e as Error).message, undefined, e);
  }
  // runc refuses this: the runtime itself must write() after loading the filter.
  if (p.defaultAction === 'SCMP_ACT_NOTIFY') throw profileCompileFailed('SCMP_ACT_NOTIFY cannot be the default action');

  // A new filter already holds the native arch (runc keeps it too); the rest are added.
  const filterArches = [nativeArch()];
  for (const [i, a] of (p.architectures ?? []).entries()) {
    let name: string;
    try {
      name = normalizeArch(a);
    } catch (e) {
      throw profileCompileFailed(`architectures[${i}]: unknown architecture "${a}"`, undefined, e);
    }
    if (!filterArches.includes(name)) filterArches.push(name);
  }

  const rules: NativeRule[] = [];
  const origin: Array<{ index: number; syscall: string }> = [];
  for (const [index, rule] of (p.syscalls ?? []).entries()) {
    const fail = (problem: string, syscall?: string, cause?: unknown) =>
      profileCompileFailed(problem, syscall === undefined ? { index } : { index, syscall }, cause);
    let action: number;
    let args: NativeArg[];
    try {
      // runc: a rule's errno is its own errnoRet or EPERM; defaultErrnoRet is for the default action only.
      action = actionValue(rule.action, rule.errnoRet, 'action');
      args = nativeArgs(rule.args ?? []);
    } catch (e) {
      throw fail((e as Error).message, undefined, e);
    }
    if (!Array.isArray(rule.names) || rule.names.length === 0) throw fail('names is empty');
    // libseccomp rejects two conditions on one argument in a rule; runc then adds one rule per condition.
    const indexes = args.map((a) => a.index);
    const argSets = new Set(indexes).size === indexes.length ? [args] : args.map((a) => [a]);
    for (const name of rule.names) {
      if (typeof name !== 'string' || name === '') throw fail('a syscall name is empty', String(name));
      if (!filterArches.some((a) => syscallNumber(a, name) !== undefined)) {
        throw fail(`unknown syscall name "${name}" for architecture${filterArches.length > 1 ? 's' : ''} ${filterArches.join(', ')}`, name);
      }
      if (rule.action === 'SCMP_ACT_NOTIFY' && name === 'write') throw fail('SCMP_ACT_NOTIFY cannot be used for write (runc needs it to hand over the notify fd)', name);
      // runc skips rules that repeat the default action; libseccomp would refuse them with EACCES.
      if (action === defaultAction) continue;
      for (const set of argSets) {
        rules.push({ name, action, args: set });
        origin.push({ index, syscall: name });
      }
    }
  }

  const spec: NativeFilterSpec = {
    defaultAction,
    architectures: filterArches.slice(1).map(tokenOf),
    rules,
    ...(rules.length > RUNC_BINARY_TREE_THRESHOLD ? { optimize: 2 } : {}),
  };
  let out: { bpf: Buffer; pfc: string };
  try {
    out = native().compile(spec);
  } catch (e) {
    const err = e as NativeSystemError;
    const at = err.ruleIndex === undefined ? undefined : origin[err.ruleIndex];
    if (at) throw profileCompileFailed(`libseccomp refused the rule: ${err.message}`, at, e);
    if (err.syscall === 'seccomp_init' || err.syscall === 'seccomp_arch_add') throw profileCompileFailed(err.message, undefined, e);
    throw e;
  }
  return { instructions: out.bpf.length / 8, pfc: out.pfc, bpf: out.bpf };
}
