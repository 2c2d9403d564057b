/**
 * Reading a file a musician named without trusting what the name points at: only a regular file
 * is read (a FIFO would block forever, `/dev/zero` never ends, and both report size 0), and never
 * more than the cap plus one byte, whatever its size said when it was looked at.
 */
import fs from 'node:fs';
import { EtudeError } from '../../shared/errors';

// Opening a FIFO for reading waits for a writer; non-blocking, it opens at once and fstat tells what it is.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

export const megabytes = (bytes: number) => `${Math.round((bytes / 2 ** 20) * 10) / 10} MB`;

/** The file's bytes; refused with a sentence when it is not a regular file or holds more than `cap` bytes. */
export function readRegularFile(file: string, cap: number): Buffer {
  const fd = fs.openSync(file, OPEN_FLAGS);
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) throw new EtudeError('invalid_input', 'is a folder');
    if (!stat.isFile()) throw new EtudeError('invalid_input', 'is not a regular file (a device, a pipe or a socket), so it is not read');
    if (stat.size > cap) throw new EtudeError('invalid_input', `file is ${megabytes(stat.size)}, over the ${megabytes(cap)} limit`);
    // The size can change between fstat and read: read at most one byte past the cap, and refuse if it is there.
    const chunks: Buffer[] = [];
    let total = 0;
    let chunk = Buffer.allocUnsafe(Math.min(cap + 1, Math.max(stat.size + 1, 64 * 1024)));
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, Math.min(chunk.length, cap + 1 - total), null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > cap) throw new EtudeError('invalid_input', `file is over the ${megabytes(cap)} limit`);
      chunk = Buffer.allocUnsafe(Math.min(cap + 1 - total, 1024 * 1024));
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}
