/** Closes client connections from the broker's side, as an operator or a network fault would. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Closes every connection whose client gave `connectionName`; returns how many were closed. */
export async function closeConnectionsNamed(connectionName: string): Promise<number> {
  const { stdout } = await run('rabbitmqctl', [
    'list_connections',
    '--no-table-headers',
    '-q',
    'pid',
    'client_properties',
  ]);
  const pids = stdout
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${connectionName}"}`))
    .map((line) => line.split('\t')[0]!)
    .filter((pid) => pid !== '');
  for (const pid of pids) await run('rabbitmqctl', ['close_connection', pid, 'closed by a fault test']);
  return pids.length;
}
