// Reads a tool's input (JSON from a language model) into typed values, with a message that says
// what was wrong and what is expected. Models send strings for numbers and extra fields; both are
// handled here once, so every tool rejects bad input the same way (HeapscopeError 'usage').
import { HeapscopeError } from '../errors';

export type ToolInput = Record<string, unknown>;

export function asInput(tool: string, value: unknown): ToolInput {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new HeapscopeError('usage', `${tool}: the input must be a JSON object.`);
  return value as ToolInput;
}

export function optionalString(input: ToolInput, key: string, tool: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new HeapscopeError('usage', `${tool}: "${key}" must be a string.`);
  return value.trim() || undefined;
}

export function requiredString(input: ToolInput, key: string, tool: string): string {
  const value = optionalString(input, key, tool);
  if (value === undefined) throw new HeapscopeError('usage', `${tool}: "${key}" is required.`);
  return value;
}

/** An integer within [min, max]; a numeric string is accepted (models often quote numbers). */
export function optionalInteger(
  input: ToolInput,
  key: string,
  tool: string,
  range: { min: number; max: number },
): number | undefined {
  const raw = input[key];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max)
    throw new HeapscopeError(
      'usage',
      `${tool}: "${key}" must be a whole number from ${range.min} to ${range.max}, not ${JSON.stringify(raw)}.`,
    );
  return value;
}

export function optionalBoolean(input: ToolInput, key: string, tool: string): boolean | undefined {
  const raw = input[key];
  if (raw === undefined || raw === null) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (typeof raw !== 'boolean') throw new HeapscopeError('usage', `${tool}: "${key}" must be true or false.`);
  return raw;
}

export function optionalStringArray(
  input: ToolInput,
  key: string,
  tool: string,
  length: { min: number; max: number },
): string[] | undefined {
  const raw = input[key];
  if (raw === undefined || raw === null) return undefined;
  if (
    !Array.isArray(raw) ||
    raw.some((item) => typeof item !== 'string' || item === '') ||
    raw.length < length.min ||
    raw.length > length.max
  )
    throw new HeapscopeError(
      'usage',
      `${tool}: "${key}" must be a list of ${length.min === length.max ? length.min : `${length.min} to ${length.max}`} non-empty strings.`,
    );
  return raw as string[];
}
