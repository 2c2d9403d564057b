import { describe, expect, it } from 'vitest';
import { isMethodName, methodInputs } from '../../src/shared/api';

describe('API contract', () => {
  it('knows its methods and nothing inherited from Object', () => {
    expect(isMethodName('engine.info')).toBe(true);
    expect(isMethodName('engine.ping')).toBe(true);
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty', '', 42, null]) {
      expect(isMethodName(name)).toBe(false);
    }
  });

  it('rejects unknown keys and wrong types at the boundary', () => {
    expect(methodInputs['engine.info'].safeParse({}).success).toBe(true);
    expect(methodInputs['engine.info'].safeParse({ extra: 1 }).success).toBe(false);
    expect(methodInputs['engine.ping'].safeParse({ echo: 'hi' }).success).toBe(true);
    expect(methodInputs['engine.ping'].safeParse({ echo: 7 }).success).toBe(false);
    expect(methodInputs['engine.ping'].safeParse({ echo: 'x'.repeat(1001) }).success).toBe(false);
  });
});
