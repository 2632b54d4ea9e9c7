// Which process listens on a local TCP port, read from /proc (Linux) without touching the process:
// /proc/net/tcp{,6} maps a listening port to a socket inode, and /proc/<pid>/fd/* links name the
// sockets each process holds. Processes of other users cannot be read: those stay unknown.
import { readdir, readFile, readlink } from 'node:fs/promises';

const TCP_LISTEN = '0A';

/** Socket inodes listening on the given ports (any local address), from /proc/net/tcp and tcp6. */
export async function listeningInodes(ports: readonly number[]): Promise<Map<string, number>> {
  const wanted = new Set(ports);
  const inodes = new Map<string, number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== TCP_LISTEN) continue;
      const port = parseInt(fields[1]!.split(':')[1] ?? '', 16);
      const inode = fields[9]!;
      if (wanted.has(port) && inode !== '0') inodes.set(inode, port);
    }
  }
  return inodes;
}

/** Pid of the process listening on each port, where /proc lets us see it. */
export async function pidsListeningOn(ports: readonly number[]): Promise<Map<number, number>> {
  const owners = new Map<number, number>();
  if (process.platform !== 'linux' || !ports.length) return owners;
  const inodes = await listeningInodes(ports);
  if (!inodes.size) return owners;
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return owners;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = await readdir(`/proc/${entry}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      const link = await readlink(`/proc/${entry}/fd/${fd}`).catch(() => '');
      const match = /^socket:\[(\d+)\]$/.exec(link);
      const port = match ? inodes.get(match[1]!) : undefined;
      if (port !== undefined && !owners.has(port)) owners.set(port, Number(entry));
    }
    if (owners.size === new Set(inodes.values()).size) break;
  }
  return owners;
}
