/**
 * What the Train page says in words before Start: whether a time budget can do its job, and what
 * a base model's reading of the musician's corpus keeps. Pure functions of the engine's estimate,
 * so the page and the tests read the same sentences.
 */
import type { RoundTripReport } from './encoding';
import { spokenDuration } from './format';

/** Below this many epochs a model from scratch generates something close to noise (Compose says so too). */
export const BARELY_TRAINED_EPOCHS = 3;

/** The budgets the Train page offers, in minutes, smallest first. */
export const BUDGET_MINUTES = [2, 5, 10, 30, 60, 240] as const;

/** Share of a budget the planner fills with epochs (the rest absorbs a machine that slows down). */
const BUDGET_SHARE = 0.96;

export interface BudgetAdvice {
  /** 'no-pass': not one epoch fits; 'noise': fewer epochs than a model needs to be more than noise. */
  kind: 'no-pass' | 'noise';
  text: string;
  /** The smallest offered budget that would do, in minutes, or null when none would. */
  minutes: number | null;
}

/** Epochs that fit in a budget at this pace (0 when not even one does). */
export function epochsInBudget(secondsPerEpoch: number, budgetMinutes: number): number {
  return Math.floor((budgetMinutes * 60 * BUDGET_SHARE) / secondsPerEpoch);
}

const passes = (n: number) => `${n} pass${n === 1 ? '' : 'es'}`;

function minutesWords(minutes: number): string {
  return minutes >= 60 ? spokenDuration(minutes * 60) : `${minutes} minutes`;
}

/**
 * Null when the budget does its job; else the warning beside Start, with the budget that would.
 * Personalising a base needs one whole pass (it generates from the start); a model from scratch
 * needs BARELY_TRAINED_EPOCHS.
 */
export function budgetAdvice(secondsPerEpoch: number, budgetMinutes: number, personalising: boolean): BudgetAdvice | null {
  if (!(secondsPerEpoch > 0) || !(budgetMinutes > 0)) return null;
  const fits = epochsInBudget(secondsPerEpoch, budgetMinutes);
  const needed = personalising ? 1 : BARELY_TRAINED_EPOCHS;
  if (fits >= needed) return null;
  const enough = BUDGET_MINUTES.find((m) => epochsInBudget(secondsPerEpoch, m) >= needed) ?? null;
  const would = enough === null ? 'No budget offered here fits one; a smaller corpus would.' : `Give it ${minutesWords(enough)} (${passes(epochsInBudget(secondsPerEpoch, enough))}).`;
  if (fits === 0) {
    const what = personalising ? 'the model would stop part-way with nothing learned from your pieces: no validation, no audition' : 'the model would stop part-way and generate something close to noise';
    return { kind: 'no-pass', text: `${minutesWords(budgetMinutes)} cannot finish one pass over this corpus here (a pass takes about ${spokenDuration(secondsPerEpoch)}): ${what}. ${would}`, minutes: enough };
  }
  return {
    kind: 'noise',
    text: `${minutesWords(budgetMinutes)} gives ${passes(fits)} over this corpus: a new model needs at least ${needed} to be more than noise. ${would}`,
    minutes: enough,
  };
}

const share = (n: number, of: number) => `${Math.round((n / Math.max(1, of)) * 100)}%`;

/** What reading the corpus the way a base model hears music keeps and loses, in words. */
export function readingInWords(baseName: string, rt: RoundTripReport): string {
  if (rt.notes === 0) return `${baseName} finds no notes to read in this corpus.`;
  const moved = Math.max(0, rt.notes - rt.exact - rt.durationChanged);
  const parts = [`${share(rt.exact, rt.notes)} of your notes come back exactly`];
  if (rt.durationChanged > 0) parts.push(`${share(rt.durationChanged, rt.notes)} keep their pitch and start but not their length`);
  if (moved > 0) parts.push(`${share(moved, rt.notes)} move to its grid or are lost (finer timing, ornaments, notes it does not write)`);
  const verdict = rt.exact / rt.notes >= 0.9 ? 'It hears this music almost as written.' : rt.exact / rt.notes >= 0.6 ? 'It hears most of this music as written.' : 'It hears much of this music differently from how it is written: what it learns, and plays back, is the simplified version.';
  return `Read the way ${baseName} hears music, ${parts.join('; ')}. ${verdict}`;
}
