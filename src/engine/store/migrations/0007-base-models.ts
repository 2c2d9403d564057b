import type { Migration } from './types';

/**
 * Base models: the pretrained models the studio ships (`base_name`, their name in the catalog,
 * which installs and reinstalls them), and the base a personalised model grew from (`based_on`),
 * which generation blends with it.
 */
export const migration0007: Migration = {
  version: 7,
  name: 'base models',
  up(db) {
    db.exec(`
      ALTER TABLE models ADD COLUMN base_name TEXT;
      ALTER TABLE models ADD COLUMN based_on INTEGER REFERENCES models(id) ON DELETE SET NULL;
      CREATE UNIQUE INDEX models_base_name ON models(base_name) WHERE base_name IS NOT NULL;
    `);
  },
};
