import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/**
 * The TCP ports a process listens on now, read from Linux's /proc: its socket file descriptors
 * matched against its network namespace's socket tables. So a test knows which port a child bound
 * (`127.0.0.1:0`), and that a port answers for this child, not for whoever took it meanwhile.
 */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  let descriptors: string[];
  try {
    descriptors = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  for (const fd of descriptors) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed since the listing
    }
  }
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; field 9 is the socket's inode.
      if (fields[3] === '0A' && inodes.has(fields[9] ?? '')) {
        ports.add(Number.parseInt(fields[1]!.split(':')[1]!, 16));
      }
    }
  }
  return [...ports].sort((a, b) => a - b);
}
