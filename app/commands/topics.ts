// Before kafkajs: it runs with the native CRC-32C and the codec replacements (docs/kafka-codec.md).
import '../../connectors/index.js';
import type { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../config/index.js';
import { kafkaClientOptions, topicPlan } from '../kafka/index.js';

export function registerTopics(program: Command): void {
  const topics = program.command('topics').description('Kafka topics the service uses');
  topics
    .command('create')
    .description('create every topic with its partitions, compaction and retention (existing ones are kept)')
    .option('--dry-run', 'print the plan without creating anything')
    .action(async (options: { dryRun?: boolean }) => {
      const config = loadConfig();
      const plan = topicPlan(config);
      if (options.dryRun) {
        process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
        return;
      }
      const kafka = new Kafka({ ...kafkaClientOptions(config), logLevel: logLevel.ERROR });
      const admin = kafka.admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        const missing = plan.filter((t) => !existing.has(t.topic));
        if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
        for (const t of plan) {
          process.stdout.write(`${existing.has(t.topic) ? 'exists ' : 'created'} ${t.topic}\n`);
        }
      } finally {
        await admin.disconnect();
      }
    });
}
