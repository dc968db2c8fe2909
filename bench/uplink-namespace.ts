import { execFileSync } from 'node:child_process';

const run = (...args: string[]) =>
  execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });

export interface Uplink {
  namespace: string;
  /** The HQ address inside the namespace, reachable from the host over the shaped veth pair. */
  hqAddress: string;
  remove(): void;
}

/**
 * A network namespace for HQ joined to the host by a veth pair on a private /30; HQ's side is
 * shaped with tbf, so HQ's egress (what sites pull) is the constrained uplink.
 */
export function createUplink(rateMbit: number): Uplink {
  const namespace = `regatta-bench-${process.pid}`;
  const host = `rgb${process.pid % 100000}h`;
  const hq = `rgb${process.pid % 100000}q`;
  run('ip', 'netns', 'add', namespace);
  try {
    run('ip', 'link', 'add', host, 'type', 'veth', 'peer', 'name', hq);
    run('ip', 'link', 'set', hq, 'netns', namespace);
    run('ip', 'addr', 'add', '10.231.77.1/30', 'dev', host);
    run('ip', 'link', 'set', host, 'up');
    run('ip', 'netns', 'exec', namespace, 'ip', 'addr', 'add', '10.231.77.2/30', 'dev', hq);
    run('ip', 'netns', 'exec', namespace, 'ip', 'link', 'set', hq, 'up');
    run('ip', 'netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up');
    run(
      'ip',
      'netns',
      'exec',
      namespace,
      'tc',
      'qdisc',
      'add',
      'dev',
      hq,
      'root',
      'tbf',
      'rate',
      `${rateMbit}mbit`,
      'burst',
      '256kb',
      'latency',
      '100ms',
    );
  } catch (error) {
    execFileSync('ip', ['netns', 'del', namespace]);
    throw error;
  }
  return {
    namespace,
    hqAddress: '10.231.77.2',
    remove: () => {
      try {
        execFileSync('ip', ['link', 'del', host], { stdio: 'ignore' });
      } catch {
        // gone with the namespace already
      }
      execFileSync('ip', ['netns', 'del', namespace], { stdio: 'ignore' });
    },
  };
}
