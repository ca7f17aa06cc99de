// A rest-hook receiver for trying substream out: prints every notification it is sent.
//   npm run receiver [-- PORT]
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 9999);
createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const event = req.headers['x-substream-event-number'] ?? '-';
    process.stdout.write(`${new Date().toISOString()} ${req.method} ${req.url} event=${String(event)}\n`);
    if (body) process.stdout.write(`${body}\n`);
    res.end();
  });
}).listen(port, '127.0.0.1', () => process.stdout.write(`receiving on http://127.0.0.1:${port}/\n`));
