import type { TrackRule } from '../../shared/library';

export interface RuleTrack {
  position: number;
  program: number;
  family: string;
  isDrum: boolean;
  noteCount: number;
}

/** The tracks of one piece that training uses under a corpus's rule (drums never, for pitched encodings). */
export function selectTracks<T extends RuleTrack>(tracks: readonly T[], rule: TrackRule): T[] {
  const pitched = tracks.filter((t) => !t.isDrum && t.noteCount > 0);
  switch (rule.kind) {
    case 'first-instrument':
      return pitched.slice(0, 1);
    case 'piano':
      return pitched.filter((t) => t.family === 'piano');
    case 'non-drum':
      return pitched;
    case 'programs':
      return pitched.filter((t) => rule.programs.includes(t.program));
  }
}

export function describeRule(rule: TrackRule): string {
  switch (rule.kind) {
    case 'first-instrument':
      return 'the first instrument part';
    case 'piano':
      return 'piano tracks';
    case 'non-drum':
      return 'all non-drum tracks';
    case 'programs':
      return `General MIDI programs ${rule.programs.join(', ')}`;
  }
}
