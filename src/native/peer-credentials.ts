// Typed face of native/sys-napi's SO_PEERCRED: who is at the other end of a connected unix socket.
// Node has no getsockopt; hookd needs this to serve root only, whatever its socket's path and mode.
import { systemCallFailed } from '../errors.js';
import { loadAddon } from './load-addon.js';

export interface PeerCredentials { pid: number; uid: number; gid: number }

interface SysAddon { peerCredentials(fd: number): PeerCredentials }

/**
 * The pid, uid and gid the kernel recorded for the peer when it connected (the peer cannot forge
 * them). A failed call is a NativeError SYS_<errno name> (SYS_EBADF, SYS_ENOTSOCK, ...).
 */
export function peerCredentials(fd: number): PeerCredentials {
  try {
    return loadAddon<SysAddon>('sys-napi').peerCredentials(fd);
  } catch (err) {
    const e = err as { code?: unknown; message?: string };
    if (typeof e.code === 'string') throw systemCallFailed(`getsockopt(${fd}, SO_PEERCRED)`, e.code, e.message ?? '', err);
    throw err;
  }
}
