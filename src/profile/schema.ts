// The OCI / Docker seccomp profile (what runc, crun, podman, CRI-O and Docker read), as a zod schema.
// Strict on what changes the kernel filter (actions, operators, arch tokens, flags, arg values);
// loose on everything else so a profile written by another tool round-trips without losing fields.
// Spec: https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#seccomp
import { z } from 'zod';
import { profileInvalid } from '../errors.js';
import { SCMP_ARCHES, SECCOMP_ACTIONS, SECCOMP_OPS } from './seccomp-tokens.js';

export { SCMP_ARCHES, SECCOMP_ACTIONS, SECCOMP_OPS };

export const SeccompAction = z.enum(SECCOMP_ACTIONS, {
  error: (iss) => `unknown action ${JSON.stringify(iss.input)}: expected one of ${SECCOMP_ACTIONS.join(', ')}`,
});
export type SeccompAction = z.infer<typeof SeccompAction>;

/** Actions under which the syscall runs: LOG runs it too, it only leaves an audit record. */
export const PERMITTING_ACTIONS: ReadonlySet<SeccompAction> = new Set(['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG']);
export const isPermitting = (a: SeccompAction): boolean => PERMITTING_ACTIONS.has(a);

export const ScmpArch = z.enum(SCMP_ARCHES, {
  error: (iss) => `unknown architecture ${JSON.stringify(iss.input)}: expected an SCMP_ARCH_* token such as SCMP_ARCH_X86_64`,
});
export type ScmpArch = z.infer<typeof ScmpArch>;

/** `SCMP_ARCH_X86_64` -> `x86_64` (libseccomp's name, the one events and proposals carry). */
export const archNameOf = (token: ScmpArch): string => token.slice('SCMP_ARCH_'.length).toLowerCase();
/** `x86_64` -> `SCMP_ARCH_X86_64`, or undefined for a name no profile can carry. */
export function archTokenOf(name: string): ScmpArch | undefined {
  const token = `SCMP_ARCH_${name.toUpperCase()}`;
  return (SCMP_ARCHES as readonly string[]).includes(token) ? (token as ScmpArch) : undefined;
}

export const SeccompOp = z.enum(SECCOMP_OPS);
export type SeccompOp = z.infer<typeof SeccompOp>;

export const SECCOMP_FLAGS = [
  'SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
  'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
] as const;
export const SeccompFlag = z.enum(SECCOMP_FLAGS);
export type SeccompFlag = z.infer<typeof SeccompFlag>;

// Argument values are 64-bit in the kernel but JSON numbers parse to doubles: above 2^53 the value
// read would silently differ from the value written, so such a profile is refused, not rounded.
const argValue = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER, {
  error: 'argument values above 2^53-1 cannot be read exactly from JSON',
});
// The errno a denied syscall returns; the kernel keeps only SECCOMP_RET_DATA's low 16 bits and libc
// treats -1..-4095 as errors, so larger values would not read as an errno.
const errnoValue = z.number().int().min(0).max(4095);

export const SeccompArg = z.looseObject({
  index: z.number().int().min(0).max(5),
  value: argValue,
  valueTwo: argValue.nullish(),
  op: SeccompOp,
});
export type SeccompArg = z.infer<typeof SeccompArg>;

// Docker's conditional rules (`includes`/`excludes` by capability, arch, kernel): accepted and kept.
const DockerFilter = z.looseObject({
  caps: z.array(z.string()).optional(),
  arches: z.array(z.string()).optional(),
  minKernel: z.string().optional(),
});

export const SeccompRule = z.looseObject({
  names: z.array(z.string().regex(/^[a-z0-9_]+$/, 'a syscall name is lower-case letters, digits and _')).min(1),
  action: SeccompAction,
  errnoRet: errnoValue.nullish(),
  // Docker and podman write `"args": null`, `"comment": ""` and `"excludes": {}`: all mean "none".
  args: z.array(SeccompArg).nullish(),
  comment: z.string().nullish(),
  includes: DockerFilter.nullish(),
  excludes: DockerFilter.nullish(),
});

