// The OCI state a runtime writes to a hook's standard input
// (https://github.com/opencontainers/runtime-spec/blob/main/runtime.md#state). Checked by hand:
// this runs on every container start, and a schema library would cost more than the check.
import { readSync } from 'node:fs';
import { hookStateInvalid } from '../errors.js';

export interface OciState {
  ociVersion: string;
  id: string;
  /** creating/created at prestart, stopped at poststop (runc, crun and podman agree). */
  status: string;
  /** The container's init; absent or 0 once it is gone (poststop). */
  pid?: number;
  bundle: string;
  annotations: Record<string, string>;
}

/** The most a hook reads from standard input (podman's states are a few KiB). */
export const MAX_STATE_BYTES = 1 << 20;

// Container ids become file names (run state, registry): no separators, no leading dot.
export const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function parseOciState(text: string): OciState {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw hookStateInvalid(`not JSON (${(e as Error).message})`);
  }
  if (!j || typeof j !== 'object' || Array.isArray(j)) throw hookStateInvalid('expected a JSON object');
  const o = j as Record<string, unknown>;
  const str = (k: string): string => {
    if (typeof o[k] !== 'string') throw hookStateInvalid(`"${k}" is missing or not a string`);
    return o[k] as string;
  };
  const id = str('id');
  if (!CONTAINER_ID.test(id)) throw hookStateInvalid(`the container id "${id.slice(0, 64)}" is not letters, digits, _ . - (at most 128, no leading dot)`);
  const bundle = str('bundle');
  if (!bundle.startsWith('/') || bundle.includes('\0')) throw hookStateInvalid('"bundle" is not an absolute path');
  const pid = o.pid;
  if (pid !== undefined && pid !== null && (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 0)) throw hookStateInvalid('"pid" is not a process id');
  const annotations: Record<string, string> = {};
  if (o.annotations !== undefined && o.annotations !== null) {
    if (typeof o.annotations !== 'object' || Array.isArray(o.annotations)) throw hookStateInvalid('"annotations" is not an object');
    for (const [k, v] of Object.entries(o.annotations as Record<string, unknown>)) if (typeof v === 'string') annotations[k] = v;
  }
  return {
    ociVersion: typeof o.ociVersion === 'string' ? o.ociVersion : '',
    id, status: str('status'), bundle, annotations,
    ...(typeof pid === 'number' && pid > 0 ? { pid } : {}),
  };
}

/**
 * Reads standard input (a pipe from the runtime) synchronously up to `max` bytes: no stream
 * machinery on the hook's hot path. Falls back to the async reader when fd 0 is non-blocking.
 */
export async function readStateInput(max = MAX_STATE_BYTES): Promise<string> {
  const buf = Buffer.alloc(Math.min(max + 1, 64 * 1024));
  const chunks: Buffer[] = [];
  let n = 0;
  for (;;) {
    let r: number;
    try {
      r = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' && n === 0) return readBoundedStdin(max);
      if (code === 'EOF') break;
      throw e;
    }
    if (r === 0) break;
    n += r;
    if (n > max) throw hookStateInvalid(`more than ${max} bytes on standard input`);
    chunks.push(Buffer.from(buf.subarray(0, r)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads standard input up to `max` bytes; more is an error rather than a memory hazard. */
export async function readBoundedStdin(max = MAX_STATE_BYTES, input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of input) {
    const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    n += b.length;
    if (n > max) throw hookStateInvalid(`more than ${max} bytes on standard input`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}
