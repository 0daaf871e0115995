// `seccomp-tailor runtime-needs measure --runtime runc|crun [--runs N] [--output FILE]`
// `seccomp-tailor runtime-needs show`
import { defineCommand } from './command.js';

export default defineCommand({
  command: 'runtime-needs <action>',
  describe: 'measure (or show) what an OCI runtime calls after installing the seccomp filter; recorded profiles include it',
  builder: (y) =>
    y
      .positional('action', { choices: ['measure', 'show'] as const, describe: 'measure: run busybox /bin/true N times under the tracer; show: the shipped tables' })
      .option('runtime', { choices: ['runc', 'crun'] as const, default: 'runc' as const })
      .option('runs', { type: 'number', default: 20, describe: 'containers per noNewPrivileges setting' })
      .option('stress', { type: 'boolean', default: true, describe: 'keep every CPU busy while measuring (provokes the runtime\'s preemption signals)' })
      .option('output', { alias: 'o', type: 'string', describe: 'write the table here (default: standard output); ship it in src/record/runtime-needs/' })
      .option('accumulate', { type: 'boolean', default: false, describe: 'unite with the table already in --output (same runtime, version, arch): runs add up' }),
  handler: async (argv) => {
    if (argv.action === 'show') {
      const { loadRuntimeNeedsTables } = await import('../../record/runtime-needs.js');
      for (const t of loadRuntimeNeedsTables())
        process.stdout.write(`${t.runtime} ${t.version} ${t.arch} (${t.runs} runs, ${t.measuredAt})\n  noNewPrivileges=true:  ${t.noNewPrivileges.true.join(' ')}\n  noNewPrivileges=false: ${t.noNewPrivileges.false.join(' ')}\n`);
      return;
    }
    const { measureRuntimeNeeds } = await import('../../record/hook/runtime-needs-measure.js');
    let table = measureRuntimeNeeds({
      runtime: argv.runtime, runs: argv.runs, stress: argv.stress,
      progress: (l) => process.stderr.write(`${l}\n`),
    });
    if (argv.accumulate && typeof argv.output === 'string') {
      const { readFileSync } = await import('node:fs');
      const { accumulateNeeds } = await import('../../record/runtime-needs.js');
      table = accumulateNeeds(JSON.parse(readFileSync(argv.output, 'utf8')) as typeof table, table);
    }
    const text = JSON.stringify(table, null, 2) + '\n';
    if (typeof argv.output === 'string') {
      const { writeFileAtomic } = await import('../../fs/atomic-write.js');
      await writeFileAtomic(argv.output, text, { mode: 0o644 });
    } else process.stdout.write(text);
  },
});
