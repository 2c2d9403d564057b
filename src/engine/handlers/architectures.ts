import { architectureInfos } from '../models/registry';
import type { NamespaceHandlers } from './types';

export const architectureHandlers: NamespaceHandlers<'architectures'> = {
  'architectures.list': () => architectureInfos(),
};
