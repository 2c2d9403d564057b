/** Seeded mutations of real files, for the fuzz campaigns: the damage a disk, a download or an attacker does. */
import { seededRandom } from '../../shared/random';

export type Random = () => number;

export function randomOf(seed: number): Random {
  return seededRandom(seed);
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: Random, below: number) => Math.floor(random() * below);

/** A MIDI file damaged one to a few ways: flipped bits, lying lengths, inflated delta times, odd headers, cut short. */
export function mutateMidi(original: Uint8Array, random: Random): Uint8Array {
  let bytes = Uint8Array.from(original);
  const rounds = 1 + int(random, 3);
  for (let r = 0; r < rounds; r++) {
    const at = int(random, Math.max(1, bytes.length));
    switch (int(random, 10)) {
      case 0: // flip a few bits
        for (let i = 0; i < 1 + int(random, 8); i++) bytes[int(random, bytes.length)]! ^= 1 << int(random, 8);
        break;
      case 1: // a byte set to an extreme
        bytes[at] = pick(random, [0x00, 0x7f, 0x80, 0xff, 0xf0, 0xf7, 0x90, 0xff]);
        break;
      case 2: // cut short
        bytes = bytes.subarray(0, at);
        break;
      case 3: {
        // a chunk length that lies
        const chunk = findChunk(bytes, random);
        if (chunk >= 0) new DataView(bytes.buffer, bytes.byteOffset).setUint32(chunk + 4, pick(random, [0, 1, 0x7fffffff, 0xffffffff, int(random, 1 << 20)]));
        break;
      }
      case 4: {
        // a delta time inflated to the largest variable-length number
        const out = new Uint8Array(bytes.length + 4);
        out.set(bytes.subarray(0, at));
        out.set([0xff, 0xff, 0xff, 0x7f], at);
        out.set(bytes.subarray(at), at + 4);
        bytes = out;
        break;
      }
      case 5: // the time division: zero, SMPTE of any kind, one tick a quarter
        if (bytes.length >= 14) new DataView(bytes.buffer, bytes.byteOffset).setUint16(12, pick(random, [0, 1, 0x8000 | int(random, 0x7fff), 0xe328, 0xe728, 0xffff]));
        break;
      case 6: // the format and the track count
        if (bytes.length >= 12) {
          const view = new DataView(bytes.buffer, bytes.byteOffset);
          view.setUint16(8, int(random, 4));
          view.setUint16(10, pick(random, [0, 1, 2, 0xffff, int(random, 64)]));
        }
        break;
      case 7: {
        // a slice repeated many times (floods of events)
        const from = int(random, bytes.length);
        const slice = bytes.slice(from, Math.min(bytes.length, from + 1 + int(random, 16)));
        const copies = 1 + int(random, 2000);
        const out = new Uint8Array(bytes.length + slice.length * copies);
        out.set(bytes.subarray(0, from));
        for (let c = 0; c < copies; c++) out.set(slice, from + c * slice.length);
        out.set(bytes.subarray(from), from + slice.length * copies);
        bytes = out;
        break;
      }
      case 8: {
        // random bytes inserted
        const junk = Uint8Array.from({ length: 1 + int(random, 64) }, () => int(random, 256));
        const out = new Uint8Array(bytes.length + junk.length);
        out.set(bytes.subarray(0, at));
        out.set(junk, at);
        out.set(bytes.subarray(at), at + junk.length);
        bytes = out;
        break;
      }
      default: // a meta event's length inflated
        for (let i = 0; i + 2 < bytes.length; i++) {
          if (bytes[i] === 0xff && random() < 0.2) {
            bytes[i + 2] = pick(random, [0x7f, 0xff, 0x81]);
            break;
          }
        }
    }
  }
  return bytes;
}

function findChunk(bytes: Uint8Array, random: Random): number {
  const starts: number[] = [];
  for (let i = 0; i + 8 <= bytes.length; i++) if (bytes[i] === 0x4d && bytes[i + 1] === 0x54 && (bytes[i + 2] === 0x72 || bytes[i + 2] === 0x68)) starts.push(i);
  return starts.length === 0 ? -1 : pick(random, starts);
}

const ABC_JUNK = ['C9999999', 'z99999', 'M:0/0', 'M:1/0', 'M:99999/1', 'L:1/0', 'L:0/1', 'Q:1/4=0', 'Q:1/4=999999', 'K:', 'K:none', '[C9999E9999G9999]', '(9:8:7', '|:|:|:|:', '::::', '"^', '!f!!ff!!fff!', 'X:', '\u0000', '\uffff', '%%MIDI program 999'];

/** An ABC tune book damaged one to a few ways: junk written in, numbers inflated, lines repeated or dropped. */
export function mutateAbc(original: string, random: Random): string {
  let lines = original.split('\n');
  const rounds = 1 + int(random, 3);
  for (let r = 0; r < rounds; r++) {
    const at = int(random, Math.max(1, lines.length));
    switch (int(random, 7)) {
      case 0:
        lines.splice(at, 0, pick(random, ABC_JUNK));
        break;
      case 1: // a number inflated
        lines[at] = (lines[at] ?? '').replace(/\d+/, (d) => d + '9'.repeat(1 + int(random, 7)));
        break;
      case 2: // a line repeated many times (long tunes)
        lines.splice(at, 0, ...Array.from({ length: 1 + int(random, 400) }, () => lines[at] ?? ''));
        break;
      case 3:
        lines.splice(at, 1);
        break;
      case 4: {
        // characters replaced
        const line = [...(lines[at] ?? '')];
        for (let i = 0; i < 1 + int(random, 6) && line.length > 0; i++) line[int(random, line.length)] = pick(random, ['|', ':', '[', ']', '(', ')', '/', '^', '_', '=', ',', "'", '9', '{', '}', '"', '!']);
        lines[at] = line.join('');
        break;
      }
      case 5: // a field's value replaced
        lines = lines.map((l) => (random() < 0.1 && /^[MLQK]:/.test(l) ? `${l.slice(0, 2)}${pick(random, ['0/0', '1/0', '99999/1', '', '-1', '1/4=0', 'none', 'C|', '7/8'])}` : l));
        break;
      default: // cut short
        lines = lines.slice(0, at);
    }
  }
  return lines.join('\n');
}
