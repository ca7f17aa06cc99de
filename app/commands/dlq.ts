import type { Command } from 'commander';
import { apiOptionsOf, callApi } from './api-client.js';

interface Flags {
  url?: string;
  token?: string;
  tenant?: string;
  subscription?: string;
  limit?: string;
}

/** `substream dlq list|redrive`, through the admin API of a running processor instance. */
export function registerDlq(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('dead letters: undecodable changes and undeliverable notifications');
  const api = (c: Command) =>
    c
      .option(
        '--url <url>',
        'base URL of a running instance (default SUBSTREAM_URL or http://127.0.0.1:$PORT)',
      )
      .option('--token <token>', 'admin bearer token (default ADMIN_TOKEN)')
      .option('--tenant <tenant>', 'act for this tenant');
  api(dlq.command('list').argument('[source]', 'changes | deliveries', 'deliveries'))
    .option('--subscription <id>', 'only the dead letters of this subscription (deliveries)')
    .option('--limit <n>', 'the newest n', '100')
    .description('print dead letters as JSON lines, with their reason')
    .action(async (source: string, flags: Flags) => {
      const query = new URLSearchParams({ limit: flags.limit ?? '100' });
      if (flags.subscription) query.set('subscription', flags.subscription);
      const entries = (await callApi(
        apiOptionsOf(flags),
        'GET',
        `/admin/dlq/${encodeURIComponent(source)}?${query}`,
      )) as unknown[];
      for (const e of entries) process.stdout.write(`${JSON.stringify(e)}\n`);
    });
  api(dlq.command('redrive').argument('<subscription>', 'the subscription id'))
    .description("send a subscription's dead-lettered notifications to its sink again, in event order")
    .action(async (subscription: string, flags: Flags) => {
      const result = (await callApi(
        apiOptionsOf(flags),
        'POST',
        `/admin/dlq/deliveries/${encodeURIComponent(subscription)}/redrive`,
      )) as {
        redriven: number;
      };
      process.stdout.write(`redriven ${result.redriven} notification(s) of Subscription/${subscription}\n`);
    });
}
