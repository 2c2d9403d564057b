/**
 * The escape distribution for tokens a vocabulary lacks: a token the model can only call <unk>
 * is scored as p(<unk>) times this distribution's probability of the token's text, so a likelihood
 * never credits <unk> as if it were the music. Bytes of the text one by one, then an end mark, each
 * by its frequency among the vocabulary's tokens (add-one over every byte): a proper distribution
 * over all texts, whatever the encoding.
 */
const END = 256;

export class EscapeModel {
  private readonly logP: Float64Array;

  private constructor(counts: Float64Array) {
    const total = counts.reduce((a, b) => a + b, 0);
    this.logP = counts.map((c) => Math.log(c / total));
  }

  /** Fitted on the vocabulary's own tokens (special tokens left out), each once. */
  static fit(tokens: readonly string[]): EscapeModel {
    const counts = new Float64Array(END + 1).fill(1);
    const encoder = new TextEncoder();
    for (const token of tokens) {
      if (token.startsWith('<')) continue;
      for (const b of encoder.encode(token)) counts[b]!++;
      counts[END]!++;
    }
    return new EscapeModel(counts);
  }

  /** −log q(token): its bytes, then the end. */
  nats(token: string): number {
    let nats = -this.logP[END]!;
    for (const b of new TextEncoder().encode(token)) nats -= this.logP[b]!;
    return nats;
  }
}
