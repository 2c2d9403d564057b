import type { Migration } from './types';

/**
 * Style models as things a musician keeps, copies and shares: where a model came from (trained
 * here, duplicated, fine-tuned, imported), the checkpoint chosen for generation, the checkpoint a
 * run starts from (continuing or fine-tuning), the machine a run trained on, and the corpus's own
 * hash on each vocabulary (for the model card). An imported model keeps the card it came with
 * (its history on the machine that trained it).
 */
export const migration0006: Migration = {
  version: 6,
  name: 'model lineage and sharing',
  up(db) {
    db.exec(`
      ALTER TABLE models ADD COLUMN origin TEXT;
      ALTER TABLE models ADD COLUMN imported_card TEXT;
      ALTER TABLE models ADD COLUMN generation_checkpoint_id INTEGER REFERENCES checkpoints(id) ON DELETE SET NULL;
      ALTER TABLE runs ADD COLUMN init_checkpoint_id INTEGER REFERENCES checkpoints(id) ON DELETE SET NULL;
      ALTER TABLE runs ADD COLUMN init TEXT;
      ALTER TABLE runs ADD COLUMN machine TEXT;
      ALTER TABLE vocabularies ADD COLUMN corpus_hash TEXT;
    `);
  },
};
