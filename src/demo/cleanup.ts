// Everything the demo creates registers how to undo it here, and is undone in reverse order on
// success, failure and Ctrl-C alike. Each undo runs even when an earlier one failed.

export class Cleanup {
  readonly #undo: Array<{ what: string; fn: () => void | Promise<void> }> = [];
  #ran: Promise<string[]> | undefined;

  add(what: string, fn: () => void | Promise<void>): void {
    this.#undo.push({ what, fn });
  }

  /** Runs every undo once (later calls wait for the first); returns what could not be undone. */
  run(): Promise<string[]> {
    this.#ran ??= (async () => {
      const failed: string[] = [];
      for (const { what, fn } of this.#undo.reverse()) {
        try {
          await fn();
        } catch (err) {
          failed.push(`${what}: ${(err as Error).message}`);
        }
      }
      return failed;
    })();
    return this.#ran;
  }
}
