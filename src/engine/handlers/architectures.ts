import { architectureInfos } from '../models/registry';
import type { Handlers } from './types';

export const architectureHandlers: Pick<Handlers, 'architectures.list'> = {
  'architectures.list': () => architectureInfos(),
};
