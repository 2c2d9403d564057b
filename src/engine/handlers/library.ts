import type { NamespaceHandlers } from './types';
import { damageWords } from '../library/service';

export const libraryHandlers: NamespaceHandlers<'library'> = {
  'library.status'(_input, ctx) {
    return ctx.library.status();
  },

  async 'library.backup'(_input, ctx) {
    const outcome = await ctx.library.backup('manual');
    return outcome.made ? { made: true, backup: outcome.backup, seconds: outcome.seconds } : outcome;
  },

  async 'library.check'(_input, ctx) {
    const check = await ctx.library.fullCheck();
    if ('unreadable' in check) return { ok: false, problems: [check.unreadable], seconds: 0 };
    return { ok: check.ok, problems: damageWords(check), seconds: check.seconds };
  },

  'library.restore'(input, ctx) {
    return ctx.library.requestRestore(input.backup);
  },

  'library.rescue'(input, ctx) {
    return ctx.library.rescue(input.folder, input.rebuild);
  },

  'library.cancelRestore'(_input, ctx) {
    return ctx.library.cancelRestore();
  },

  'library.setBackupsKept'(input, ctx) {
    ctx.store.setSetting('backups.keep', String(input.keep));
    return ctx.library.status();
  },
};
