import type { z } from 'zod';

/**
 * Input errors in plain words, one per field: what a schema (the API's own, shared with the
 * engine) says of a value, as a musician would read it beside the field ("must be at least 1"),
 * never a schema path.
 */
export function fieldErrors(schema: z.ZodType, value: unknown): Record<string, string> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return {};
  const out: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.map(String).join('.') || '(value)';
    out[field] ??= inWords(issue);
  }
  return out;
}

function inWords(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'string' ? 'cannot be empty' : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string' ? `is too long (at most ${String(issue.maximum)} characters)` : `must be at most ${String(issue.maximum)}`;
    case 'invalid_type':
      return issue.expected === 'int' ? 'must be a whole number' : issue.expected === 'number' ? 'must be a number' : 'is missing';
    case 'invalid_value':
      return 'is not one of the choices';
    default:
      return issue.message.toLowerCase().includes('integer') ? 'must be a whole number' : 'is not valid here';
  }
}

/** An engine error's issues (paths like "hyperparams.batchSize") by field, in plain words; the rest stays a message. */
export function issuesByField(err: unknown, prefix: string): Record<string, string> {
  const issues = (err as { issues?: { path: string; message: string }[] } | null)?.issues ?? [];
  const out: Record<string, string> = {};
  for (const i of issues) if (i.path.startsWith(`${prefix}.`)) out[i.path.slice(prefix.length + 1)] = plainMessage(i.message);
  return out;
}

function plainMessage(message: string): string {
  const small = /(?:>=|at least)\s*(-?[\d.]+)/.exec(message);
  if (/too small/i.test(message) && small) return `must be at least ${small[1]}`;
  const big = /(?:<=|at most)\s*(-?[\d.]+)/.exec(message);
  if (/too big/i.test(message) && big) return `must be at most ${big[1]}`;
  if (/int/i.test(message)) return 'must be a whole number';
  return message;
}
