// The Dockerfile read as a file (no Docker engine runs here): its stages, and how its runtime
// stage starts a process, for the tests that hold the image to its settings and for the benches
// that run Regatta as the image does.

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

/** The stages in order, each with its instructions (continuation lines joined, comments dropped). */
export function dockerfileStages(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ base: match?.[1] ?? '', name: match?.[2] ?? String(stages.length), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/** How the image's last stage starts its process: its environment and its ENTRYPOINT (exec form). */
export interface ImageRuntime {
  env: Record<string, string>;
  entrypoint: string[];
}

export function imageRuntime(text: string): ImageRuntime {
  const runtime = dockerfileStages(text).at(-1);
  const env: Record<string, string> = {};
  let entrypoint: string[] = [];
  for (const { keyword, args } of runtime?.instructions ?? []) {
    if (keyword === 'ENV')
      for (const pair of args.match(/[A-Za-z_][A-Za-z0-9_]*=(?:"[^"]*"|\S*)/g) ?? []) {
        const at = pair.indexOf('=');
        env[pair.slice(0, at)] = pair.slice(at + 1).replace(/^"(.*)"$/, '$1');
      }
    if (keyword === 'ENTRYPOINT') entrypoint = JSON.parse(args) as string[];
  }
  return { env, entrypoint };
}
