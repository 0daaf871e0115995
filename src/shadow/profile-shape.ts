// Is a shadowed file a seccomp profile the evaluator can read? Checked by hand, not with the zod
// schema: the hook calls this on a container's start path (prestart refuses a non-profile there,
// in one line, and the container starts unshadowed) and nothing it reaches may load zod
// (test/unit/import-graph.test.ts). It checks what evaluate.ts reads (actions, names, argument
// conditions, arches) and leaves every other field alone, as the schema does.
import { SCMP_ARCHES, SECCOMP_ACTIONS, SECCOMP_OPS } from '../profile/seccomp-tokens.js';
import type { Profile } from './evaluate.js';

const ACTIONS: ReadonlySet<string> = new Set(SECCOMP_ACTIONS);
const OPS: ReadonlySet<string> = new Set(SECCOMP_OPS);
const ARCHES: ReadonlySet<string> = new Set(SCMP_ARCHES);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isU64 = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const SYSCALL_NAME = /^[a-z0-9_]{1,64}$/;

/** The profile, or one line saying why `json` is not one. */
export function checkShadowProfile(json: unknown): Profile | string {
  if (!isObj(json)) return 'not a JSON object';
  if (typeof json.defaultAction !== 'string' || !ACTIONS.has(json.defaultAction)) return `defaultAction ${JSON.stringify(json.defaultAction)?.slice(0, 40)} is not a seccomp action`;
  if (json.defaultErrnoRet != null && !isU64(json.defaultErrnoRet)) return 'defaultErrnoRet is not a number';
  if (json.architectures !== undefined) {
    if (!Array.isArray(json.architectures) || !json.architectures.every((a) => typeof a === 'string' && ARCHES.has(a))) return 'architectures is not a list of SCMP_ARCH_* tokens';
  }
  if (json.archMap !== undefined) {
    if (!Array.isArray(json.archMap)) return 'archMap is not a list';
    for (const e of json.archMap) {
      if (!isObj(e) || typeof e.architecture !== 'string' || !ARCHES.has(e.architecture)) return 'archMap: an entry without an SCMP_ARCH_* architecture';
      if (e.subArchitectures !== undefined && (!Array.isArray(e.subArchitectures) || !e.subArchitectures.every((a) => typeof a === 'string' && ARCHES.has(a)))) return 'archMap: subArchitectures is not a list of SCMP_ARCH_* tokens';
    }
  }
  if (json.syscalls !== undefined && json.syscalls !== null) {
    if (!Array.isArray(json.syscalls)) return 'syscalls is not a list';
    for (const [i, r] of json.syscalls.entries()) {
      const why = checkRule(r);
      if (why) return `syscalls[${i}]: ${why}`;
    }
  }
  return json as unknown as Profile;
}

function checkRule(r: unknown): string | undefined {
  if (!isObj(r)) return 'not an object';
  if (!Array.isArray(r.names) || !r.names.every((n) => typeof n === 'string' && SYSCALL_NAME.test(n))) return 'names is not a list of syscall names';
  if (typeof r.action !== 'string' || !ACTIONS.has(r.action)) return 'action is not a seccomp action';
  if (r.errnoRet != null && !isU64(r.errnoRet)) return 'errnoRet is not a number';
  if (r.args !== undefined && r.args !== null) {
    if (!Array.isArray(r.args) || r.args.length > 6) return 'args is not a list of at most 6 conditions';
    for (const a of r.args) {
      if (!isObj(a) || !Number.isInteger(a.index) || (a.index as number) < 0 || (a.index as number) > 5) return 'an argument index is not 0-5';
      if (!isU64(a.value) || (a.valueTwo !== undefined && !isU64(a.valueTwo))) return 'an argument value is not a non-negative integer';
      if (typeof a.op !== 'string' || !OPS.has(a.op)) return 'an argument op is not SCMP_CMP_*';
    }
  }
  for (const k of ['includes', 'excludes'] as const) {
    const v = r[k];
    if (v !== undefined && (!isObj(v) || (v.arches !== undefined && (!Array.isArray(v.arches) || !v.arches.every((a) => typeof a === 'string'))))) return `${k} is not an object with a list of arches`;
  }
  return undefined;
}
