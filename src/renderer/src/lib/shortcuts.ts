import { PAGES, router } from './stores/router.svelte';

function typingInto(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

/**
 * Studio-wide keys: 1–4 switch pages (as Ctrl/Cmd+1–4 does in the desktop app); digits typed into a
 * field stay in the field.
 */
export function handleGlobalKey(event: KeyboardEvent): void {
  if (event.altKey || event.shiftKey || typingInto(event.target)) return;
  const page = PAGES.find((p) => p.key === event.key);
  if (!page) return;
  const modified = event.ctrlKey || event.metaKey;
  if (modified && !window.etude) return; // in a browser, Ctrl+digit belongs to the browser's tabs
  event.preventDefault();
  router.go(page.id);
}
