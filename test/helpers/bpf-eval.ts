// Runs a compiled seccomp filter (classic BPF, as libseccomp generates it) on one syscall, the way
// the kernel does: struct seccomp_data in, the SECCOMP_RET_* value out. It lets the tests ask
// libseccomp's own filter what it does with given argument values, without loading it.
// Pure: a Buffer of struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; } (little-endian, as the
// host's), no I/O. Instruction set: linux/filter.h, the subset seccomp accepts (kernel/seccomp.c
// seccomp_check_filter).

export interface SeccompData {
  nr: number;
  /** AUDIT_ARCH_* value (libseccomp's arch token). */
  arch: number;
  instructionPointer?: bigint;
  /** Up to six 64-bit arguments. */
  args: readonly bigint[];
}

const BPF_CLASS = (c: number) => c & 0x07;
const BPF_SIZE = (c: number) => c & 0x18;
const BPF_MODE = (c: number) => c & 0xe0;
const BPF_OP = (c: number) => c & 0xf0;
const BPF_SRC = (c: number) => c & 0x08;

/** The 32-bit word at byte offset `off` of struct seccomp_data (what BPF_LD|BPF_W|BPF_ABS reads). */
function dataWord(d: SeccompData, off: number): number {
  if (off === 0) return d.nr >>> 0;
  if (off === 4) return d.arch >>> 0;
  const u64 = off < 16 ? (d.instructionPointer ?? 0n) : (d.args[(off - 16) >> 3] ?? 0n);
  const half = ((off - (off < 16 ? 8 : 16)) & 7) === 0 ? u64 : u64 >> 32n;
  return Number(half & 0xffffffffn);
}

/** The filter's return value for `d`; throws on an instruction seccomp would refuse. */
export function runSeccompFilter(bpf: Buffer, d: SeccompData): number {
  const n = bpf.length / 8;
  if (!Number.isInteger(n) || n === 0) throw new Error('a filter is a non-empty array of 8-byte instructions');
  let a = 0;
  let x = 0;
  const mem = new Array<number>(16).fill(0);
  for (let pc = 0, steps = 0; pc < n && steps <= n; steps++) {
    const code = bpf.readUInt16LE(pc * 8);
    const jt = bpf.readUInt8(pc * 8 + 2);
    const jf = bpf.readUInt8(pc * 8 + 3);
    const k = bpf.readUInt32LE(pc * 8 + 4);
    pc++;
    switch (BPF_CLASS(code)) {
      case 0x00: // BPF_LD
        if (BPF_MODE(code) === 0x20 && BPF_SIZE(code) === 0x00) {
          if (k % 4 || k > 60) throw new Error(`pc ${pc - 1}: load outside seccomp_data (${k})`);
          a = dataWord(d, k);
        } else if (BPF_MODE(code) === 0x00) a = k >>> 0; // BPF_IMM
        else if (BPF_MODE(code) === 0x60) a = mem[k & 15]!; // BPF_MEM
        else if (BPF_MODE(code) === 0x80) a = 64; // BPF_LEN: sizeof(struct seccomp_data)
        else throw new Error(`pc ${pc - 1}: unsupported load 0x${code.toString(16)}`);
        break;
      case 0x01: // BPF_LDX
        if (BPF_MODE(code) === 0x00) x = k >>> 0;
        else if (BPF_MODE(code) === 0x60) x = mem[k & 15]!;
        else if (BPF_MODE(code) === 0x80) x = 64;
        else throw new Error(`pc ${pc - 1}: unsupported ldx 0x${code.toString(16)}`);
        break;
      case 0x02: mem[k & 15] = a; break; // BPF_ST
      case 0x03: mem[k & 15] = x; break; // BPF_STX
      case 0x04: { // BPF_ALU
        const v = BPF_SRC(code) ? x : k;
        switch (BPF_OP(code)) {
          case 0x00: a = (a + v) >>> 0; break;
          case 0x10: a = (a - v) >>> 0; break;
          case 0x20: a = Math.imul(a, v) >>> 0; break;
          case 0x30: if (v === 0) return 0; a = Math.floor(a / v) >>> 0; break;
          case 0x40: a = (a | v) >>> 0; break;
          case 0x50: a = (a & v) >>> 0; break;
          case 0x60: a = v >= 32 ? 0 : (a << v) >>> 0; break;
          case 0x70: a = v >= 32 ? 0 : a >>> v; break;
          case 0x80: a = -a >>> 0; break;
          case 0x90: if (v === 0) return 0; a = (a % v) >>> 0; break;
          case 0xa0: a = (a ^ v) >>> 0; break;
          default: throw new Error(`pc ${pc - 1}: unsupported alu 0x${code.toString(16)}`);
        }
        break;
      }
      case 0x05: { // BPF_JMP
        const v = BPF_SRC(code) ? x : k >>> 0;
        const op = BPF_OP(code);
        if (op === 0x00) { pc += k; break; } // BPF_JA
        const taken = op === 0x10 ? a === v : op === 0x20 ? a > v : op === 0x30 ? a >= v : op === 0x40 ? (a & v) !== 0 : undefined;
        if (taken === undefined) throw new Error(`pc ${pc - 1}: unsupported jump 0x${code.toString(16)}`);
        pc += taken ? jt : jf;
        break;
      }
      case 0x06: return ((code & 0x18) === 0x10 ? a : (code & 0x18) === 0x08 ? x : k) >>> 0; // BPF_RET K, X or A
      case 0x07: if (code & 0x80) a = x; else x = a; break; // BPF_MISC TXA / TAX
    }
  }
  throw new Error('the filter ran off its end without returning');
}

export const SECCOMP_RET_ACTION_FULL = 0xffff0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ERRNO = 0x00050000;

/** `allow`, `log`, `errno N`, `kill`, ... for a filter's return value. */
export function describeRet(ret: number): string {
  const action = (ret & SECCOMP_RET_ACTION_FULL) >>> 0;
  const data = ret & 0xffff;
  switch (action) {
    case SECCOMP_RET_ALLOW: return 'allow';
    case SECCOMP_RET_LOG: return 'log';
    case SECCOMP_RET_ERRNO: return `errno ${data}`;
    case 0x00030000: return 'trap';
    case 0x7ff00000: return 'trace';
    case 0x7fc00000: return 'user_notif';
    case 0x80000000: return 'kill_process';
    case 0x00000000: return 'kill_thread';
    default: return `0x${ret.toString(16)}`;
  }
}
