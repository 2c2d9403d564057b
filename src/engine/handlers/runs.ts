import type { NamespaceHandlers } from './types';

export const runHandlers: NamespaceHandlers<'runs'> = {
  'runs.list': ({ modelId }, { store }) => store.runs.runs(modelId),
  'runs.metrics': ({ runId }, { store }) => {
    store.runs.run(runId);
    return store.runs.metrics(runId);
  },
  'runs.checkpoints': ({ runId }, { store }) => {
    store.runs.run(runId);
    return store.runs.checkpoints(runId);
  },
};
