/** Display helpers shared by the studio's pages. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
}

export function formatClock(seconds: number): string {
  const s = Math.max(0, seconds);
  return `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;
}

const NAMES = ['C', 'C♯', 'D', 'E♭', 'E', 'F', 'F♯', 'G', 'A♭', 'A', 'B♭', 'B'];
export function pitchName(pitch: number | null): string {
  return pitch === null ? '–' : `${NAMES[pitch % 12]}${Math.floor(pitch / 12) - 1}`;
}

/** Bytes as the Models page shows sizes on disk. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 2 ** 20) return `${(bytes / 1024).toFixed(0)} KB`;
  if (bytes < 2 ** 30) return `${(bytes / 2 ** 20).toFixed(1)} MB`;
  return `${(bytes / 2 ** 30).toFixed(2)} GB`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A stored UTC time in the musician's local time, as short as it can be: "today 13:27", "1 Dec 13:27", "1 Dec 2025". */
export function formatWhen(iso: string, withTime = true, now = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const time = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
  const day = `${at.getDate()} ${MONTHS[at.getMonth()]}`;
  if (at.getFullYear() !== now.getFullYear()) return `${day} ${at.getFullYear()}`;
  if (!withTime) return day;
  return at.toDateString() === now.toDateString() ? `today ${time}` : `${day} ${time}`;
}

const STEPS: Record<string, number> = { c: 0, d: 2, e: 4, f: 5, g: 7, a: 9, b: 11 };

/** A note typed as a musician writes it ("C4", "F#5", "B♭2", "eb3") or as a MIDI number ("60"); null if neither. */
export function parsePitch(text: string): number | null {
  const t = text.trim();
  if (/^\d{1,3}$/.test(t)) return Number(t) <= 127 ? Number(t) : null;
  const m = /^([A-Ga-g])([#♯b♭]?)(-?\d)$/.exec(t);
  if (!m) return null;
  const accidental = m[2] === '#' || m[2] === '♯' ? 1 : m[2] === 'b' || m[2] === '♭' ? -1 : 0;
  const pitch = (Number(m[3]) + 1) * 12 + STEPS[m[1]!.toLowerCase()]! + accidental;
  return pitch >= 0 && pitch <= 127 ? pitch : null;
}
