import * as Tone from 'tone';
import { Instrument, type NoteToPlay } from './instrument';

export type PlayerNote = NoteToPlay;

export type PlayerState = 'idle' | 'loading' | 'playing' | 'paused';

const LOOKAHEAD_S = 0.3;
const TICK_MS = 25;
const START_DELAY_S = 0.08;

/**
 * Plays notes through Tone.js: the sampled piano (a synth where samples cannot be decoded) and
 * simple drum voices. A look-ahead scheduler hands notes to the audio clock a little ahead of time,
 * so a 10,000-note piece is never scheduled all at once and pausing stops at once.
 */
export class Player {
  state = $state<PlayerState>('idle');
  /** Seconds into the piece. */
  position = $state(0);
  instrument = $state<'piano' | 'synth' | null>(null);
  error = $state<string | null>(null);
  /** Notes handed to the audio clock since the last play (tests read it). */
  scheduled = $state(0);

  private notes: PlayerNote[] = [];
  private duration = 0;
  private next = 0;
  /** Start (seconds) of the last note handed to the audio clock. */
  private lastStart = -Infinity;
  private startedAt = 0;
  private from = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private frame = 0;
  private voice: Instrument | null = null;
  private loading: Promise<void> | null = null;

  /** Loads the instrument ahead of time, without sound (the first note then plays without waiting for samples). */
  prepare(): Promise<void> {
    return this.load().catch(() => undefined);
  }

  /** Loads the instrument once (the synth where the samples cannot be decoded). */
  private load(): Promise<void> {
    // Samples load into a suspended audio context; play() resumes it from the musician's gesture.
    this.loading ??= Instrument.create().then((instrument) => {
      this.voice = instrument;
      this.instrument = instrument.kind;
    });
    return this.loading;
  }

  /** Sets what plays next; stops what is playing. Notes must be sorted by start. */
  setNotes(notes: PlayerNote[], duration: number): void {
    this.stop();
    this.notes = notes;
    this.duration = duration;
    this.position = 0;
  }

  /**
   * Replaces the notes without stopping (a take still arriving): notes already handed to the audio
   * clock stay, later ones follow. Notes must be sorted by start.
   */
  extend(notes: PlayerNote[], duration: number): void {
    this.notes = notes;
    this.duration = Math.max(duration, this.duration);
    if (this.state === 'playing') {
      let next = this.firstAt(this.lastStart);
      while (next < notes.length && notes[next]!.start <= this.lastStart) next++;
      this.next = next;
    }
  }

  async play(from = this.position): Promise<void> {
    if (this.state === 'playing') this.halt();
    this.state = 'loading';
    this.error = null;
    try {
      await Tone.start();
      await this.load();
    } catch (err) {
      this.state = 'idle';
      this.error = `audio could not start: ${(err as Error).message}`;
      return;
    }
    this.from = Math.max(0, Math.min(from, this.duration));
    this.next = this.firstAt(this.from);
    this.lastStart = -Infinity;
    this.scheduled = 0;
    this.startedAt = Tone.now() + START_DELAY_S;
    this.state = 'playing';
    this.schedule();
    this.timer = setInterval(() => this.schedule(), TICK_MS);
    const follow = () => {
      if (this.state !== 'playing') return;
      this.position = this.from + Math.max(0, Tone.now() - this.startedAt);
      if (this.position >= this.duration) {
        this.stop();
        return;
      }
      this.frame = requestAnimationFrame(follow);
    };
    this.frame = requestAnimationFrame(follow);
  }

  pause(): void {
    if (this.state !== 'playing') return;
    this.halt();
    this.state = 'paused';
  }

  toggle(from?: number): void {
    if (this.state === 'playing') this.pause();
    else void this.play(from);
  }

  seek(seconds: number): void {
    const playing = this.state === 'playing';
    this.position = Math.max(0, Math.min(seconds, this.duration));
    if (playing) void this.play(this.position);
  }

  stop(): void {
    this.halt();
    this.state = 'idle';
    this.position = 0;
  }

  private halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    cancelAnimationFrame(this.frame);
    this.voice?.releaseAll();
  }

  private firstAt(seconds: number): number {
    let lo = 0;
    let hi = this.notes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.notes[mid]!.start < seconds) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private schedule(): void {
    const horizon = Tone.now() + LOOKAHEAD_S;
    while (this.next < this.notes.length) {
      const note = this.notes[this.next]!;
      const at = this.startedAt + (note.start - this.from);
      if (at > horizon) break;
      this.next++;
      this.lastStart = note.start;
      if (at < Tone.now() - 0.05) continue; // fell behind (tab in background): skip rather than pile up
      this.voice?.play(note, at);
      this.scheduled++;
    }
  }
}
