// A profile in the two other shapes clusters consume: the `linux.seccomp` object of an OCI
// config.json (runtime-spec config-linux.md#seccomp), and a Security Profiles Operator
// `SeccompProfile` resource (security-profiles-operator.x-k8s.io/v1beta1).
import { type SeccompProfile, type SeccompRule } from './schema.js';
import { profileArches } from './syscall-set.js';

export interface ExportResult {
  text: string;
  warnings: string[];
}

/**
 * The fields the OCI spec defines, nothing else. Docker's `archMap` becomes the native entry's
 * arches; Docker's `includes`/`excludes` cannot be expressed (they depend on the container's
 * capabilities, known only at creation), so such rules are left out, with a warning naming them.
 */
export function ociSeccomp(p: SeccompProfile, nativeArch: string): { seccomp: Record<string, unknown>; warnings: string[] } {
  const warnings: string[] = [];
  const seccomp: Record<string, unknown> = { defaultAction: p.defaultAction };
  if (p.defaultErrnoRet != null) seccomp.defaultErrnoRet = p.defaultErrnoRet;
  if (p.archMap?.length || p.architectures?.length) {
    const arches = p.archMap?.length ? profileArches(p, nativeArch) : p.architectures!.map((t) => t.slice('SCMP_ARCH_'.length).toLowerCase());
    seccomp.architectures = arches.map((a) => `SCMP_ARCH_${a.toUpperCase()}`);
  }
  if (p.flags?.length) seccomp.flags = [...p.flags];
  if (p.listenerPath) seccomp.listenerPath = p.listenerPath;
  if (p.listenerMetadata) seccomp.listenerMetadata = p.listenerMetadata;
  const rules: Record<string, unknown>[] = [];
  const dropped: string[] = [];
  for (const r of p.syscalls ?? []) {
    if (hasFilter(r.includes) || hasFilter(r.excludes)) {
      dropped.push(...r.names);
      continue;
    }
    rules.push(ociRule(r));
  }
  if (dropped.length) {
    const names = [...new Set(dropped)].sort();
    warnings.push(`left out the capability/arch/kernel-conditional rules for ${names.length} name(s) (Docker includes/excludes have no OCI form): ${names.join(', ')}`);
  }
  seccomp.syscalls = rules;
  const unknown = Object.keys(p).filter((k) => !KNOWN_TOP.has(k));
  if (unknown.length) warnings.push(`left out fields the OCI spec does not define: ${unknown.sort().join(', ')}`);
  return { seccomp, warnings };
}

const KNOWN_TOP = new Set(['defaultAction', 'defaultErrnoRet', 'architectures', 'archMap', 'flags', 'listenerPath', 'listenerMetadata', 'syscalls']);
const hasFilter = (f: SeccompRule['includes']): boolean => !!f && Object.values(f).some((v) => (Array.isArray(v) ? v.length > 0 : !!v));

function ociRule(r: SeccompRule): Record<string, unknown> {
  const out: Record<string, unknown> = { names: [...r.names], action: r.action };
  if (r.errnoRet != null) out.errnoRet = r.errnoRet;
  if (r.args?.length) {
    out.args = r.args.map((a) => ({ index: a.index, value: a.value, ...(a.valueTwo == null ? {} : { valueTwo: a.valueTwo }), op: a.op }));
  }
  return out;
}

/** `{"linux": {"seccomp": ...}}`: merge into a bundle's config.json. */
export function exportOci(p: SeccompProfile, nativeArch: string): ExportResult {
  const { seccomp, warnings } = ociSeccomp(p, nativeArch);
  return { text: JSON.stringify({ linux: { seccomp } }, null, 2) + '\n', warnings };
}

/** A Kubernetes object name: DNS-1123 subdomain, at most 253 characters. */
export function k8sName(s: string): string {
  const n = s.toLowerCase().replace(/\.json$/, '').replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return (n || 'profile').slice(0, 253).replace(/[^a-z0-9]+$/, '');
}

export function exportSpo(p: SeccompProfile, opts: { name: string; namespace?: string; nativeArch: string }): ExportResult {
  const { seccomp, warnings } = ociSeccomp(p, opts.nativeArch);
  const doc = {
    apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1',
    kind: 'SeccompProfile',
    metadata: { name: k8sName(opts.name), ...(opts.namespace ? { namespace: opts.namespace } : {}) },
    spec: seccomp,
  };
  return { text: toYaml(doc), warnings };
}

// The resource is plain data (maps, lists, strings, integers); a full YAML library would only add
// features this output cannot use. Strings are plain when YAML 1.1 and 1.2 both read them back as
// the same string, else JSON-quoted (a JSON string is a valid YAML double-quoted scalar).
const PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const RESERVED = /^(?:y|n|yes|no|on|off|true|false|null|~)$/i;

function scalar(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  const s = String(v);
  return PLAIN.test(s) && !RESERVED.test(s) ? s : JSON.stringify(s);
}

export function toYaml(v: unknown, indent = ''): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return `${indent}[]\n`;
    return v.map((item) => {
      if (isMap(item) && Object.keys(item).length) {
        const body = toYaml(item, indent + '  ');
        return `${indent}- ${body.slice(indent.length + 2)}`;
      }
      return Array.isArray(item) && item.length ? `${indent}-\n${toYaml(item, indent + '  ')}` : `${indent}- ${inline(item)}\n`;
    }).join('');
  }
  if (isMap(v)) {
    return Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => {
      if ((isMap(x) && Object.keys(x).length) || (Array.isArray(x) && x.length)) return `${indent}${scalar(k)}:\n${toYaml(x, indent + '  ')}`;
      return `${indent}${scalar(k)}: ${inline(x)}\n`;
    }).join('');
  }
  return `${indent}${scalar(v)}\n`;
}

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const inline = (v: unknown): string => (Array.isArray(v) ? '[]' : isMap(v) ? '{}' : scalar(v));
