import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createMatcher, type FhirResource, type Interaction } from '../../processors/index.js';
import { CompileError } from '../../state/index.js';

const INTERACTIONS: readonly Interaction[] = ['create', 'update', 'delete'];

interface MatchFlags {
  subscription: string;
  topic: string[];
  resource: string;
  previous?: string;
  interaction: string;
}

/** Exit codes: 0 with a verdict; 2 when the subscription or a topic cannot be compiled or read. */
class UsageProblem extends Error {}

function readResource(file: string, what: string): FhirResource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new UsageProblem(`cannot read ${what} ${file}: ${(cause as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new UsageProblem(`${what} ${file} is not JSON: ${(cause as Error).message}`);
  }
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as FhirResource).resourceType !== 'string'
  ) {
    throw new UsageProblem(`${what} ${file} is not a FHIR resource (no resourceType)`);
  }
  return value as FhirResource;
}

/** Matches one resource change against one subscription and prints the verdict with its reasons. */
export function runMatch(flags: MatchFlags): { exitCode: number; stdout?: string; stderr?: string } {
  try {
    if (!INTERACTIONS.includes(flags.interaction as Interaction)) {
      throw new UsageProblem(`--interaction must be create, update or delete, got '${flags.interaction}'`);
    }
    const interaction = flags.interaction as Interaction;
    const matcher = createMatcher();
    for (const file of flags.topic) {
      const topic = readResource(file, 'topic');
      const url = typeof topic.url === 'string' ? topic.url : undefined;
      if (!url) throw new UsageProblem(`topic ${file} has no url`);
      const outcome = matcher.putTopic(url, topic);
      if (outcome.error) throw outcome.error;
    }
    const subscription = readResource(flags.subscription, 'subscription');
    const id = subscription.id ?? 'subscription';
    const outcome = matcher.putSubscription(id, { ...subscription, id });
    if (outcome.status === 'error') throw outcome.error;
    if (outcome.status === 'waiting-for-topic') {
      throw new UsageProblem(`topic ${outcome.topicUrl} is not given: pass it with --topic FILE`);
    }
    const resource = readResource(flags.resource, 'resource');
    const previous = flags.previous ? readResource(flags.previous, 'previous') : undefined;
    const verdict = matcher.explain(id, {
      change: {
        interaction,
        resourceType: resource.resourceType,
        id: resource.id ?? '',
        resource,
        ...(previous ? { previous } : {}),
      },
      current: resource,
      ...(previous ? { previous } : {}),
    });
    return {
      exitCode: 0,
      stdout: `${JSON.stringify({ matched: verdict.matched, reasons: verdict.reasons })}\n`,
    };
  } catch (cause) {
    if (cause instanceof CompileError || cause instanceof UsageProblem) {
      return { exitCode: 2, stderr: `${cause.message}\n` };
    }
    throw cause;
  }
}

export function registerMatch(program: Command): void {
  program
    .command('match')
    .description('match one resource change against one subscription and say why it did or did not fire')
    .requiredOption('--subscription <file>', 'the Subscription (R4, R4B, backport or R5 JSON)')
    .option(
      '--topic <file>',
      'a SubscriptionTopic (R5 or R4B JSON); repeatable',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .requiredOption('--resource <file>', 'the resource after the change (for delete, the deleted version)')
    .option('--previous <file>', 'the resource before the change')
    .requiredOption('--interaction <interaction>', 'create | update | delete')
    .action((flags: MatchFlags) => {
      const result = runMatch(flags);
      if (result.stdout) process.stdout.write(result.stdout);
      if (result.stderr) process.stderr.write(result.stderr);
      process.exitCode = result.exitCode;
    });
}
