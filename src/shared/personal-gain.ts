/** How much better a personalised model predicts the musician's held-out pieces than the base it started from. */
export interface PersonalGain {
  base: string;
  /** Held-out pieces of the model's corpus both were scored on (the model never trained on them). */
  pieces: number;
  /** −log p per step of those pieces, the model's and the base's (same encoding, same steps). */
  natsPerStep: number;
  baseNatsPerStep: number;
  /** 1 − mine / base: the share of the base's surprise at the pieces that personalising took away (negative: worse). */
  better: number;
}

/** The card's sentence: words and one number. */
export function personalGainInWords(g: PersonalGain): string {
  // One or two pieces make a rough figure: said, so a musician does not read too much into it.
  const pieces = g.pieces < 3 ? `the ${g.pieces === 1 ? 'one piece' : 'two pieces'} of yours it never trained on (a rough figure: more pieces make a firmer one)` : `${g.pieces} of your pieces it never trained on`;
  const pct = Math.round(Math.abs(g.better) * 100);
  if (pct === 0) return `On ${pieces}, it predicts the music about as well as ${g.base} did: personalising has not helped yet.`;
  return g.better > 0
    ? `On ${pieces}, it predicts the music ${pct}% better than ${g.base} did: it has learned something of your style.`
    : `On ${pieces}, it predicts the music ${pct}% worse than ${g.base} did: train it longer, or on more pieces.`;
}
