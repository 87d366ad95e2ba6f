// Files placed in the SSH target's throwaway home directory. They give the terminal demo something
// to `cat`, `grep` and `tail`: logs with PII for the streaming masker to catch, and a config file
// with a credential in a URL. Generated from a fixed seed so replays and tests see the same bytes.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Faker } from '@faker-js/faker';
import { fakeCard, fakePhone, fakeSsn, formatCard } from './identifiers.js';

/** Content of sentinel.txt; tests read it back through `exec` to prove the round trip. */
export const SENTINEL_TEXT = 'gatehouse-demo-sentinel: if you can read this, the SSH target works.\n';

const START = Date.UTC(2025, 5, 30, 8, 0, 0);

export async function writeSampleFiles(dir: string): Promise<void> {
  // (loaded on use: see generateDataset)
  const { Faker, base, en, en_US } = await import('@faker-js/faker');
  const f = new Faker({ locale: [en_US, en, base] });
  f.seed(4242);
  await mkdir(join(dir, 'logs'), { recursive: true });
  await mkdir(join(dir, 'config'), { recursive: true });
  await writeFile(join(dir, 'logs', 'app.log'), appLog(f, 400));
  await writeFile(join(dir, 'logs', 'access.log'), accessLog(f, 300));
  await writeFile(join(dir, 'config', 'app.yaml'), APP_YAML);
  await writeFile(join(dir, 'README.txt'), README);
  await writeFile(join(dir, 'sentinel.txt'), SENTINEL_TEXT);
}

function appLog(f: Faker, lines: number): string {
  const out: string[] = [];
  let t = START;
  for (let i = 0; i < lines; i++) {
    t += f.number.int({ min: 200, max: 45_000 });
    const ts = new Date(t).toISOString();
    const req = f.string.hexadecimal({ length: 12, casing: 'lower', prefix: '' });
    const email = f.internet.exampleEmail().toLowerCase();
    const orderId = f.number.int({ min: 1, max: 30_000 });
    const kind = f.number.int({ min: 0, max: 99 });
    if (kind < 40) {
      out.push(`${ts} INFO  [http] req=${req} GET /api/orders/${orderId} 200 ${f.number.int({ min: 3, max: 180 })}ms user=${email}`);
    } else if (kind < 60) {
      out.push(`${ts} INFO  [auth] req=${req} login ok user=${email} ip=10.0.${f.number.int({ min: 0, max: 255 })}.${f.number.int({ min: 1, max: 254 })}`);
    } else if (kind < 75) {
      const card = fakeCard(f);
      out.push(`${ts} WARN  [payments] req=${req} charge declined order=${orderId} brand=${card.brand} pan=${card.number} reason=insufficient_funds`);
    } else if (kind < 85) {
      const card = fakeCard(f);
      out.push(`${ts} DEBUG [payments] req=${req} tokenize card="${formatCard(card.number, ' ')}" customer=${email}`);
    } else if (kind < 92) {
      out.push(`${ts} INFO  [support] req=${req} callback requested phone="${fakePhone(f)}" customer=${email}`);
    } else if (kind < 96) {
      out.push(`${ts} ERROR [kyc] req=${req} identity check failed for ${email}: ssn=${fakeSsn(f)} does not match records`);
    } else {
      out.push(`${ts} ERROR [db] req=${req} connection reset by peer; retrying (attempt ${f.number.int({ min: 1, max: 3 })}/3)`);
    }
  }
  return out.join('\n') + '\n';
}

function accessLog(f: Faker, lines: number): string {
  const paths = ['/api/orders', '/api/customers', '/api/cart', '/health', '/api/payments', '/static/app.js', '/login'];
  const agents = ['Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.5.0', 'okhttp/4.12.0', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)'];
  const out: string[] = [];
  let t = START;
  for (let i = 0; i < lines; i++) {
    t += f.number.int({ min: 100, max: 60_000 });
    const d = new Date(t);
    const stamp = `${String(d.getUTCDate()).padStart(2, '0')}/Jun/2025:${d.toISOString().slice(11, 19)} +0000`;
    const ip = `203.0.113.${f.number.int({ min: 1, max: 254 })}`;
    const method = f.helpers.weightedArrayElement([{ weight: 8, value: 'GET' }, { weight: 2, value: 'POST' }]);
    const status = f.helpers.weightedArrayElement([
      { weight: 85, value: 200 },
      { weight: 5, value: 304 },
      { weight: 5, value: 404 },
      { weight: 3, value: 401 },
      { weight: 2, value: 500 },
    ]);
    const path = `${f.helpers.arrayElement(paths)}${f.number.int({ min: 0, max: 2 }) === 0 ? `/${f.number.int({ min: 1, max: 9999 })}` : ''}`;
    out.push(`${ip} - - [${stamp}] "${method} ${path} HTTP/1.1" ${status} ${f.number.int({ min: 120, max: 48_000 })} "-" "${f.helpers.arrayElement(agents)}"`);
  }
  return out.join('\n') + '\n';
}

const APP_YAML = `# shop-api production configuration (demo; every value here is fake)
service:
  name: shop-api
  env: production
  listen: 0.0.0.0:8080
database:
  url: postgres://app:s3cr3t-demo@db:5432/app
  pool_max: 20
  statement_timeout_ms: 5000
payments:
  processor: stripe
  api_key: sk_test_demo_4eC39HqLyjWDarjtT1zdp7dc
  webhook_secret: whsec_demo_0123456789abcdef
smtp:
  host: smtp.example.com
  user: notifications@example.com
  password: demo-mail-pass
logging:
  level: debug   # TODO: turn down; debug logs full card numbers
`;

const README = `prod-db-01 (demo)

This is the Gatehouse demo SSH target: a throwaway directory on your own machine, reached
through the gateway like any production host. Nothing here is real.

  logs/app.log      application log (contains emails, card numbers, SSNs: watch them get masked)
  logs/access.log   HTTP access log
  config/app.yaml   service config with credentials in it
  sentinel.txt      used by the automated tests

Try: tail -n 20 logs/app.log, grep pan= logs/app.log, cat config/app.yaml, or something risky
like rm -rf logs to see the guard step in.
`;
