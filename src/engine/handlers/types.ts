import type { MethodName, MethodResult, ParsedInput } from '../../shared/api';
import type { EngineContext } from '../context';

export type Handlers = {
  [M in MethodName]: (input: ParsedInput<M>, ctx: EngineContext) => Promise<MethodResult<M>> | MethodResult<M>;
};

/** The API's namespaces: the part of a method's name before the dot. */
export type Namespace = MethodName extends `${infer N}.${string}` ? N : never;

/** The handlers of one namespace, exactly: one file each, and a method of another namespace does not fit. */
export type NamespaceHandlers<N extends Namespace> = { [M in Extract<MethodName, `${N}.${string}`>]: Handlers[M] };
