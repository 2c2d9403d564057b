// The tempo map is shared with the renderer (piano roll, playback).
export { DEFAULT_US_PER_QUARTER, TempoMap, type TempoChange } from '../../shared/music/tempo-map';
