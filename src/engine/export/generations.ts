/** Exporting stored generations: one file per take, or all takes of a generation as tracks of one file. */
import fs from 'node:fs';
import path from 'node:path';
import { EtudeError } from '../../shared/errors';
import type { GenerationInfo } from '../../shared/generation';
import type { Store } from '../store/store';
import { exportFileName } from '../../shared/file-names';
import { parseGrid, takesToMidi } from './midi-file';
import { provenanceOf, provenanceTexts } from './provenance';

export interface ExportRequest {
  ids: number[];
  part: 'whole' | 'continuation';
  quantize: string | null;
  layout: 'files' | 'tracks';
  /** Take numbers (0-based) to export; all when absent. */
  takes?: number[] | undefined;
}

/** An exported MIDI file and its sidecar: the same provenance as JSON, named like the file. */
export interface ExportedFile {
  name: string;
  bytes: Uint8Array;
  sidecar: { name: string; text: string };
}

export const sidecarName = (file: string) => file.replace(/\.(mid|midi|wav)$/i, '') + '.json';

export function exportGenerations(store: Store, request: ExportRequest): ExportedFile[] {
  let grid: number | null;
  try {
    grid = parseGrid(request.quantize);
  } catch (err) {
    throw new EtudeError('invalid_input', (err as Error).message);
  }
  const files: { name: string; bytes: Uint8Array; provenance: string }[] = [];
  for (const id of request.ids) {
    const g: GenerationInfo = store.generations.get(id);
    const takes = request.takes ? g.takes.filter((t) => request.takes!.includes(t.index)) : g.takes;
    if (takes.length === 0) throw new EtudeError('invalid_input', `generation ${id} has no take ${request.takes!.map((t) => t + 1).join(', ')}`);
    const timeline = { name: g.name, model: g.model, ppq: g.ppq, tempos: g.tempos, timeSignatures: g.timeSignatures };
    const write = (name: string, these: typeof takes) => {
      const provenance = provenanceOf(store, g, these);
      files.push({ name, bytes: takesToMidi(timeline, these, { part: request.part, quantize: grid, texts: provenanceTexts(provenance) }), provenance: JSON.stringify(provenance, null, 2) + '\n' });
    };
    if (request.layout === 'tracks') write(exportFileName(g.model, g.primerLabel, null, request.part), takes);
    else for (const take of takes) write(exportFileName(g.model, g.primerLabel, take.index, request.part), [take]);
  }
  // Two generations from the same passage would share names: number the later ones.
  const seen = new Map<string, number>();
  for (const f of files) {
    const n = (seen.get(f.name) ?? 0) + 1;
    seen.set(f.name, n);
    if (n > 1) f.name = f.name.replace(/\.mid$/, ` (${n}).mid`);
  }
  return files.map((f) => ({ name: f.name, bytes: f.bytes, sidecar: { name: sidecarName(f.name), text: f.provenance } }));
}

/** Writes exported files into a folder, never over an existing file (a number is added instead). */
export function writeExports(folder: string, files: ExportedFile[]): string[] {
  if (!path.isAbsolute(folder)) throw new EtudeError('invalid_input', `the export folder must be an absolute path: ${folder}`);
  fs.mkdirSync(folder, { recursive: true });
  return files.map((f) => {
    let target = path.join(folder, f.name);
    for (let n = 2; fs.existsSync(target); n++) target = path.join(folder, f.name.replace(/\.mid$/, ` ${n}.mid`));
    fs.writeFileSync(target, f.bytes, { flag: 'wx' });
    // The sidecar beside it, named like the file as written (an existing .json is left alone).
    const sidecar = path.join(folder, sidecarName(path.basename(target)));
    if (!fs.existsSync(sidecar)) fs.writeFileSync(sidecar, f.sidecar.text, { flag: 'wx' });
    return target;
  });
}
