import type { MethodName, MethodResult, ParsedInput } from '../../shared/api';
import type { EngineContext } from '../context';

export type Handlers = {
  [M in MethodName]: (input: ParsedInput<M>, ctx: EngineContext) => Promise<MethodResult<M>> | MethodResult<M>;
};
