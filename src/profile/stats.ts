// How much a profile shrinks the kernel surface a container can reach: per arch, the syscalls it can
// run against the arch's whole table and against the default profile podman and Docker ship.
import { readFile } from 'node:fs/promises';
import { riskOf, type RiskLevel } from './risk.js';
import { argRestrictedNames, compareWithDefaults, describeArgRules, formatComparison, type DefaultComparison } from './engine-defaults.js';
import { parseProfile, type SeccompProfile } from './schema.js';
import { allowedByArch, profileArches, type SyscallCatalog } from './syscall-set.js';

/** containers-common's copy of the Docker/moby default profile (410 names allowed, some by capability). */
export const PODMAN_DEFAULT_PROFILE = '/usr/share/containers/seccomp.json';

export interface ArchStats {
  arch: string;
  allowed: number;
  /** Every syscall libseccomp knows for the arch. */
  total: number;
  /** Percent of the arch's table the profile shuts off. */
  reductionVsTotal: number;
  /** Names the default profile lets run on this arch (capability-gated ones included), if known. */
  defaultProfileAllowed?: number;
  reductionVsDefault?: number;
}

export interface ProfileStats {
  defaultAction: string;
  arches: ArchStats[];
  dangerousAllowed: Array<{ syscall: string; level: RiskLevel; why: string; arches: string[] }>;
  /** Names allowed only with argument rules, their rules for people, and the engine defaults' argument limits against this profile. */
  argRules: { restricted: string[]; rules: Record<string, string[]>; defaults: DefaultComparison[] };
}

const pct = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((1 - part / whole) * 1000) / 10);

export function profileStats(p: SeccompProfile, ctx: { catalog: SyscallCatalog; nativeArch: string; defaultProfile?: SeccompProfile }): ProfileStats {
  const arches = profileArches(p, ctx.nativeArch);
  const allowed = allowedByArch(p, arches, ctx.catalog);
  const reference = ctx.defaultProfile ? allowedByArch(ctx.defaultProfile, arches, ctx.catalog) : undefined;
  const stats: ArchStats[] = arches.map((arch) => {
    const n = allowed.get(arch)?.size ?? 0;
    const total = ctx.catalog.names(arch).length;
    const s: ArchStats = { arch, allowed: n, total, reductionVsTotal: pct(n, total) };
    const ref = reference?.get(arch)?.size;
    if (ref !== undefined) Object.assign(s, { defaultProfileAllowed: ref, reductionVsDefault: pct(n, ref) });
    return s;
  });
  const dangerous = new Map<string, string[]>();
  for (const [arch, names] of allowed) for (const n of names) if (riskOf(n)) dangerous.set(n, [...(dangerous.get(n) ?? []), arch]);
  const dangerousAllowed = [...dangerous].sort(([a], [b]) => (a < b ? -1 : 1)).map(([syscall, on]) => ({ syscall, ...riskOf(syscall)!, arches: on }));
  const restricted = argRestrictedNames(p);
  const argRules = { restricted, rules: Object.fromEntries(restricted.map((n) => [n, describeArgRules(p, n)])), defaults: compareWithDefaults(p) };
  return { defaultAction: p.defaultAction, arches: stats, dangerousAllowed, argRules };
}

/** The default profile podman ships, or undefined when containers-common is not installed. */
export async function loadDefaultProfile(path = PODMAN_DEFAULT_PROFILE): Promise<SeccompProfile | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseProfile(text, path);
}

export function formatStats(s: ProfileStats, source: string): string {
  const out = [`${source}: default action ${s.defaultAction}`];
  const rows = [['arch', 'allowed', 'of total', 'reduction', 'default profile', 'reduction vs default']];
  for (const a of s.arches) {
    rows.push([a.arch, String(a.allowed), String(a.total), `${a.reductionVsTotal}%`,
      a.defaultProfileAllowed === undefined ? '-' : String(a.defaultProfileAllowed),
      a.reductionVsDefault === undefined ? '-' : `${a.reductionVsDefault}%`]);
  }
  out.push(...table(rows));
  if (s.dangerousAllowed.length === 0) out.push('dangerous syscalls allowed: none');
  else {
    out.push(`dangerous syscalls allowed (${s.dangerousAllowed.length}):`);
    for (const d of s.dangerousAllowed) out.push(`  ${d.syscall} [${d.level}]: ${d.why}`);
  }
  const [head, ...rest] = formatComparison(s.argRules.defaults, s.argRules.restricted);
  out.push(head!);
  for (const n of s.argRules.restricted) for (const r of s.argRules.rules[n] ?? []) out.push(`  ${n}: ${r}`);
  out.push(...rest);
  return out.join('\n') + '\n';
}

/** Left-aligned text columns, two spaces apart. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
}
