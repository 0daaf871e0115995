// One log line per kind of problem, not per record: a flood of the same denial, an unreadable
// profile or a refused file is said once (the keys kept are bounded).
import type { Logger } from 'pino';

const MAX_KEYS = 10_000;

export class WarnOnce {
  private readonly said = new Set<string>();
  constructor(private readonly log: Logger) {}

  warn(key: string, fields: object, msg: string): void {
    if (this.said.has(key)) return;
    if (this.said.size > MAX_KEYS) this.said.clear();
    this.said.add(key);
    this.log.warn(fields, msg);
  }
}
