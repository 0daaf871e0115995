// Every CLI command module, in the order `--help` lists them. One line a command.
import type { CommandModule } from 'yargs';

/** A command module as the entry registers it; each module keeps its own argv type (command.ts). */
export type AnyCommand = CommandModule<object, unknown>;

export const commands: Array<() => Promise<AnyCommand>> = [
  () => import('./syscalls.js').then((m) => m.default),
  () => import('./record.js').then((m) => m.default),
  () => import('./tracer.js').then((m) => m.default),
  () => import('./runtime-needs.js').then((m) => m.default),
  () => import('./hooks-config.js').then((m) => m.default),
  () => import('./install.js').then((m) => m.default),
  () => import('./uninstall.js').then((m) => m.default),
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
  () => import('./agent.js').then((m) => m.default),
  () => import('./report.js').then((m) => m.default),
];
