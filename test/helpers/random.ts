// The studio's own seeded PRNG, so fuzz runs are reproducible.
export { seededRandom as seeded } from '../../src/shared/random';
