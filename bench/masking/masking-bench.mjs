// Masking throughput and accuracy.
//   npx tsc -p gateway-core && node bench/masking/masking-bench.mjs
// or, without a full build (other folders mid-edit):
//   npx esbuild gateway-core/src/masking/index.ts --bundle --platform=node --format=esm --outfile=/tmp/masking.mjs
//   MASKING_MODULE=/tmp/masking.mjs node bench/masking/masking-bench.mjs
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { faker } from '@faker-js/faker';

const modPath = process.env.MASKING_MODULE
  ? pathToFileURL(process.env.MASKING_MODULE).href
  : new URL('../../gateway-core/dist/masking/index.js', import.meta.url).href;
const { createMasker, createStreamMasker, DETECTOR_NAMES } = await import(modPath);
const TARGET_MB = Number(process.env.BENCH_MB ?? 50);

faker.seed(7);
const pick = (a) => a[faker.number.int({ min: 0, max: a.length - 1 })];

// PII-dense: JSON-ish rows where most bytes are sensitive values.
function denseLine() {
  const card = faker.finance.creditCardNumber(pick(['visa', 'mastercard', 'american_express', 'discover']));
  return JSON.stringify({
    id: faker.number.int(99999),
    name: faker.person.fullName(),
    email: faker.internet.email(),
    card: faker.datatype.boolean() ? card.replace(/-/g, ' ') : card.replace(/-/g, ''),
    phone: faker.phone.number({ style: pick(['national', 'international']) }),
    ssn: `${faker.number.int({ min: 100, max: 899 })}-${faker.number.int({ min: 10, max: 99 })}-${faker.number.int({ min: 1000, max: 9999 })}`,
    ip: faker.internet.ipv4(),
    iban: faker.finance.iban(),
    created: faker.date.past().toISOString(),
  });
}
// PII-free: application logs and prose with ids, hashes, versions, timestamps, prices.
function freeLine() {
  return pick([
    () => `${faker.date.past().toISOString()} INFO [worker-${faker.number.int(9)}] GET /api/v1/orders/${faker.number.int(99999)}?page=${faker.number.int(20)} 200 ${faker.number.float({ max: 100, fractionDigits: 1 })}ms req=${faker.string.uuid()}`,
    () => `commit ${faker.git.commitSha()} ${faker.git.commitMessage()} (v${faker.system.semver()})`,
    () => faker.lorem.sentences(2),
    () => `order ORD-2024-${faker.number.int({ min: 100000, max: 999999 })} total $${faker.commerce.price()} status=${pick(['paid', 'shipped', 'open'])}`,
    () => `${faker.system.filePath()} ${faker.number.int(1e7)} bytes sha256:${faker.string.hexadecimal({ length: 64, casing: 'lower', prefix: '' })}`,
  ])();
}

function build(gen) {
  const pool = Array.from({ length: 20000 }, gen);
  const target = TARGET_MB * 1024 * 1024;
  const parts = [];
  let size = 0;
  for (let i = 0; size < target; i++) {
    const l = pool[(i * 7919) % pool.length];
    parts.push(l);
    size += l.length + 1;
  }
  return parts.join('\n');
}

const masker = createMasker({ detectors: 'all' });
// Wall time and CPU time both: on a shared machine wall time includes time we were descheduled.
function timeIt(label, text, fn) {
  fn(text.slice(0, 1 << 20)); // warm up
  let best = null;
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const hits = fn(text);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cu = process.cpuUsage(c0);
    const cpu = (cu.user + cu.system) / 1e6;
    if (!best || cpu < best.cpu) best = { wall, cpu, hits };
  }
  const mb = Buffer.byteLength(text) / 1e6;
  console.log(
    `${label.padEnd(36)} ${mb.toFixed(1).padStart(6)} MB ${(mb / best.wall).toFixed(1).padStart(7)} MB/s wall ${(mb / best.cpu).toFixed(1).padStart(7)} MB/s cpu  out=${best.hits}`,
  );
}
// Floor of this machine: a bare charCodeAt loop over the same text (no masking at all).
const bareLoop = (text) => {
  let a = 0;
  for (let i = 0; i < text.length; i++) a = (a + text.charCodeAt(i)) | 0;
  return a & 1;
};
// Masking works per cell/line in practice; 64 KiB slices model the stream chunk size too.
const perSlice = (text) => {
  let hits = 0;
  for (let i = 0; i < text.length; i += 65536) hits += masker.maskText(text.slice(i, i + 65536)).hits.length;
  return hits;
};
const perLine = (text) => {
  let hits = 0;
  for (const line of text.split('\n')) hits += masker.maskText(line).hits.length;
  return hits;
};
const stream = (text) => {
  const sm = createStreamMasker(masker, {});
  let n = 0;
  for (let i = 0; i < text.length; i += 16384) n += sm.write(text.slice(i, i + 16384)).length;
  n += sm.end().length;
  return n;
};

console.log(`node ${process.version}, one core, best of 3`);
const dense = build(denseLine);
const free = build(freeLine);
timeIt('baseline: bare charCodeAt loop', dense, bareLoop);
timeIt('maskText, PII-dense, 64 KiB slices', dense, perSlice);
timeIt('maskText, PII-dense, per line', dense, perLine);
timeIt('maskText, PII-free, 64 KiB slices', free, perSlice);
timeIt('maskText, PII-free, per line', free, perLine);
timeIt('stream, PII-dense, 16 KiB chunks', dense, stream);
timeIt('stream, PII-free, 16 KiB chunks', free, stream);

// Accuracy on the labelled corpus.
const corpus = JSON.parse(readFileSync(new URL('../../gateway-core/test/masking/corpus/labelled.json', import.meta.url), 'utf8'));
const stats = Object.fromEntries(DETECTOR_NAMES.map((d) => [d, { tp: 0, fp: 0, fn: 0 }]));
for (const e of corpus) {
  const r = masker.maskText(e.text);
  const found = new Set(r.hits.map((h) => h.detector));
  if (e.label) {
    if (found.has(e.label) && !r.text.includes(e.value)) stats[e.label].tp++;
    else stats[e.label].fn++;
  }
  for (const d of found) if (d !== e.label) stats[d].fp++;
}
const tot = { tp: 0, fp: 0, fn: 0 };
console.log(`\ncorpus: ${corpus.length} entries, ${corpus.filter((e) => !e.label).length} hard negatives`);
console.log('detector'.padEnd(28) + 'tp'.padStart(5) + 'fp'.padStart(5) + 'fn'.padStart(5) + '  precision  recall');
for (const [d, s] of Object.entries(stats)) {
  for (const k of ['tp', 'fp', 'fn']) tot[k] += s[k];
  const p = s.tp + s.fp ? s.tp / (s.tp + s.fp) : 1;
  const r = s.tp + s.fn ? s.tp / (s.tp + s.fn) : 1;
  console.log(d.padEnd(28) + String(s.tp).padStart(5) + String(s.fp).padStart(5) + String(s.fn).padStart(5) + p.toFixed(3).padStart(11) + r.toFixed(3).padStart(8));
}
console.log('overall'.padEnd(43) + (tot.tp / (tot.tp + tot.fp)).toFixed(3).padStart(11) + (tot.tp / (tot.tp + tot.fn)).toFixed(3).padStart(8));
