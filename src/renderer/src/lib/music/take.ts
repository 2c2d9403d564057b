import type { GeneratedNote, Take } from '../../../../shared/generation';
import type { MeterPoint, PieceDetail, TempoPoint } from '../../../../shared/library';
import type { PlayerNote } from '../player/player.svelte';

/** A take in the shape the piano roll draws: the passage and the continuation as two tracks. */
export function takeAsPiece(take: Take, timeline: { ppq: number; tempos: TempoPoint[]; timeSignatures: MeterPoint[] }, title: string): PieceDetail {
  const part = (notes: GeneratedNote[], position: number) => ({
    id: position,
    position,
    name: position === 0 ? 'passage' : 'continuation',
    channel: 0,
    program: 0,
    family: 'piano',
    isDrum: false,
    noteCount: notes.length,
    pitchMin: null,
    pitchMax: null,
    notes: {
      pitch: notes.map((n) => n.pitch),
      velocity: notes.map((n) => n.velocity),
      startTick: notes.map((n) => n.startTick),
      endTick: notes.map((n) => n.endTick),
      startSec: notes.map((n) => n.startSec),
      endSec: notes.map((n) => n.endSec),
    },
  });
  const pitches = take.notes.map((n) => n.pitch);
  const end = Math.max(take.seamTick, ...take.notes.map((n) => n.endTick), 1);
  return {
    id: 0,
    corpusId: 0,
    title,
    sourceName: '',
    sourceFormat: 'midi',
    durationSeconds: Math.max(0, ...take.notes.map((n) => n.endSec)),
    noteCount: take.notes.length,
    trackCount: 2,
    pitchMin: pitches.length ? Math.min(...pitches) : 60,
    pitchMax: pitches.length ? Math.max(...pitches) : 72,
    bpm: 120,
    meter: '',
    key: null,
    importedAt: '',
    ppq: timeline.ppq,
    midiFormat: 1,
    durationTicks: end,
    tempos: timeline.tempos,
    timeSignatures: timeline.timeSignatures,
    keySignatures: [],
    repairs: {},
    tracks: [part(take.notes.filter((n) => n.startTick < take.seamTick), 0), part(take.notes.filter((n) => n.startTick >= take.seamTick), 1)],
  };
}

export function playerNotes(notes: readonly GeneratedNote[]): PlayerNote[] {
  return notes.map((n) => ({ pitch: n.pitch, velocity: n.velocity, start: n.startSec, end: n.endSec, drum: false })).sort((a, b) => a.start - b.start);
}
