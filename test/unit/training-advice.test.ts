import { describe, expect, it } from 'vitest';
import { budgetAdvice, epochsInBudget, readingInWords } from '../../src/shared/training-advice';
import { personalGainInWords } from '../../src/shared/personal-gain';

describe('what the Train page says before Start', () => {
  it('a budget that cannot finish one pass says so, with the smallest offered budget that would', () => {
    // The piano corpus of issue 33: about 3 minutes a pass, a 2-minute budget.
    const advice = budgetAdvice(180, 2, true);
    expect(advice?.kind).toBe('no-pass');
    expect(advice?.minutes).toBe(5);
    expect(advice?.text).toMatch(/^2 minutes cannot finish one pass over this corpus here \(a pass takes about 3 min\): .*no validation, no audition\. Give it 5 minutes \(1 pass\)\.$/);
  });

  it('a new model with fewer passes than it needs to be more than noise is warned; a personalised one is not', () => {
    const advice = budgetAdvice(50, 2, false);
    expect(advice?.kind).toBe('noise');
    expect(advice?.text).toMatch(/^2 minutes gives 2 passes over this corpus: a new model needs at least 3 to be more than noise\. Give it 5 minutes \(5 passes\)\.$/);
    expect(budgetAdvice(50, 2, true)).toBeNull();
    expect(budgetAdvice(10, 2, false)).toBeNull();
  });

  it('names no budget when none offered would do', () => {
    const advice = budgetAdvice(5 * 3600, 240, true);
    expect(advice?.minutes).toBeNull();
    expect(advice?.text).toMatch(/No budget offered here fits one/);
  });

  it('counts only whole passes inside the budget share', () => {
    expect(epochsInBudget(60, 2)).toBe(1);
    expect(epochsInBudget(121, 2)).toBe(0);
  });

  it('what a reading loses, in words, from its round trip', () => {
    const text = readingInWords('Chorales and keyboard (base)', { notes: 1000, exact: 520, durationChanged: 300, lost: 150, added: 30, error: 0.48 });
    expect(text).toBe(
      'Read the way Chorales and keyboard (base) hears music, 52% of your notes come back exactly; 30% keep their pitch and start but not their length; 18% move to its grid or are lost (finer timing, ornaments, notes it does not write). It hears much of this music differently from how it is written: what it learns, and plays back, is the simplified version.',
    );
  });

  it('whether personalising helped, in words and one number', () => {
    const g = { base: 'Folk melodies (base)', pieces: 3, natsPerStep: 1.2, baseNatsPerStep: 2, better: 0.4 };
    expect(personalGainInWords(g)).toBe('On 3 of your pieces it never trained on, it predicts the music 40% better than Folk melodies (base) did: it has learned something of your style.');
    expect(personalGainInWords({ ...g, better: -0.1 })).toMatch(/10% worse than Folk melodies \(base\) did/);
    expect(personalGainInWords({ ...g, pieces: 1, better: -0.03 })).toBe(
      'On the one piece of yours it never trained on (a rough figure: more pieces make a firmer one), it predicts the music 3% worse than Folk melodies (base) did: train it longer, or on more pieces.',
    );
  });
});
