// Where a hook's time goes (SECCOMP_TAILOR_HOOK_TIMING=FILE, set by the bench in the hook's env):
// milliseconds since the process started, node's own start-up included.
const marks: string[] = [];

export function mark(label: string): void {
  if (process.env.SECCOMP_TAILOR_HOOK_TIMING) marks.push(`${label}=${performance.now().toFixed(1)}`);
}

export const timingMarks = (): readonly string[] => marks;
