import { encodingInfos } from '../encode/registry';
import type { NamespaceHandlers } from './types';

export const encodingHandlers: NamespaceHandlers<'encodings'> = {
  'encodings.list': () => encodingInfos(),
};
