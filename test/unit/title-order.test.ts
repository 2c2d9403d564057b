import { describe, expect, it } from 'vitest';
import { titleOrderKey } from '../../src/engine/store/title-order';

const sorted = (titles: string[]) => [...titles].sort((a, b) => (titleOrderKey(a) < titleOrderKey(b) ? -1 : titleOrderKey(a) > titleOrderKey(b) ? 1 : 0));

describe('title order (numbers by value, letters without case)', () => {
  it('puts jigs2 before jigs10 and jigs100, and Prelude 9 before Prelude 10', () => {
    expect(sorted(['jigs100', 'jigs10', 'jigs2', 'jigs1'])).toEqual(['jigs1', 'jigs2', 'jigs10', 'jigs100']);
    expect(sorted(['Prelude 10 in E minor', 'Prelude 9 in E major', 'prelude 1'])).toEqual(['prelude 1', 'Prelude 9 in E major', 'Prelude 10 in E minor']);
  });
  it('reads leading zeros as the same number, and sorts numbers past nine digits by value', () => {
    expect(titleOrderKey('Op. 007')).toBe(titleOrderKey('op. 7'));
    expect(sorted(['BWV 12345678901', 'BWV 999999999', 'BWV 2'])).toEqual(['BWV 2', 'BWV 999999999', 'BWV 12345678901']);
  });
  it('keeps letters in alphabetical order whatever their case, numbers before words', () => {
    expect(sorted(['banish misfortune', 'Air 2', 'Alouette', 'air 10'])).toEqual(['Air 2', 'air 10', 'Alouette', 'banish misfortune']);
  });
});
