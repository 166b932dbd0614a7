// Building blocks of the bundle schemas, each with its one-line message.
import * as path from 'path';
import { z } from 'zod';
import { kindOf } from './parse';

/** A string matching `re`, else `"<value>" is not <what>`. */
export function matching(re: RegExp, what: string): z.ZodString {
  return z.string().regex(re, { error: (iss) => `${kindOf(iss.input)} is not ${what}` });
}

/** A non-empty string. */
export const text = z.string().min(1);

/** An absolute path, normalized. */
export const absolutePath = z
  .string()
  .min(1)
  .refine((v) => path.isAbsolute(v), { error: (iss) => `must be an absolute path, got ${kindOf(iss.input)}` })
  .transform((v) => path.normalize(v));

/** A whole number >= `min`. */
export function count(min: number): z.ZodNumber {
  return z.number().int().min(min);
}
