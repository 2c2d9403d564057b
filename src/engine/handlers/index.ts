import { corpusHandlers } from './corpus';
import { engineHandlers } from './engine';
import type { Handlers } from './types';
import { vocabHandlers } from './vocab';
import { trainingHandlers } from './training';
import { generateHandlers } from './generate';
import { modelHandlers } from './models';
import { architectureHandlers } from './architectures';

export type { Handlers } from './types';

/** One handler per API method; the type makes a missing handler a compile error. */
export const handlers: Handlers = { ...engineHandlers, ...corpusHandlers, ...vocabHandlers, ...architectureHandlers, ...trainingHandlers, ...modelHandlers, ...generateHandlers };
