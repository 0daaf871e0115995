// A yes/no question on the terminal (prompt on stderr, so stdout stays the command's output).
import { createInterface } from 'node:readline/promises';

export const canAsk = (): boolean => !!process.stdin.isTTY && !!process.stderr.isTTY;

export async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
