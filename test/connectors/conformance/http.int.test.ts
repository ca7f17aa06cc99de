import { HttpSink } from '../../../connectors/index.js';
import { HttpReceiver } from '../../fakes/http-receiver.js';
import { describeSinkConformance } from './sink-conformance.js';

describeSinkConformance('http', async () => {
  const receiver = new HttpReceiver();
  const endpoint = await receiver.start();
  const sink = new HttpSink({ config: { endpointAllowlist: ['127.0.0.1'], breakerFailures: 1_000 } });
  return {
    sink,
    channel: { type: 'rest-hook', endpoint: `${endpoint}/hook`, headers: [] },
    received: () => receiver.accepted.map((r) => String(r.headers['x-substream-notification-id'])),
    interrupt: async () => receiver.dropConnections(),
    teardown: () => receiver.stop(),
  };
});