const filterIsEmpty = (f: z.infer<typeof DockerFilter> | null | undefined): boolean =>
  !f || (!f.caps?.length && !f.arches?.length && !f.minKernel && Object.keys(f).every((k) => ['caps', 'arches', 'minKernel'].includes(k)));

/** A rule that applies only for some argument values, capabilities, arches or kernels. */
export const isConditionalRule = (r: SeccompRule): boolean =>
  (r.args?.length ?? 0) > 0 || !filterIsEmpty(r.includes) || !filterIsEmpty(r.excludes);
export type SeccompRule = z.infer<typeof SeccompRule>;

/** A rule conditional on argument values only (no capability, arch or kernel condition). */
export const isArgOnlyRule = (r: SeccompRule): boolean => (r.args?.length ?? 0) > 0 && filterIsEmpty(r.includes) && filterIsEmpty(r.excludes);

export const ArchMapEntry = z.looseObject({
  architecture: ScmpArch,
  subArchitectures: z.array(ScmpArch).nullish(),
});
export type ArchMapEntry = z.infer<typeof ArchMapEntry>;

export const SeccompProfile = z
  .looseObject({
    defaultAction: SeccompAction,
    defaultErrnoRet: errnoValue.nullish(),
    architectures: z.array(ScmpArch).nullish(),
    archMap: z.array(ArchMapEntry).nullish(),
    flags: z.array(SeccompFlag).nullish(),
    listenerPath: z.string().nullish(),
    listenerMetadata: z.string().nullish(),
    syscalls: z.array(SeccompRule).nullish(),
  })
  .superRefine((p, ctx) => {
    if (isPermitting(p.defaultAction)) return;
    const allowsSomething = (p.syscalls ?? []).some((r) => isPermitting(r.action) && r.names.length > 0);
    if (!allowsSomething) {
      ctx.addIssue({
        code: 'custom',
        path: ['syscalls'],
        message: `the default action ${p.defaultAction} denies every syscall and no rule allows any: no process could even exit`,
      });
    }
  });
export type SeccompProfile = z.infer<typeof SeccompProfile>;

export { profileInvalid };

/** The profile in `text` (read from `source`, named in errors), or a ProfileError PROFILE_INVALID. */
export function parseProfile(text: string, source: string): SeccompProfile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // Not the parser's message: it quotes the text, and the file may be someone's secret that a
    // container named in an annotation. Only where it stops.
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw profileInvalid(source, `  ✖ not JSON${at === undefined ? '' : ` (at byte ${at})`}`, e);
  }
  return checkProfile(json, source);
}

/** Validates an already-parsed JSON value (a profile embedded in config.json, a patched document). */
export function checkProfile(json: unknown, source: string): SeccompProfile {
  const r = SeccompProfile.safeParse(json);
  if (r.success) return r.data;
  nameRulesInIssues(r.error, json);
  throw profileInvalid(source, z.prettifyError(r.error), r.error);
}

// zod reports a path like syscalls[17].action; an operator looks for the rule by its names.
function nameRulesInIssues(error: z.ZodError, json: unknown): void {
  const rules = (json as { syscalls?: unknown } | null)?.syscalls;
  if (!Array.isArray(rules)) return;
  for (const issue of error.issues) {
    if (issue.path[0] !== 'syscalls' || typeof issue.path[1] !== 'number') continue;
    const names = (rules[issue.path[1]] as { names?: unknown } | undefined)?.names;
    const shown = Array.isArray(names) ? names.slice(0, 4).map(String).join(', ') + (names.length > 4 ? ', …' : '') : '?';
    (issue as { message: string }).message = `${issue.message} (rule ${issue.path[1]}: ${shown})`;
  }
}

// The canonical text lives in a zod-free module so the hook's profile builder can use it too.
export { serializeProfile, canonicalJson } from './canonical.js';
