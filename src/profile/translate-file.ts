// `profile translate FILE --arch ...`: read, translate, check with libseccomp, and say what changed.
// The check compiles the result with libseccomp for every target arch (the filter holds the native
// arch too; each arch's section is read on its own) and reads, per arch, the names libseccomp could
// only give a pseudo-number: those have no syscall there.
import { translateProfile, formatTranslateReport, TRANSLATE_ARCHES, type TranslateArch, type TranslateReport } from './translate.js';
import { readProfile } from './toolbox.js';
import { serializeProfile, type SeccompProfile } from './schema.js';
import { profileArches } from './syscall-set.js';
import { toProfileLike, type Libseccomp } from './libseccomp-view.js';
import { checkProfileSemantics, type Problem } from './validate.js';
import { translateArchUnknown } from '../errors.js';

export function parseTargets(value: string): TranslateArch[] {
  const out = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of out) if (!(TRANSLATE_ARCHES as readonly string[]).includes(a)) throw translateArchUnknown(a, TRANSLATE_ARCHES);
  if (!out.length) throw translateArchUnknown(value, TRANSLATE_ARCHES);
  return [...new Set(out)] as TranslateArch[];
}

/** Per arch of the compiled filter, the names it holds only as libseccomp pseudo-numbers (no such syscall there). */
export function pseudoNamesByArch(pfc: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let arch: string | undefined;
  for (const line of pfc.split('\n')) {
    const a = /^# filter for arch (\S+) /.exec(line);
    if (a) {
      arch = a[1]!;
      out.set(arch, []);
      continue;
    }
    const s = /# filter for syscall "([a-z0-9_]+)" \((\d+)\)/.exec(line);
    if (s && arch && Number(s[2]) >= 0x80000000) out.get(arch)!.push(s[1]!);
  }
  return out;
}

export interface TranslateFileResult {
  text: string;
  profile: SeccompProfile;
  report: TranslateReport;
  lines: string[];
  problems: Problem[];
}

export async function translateFile(file: string, targets: readonly TranslateArch[], lib: Libseccomp): Promise<TranslateFileResult> {
  const source = await readProfile(file);
  const tables = new Map<string, Set<string>>();
  const exists = (arch: string, name: string) => {
    let t = tables.get(arch);
    if (!t) tables.set(arch, (t = new Set(lib.names(arch))));
    return t.has(name);
  };
  const { profile, report } = translateProfile(source, { sourceArches: profileArches(source, lib.nativeArch()), targets, exists });
  const lines = formatTranslateReport(report, targets);
  const problems = checkProfileSemantics(profile, lib);
  if (!problems.some((p) => p.severity === 'error')) {
    const pseudo = pseudoNamesByArch(lib.compile(toProfileLike(profile, lib)).pfc);
    for (const t of targets) {
      const missing = pseudo.get(t);
      if (missing === undefined) problems.push({ severity: 'error', message: `libseccomp's filter has no section for ${t}` });
      else if (missing.length && targets.length === 1) problems.push({ severity: 'error', message: `${t}: libseccomp finds no syscall for ${missing.join(', ')}` });
      else lines.push(`libseccomp compiled it for ${t}: ${(profile.syscalls ?? []).flatMap((r) => r.names).length - missing.length} names resolve${missing.length ? `; ${missing.join(', ')} exist only on the other arch` : ''}`);
    }
  }
  return { text: serializeProfile(profile), profile, report, lines, problems };
}
