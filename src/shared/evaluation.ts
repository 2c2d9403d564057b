/** How well a model predicts its held-out pieces, overall and by kind of token. */
export interface TokenTypeScore {
  type: string;
  /** Predictions of this kind of token in the validation windows. */
  tokens: number;
  share: number;
  /** Mean cross-entropy (nats) and perplexity (e^loss) of predicting this kind of token. */
  loss: number;
  perplexity: number;
  /** How often the most likely token was the right one. */
  accuracy: number;
}

export interface ModelEvaluation {
  modelId: number;
  checkpointId: number;
  epoch: number;
  /** Validation windows read and predictions scored. */
  windows: number;
  tokens: number;
  loss: number;
  perplexity: number;
  accuracy: number;
  byType: TokenTypeScore[];
  /** Models that predict several heads (seed 004) or reconstruct (the RBM) report their own losses here. */
  heads: Record<string, number> | null;
  seconds: number;
}
