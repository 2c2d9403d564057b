import tonejs from '@tonejs/midi';
import type { Midi as MidiClass } from '@tonejs/midi';

/** @tonejs/midi, an independent MIDI reader used to check what our own reader stores. */
export const { Midi } = tonejs as unknown as { Midi: typeof MidiClass };
