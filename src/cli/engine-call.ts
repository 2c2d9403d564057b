import { Engine } from '../engine/engine';
import type { EventMessage, MethodInput, MethodName, MethodResult } from '../shared/api';
import { unwrapReply } from '../shared/reply';
import type { CorpusSummary } from '../shared/library';
import type { ModelInfo } from '../shared/training';

/** Opens the engine on the command's database for the length of `fn`, and always closes it. */
export async function withEngine<T>(dbPath: string, fn: (call: EngineCaller, engine: Engine) => Promise<T>): Promise<T> {
  const engine = await Engine.start({ dbPath });
  try {
    const call: EngineCaller = async (method, input) => unwrapReply(await engine.call(method, input)) as never;
    return await fn(call, engine);
  } finally {
    await engine.close();
  }
}

export type EngineCaller = <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<MethodResult<M>>;
export type { EventMessage };

/** The corpus of that name (any case), or a one-line error naming it. */
export async function corpusNamed(call: EngineCaller, name: string): Promise<CorpusSummary> {
  const corpus = (await call('corpora.list', {})).find((c) => c.name.toLowerCase() === name.trim().toLowerCase());
  if (!corpus) throw new Error(`no corpus named "${name}"`);
  return corpus;
}

/** The model of that name (any case), or a one-line error naming it. */
export async function modelNamed(call: EngineCaller, name: string): Promise<ModelInfo> {
  const model = (await call('models.list', {})).find((m) => m.name.toLowerCase() === name.trim().toLowerCase());
  if (!model) throw new Error(`no model named "${name}"`);
  return model;
}
