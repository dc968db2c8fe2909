import { writeDocSection } from './doc-section.js';

export interface Figure {
  shape: string;
  tool: string;
  phase: string;
  wallS: number;
  /** Regatta only: the copy itself, without starting Node (a worker is long-running). */
  engineS?: number | undefined;
  hqReadRatio: number;
  requests: number;
  peakRssMiB: number;
  uniqueMiB?: number;
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);

/** Writes the copy benchmark's section of docs/benchmarks.md from the figures of one run. */
export function writeReport(
  figures: Figure[],
  setup: {
    imageCount: number;
    layersPerImage: number;
    layerBytes: number;
    bigLayerBytes: number;
    uplinkMbit: number;
  },
): void {
  const lines = [
    '## Copy fan-out: HQ → three sites',
    '',
    'Written by `npm run bench:copy` (bench/copy-fanout.ts). One run, one machine; figures, not assertions.',
    '"wall" is the whole process (Regatta: Node + tsx start-up included); "engine" is the copy alone, as a long-running worker sees it.',
    '',
    `Images: ${setup.imageCount} × ${setup.layersPerImage} layers × ${setup.layerBytes / 1048576} MiB` +
      (setup.bigLayerBytes ? `, plus one image with a ${setup.bigLayerBytes / 1048576} MiB layer` : '') +
      '; HQ → three site registries (Distribution 2.8). HQ bytes and requests are counted by a TCP proxy in front of HQ.',
    `Shapes: loopback; uplink = HQ in a network namespace whose veth egress is shaped with tbf at ${setup.uplinkMbit} Mbit/s.`,
    '',
    '| shape | tool | phase | wall (s) | engine (s) | HQ bytes / unique | requests to HQ | peak RSS (MiB) |',
    '|---|---|---|---:|---:|---:|---:|---:|',
    ...figures.map(
      (f) =>
        `| ${f.shape} | ${f.tool} | ${f.phase} | ${fixed(f.wallS)} | ${f.engineS === undefined ? '–' : fixed(f.engineS)} | ${fixed(f.hqReadRatio)} | ${f.requests} | ${f.peakRssMiB ? fixed(f.peakRssMiB, 0) : '–'} |`,
    ),
    '',
    '### Ratios',
    '',
  ];
  const uplink = setup.uplinkMbit;
  for (const shape of new Set(figures.map((f) => f.shape))) {
    const find = (tool: string, phase: string) =>
      figures.find((f) => f.shape === shape && f.tool.startsWith(tool) && f.phase === phase);
    const regatta = find('regatta', 'cold');
    const best = [find('skopeo sync, one', 'cold'), find('skopeo sync, three', 'cold')]
      .filter((f): f is Figure => f !== undefined)
      .sort((a, b) => a.wallS - b.wallS)[0];
    const bestWarm = [find('skopeo sync, one', 'warm'), find('skopeo sync, three', 'warm')]
      .filter((f): f is Figure => f !== undefined)
      .sort((a, b) => a.wallS - b.wallS)[0];
    const warm = find('regatta', 'warm');
    const bound = find('ingest bound', 'cold');
    if (regatta && best)
      lines.push(`- ${shape}: skopeo's best cold / Regatta cold = ${fixed(best.wallS / regatta.wallS)}×`);
    if (warm && bestWarm) {
      const engine = fixed((warm.engineS ?? warm.wallS) / bestWarm.wallS);
      lines.push(
        `- ${shape}: Regatta warm / skopeo's best warm = ${fixed(warm.wallS / bestWarm.wallS)}× with Node start-up, ${engine}× engine only`,
      );
    }
    if (regatta && best && shape === 'uplink' && regatta.uniqueMiB) {
      lines.push(
        `- ${shape}: Regatta cold / time for the unique bytes to cross the uplink once = ${fixed(regatta.wallS / ((regatta.uniqueMiB * 8 * 1.048576) / uplink))}×`,
      );
    }
    if (regatta && bound)
      lines.push(`- ${shape}: Regatta cold / ingest bound = ${fixed(regatta.wallS / bound.wallS)}×`);
  }
  lines.push('');
  writeDocSection('copy-fanout', lines.join('\n'));
  console.log(lines.join('\n'));
}
