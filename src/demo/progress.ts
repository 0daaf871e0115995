// One progress line per demo step (number, what, how long), the commands a user would type under
// it, and the results worth seeing. Colour only on a terminal without NO_COLOR.
import { paint, useColour } from '../terminal/escape.js';

export class Progress {
  readonly #colour = useColour();
  #step = 0;
  #started = 0;
  readonly #t0 = Date.now();

  /** Set on Ctrl-C: the next step does not start (cleanup is already running). */
  stopped = false;

  constructor(readonly total: number, readonly out: NodeJS.WritableStream = process.stdout) {}

  /** Starts step N: prints "[N/T] what ..." and returns the step's label for errors. */
  begin(what: string): string {
    if (this.stopped) throw new Error('interrupted');
    this.#step++;
    this.#started = Date.now();
    this.out.write(`${paint(this.#colour, 'bold', `[${this.#step}/${this.total}]`)} ${what}\n`);
    return what;
  }

  /** The command as a user would type it (paths shortened by the caller). */
  command(line: string): void {
    this.out.write(`      ${paint(this.#colour, 'dim', `$ ${line}`)}\n`);
  }

  /** A result line of the current step. */
  detail(text: string): void {
    for (const l of text.replace(/\n$/, '').split('\n')) this.out.write(`      ${l}\n`);
  }

  /** Ends the step with its outcome and time. */
  done(outcome: string): void {
    const s = ((Date.now() - this.#started) / 1000).toFixed(1);
    this.out.write(`      ${paint(this.#colour, 'green', 'ok')} ${outcome} ${paint(this.#colour, 'dim', `(${s} s)`)}\n`);
  }

  fail(message: string): void {
    this.out.write(`      ${paint(this.#colour, 'red', 'FAILED')} ${message}\n`);
  }

  get elapsedSeconds(): string {
    return ((Date.now() - this.#t0) / 1000).toFixed(1);
  }
}
