import fs from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Damage as disks and sync tools do it, to a library on disk (never one a test did not make):
 * pages overwritten with noise, a BLOB's bytes flipped, a file cut short, a stray -wal.
 */

/** Folds the -wal into the file, so every page is where dbstat says it is. */
export function settle(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Page numbers of a table's pages of one kind ('leaf', 'internal', 'overflow'), read with SQLite's dbstat. */
export function pagesOf(file: string, table: string, pagetype: 'leaf' | 'internal' | 'overflow'): { pageSize: number; pages: number[] } {
  settle(file);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = db.prepare('SELECT pageno FROM dbstat WHERE name = ? AND pagetype = ? ORDER BY pageno').pluck().all(table, pagetype) as number[];
    return { pageSize, pages };
  } finally {
    db.close();
  }
}

/** Overwrites whole pages with noise (a seeded pattern, so a failure can be reproduced). */
export function overwritePages(file: string, pageSize: number, pages: number[], seed = 1): void {
  const fd = fs.openSync(file, 'r+');
  try {
    let x = seed;
    for (const p of pages) {
      const noise = Buffer.alloc(pageSize);
      for (let i = 0; i < pageSize; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        noise[i] = x >>> 24;
      }
      fs.writeSync(fd, noise, 0, pageSize, (p - 1) * pageSize);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Flips a few bytes in the middle of each of the given pages (BLOB contents: SQLite's checks do not read them). */
export function flipBytes(file: string, pageSize: number, pages: number[]): void {
  const fd = fs.openSync(file, 'r+');
  try {
    const b = Buffer.alloc(16);
    for (const p of pages) {
      const at = (p - 1) * pageSize + Math.floor(pageSize / 2);
      fs.readSync(fd, b, 0, 16, at);
      for (let i = 0; i < 16; i++) b[i] = b[i]! ^ 0x5a;
      fs.writeSync(fd, b, 0, 16, at);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Three pages of a table's rows overwritten: the case "database disk image is malformed" came from. */
export function damageTable(file: string, table: string, count = 3): number[] {
  const { pageSize, pages } = pagesOf(file, table, 'leaf');
  const chosen = pages.slice(0, count);
  overwritePages(file, pageSize, chosen);
  return chosen;
}
