import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A real small disk (a tmpfs the test mounts), filled and emptied on purpose; null where mounting is not allowed. */
export interface SmallDisk {
  dir: string;
  /** Fills the disk until only about `leaveBytes` are free. */
  fill(leaveBytes?: number): void;
  /** Frees what `fill` took. */
  free(): void;
  freeBytes(): number;
  unmount(): void;
}

export function mountSmallDisk(megabytes: number): SmallDisk | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-small-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
  const filler = path.join(dir, 'filler');
  const freeBytes = () => {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    freeBytes,
    fill(leaveBytes = 0) {
      const fd = fs.openSync(filler, 'a');
      try {
        const chunk = Buffer.alloc(64 * 1024);
        while (freeBytes() > leaveBytes + chunk.length) fs.writeSync(fd, chunk);
        // To the last byte: small writes until the disk refuses.
        if (leaveBytes === 0) {
          const small = Buffer.alloc(512);
          for (;;) fs.writeSync(fd, small);
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        fs.closeSync(fd);
      }
    },
    free() {
      fs.rmSync(filler, { force: true });
    },
    unmount() {
      spawnSync('umount', ['-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
