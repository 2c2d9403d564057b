import { architectureHandlers } from './architectures';
import { corporaHandlers } from './corpora';
import { encodingHandlers } from './encodings';
import { engineHandlers } from './engine';
import { generationHandlers } from './generations';
import { libraryHandlers } from './library';
import { modelHandlers } from './models';
import { pieceHandlers } from './pieces';
import { runHandlers } from './runs';
import { trainingHandlers } from './training';
import type { Handlers } from './types';
import { vocabularyHandlers } from './vocabularies';

export type { Handlers } from './types';

/** One handler per API method, one file per namespace; the types make a missing or misplaced handler a compile error. */
export const handlers: Handlers = {
  ...engineHandlers,
  ...corporaHandlers,
  ...pieceHandlers,
  ...encodingHandlers,
  ...vocabularyHandlers,
  ...architectureHandlers,
  ...trainingHandlers,
  ...runHandlers,
  ...modelHandlers,
  ...generationHandlers,
  ...libraryHandlers,
};
