export const PAGES = [
  { id: 'library', label: 'Library', key: '1' },
  { id: 'models', label: 'Models', key: '2' },
  { id: 'train', label: 'Train', key: '3' },
  { id: 'compose', label: 'Compose', key: '4' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];

function pageFromHash(hash: string): PageId {
  const id = hash.replace(/^#\/?/, '');
  return PAGES.find((p) => p.id === id)?.id ?? 'library';
}

/** Hash routing, so a reload (or a bookmark in the web studio) returns to the same page. */
class Router {
  page = $state<PageId>(pageFromHash(location.hash));

  constructor() {
    window.addEventListener('hashchange', () => (this.page = pageFromHash(location.hash)));
  }

  go(page: PageId): void {
    if (location.hash !== `#/${page}`) location.hash = `#/${page}`;
    this.page = page;
  }
}

export const router = new Router();
