// The file-level operations behind `seccomp-tailor profile ...`: read profiles, run the pure
// functions, write results atomically. The CLI module only parses arguments and prints.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { diffProfiles, formatDiff, widenings, type ProfileDiff } from './diff.js';
import { exportOci, exportSpo, type ExportResult } from './export.js';
import type { Libseccomp } from './libseccomp-view.js';
import { mergeProfiles } from './merge.js';
import { complainProfile, enforceProfile, type EnforceMode } from './modes.js';
import { runtimeFlagSupport, type RuntimeName } from './runtime-flags.js';
import { parseProfile, serializeProfile, type SeccompProfile } from './schema.js';
import { formatStats, loadDefaultProfile, profileStats, type ProfileStats } from './stats.js';
import { validateProfileText, type Problem } from './validate.js';
import { familyAllowWarning, type FamilyMode } from './families.js';
import { withNativeFamilyRules } from './families-native.js';

export const readProfile = async (path: string): Promise<SeccompProfile> => parseProfile(await readFile(path, 'utf8'), path);

/** Output: a file (atomic, 0644 when new) or stdout. */
export async function emit(text: string, out?: string): Promise<void> {
  if (out && out !== '-') await writeFileAtomic(out, text, { mode: 0o644 });
  else process.stdout.write(text);
}

export async function validateFiles(files: readonly string[], lib: Libseccomp): Promise<Array<{ file: string; problems: Problem[] }>> {
  const out = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((e: Error) => e);
    if (text instanceof Error) out.push({ file, problems: [{ severity: 'error' as const, message: text.message }] });
    else out.push({ file, problems: validateProfileText(text, file, lib).problems });
  }
  return out;
}

export async function diffFiles(a: string, b: string, lib?: Libseccomp): Promise<{ diff: ProfileDiff; text: string; wider: string[] }> {
  const diff = diffProfiles(await readProfile(a), await readProfile(b), lib ? { catalog: lib, nativeArch: lib.nativeArch() } : undefined);
  return { diff, text: formatDiff(diff), wider: widenings(diff) };
}

export async function mergeFiles(files: readonly string[], opts: { provenance?: boolean }): Promise<{ text: string; warnings: string[] }> {
  const inputs = [];
  for (const f of files) inputs.push({ profile: await readProfile(f), label: basename(f) });
  const { profile, warnings } = mergeProfiles(inputs, opts);
  return { text: serializeProfile(profile), warnings };
}

export async function statsFile(file: string, lib: Libseccomp, defaultProfilePath?: string): Promise<{ stats: ProfileStats; text: string }> {
  const def = await loadDefaultProfile(defaultProfilePath);
  const stats = profileStats(await readProfile(file), { catalog: lib, nativeArch: lib.nativeArch(), ...(def ? { defaultProfile: def } : {}) });
  return { stats, text: formatStats(stats, file) };
}

export async function complainFile(file: string): Promise<{ text: string; warnings: string[] }> {
  const r = complainProfile(await readProfile(file));
  return { text: serializeProfile(r.profile), warnings: r.warnings };
}

export async function enforceFile(file: string, mode: EnforceMode, runtime: RuntimeName, families: { mode: FamilyMode; allowClone3?: boolean } = { mode: 'enosys' }): Promise<{ text: string; warnings: string[] }> {
  const support = runtimeFlagSupport(runtime);
  const r = enforceProfile(await readProfile(file), { mode, runtimeSupportsFlags: support.supported });
  const warnings = support.supported ? r.warnings : [`${support.detail}`, ...r.warnings];
  // After enforceProfile: a complain profile's permitting default gets no family rules, its enforced variant does.
  const fam = withNativeFamilyRules(r.profile, families.mode, families.allowClone3 === true);
  const widened = familyAllowWarning(fam);
  return { text: serializeProfile(fam.profile), warnings: widened ? [...warnings, widened] : warnings };
}

export async function exportFile(file: string, format: 'oci' | 'spo', lib: Pick<Libseccomp, 'nativeArch'>, opts: { name?: string; namespace?: string }): Promise<ExportResult> {
  const p = await readProfile(file);
  if (format === 'oci') return exportOci(p, lib.nativeArch());
  return exportSpo(p, { name: opts.name ?? basename(file), nativeArch: lib.nativeArch(), ...(opts.namespace ? { namespace: opts.namespace } : {}) });
}
