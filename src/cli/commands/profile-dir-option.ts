// `--profile-dir` of `apply` and `proposals import`: the directories a proposal's file must be in.
import { adminProfileDirs } from '../../state/profile-dirs.js';

export const profileDirOption = {
  type: 'string', array: true,
  describe: 'a directory whose profile files proposals may target (repeatable; default: allowedDirs of /etc/seccomp-tailor/hook.json and the watcher\'s --profile-dir)',
} as const;

export async function profileDirsFor(stateDir: string, explicit: unknown): Promise<string[]> {
  const named = Array.isArray(explicit) ? explicit.map(String) : [];
  const hook = named.length ? [] : (await import('../../record/hook/config.js')).loadHookConfig().allowedDirs;
  return adminProfileDirs(stateDir, hook, named);
}
