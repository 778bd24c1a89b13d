import type { z } from 'zod';
import { AppError } from '../errors.js';

/** Parses a request body (or query) with a zod schema; a mismatch is a 400 naming every field. */
export function validate<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  if (value === undefined || value === null) {
    throw new AppError('BAD_REQUEST', 400, 'A JSON object body is required.');
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
  }));
  const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  throw new AppError('VALIDATION_FAILED', 400, `Invalid request: ${summary}.`, { details });
}
