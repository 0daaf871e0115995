// Which source wrote a line, from its first bytes alone (each line of a merged log may differ).
export const LOG_FORMATS = ['auditd', 'kmsg', 'dmesg', 'syslog', 'journald-json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** 'continuation': a /dev/kmsg dictionary line (` KEY=value`), part of the record before it. */
/** 'kernel-text': a bare kernel message (`audit: type=1326 ...`), as copied out of a log without its prefix. */
export type DetectedFormat = LogFormat | 'kernel-text' | 'continuation' | 'empty' | 'unknown';

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** `PRI,SEQ,TS,FLAGS[,...];` */
export function kmsgMessageStart(s: string): number {
  const semi = s.indexOf(';');
  if (semi < 7 || semi > 80) return -1;
  let commas = 0;
  for (let i = 0; i < semi; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2c) commas++;
    else if (commas < 3 && !isDigit(c)) return -1;
  }
  return commas >= 3 ? semi + 1 : -1;
}

/** `2026-11-28T14:49:58,359123+00:00 msg` (dmesg --time-format iso: a comma before the micros). */
function isDmesgIso(s: string): boolean {
  return s.length > 27 && s.charCodeAt(4) === 0x2d && s.charCodeAt(10) === 0x54 && s.charCodeAt(19) === 0x2c;
}

export function detectFormat(s: string): DetectedFormat {
  if (s.length === 0) return 'empty';
  const c = s.charCodeAt(0);
  switch (c) {
    case 0x74: /* t */ case 0x6e: /* n */
      return s.startsWith('type=') || s.startsWith('node=') ? 'auditd' : 'unknown';
    case 0x61: /* a */ case 0x6b: /* k */
      return s.startsWith('audit: ') || s.startsWith('kauditd_printk_skb: ') ? 'kernel-text' : 'unknown';
    case 0x7b: /* { */
      return 'journald-json';
    case 0x20: case 0x09:
      return 'continuation';
    case 0x5b: /* [ */
      return 'dmesg'; // or journalctl -o short-monotonic: the dmesg reader falls back to syslog
    case 0x3c: /* < */ {
      const gt = s.indexOf('>');
      if (gt < 2 || gt > 4) return 'unknown';
      return s.charCodeAt(gt + 1) === 0x5b ? 'dmesg' : 'syslog';
    }
  }
  if (isDigit(c)) {
    if (kmsgMessageStart(s) > 0) return 'kmsg';
    if (isDmesgIso(s)) return 'dmesg';
    return 'syslog'; // RFC 3339 or short-iso/short-unix
  }
  if (c >= 0x41 && c <= 0x5a) return 'syslog'; // "Nov 28 ..."
  return 'unknown';
}
