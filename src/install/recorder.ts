// Writes a file for install and remembers it in the manifest at once, so an install that stops
// half-way is still undone exactly by uninstall.
import { existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { addRecord, readManifest, sha256, writeManifest, type Engine, type FileRecord, type InstallManifest, type InstallRecord } from './manifest.js';

export type Say = (line: string) => void;

export class Recorder {
  private manifest: InstallManifest;
  constructor(readonly path: string) {
    this.manifest = readManifest(path);
  }

  get entries(): readonly InstallRecord[] {
    return this.manifest.entries;
  }

  add(r: InstallRecord): void {
    this.manifest = addRecord(this.manifest, r);
    this.save();
  }

  remove(r: InstallRecord): void {
    this.manifest = { version: 1, entries: this.manifest.entries.filter((e) => e !== r) };
    this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    writeManifest(this.path, this.manifest);
  }

  /** Writes `text` to `path` (atomically) and records it with what was there before. */
  async writeFile(engine: Engine, path: string, text: string, extra: Pick<FileRecord, 'systemdUnit'> = {}): Promise<void> {
    // lstat, not exists: a dangling symlink is refused by the writer below, and must not be read.
    const previous = existsSync(path) && lstatSync(path).isFile() ? readFileSync(path, 'utf8') : null;
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    await writeFileAtomic(path, text, { mode: 0o644 });
    this.add({ kind: 'file', engine, path, sha256: sha256(text), previous, ...extra });
  }
}
