// What an OCI rule's argument conditions say for known argument values, computed as libseccomp's
// filter compares them (64-bit registers; MASKED_EQ: (arg & value) == valueTwo). Pure.
export interface Condition {
  index: number;
  value: number;
  valueTwo?: number | null;
  op: string;
}

/** true / false, or undefined when the condition reads an argument whose value is not known. */
export function conditionHolds(c: Condition, args: ReadonlyMap<number, bigint>): boolean | undefined {
  const a = args.get(c.index);
  if (a === undefined) return undefined;
  const v = BigInt(c.value);
  switch (c.op) {
    case 'SCMP_CMP_EQ': return a === v;
    case 'SCMP_CMP_NE': return a !== v;
    case 'SCMP_CMP_LT': return a < v;
    case 'SCMP_CMP_LE': return a <= v;
    case 'SCMP_CMP_GT': return a > v;
    case 'SCMP_CMP_GE': return a >= v;
    case 'SCMP_CMP_MASKED_EQ': return (a & v) === BigInt(c.valueTwo ?? 0);
    default: return undefined;
  }
}

/** Every condition holds (true), one fails (false), or it depends on an unknown argument (undefined). */
export function conditionsHold(conds: readonly Condition[], args: ReadonlyMap<number, bigint>): boolean | undefined {
  let unknown = false;
  for (const c of conds) {
    const h = conditionHolds(c, args);
    if (h === false) return false;
    if (h === undefined) unknown = true;
  }
  return unknown ? undefined : true;
}
