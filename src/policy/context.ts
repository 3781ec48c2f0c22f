/**
 * The request context a policy's conditions and variables read: condition key → value(s).
 * Key names compare case-insensitively (`aws:SourceIp` = `aws:sourceip`), as IAM does.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */

export type ContextValue = string | string[];

export class ConditionContext {
  private readonly values = new Map<string, ContextValue>();

  constructor(entries?: Record<string, ContextValue | undefined>) {
    if (entries) for (const [k, v] of Object.entries(entries)) if (v !== undefined) this.set(k, v);
  }

  set(key: string, value: ContextValue): this {
    this.values.set(key.toLowerCase(), value);
    return this;
  }

  get(key: string): ContextValue | undefined {
    return this.values.get(key.toLowerCase());
  }

  has(key: string): boolean {
    return this.values.has(key.toLowerCase());
  }

  /** Every key and value (keys lower-cased), for logs and simulations. */
  entries(): [string, ContextValue][] {
    return [...this.values.entries()];
  }

  /** A copy with `extra` keys added or replaced. */
  with(extra: Record<string, ContextValue | undefined>): ConditionContext {
    const copy = new ConditionContext();
    for (const [k, v] of this.values) copy.values.set(k, v);
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) copy.set(k, v);
    return copy;
  }
}
