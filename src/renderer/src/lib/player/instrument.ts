import * as Tone from 'tone';
import { PIANO_SAMPLES } from './samples';

export interface NoteToPlay {
  pitch: number;
  velocity: number;
  start: number;
  end: number;
  drum: boolean;
}

/**
 * The studio's one instrument, for playback and for rendering audio alike: the sampled grand piano
 * (a synth where the samples cannot be decoded) and simple drum voices. Built in whichever Tone.js
 * context is current (the live one, or an offline one while rendering).
 */
export class Instrument {
  private constructor(
    readonly kind: 'piano' | 'synth',
    private readonly piano: Tone.Sampler | Tone.PolySynth,
    private readonly kick: Tone.MembraneSynth,
    private readonly hat: Tone.NoiseSynth,
  ) {}

  static async create(): Promise<Instrument> {
    let piano: Tone.Sampler | Tone.PolySynth;
    let kind: 'piano' | 'synth';
    try {
      piano = await new Promise<Tone.Sampler>((resolve, reject) => {
        const sampler = new Tone.Sampler({ urls: PIANO_SAMPLES, release: 0.8, onload: () => resolve(sampler), onerror: (err) => reject(err) }).toDestination();
        setTimeout(() => reject(new Error('the piano samples took too long to load')), 15_000);
      });
      kind = 'piano';
    } catch (err) {
      console.warn('piano samples unavailable, using a synth', err);
      piano = new Tone.PolySynth(Tone.Synth, { envelope: { attack: 0.005, decay: 0.3, sustain: 0.3, release: 0.6 } }).toDestination();
      piano.volume.value = -10;
      kind = 'synth';
    }
    const kick = new Tone.MembraneSynth({ volume: -6 }).toDestination();
    const hat = new Tone.NoiseSynth({ volume: -20, envelope: { attack: 0.001, decay: 0.06, sustain: 0 } }).toDestination();
    return new Instrument(kind, piano, kick, hat);
  }

  /** Sounds one note at `at` seconds on the context's clock. */
  play(note: NoteToPlay, at: number): void {
    const velocity = Math.max(0.05, note.velocity / 127);
    if (note.drum) {
      if (note.pitch === 35 || note.pitch === 36) this.kick.triggerAttackRelease('C1', 0.2, at, velocity);
      else this.hat.triggerAttackRelease(0.05, at, velocity);
    } else {
      this.piano.triggerAttackRelease(Tone.Frequency(note.pitch, 'midi').toFrequency(), Math.max(0.05, note.end - note.start), at, velocity);
    }
  }

  releaseAll(): void {
    if ('releaseAll' in this.piano) this.piano.releaseAll();
  }

  /** Frees its voices and, for the sampler, its decoded samples (an instrument a render made is used once). */
  dispose(): void {
    this.piano.dispose();
    this.kick.dispose();
    this.hat.dispose();
  }
}
