// The one hint every engine's install ends with: where the hook may write profiles.
import { DEFAULT_HOOK_CONFIG, DEFAULT_PROFILE_DIR } from '../record/hook/config.js';

export const allowedDirsNote = (config: string | undefined): string =>
  `  profiles may be written to ${DEFAULT_PROFILE_DIR}; to allow more (e.g. /tmp) put\n` +
  `  {"allowedDirs": ["${DEFAULT_PROFILE_DIR}", "/tmp"]} in ${config ?? DEFAULT_HOOK_CONFIG} (root-owned, mode 0644)`;
