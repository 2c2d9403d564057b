import { describe, expect, it } from 'vitest';
import { EtudeError, isErrorKind, toErrorData } from '../../src/shared/errors';
import { isReply, unwrapReply } from '../../src/shared/reply';

describe('errors and replies', () => {
  it('keeps the kind and issues of an EtudeError', () => {
    const data = toErrorData(new EtudeError('invalid_input', 'bad', [{ path: 'x', message: 'too big' }]));
    expect(data).toEqual({ kind: 'invalid_input', message: 'bad', issues: [{ path: 'x', message: 'too big' }] });
  });

  it('marks unexpected errors as internal but keeps their message', () => {
    expect(toErrorData(new TypeError('boom'))).toEqual({ kind: 'internal', message: 'boom' });
    expect(toErrorData('plain string')).toEqual({ kind: 'internal', message: 'plain string' });
  });

  it('unwraps a successful reply and throws the typed error of a failed one', () => {
    expect(unwrapReply({ ok: true, value: 3 })).toBe(3);
    try {
      unwrapReply({ ok: false, error: { kind: 'not_found', message: 'no such corpus' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(EtudeError);
      expect((err as EtudeError).kind).toBe('not_found');
      expect((err as EtudeError).message).toBe('no such corpus');
    }
  });

  it('recognises replies and rejects other shapes', () => {
    expect(isReply({ ok: true, value: null })).toBe(true);
    expect(isReply({ ok: false, error: { kind: 'internal', message: '' } })).toBe(true);
    expect(isReply({ ok: true })).toBe(false);
    expect(isReply({ ok: false, error: 'x' })).toBe(false);
    expect(isReply(null)).toBe(false);
    expect(isErrorKind('conflict')).toBe(true);
    expect(isErrorKind('nonsense')).toBe(false);
  });
});
