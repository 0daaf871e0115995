// What an operator reads before saying yes: a unified diff of the profile file as it would become.
import { createTwoFilesPatch } from 'diff';
import { escapeTerminal, paint } from '../terminal/escape.js';

/** Indentation and final newline of the original text, so apply changes only what it must. */
export function detectJsonStyle(text: string): { indent: string | number; finalNewline: boolean } {
  const m = /\n([ \t]+)"/.exec(text);
  return { indent: m ? (m[1]!.startsWith('\t') ? '\t' : m[1]!.length) : 2, finalNewline: text.endsWith('\n') };
}

export function formatJsonLike(doc: unknown, original: string): string {
  const { indent, finalNewline } = detectJsonStyle(original);
  return JSON.stringify(doc, null, indent) + (finalNewline ? '\n' : '');
}

/** A unified diff; `path` raw, every line escaped for the terminal, coloured when `colour`. */
export function unifiedDiff(path: string, before: string, after: string, colour: boolean): string {
  const name = escapeTerminal(path);
  const patch = createTwoFilesPatch(name, name, before, after, 'current', 'after apply', { context: 3 });
  return patch
    .split('\n')
    .map((raw) => {
      const line = escapeTerminal(raw, { keepTabs: true });
      if (raw.startsWith('+++') || raw.startsWith('---')) return paint(colour, 'bold', line);
      if (raw.startsWith('+')) return paint(colour, 'green', line);
      if (raw.startsWith('-')) return paint(colour, 'red', line);
      if (raw.startsWith('@@')) return paint(colour, 'cyan', line);
      return line;
    })
    .join('\n');
}
