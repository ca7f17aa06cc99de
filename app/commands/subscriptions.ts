import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { SubstreamError } from '../../state/index.js';
import { apiOptionsOf, callApi } from './api-client.js';

interface ApiFlags {
  url?: string;
  token?: string;
  tenant?: string;
}

function withApiFlags(command: Command): Command {
  return command
    .option('--url <url>', 'base URL of a running instance (default SUBSTREAM_URL or http://127.0.0.1:$PORT)')
    .option('--token <token>', 'admin bearer token (default ADMIN_TOKEN)')
    .option('--tenant <tenant>', 'act for this tenant');
}

async function readResource(file: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new SubstreamError(`${file} is not a readable JSON file: ${(cause as Error).message}`, { cause });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SubstreamError(`${file} must hold one FHIR resource (a JSON object)`);
  }
  return parsed as Record<string, unknown>;
}

/** `substream subscriptions put|delete|list` and `substream topics put`, through the admin API. */
export function registerSubscriptions(program: Command): void {
  const subscriptions = program.command('subscriptions').description('Subscriptions of a running instance');
  withApiFlags(subscriptions.command('put').argument('<file>', 'a Subscription resource (JSON)'))
    .description(
      'create or replace a subscription; it is compiled first and refused with the reason if it cannot be',
    )
    .action(async (file: string, flags: ApiFlags) => {
      const resource = await readResource(file);
      const id = typeof resource.id === 'string' ? resource.id : undefined;
      const saved = id
        ? await callApi(apiOptionsOf(flags), 'PUT', `/fhir/Subscription/${encodeURIComponent(id)}`, resource)
        : await callApi(apiOptionsOf(flags), 'POST', '/fhir/Subscription', resource);
      process.stdout.write(`${JSON.stringify(saved, null, 2)}\n`);
    });
  withApiFlags(subscriptions.command('delete').argument('<id>', 'the subscription id'))
    .description('delete a subscription')
    .action(async (id: string, flags: ApiFlags) => {
      await callApi(apiOptionsOf(flags), 'DELETE', `/fhir/Subscription/${encodeURIComponent(id)}`);
      process.stdout.write(`deleted Subscription/${id}\n`);
    });
  withApiFlags(subscriptions.command('list'))
    .description('list subscriptions with their status')
    .action(async (flags: ApiFlags) => {
      const api = apiOptionsOf(flags);
      const bundle = (await callApi(api, 'GET', '/fhir/Subscription')) as {
        entry?: { resource: Record<string, unknown> }[];
      };
      for (const { resource } of bundle.entry ?? []) {
        const what = resource.criteria ?? resource.topic ?? '';
        process.stdout.write(`${String(resource.id)}\t${String(resource.status ?? '')}\t${String(what)}\n`);
      }
    });
}
