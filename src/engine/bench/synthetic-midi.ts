/** A valid single-track MIDI file of `notes` notes (a figure of sixteenths), for import benchmarks. */
export function syntheticMidi(notes: number): Buffer {
  const body: number[] = [];
  const vlq = (n: number) => {
    const out = [n & 0x7f];
    for (n >>= 7; n > 0; n >>= 7) out.unshift((n & 0x7f) | 0x80);
    body.push(...out);
  };
  for (let i = 0; i < notes; i++) {
    const pitch = 36 + ((i * 7) % 60);
    vlq(0);
    body.push(0x90, pitch, 30 + (i % 90));
    vlq(120);
    body.push(0x80, pitch, 0);
  }
  body.push(0, 0xff, 0x2f, 0);
  const header = [0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xe0];
  const length = body.length;
  return Buffer.from([...header, 0x4d, 0x54, 0x72, 0x6b, (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff, ...body]);
}
