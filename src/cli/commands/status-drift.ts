// `status`: running containers whose profile was recorded from another image digest.
import { readRegistry } from '../../state/registry.js';
import { describeDrift, imageDriftOf, type ImageDrift } from '../../watch/image-drift.js';
import { escapeTerminal } from '../../terminal/escape.js';

export function imageDrifts(stateDir: string): ImageDrift[] {
  return readRegistry(stateDir).filter((e) => !e.stoppedAt).flatMap((e) => imageDriftOf(stateDir, e) ?? []);
}

export function printImageDrift(stateDir: string): void {
  const drifts = imageDrifts(stateDir);
  if (!drifts.length) return;
  process.stdout.write('image drift (a profile recorded from another image; its fit is unproven there):\n');
  for (const d of drifts) process.stdout.write(`  ${escapeTerminal(describeDrift(d))}\n`);
  process.stdout.write('\n');
}
