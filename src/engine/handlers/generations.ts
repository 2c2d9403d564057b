import { exportGenerations, writeExports } from '../export/generations';
import type { NamespaceHandlers } from './types';

export const generationHandlers: NamespaceHandlers<'generations'> = {
  async 'generations.generate'(input, ctx) {
    const g = await ctx.generation.generate(input);
    ctx.emit('generations.changed', { modelId: g.modelId });
    return g;
  },
  'generations.cancel': ({ jobId, keep }, ctx) => ({ cancelled: ctx.generation.cancel(jobId, keep === true) }),
  'generations.list': ({ modelId, starred }, { store }) => store.generations.list({ ...(modelId ? { modelId } : {}), ...(starred !== undefined ? { starred } : {}) }),
  'generations.get': ({ id }, { store }) => store.generations.get(id),
  'generations.rename': ({ id, name }, ctx) => {
    const g = ctx.store.generations.rename(id, name);
    ctx.emit('generations.changed', { modelId: g.modelId });
    return g;
  },
  'generations.star': ({ id, starred }, ctx) => {
    const g = ctx.store.generations.star(id, starred);
    ctx.emit('generations.changed', { modelId: g.modelId });
    return g;
  },
  'generations.starTake': ({ id, take, starred }, ctx) => {
    const g = ctx.store.generations.starTake(id, take, starred);
    ctx.emit('generations.changed', { modelId: g.modelId });
    return g;
  },
  'generations.delete': ({ id }, ctx) => {
    const { modelId } = ctx.store.generations.get(id);
    ctx.store.generations.delete(id);
    ctx.emit('generations.changed', { modelId });
    return { deleted: true as const };
  },
  'generations.export': (request, { store }) => ({
    files: exportGenerations(store, request).map((f) => ({ name: f.name, data: Buffer.from(f.bytes).toString('base64'), sidecar: f.sidecar })),
  }),
  'generations.exportToFolder': ({ folder, ...request }, { store }) => ({ files: writeExports(folder, exportGenerations(store, request)) }),
  'generations.check': ({ id, threshold }, ctx) => ctx.originality.check(id, threshold),
  async 'generations.regenerate'({ id, take, seed, jobId }, ctx) {
    const g = await ctx.generation.regenerate(id, take, seed, jobId);
    ctx.emit('generations.changed', { modelId: g.modelId });
    return g;
  },
};
