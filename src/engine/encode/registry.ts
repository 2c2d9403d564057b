import { EtudeError } from '../../shared/errors';
import { ENCODING_KINDS, type EncodingInfo, type EncodingKind, type ParamValue } from '../../shared/encoding';
import { events } from './events';
import { framePitches } from './frame-pitches';
import { frames } from './frames';
import { notesChords } from './notes-chords';
import { pianoRoll } from './piano-roll';
import { pitchStepDuration } from './pitch-step-duration';
import type { Encoding } from './types';

type AnyEncoding = Encoding<Record<string, ParamValue>>;

const ENCODINGS: Record<EncodingKind, AnyEncoding> = {
  'notes-chords': notesChords as unknown as AnyEncoding,
  frames: frames as unknown as AnyEncoding,
  'frame-pitches': framePitches as unknown as AnyEncoding,
  'pitch-step-duration': pitchStepDuration as unknown as AnyEncoding,
  'piano-roll': pianoRoll as unknown as AnyEncoding,
  events: events as unknown as AnyEncoding,
};

export function isEncodingKind(kind: string): kind is EncodingKind {
  return (ENCODING_KINDS as readonly string[]).includes(kind);
}

export function encodingOf(kind: string): AnyEncoding {
  if (!isEncodingKind(kind)) throw new EtudeError('invalid_input', `unknown encoding "${kind}" (encodings: ${ENCODING_KINDS.join(', ')})`);
  return ENCODINGS[kind];
}

export function encodingInfos(): EncodingInfo[] {
  return ENCODING_KINDS.map((k) => ENCODINGS[k].info as EncodingInfo);
}

/** Validates parameters against the encoding's schema, filling in defaults; names the bad one. */
export function parseParams(kind: string, raw: Record<string, ParamValue>): Record<string, ParamValue> {
  const encoding = encodingOf(kind);
  const parsed = encoding.params.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(params)', message: i.message }));
    throw new EtudeError('invalid_input', `invalid parameters for ${kind}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data;
}
