// Wall-clock time of a syslog/journalctl prefix. Needed only for journald's audit transport in
// journalctl's short forms, whose message has lost the audit(EPOCH.MS:SERIAL) stamp.
import { parseDec } from '../fields.js';

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

function fractionMs(s: string, a: number, b: number): number {
  if (s.charCodeAt(a) !== 0x2e && s.charCodeAt(a) !== 0x2c) return 0;
  let ms = 0;
  for (let i = 1; i <= 3; i++) {
    const c = a + i < b ? s.charCodeAt(a + i) - 0x30 : 0;
    ms = ms * 10 + (c >= 0 && c <= 9 ? c : 0);
  }
  return ms;
}

export interface WallTime { sec: number; ms: number }

/** `Nov 28 14:53:05[.931000]`: the year is not written, so the caller must give one. */
export function traditionalTime(s: string, a: number, b: number, year: number | undefined): WallTime | undefined {
  if (year === undefined) return undefined;
  const mon = MONTHS.indexOf(s.slice(a, a + 3));
  if (mon < 0 || mon % 3 !== 0) return undefined;
  const day = parseDec(s, s.charCodeAt(a + 4) === 0x20 ? a + 5 : a + 4, a + 6);
  const hh = parseDec(s, a + 7, a + 9);
  const mm = parseDec(s, a + 10, a + 12);
  const ss = parseDec(s, a + 13, a + 15);
  if (day === undefined || hh === undefined || mm === undefined || ss === undefined) return undefined;
  return { sec: Date.UTC(year, mon / 3, day, hh, mm, ss) / 1000, ms: fractionMs(s, a + 15, b) };
}

/** `2026-11-28T14:53:05[.931000](Z|+0000|+00:00)` */
export function isoTime(s: string, a: number, b: number): WallTime | undefined {
  const t = Date.parse(s.slice(a, b).replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  if (Number.isNaN(t)) return undefined;
  const fracAt = a + 19;
  return { sec: Math.floor(t / 1000), ms: fractionMs(s, fracAt, b) };
}

/** `1795877585.931000` (journalctl -o short-unix) */
export function unixTime(s: string, a: number, b: number): WallTime | undefined {
  const dot = s.indexOf('.', a);
  const secEnd = dot < 0 || dot > b ? b : dot;
  const sec = parseDec(s, a, secEnd);
  if (sec === undefined) return undefined;
  return { sec, ms: fractionMs(s, secEnd, b) };
}
