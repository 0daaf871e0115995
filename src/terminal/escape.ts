// Strings chosen by processes inside containers (comm, exe, paths) must not drive the operator's
// terminal: an ESC sequence can rewrite earlier lines or the window title, a newline can forge a
// table row, a bidi override can reorder what is read. Everything such is shown as a visible escape;
// a backslash is doubled so the escaped form is unambiguous. JSON output is not escaped (JSON
// already encodes control characters, and scripts need the exact bytes).

// The one set of characters never shown as themselves: C0 controls, DEL, C1 controls; the Arabic
// letter mark and the bidi marks, embeddings, overrides and isolates; zero-width characters
// (space, joiners, word joiner, invisible operators) and the BOM; line/paragraph separators.
const UNSAFE_CHARS = '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff';
const UNSAFE = new RegExp(`[${UNSAFE_CHARS}\\\\]`, 'gu');
const UNSAFE_QUOTED = new RegExp(`[${UNSAFE_CHARS}"\\\\]`, 'gu');

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\', '\u001b': '\\e' };

export function escapeTerminal(s: string, opts: { keepTabs?: boolean } = {}): string {
  return s.replace(UNSAFE, (c) => {
    if (c === '\t' && opts.keepTabs) return c;
    const named = NAMED[c];
    if (named) return named;
    const cp = c.codePointAt(0)!;
    return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
  });
}

/**
 * The same set inside double quotes, as `events` prints comm and exe: a quote and a backslash
 * get a backslash, every other unsafe character its JSON-style \uXXXX (all are in the BMP).
 */
export function quoteTerminal(s: string): string {
  return '"' + s.replace(UNSAFE_QUOTED, (c) => (c === '"' || c === '\\' ? '\\' + c : '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))) + '"';
}

/** For a terminal: colours only when stdout is one and NO_COLOR is unset (https://no-color.org). */
export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return !!stream.isTTY && !process.env.NO_COLOR;
}

const SGR = { red: '31', green: '32', cyan: '36', bold: '1', dim: '2', yellow: '33' } as const;
export const paint = (on: boolean, colour: keyof typeof SGR, s: string): string => (on ? `\u001b[${SGR[colour]}m${s}\u001b[0m` : s);
