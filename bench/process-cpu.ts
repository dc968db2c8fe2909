// CPU time of a process tree by command name, from /proc: what each part of a bench run cost the
// machine (the registries, Temporal's dev server, Regatta), for the profile (BENCH_PROFILE).
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc's CPU times are in these ticks. */
const ticksPerSecond = 100;

interface Stat {
  pid: number;
  parent: number;
  command: string;
  cpuSeconds: number;
  /** Of its children that exited and were waited for (a peer run with execFile). */
  exitedChildrenSeconds: number;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command is in parentheses and may hold spaces; the fields after it are space-separated.
    const close = text.lastIndexOf(')');
    const command = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    return {
      pid,
      parent: Number(fields[1]),
      command,
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond,
      exitedChildrenSeconds: (Number(fields[13]) + Number(fields[14])) / ticksPerSecond,
    };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by each command among `root`'s descendants, by `root` itself (`self`)
 * and by its children that have exited (`exited`: the peers' runs). A process in `labels` is
 * counted under its label rather than its command (two `node` processes told apart).
 */
export function cpuByCommand(
  root = process.pid,
  labels: ReadonlyMap<number, string> = new Map(),
): Map<string, number> {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => stat(Number(name)) ?? []);
  const children = new Map<number, Stat[]>();
  for (const entry of all) children.set(entry.parent, [...(children.get(entry.parent) ?? []), entry]);
  const totals = new Map<string, number>();
  const visit = (pid: number, depth: number) => {
    for (const child of children.get(pid) ?? []) {
      const name = labels.get(child.pid) ?? child.command;
      totals.set(name, (totals.get(name) ?? 0) + child.cpuSeconds);
      if (depth < 10) visit(child.pid, depth + 1);
    }
  };
  const self = stat(root);
  if (self) {
    totals.set('self', self.cpuSeconds);
    totals.set('exited', self.exitedChildrenSeconds);
  }
  visit(root, 0);
  return totals;
}

/** What each command used between two readings, largest first: "node 12.3 s, registry 8.1 s". */
export function describeCpu(before: Map<string, number>, after: Map<string, number>): string {
  return [...after]
    .map(([command, seconds]) => [command, seconds - (before.get(command) ?? 0)] as const)
    .filter(([, seconds]) => seconds >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([command, seconds]) => `${command} ${seconds.toFixed(1)} s`)
    .join(', ');
}
