// Every CLI command module, in the order `--help` lists them. One line a command.
import type { CommandModule } from 'yargs';

/** A command module as the entry registers it; each module keeps its own argv type (command.ts). */
export type AnyCommand = CommandModule<object, unknown>;

/** [the command's name, its module]: the entry loads only the module a command line names. */
export const commands: Array<readonly [string, () => Promise<AnyCommand>]> = [
  ['syscalls', () => import('./syscalls.js').then((m) => m.default)],
  ['record', () => import('./record.js').then((m) => m.default)],
  ['tracer', () => import('./tracer.js').then((m) => m.default)],
  ['runtime-needs', () => import('./runtime-needs.js').then((m) => m.default)],
  ['hooks-config', () => import('./hooks-config.js').then((m) => m.default)],
  ['install', () => import('./install.js').then((m) => m.default)],
  ['uninstall', () => import('./uninstall.js').then((m) => m.default)],
  ['status', () => import('./status.js').then((m) => m.default)],
  ['flush', () => import('./flush.js').then((m) => m.default)],
  ['hookd', () => import('./hookd.js').then((m) => m.default)],
  ['events', () => import('./events.js').then((m) => m.default)],
  ['proposals', () => import('./proposals.js').then((m) => m.default)],
  ['apply', () => import('./apply.js').then((m) => m.default)],
  ['reject', () => import('./reject.js').then((m) => m.default)],
  ['rollback', () => import('./rollback.js').then((m) => m.default)],
  ['profile', () => import('./profile.js').then((m) => m.default)],
  ['watch', () => import('./watch.js').then((m) => m.default)],
  ['agent', () => import('./agent.js').then((m) => m.default)],
  ['report', () => import('./report.js').then((m) => m.default)],
];
