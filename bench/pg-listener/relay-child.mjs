// A bare Node.js TCP relay (no parsing, one write per read), the floor for any proxy written in
// Node on this machine: what the event loop, the stream layer and the loopback syscalls cost alone.
// Same protocol as listener-child.mjs: env GATEHOUSE_BENCH_TARGET, one JSON line with the port,
// then {cpuUs} for each "rss" line on stdin; closes when stdin ends.
import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';

const target = JSON.parse(process.env.GATEHOUSE_BENCH_TARGET ?? '{}');
const server = createServer((client) => {
  const up = connect({ host: target.host, port: target.port });
  client.setNoDelay(true);
  up.setNoDelay(true);
  client.on('data', (d) => up.write(d));
  up.on('data', (d) => client.write(d));
  client.on('close', () => up.destroy());
  up.on('close', () => client.destroy());
  client.on('error', () => undefined);
  up.on('error', () => undefined);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ host: '127.0.0.1', port: server.address().port, user: target.user, password: target.password, database: target.database })}\n`);
});
const lines = createInterface({ input: process.stdin });
lines.on('line', () => {
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ rss: process.memoryUsage().rss, cpuUs: cpu.user + cpu.system })}\n`);
});
lines.on('close', () => process.exit(0));
