// Every CLI command module, in the order `--help` lists them. One line a command.
import type { CommandModule } from 'yargs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = CommandModule<any, any>;

export const commands: Array<() => Promise<AnyCommand>> = [
  () => import('./syscalls.js').then((m) => m.default),
  () => import('./record.js').then((m) => m.default),
  () => import('./tracer.js').then((m) => m.default),
  () => import('./runtime-needs.js').then((m) => m.default),
  () => import('./hooks-config.js').then((m) => m.default),
  () => import('./install.js').then((m) => m.default),
  () => import('./status.js').then((m) => m.default),
  () => import('./flush.js').then((m) => m.default),
  () => import('./hookd.js').then((m) => m.default),
  () => import('./events.js').then((m) => m.default),
  () => import('./proposals.js').then((m) => m.default),
  () => import('./apply.js').then((m) => m.default),
  () => import('./reject.js').then((m) => m.default),
  () => import('./rollback.js').then((m) => m.default),
  () => import('./profile.js').then((m) => m.default),
  () => import('./watch.js').then((m) => m.default),
  () => import('./report.js').then((m) => m.default),
];
