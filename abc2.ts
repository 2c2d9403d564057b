import abcjs from 'abcjs';
import { parseMidi } from './src/engine/midi/smf.ts';
const abc = `X:1
T:Test Tune
M:6/8
L:1/8
Q:3/8=100
K:D
|:A|dfa afd|ded cBA|dfa afd|e3 e2:|
|:g|fga agf|ede c2A|1 B3:|2 d3|]
`;
const midi = (abcjs as any).synth.getMidiFile(abc, { midiOutputType: 'binary' });
const bytes = midi[0];
console.log(bytes.constructor.name, bytes.length);
const p = parseMidi(bytes);
console.log(p.ppq, p.format, p.trackChunks, p.tempos, p.timeSignatures, p.keySignatures, p.noteCount, p.durationSeconds, p.repairs);
for (const t of p.tracks) console.log(t.name, t.channel, t.program, t.isDrum, Array.from(t.notes.pitch).join(' '), Array.from(t.notes.startTick).slice(0,10).join(' '));
