// The io.containers.trace-syscall annotation, as oci-seccomp-bpf-hook defined it:
// "of:OUT.json" or "if:IN.json;of:OUT.json". The value reaches the hook from whoever wrote the
// container's config (CRI-O copies pod annotations, podman 4.3 copies image labels), so it is
// parsed strictly: anything unexpected is one line naming the problem, never a guess.
import { annotationInvalid } from '../errors.js';
import { escapeTerminal } from '../terminal/escape.js';

export const TRACE_ANNOTATION = 'io.containers.trace-syscall';
/**
 * Shadow mode (issue 20): "PROFILE", a profile file (absolute, or a bare name in the default
 * directory) the tracer evaluates the container against while it runs under its engine's filter.
 */
export const SHADOW_ANNOTATION = 'io.seccomp-tailor.shadow';

export interface TraceRequest {
  /** Where to write the profile: absolute, or a bare file name (lands in the default directory). */
  output: string;
  /** The baseline to merge into, same forms as `output`. */
  input?: string;
}

const MAX_VALUE = 4096;
const KEYS = new Set(['of', 'if']);

/** Parses the annotation's value; throws HOOK_ANNOTATION_INVALID with a one-line message. */
export function parseTraceAnnotation(value: string): TraceRequest {
  const bad = (why: string): never => {
    throw annotationInvalid(`${TRACE_ANNOTATION}: ${why}`);
  };
  if (value.length > MAX_VALUE) bad(`the value is longer than ${MAX_VALUE} characters`);
  if (value.includes('\0')) bad('the value contains a NUL byte');
  const parts = value.split(';').map((p) => p.trim());
  // A trailing ";" is harmless and common when values are built by string concatenation.
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length > 2) bad(`expected "of:PATH" or "if:PATH;of:PATH", got ${parts.length} parts`);
  const seen = new Map<string, string>();
  for (const part of parts) {
    const colon = part.indexOf(':');
    if (colon < 0) bad(`"${printable(part)}" is not KEY:PATH (keys: if, of)`);
    const key = part.slice(0, colon).trim();
    const path = part.slice(colon + 1).trim();
    if (!KEYS.has(key)) bad(`unknown key "${printable(key)}" (keys: if, of)`);
    if (seen.has(key)) bad(`the key "${key}" appears twice`);
    checkPath(key, path, bad);
    seen.set(key, path);
  }
  const output = seen.get('of');
  if (output === undefined) return bad('"of:PATH" (where to write the profile) is missing');
  const input = seen.get('if');
  return input === undefined ? { output } : { output, input };
}

/** Parses the shadow annotation's value (one path); throws HOOK_ANNOTATION_INVALID with a one-line message. */
export function parseShadowAnnotation(value: string): string {
  const bad = (why: string): never => {
    throw annotationInvalid(`${SHADOW_ANNOTATION}: ${why}`);
  };
  if (value.length > MAX_VALUE) bad(`the value is longer than ${MAX_VALUE} characters`);
  if (value.includes('\0')) bad('the value contains a NUL byte');
  const path = value.trim();
  checkPath('profile', path, bad);
  return path;
}

function checkPath(key: string, path: string, bad: (why: string) => never): void {
  if (path === '') bad(`${key}: the path is empty`);
  if (/[\x00-\x1f\x7f]/.test(path)) bad(`${key}: the path contains a control character`);
  const parts = path.split('/');
  if (parts.includes('..')) bad(`${key}: "${printable(path)}" contains "..": paths may not climb out of a directory`);
  if (!path.startsWith('/')) {
    if (parts.length > 1) bad(`${key}: a relative path must be a bare file name (it lands in the default profile directory), got "${printable(path)}"`);
    if (path === '.') bad(`${key}: "." is not a file name`);
  } else if (path.endsWith('/')) {
    bad(`${key}: "${printable(path)}" names a directory, not a file`);
  }
}

// The value is the container author's: escaped (a newline would forge a second log line), then cut.
const printable = (s: string): string => {
  const e = escapeTerminal(s);
  return e.length > 80 ? `${e.slice(0, 77)}...` : e;
};
