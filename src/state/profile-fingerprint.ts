// A profile's identity as the kernel will enforce it, stable across the rewrites engines make on
// the way into config.json. Docker (profiles/seccomp in moby) parses a `--security-opt seccomp=FILE`
// profile and embeds a converted copy: each rule's names, action, errnoRet and args survive, while
// formatting, key order, rule grouping, comments, `architectures` (expanded from archMap) and the
// includes/excludes conditions do not. The fingerprint is taken over what survives, so the copy in
// a container's spec leads back to the file it came from (profile-index.ts). Pure.
import { createHash } from 'node:crypto';

interface LooseRule { names?: unknown; name?: unknown; action?: unknown; errnoRet?: unknown; args?: unknown }
interface LooseArg { index?: unknown; value?: unknown; valueTwo?: unknown; op?: unknown }

const argKey = (a: LooseArg): string => `${String(a.index)}:${String(a.value ?? 0)}:${String(a.valueTwo ?? 0)}:${String(a.op)}`;

/** sha256 (hex) over defaultAction, defaultErrnoRet, flags and the (name, action, errnoRet, args) set; undefined for a non-profile. */
export function profileFingerprint(profile: unknown): string | undefined {
  if (!profile || typeof profile !== 'object' || Array.isArray(profile)) return undefined;
  const p = profile as { defaultAction?: unknown; defaultErrnoRet?: unknown; flags?: unknown; syscalls?: unknown };
  if (typeof p.defaultAction !== 'string') return undefined;
  const entries = new Set<string>();
  for (const r of Array.isArray(p.syscalls) ? (p.syscalls as LooseRule[]) : []) {
    if (!r || typeof r !== 'object') continue;
    const names = Array.isArray(r.names) ? r.names : typeof r.name === 'string' ? [r.name] : [];
    const args = Array.isArray(r.args) ? (r.args as LooseArg[]).map(argKey).sort().join(',') : '';
    const tail = `${String(r.action)}|${r.errnoRet === undefined || r.errnoRet === null ? '' : String(r.errnoRet)}|${args}`;
    for (const n of names) if (typeof n === 'string') entries.add(`${n}|${tail}`);
  }
  const flags = Array.isArray(p.flags) ? p.flags.map(String).sort() : [];
  const canonical = JSON.stringify([p.defaultAction, p.defaultErrnoRet ?? null, flags, [...entries].sort()]);
  return createHash('sha256').update(canonical).digest('hex');
}
