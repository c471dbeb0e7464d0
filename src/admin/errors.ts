import type { z } from 'zod';

/**
 * Errors of the admin API and the console. The body is `{ error, error_description, fields? }`: `fields` names each
 * invalid field with a message a person can act on, so the console shows it next to the field.
 */
export type AdminErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'access_denied' | 'not_found' | 'conflict';

export class AdminError extends Error {
  readonly status: number;
  readonly code: AdminErrorCode;
  readonly description: string;
  readonly fields: Readonly<Record<string, string>> | undefined;

  constructor(status: number, code: AdminErrorCode, description: string, fields?: Record<string, string>) {
    super(description);
    this.status = status;
    this.code = code;
    this.description = description;
    this.fields = fields;
  }

  override get name(): string {
    return `AdminError(${this.code})`;
  }

  toJSON(): { error: AdminErrorCode; error_description: string; fields?: Readonly<Record<string, string>> } {
    return { error: this.code, error_description: this.description, ...(this.fields ? { fields: this.fields } : {}) };
  }
}

/** 422: the request is well-formed JSON but some fields are not acceptable. */
export const invalidFields = (fields: Record<string, string>): AdminError =>
  new AdminError(422, 'invalid_request', `invalid ${Object.keys(fields).join(', ')}`, fields);

export const notFound = (what: string): AdminError => new AdminError(404, 'not_found', `${what} not found`);

/** 409: the request contradicts the current state (a taken id, a built-in entity, the last administrator). */
export const conflict = (description: string, fields?: Record<string, string>): AdminError => new AdminError(409, 'conflict', description, fields);

/** One entry per field, naming each problem with it; an item of a list is named by its position. */
export function fieldsFromZod(error: z.ZodError): Record<string, string> {
  // No prototype: a field named `toString` or `constructor` is an unknown field to name, not a method to call.
  const fields = Object.create(null) as Record<string, string>;
  const add = (key: string, message: string) => {
    const previous = fields[key];
    // Several problems with one field (two bad redirect URIs) are all named.
    if (previous === undefined) fields[key] = message;
    else if (!previous.split('; ').includes(message)) fields[key] = `${previous}; ${message}`;
  };
  for (const issue of error.issues) {
    // A member of a nested object is named by its dotted path (claims.address.locality).
    const named = issue.path.findIndex((p) => typeof p !== 'string');
    const key = (named === -1 ? issue.path : issue.path.slice(0, named)).map(String).join('.');
    const index = named === -1 ? undefined : issue.path[named];
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) add(key === '' ? k : `${key}.${k}`, 'is not a known field');
      continue;
    }
    add(key === '' ? 'body' : key, typeof index === 'number' ? `item ${index + 1}: ${issue.message}` : issue.message);
  }
  return fields;
}

/** Parses with `schema`, or throws a 422 naming each invalid field. */
export function parseOr422<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidFields(fieldsFromZod(result.error));
  return result.data;
}
