import { describe, expect, it } from 'vitest';
import { EscapeModel } from '../../src/engine/encode/escape';

describe('the escape distribution for tokens a vocabulary lacks', () => {
  it('is a proper distribution over texts: texts of up to two bytes hold what its end mark leaves', () => {
    const escape = EscapeModel.fit(['<pad>', 'Pitch_60', 'Pitch_62', 'Dur_4', 'Bar']);
    // q(text) = Π q(byte) · q(end); over all texts of length ≤ n it sums to 1 − (1 − q(end))^(n+1).
    const end = Math.exp(-escape.nats(''));
    let sum = end;
    const byte = (b: number) => String.fromCharCode(b);
    // Only ASCII bytes are texts of one byte each; the others are part of longer UTF-8 texts, so
    // sum ASCII texts of length 1 and 2 and compare with the same formula over ASCII bytes alone.
    const ascii = Array.from({ length: 128 }, (_, b) => Math.exp(-escape.nats(byte(b))) / end);
    const share = ascii.reduce((a, b) => a + b, 0);
    for (const one of ascii) sum += one * end;
    for (const a of ascii) for (const b of ascii) sum += a * b * end;
    expect(sum).toBeCloseTo(end * (1 + share + share * share), 10);
    expect(share).toBeLessThan(1 - end);
    expect(sum).toBeLessThan(1);
  });

  it('prices a text by its bytes: common letters cheap, unseen ones dear, longer texts dearer', () => {
    const escape = EscapeModel.fit(['Pitch_60', 'Pitch_61', 'Pitch_62', 'Pitch_63']);
    expect(escape.nats('Pitch_64')).toBeLessThan(escape.nats('Qzxwv_64'));
    expect(escape.nats('Pitch_64')).toBeLessThan(escape.nats('Pitch_6464'));
    expect(escape.nats('Pitch_64')).toBeGreaterThan(0);
    // Special tokens teach it nothing.
    expect(EscapeModel.fit(['<pad>', 'A']).nats('A')).toBe(EscapeModel.fit(['A']).nats('A'));
  });
});
