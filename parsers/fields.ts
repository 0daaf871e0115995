// Low-level readers for the kernel's audit key=value text (kernel/audit.c audit_log_n_untrustedstring):
// a value is "quoted" when it is printable ASCII without `"` or space, else bare uppercase hex of
// its bytes. These work on index ranges of one string so the hot path allocates little.

const CH_0 = 0x30;
const CH_9 = 0x39;
const CH_MINUS = 0x2d;

/** Decimal integer in s[a, b), optionally negative; undefined unless every char is a digit. */
export function parseDec(s: string, a: number, b: number): number | undefined {
  let i = a;
  let neg = false;
  if (i < b && s.charCodeAt(i) === CH_MINUS) { neg = true; i++; }
  if (i >= b || b - i > 16) return undefined;
  let n = 0;
  for (; i < b; i++) {
    const c = s.charCodeAt(i) - CH_0;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  if (n > Number.MAX_SAFE_INTEGER) return undefined;
  return neg ? -n : n;
}

function hexNibble(c: number): number {
  if (c >= CH_0 && c <= CH_9) return c - CH_0;
  if (c >= 0x41 && c <= 0x46) return c - 0x37; // A-F: the kernel writes uppercase
  return -1;
}

/** Lowercase `0x` hex as the kernel prints `code=`/`ip=` (%x); returns the end of the run. */
export function lowerHexEnd(s: string, a: number, b: number): number {
  let i = a;
  while (i < b) {
    const c = s.charCodeAt(i);
    if ((c >= CH_0 && c <= CH_9) || (c >= 0x61 && c <= 0x66)) i++;
    else break;
  }
  return i;
}

export function isUpperHex(s: string, a: number, b: number): boolean {
  if (b <= a || (b - a) % 2 !== 0) return false;
  for (let i = a; i < b; i++) if (hexNibble(s.charCodeAt(i)) < 0) return false;
  return true;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');

function hexBytes(s: string, a: number, b: number): Uint8Array {
  const bytes = new Uint8Array((b - a) / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = (hexNibble(s.charCodeAt(a + 2 * i)) << 4) | hexNibble(s.charCodeAt(a + 2 * i + 1));
  }
  return bytes;
}

/**
 * Decode a bare-hex value to text. Bytes that are not UTF-8 become U+FFFD: the kernel cuts `comm`
 * at 15 bytes, often inside a character; lossyHex() keeps the exact bytes for those.
 */
export function decodeHexValue(s: string, a: number, b: number): string {
  return decodedHex(s, a, b).text;
}

interface DecodedHex { text: string; lossy: boolean }
// A workload's few hex-encoded comm/exe values repeat in every record: decode each once.
const hexCache = new Map<string, DecodedHex>();
const HEX_CACHE_MAX = 1024;

function decodedHex(s: string, a: number, b: number): DecodedHex {
  const hex = s.slice(a, b);
  let d = hexCache.get(hex);
  if (d !== undefined) return d;
  const bytes = hexBytes(s, a, b);
  let lossy = false;
  try {
    utf8.decode(bytes);
  } catch {
    lossy = true;
  }
  d = { text: utf8Lenient.decode(bytes), lossy };
  if (hexCache.size >= HEX_CACHE_MAX) hexCache.clear();
  hexCache.set(hex, d);
  return d;
}

/** The hex text itself when the bytes it encodes are not valid UTF-8 (decoding lost something), else undefined. */
export function lossyHex(s: string, a: number, b: number): string | undefined {
  if (!isUpperHex(s, a, b)) return undefined;
  return decodedHex(s, a, b).lossy ? s.slice(a, b) : undefined;
}

/** A value that may be quoted or hex-encoded (comm, exe): the quoted text, the decoded hex, or as is. */
export function decodeUntrusted(s: string, a: number, b: number, quoted: boolean): string {
  if (quoted) return s.slice(a, b);
  if (isUpperHex(s, a, b)) return decodeHexValue(s, a, b);
  return s.slice(a, b);
}

/** `audit(EPOCH.MS:SERIAL)` starting at `i` (just after `audit(`). */
export interface Stamp {
  sec: number;
  ms: number;
  serial: number;
  /** Index just after the closing `)`. */
  end: number;
}

export function parseStamp(s: string, i: number, end: number): Stamp | undefined {
  const dot = s.indexOf('.', i);
  if (dot < 0 || dot >= end) return undefined;
  const colon = s.indexOf(':', dot);
  if (colon < 0 || colon >= end) return undefined;
  const close = s.indexOf(')', colon);
  if (close < 0 || close >= end) return undefined;
  const sec = parseDec(s, i, dot);
  const ms = parseDec(s, dot + 1, colon);
  const serial = parseDec(s, colon + 1, close);
  if (sec === undefined || ms === undefined || serial === undefined || sec < 0 || ms < 0 || ms > 999 || serial < 0) return undefined;
  // Date's range (8.64e15 ms); anything later is not a clock reading, and isoTime would throw on it.
  if (sec * 1000 + ms > 8.64e15) return undefined;
  return { sec, ms, serial, end: close + 1 };
}

let cachedSec = -1;
let cachedPrefix = '';

/** ISO 8601 UTC with milliseconds. Records come in bursts within a second: reuse the prefix. */
export function isoTime(sec: number, ms: number): string {
  if (sec !== cachedSec) {
    const iso = new Date(sec * 1000).toISOString();
    if (iso.length !== 24) return new Date(sec * 1000 + ms).toISOString();
    cachedSec = sec;
    cachedPrefix = iso.slice(0, 20);
  }
  return cachedPrefix + (ms < 10 ? '00' : ms < 100 ? '0' : '') + ms + 'Z';
}
