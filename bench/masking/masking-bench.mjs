// Masking throughput (PII-dense, PII-free prose, PII-free digit-heavy logs) and corpus accuracy.
//   npx tsc -b && node bench/masking/masking-bench.mjs > section.md
// Prints a markdown section on stdout; progress goes to stderr. Env: BENCH_MB (per corpus,
// default 20), BENCH_RUNS (best of, default 5), MASKING_MODULE (an esbuild bundle of
// gateway-core/src/masking/index.ts, to bench without a full build).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { faker } from '@faker-js/faker';

const modPath = process.env.MASKING_MODULE
  ? pathToFileURL(process.env.MASKING_MODULE).href
  : new URL('../../gateway-core/dist/masking/index.js', import.meta.url).href;
const { createMasker, createStreamMasker, DETECTOR_NAMES } = await import(modPath);
const TARGET_MB = Number(process.env.BENCH_MB ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const log = (...a) => console.error(...a);

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
// PII-free prose: sentences and commit messages (few digits, few anchors).
function proseLine() {
  return pick([
    () => faker.lorem.sentences(2),
    () => `commit ${faker.git.commitSha()} ${faker.git.commitMessage()} (v${faker.system.semver()})`,
    () => `${faker.hacker.phrase()} ${faker.company.catchPhrase()}.`,
  ])();
}
// PII-free logs: ids, hashes, versions, timestamps, prices: every line full of digit runs.
function logLine() {
  return pick([
    () => `${faker.date.past().toISOString()} INFO [worker-${faker.number.int(9)}] GET /api/v1/orders/${faker.number.int(99999)}?page=${faker.number.int(20)} 200 ${faker.number.float({ max: 100, fractionDigits: 1 })}ms req=${faker.string.uuid()}`,
    () => `order ORD-2024-${faker.number.int({ min: 100000, max: 999999 })} total $${faker.commerce.price()} status=${pick(['paid', 'shipped', 'open'])}`,
    () => `${faker.system.filePath()} ${faker.number.int(1e7)} bytes sha256:${faker.string.hexadecimal({ length: 64, casing: 'lower', prefix: '' })}`,
  ])();
}

function build(gen, seed) {
  faker.seed(seed);
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

/** MB/s of CPU time of one call: on a shared machine wall time counts time we were descheduled. */
function cpuMbs(fn, input, bytes) {
  const c0 = process.cpuUsage();
  fn(input);
  const cu = process.cpuUsage(c0);
  return bytes / 1e6 / ((cu.user + cu.system) / 1e6);
}

// Masking runs per cell/line in practice; 64 KiB slices model large values, 16 KiB the stream chunks.
const modes = [
  ['`maskText`, 64 KiB slices', (text) => text, (text) => {
    let hits = 0;
    for (let i = 0; i < text.length; i += 65536) hits += masker.maskText(text.slice(i, i + 65536)).hits.length;
    return hits;
  }],
  ['`maskText`, per line', (text) => text.split('\n'), (lines) => {
    let hits = 0;
    for (const line of lines) hits += masker.maskText(line).hits.length;
    return hits;
  }],
  ['`maskCell`, per line', (text) => text.split('\n'), (lines) => {
    let masked = 0;
    for (const line of lines) if (masker.maskCell(line).masked) masked++;
    return masked;
  }],
  ['stream, 16 KiB chunks', (text) => text, (text) => {
    const sm = createStreamMasker(masker, {});
    let n = 0;
    for (let i = 0; i < text.length; i += 16384) n += sm.write(text.slice(i, i + 16384)).length;
    return n + sm.end().length;
  }],
];

log(`node ${process.version}, one core, ${TARGET_MB} MB per corpus, best of ${RUNS} rounds`);
const corpora = [
  ['PII-dense', build(denseLine, 7)],
  ['PII-free prose', build(proseLine, 11)],
  ['PII-free logs', build(logLine, 13)],
];
// Floor of this machine: a bare charCodeAt loop over the same text (no masking at all).
const bareLoop = (text) => {
  let a = 0;
  for (let i = 0; i < text.length; i++) a = (a + text.charCodeAt(i)) | 0;
  return a & 1;
};
// Every case is measured once per round, the rounds one after another, and each keeps its best
// round. A busy neighbour on this 2-vCPU machine halves CPU-time throughput while it lasts; cases
// measured back to back would all land in the same slow window, interleaved rounds spread them.
const cases = [{ label: 'bare', name: 'PII-dense', input: corpora[0][1], bytes: Buffer.byteLength(corpora[0][1]), fn: bareLoop, k: -1 }];
for (const [name, text] of corpora) {
  const bytes = Buffer.byteLength(text);
  modes.forEach(([label, prep, fn], k) => cases.push({ label, name, input: prep(text), bytes, fn, k }));
}
for (const c of cases) c.fn(c.input); // warm up (and JIT) on the whole input once
const best = cases.map(() => 0);
const bareRounds = [];
for (let r = 0; r < RUNS; r++) {
  cases.forEach((c, i) => {
    const mbs = cpuMbs(c.fn, c.input, c.bytes);
    if (c.k < 0) bareRounds.push(mbs);
    best[i] = Math.max(best[i], mbs);
  });
  log(`round ${r + 1}/${RUNS}: bare loop ${bareRounds.at(-1).toFixed(0)} MB/s`);
}
const table = modes.map(([label]) => [label]);
cases.forEach((c, i) => {
  if (c.k >= 0) table[c.k].push(best[i]);
  log(`${`${c.label.replaceAll('`', '')}, ${c.name}`.padEnd(44)} ${best[i].toFixed(1).padStart(7)} MB/s cpu`);
});
const bare = best[0];

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
const ratio = (a, b) => (b ? a / b : 1).toFixed(3);
const tot = { tp: 0, fp: 0, fn: 0 };
const rows = Object.entries(stats).map(([d, s]) => {
  for (const k of ['tp', 'fp', 'fn']) tot[k] += s[k];
  return `| ${d} | ${s.tp} | ${s.fp} | ${s.fn} | ${ratio(s.tp, s.tp + s.fp)} | ${ratio(s.tp, s.tp + s.fn)} |`;
});

const md = [
  '## Masking',
  '',
  `Throughput in MB/s of CPU time (\`process.cpuUsage\`), one core, best of ${RUNS}, ${TARGET_MB} MB of generated text per`,
  `column (all detectors on), each case measured once per round and the rounds interleaved. Target (BRIEF §7): ≥ 100 MB/s`,
  `on PII-dense and PII-free text. For scale, a bare \`charCodeAt\` loop over the same text: best ${bare.toFixed(0)} MB/s,`,
  `slowest round ${Math.min(...bareRounds).toFixed(0)} MB/s (a gap of about 2× means the other vCPU was busy in some rounds).`,
  '',
  `| Case | ${corpora.map(([n]) => n).join(' | ')} |`,
  `|---|${corpora.map(() => '---:').join('|')}|`,
  ...table.map(([label, ...v]) => `| ${label} | ${v.map((x) => x.toFixed(0)).join(' | ')} |`),
  '',
  'PII-dense: JSON rows of name, email, card, phone, SSN, IPv4, IBAN, timestamp. PII-free prose: sentences and',
  'commit lines. PII-free logs: request logs, order lines, file paths with sizes and SHA-256 digests.',
  '',
  `Accuracy on the labelled corpus (${corpus.length} entries, ${corpus.filter((e) => !e.label).length} hard negatives):`,
  '',
  '| Detector | TP | FP | FN | Precision | Recall |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows,
  `| **overall** | ${tot.tp} | ${tot.fp} | ${tot.fn} | ${ratio(tot.tp, tot.tp + tot.fp)} | ${ratio(tot.tp, tot.tp + tot.fn)} |`,
];
process.stdout.write(`${md.join('\n')}\n`);
