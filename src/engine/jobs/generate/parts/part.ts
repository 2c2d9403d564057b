import type { Decoded } from '../decoding';

/**
 * What a representation brings to the one continuation loop: its model primed with the passage,
 * then rounds that sample every take's next step, and each take decoded so far.
 */
export interface ContinuationPart {
  /** Steps generated while priming (a token drawn to start from nothing). */
  readonly primedSteps: number;
  /** Rounds between checks of whether every take reached its target. */
  readonly checkEvery: number;
  /** Steps (tokens, notes, rows) take `v` holds. */
  steps(v: number): number;
  /** One round: every take's next step is sampled (a finished take draws too, keeping nothing); returns the steps a round makes. */
  round(finished: readonly boolean[]): number;
  decode(v: number): Decoded;
  /** What the part changed or could not honour, read when the loop ends. */
  notices(): string[];
  dispose(): void;
}

/** Called now and then while priming: throws when the generation was cancelled, and lets messages in. */
export type Breather = () => Promise<void>;
