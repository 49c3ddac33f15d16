import { ZodTypeAny } from 'zod';
import { ConfigError, loadConfig } from '../../../src/config';
import { configSchema } from '../../../src/config/config.schema';

/** The schema under its defaults, optionals and refinements. */
function innermost(schema: ZodTypeAny): ZodTypeAny {
  const def = schema._def as { innerType?: ZodTypeAny; schema?: ZodTypeAny };
  const inner = def.innerType ?? def.schema;
  return inner ? innermost(inner) : schema;
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('hints for numbers that are not numbers', () => {
  const numeric = Object.entries(configSchema.shape)
    .filter(([, schema]) => innermost(schema as ZodTypeAny)._def.typeName === 'ZodNumber')
    .map(([name]) => name);

  it('finds the numeric variables (PORT among them)', () => {
    expect(numeric).toEqual(expect.arrayContaining(['PORT', 'AUTH_REQUEST_TTL_SECONDS', 'GRAPHQL_MAX_DEPTH']));
    expect(numeric.length).toBeGreaterThan(20);
  });

  it('says "PORT must be a number" for PORT=abc', () => {
    expect(problemsOf({ PORT: 'abc' })).toEqual(['PORT must be a number (got "abc")']);
  });

  it('says "<NAME> must be a number" for every numeric variable, and nothing else', () => {
    for (const name of numeric) expect(problemsOf({ [name]: 'twelve' })).toEqual([`${name} must be a number (got "twelve")`]);
  });

  it('cuts a long value short', () => {
    const [problem] = problemsOf({ PORT: 'x'.repeat(500) });
    expect(problem).toBe(`PORT must be a number (got "${'x'.repeat(20)}…")`);
  });

  it('keeps the range message for a number out of range', () => {
    expect(problemsOf({ PORT: '70000' })).toEqual([expect.stringMatching(/^PORT: Number must be less than or equal to 65535$/)]);
  });
});
