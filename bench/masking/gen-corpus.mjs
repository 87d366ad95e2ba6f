// Regenerates gateway-core/test/masking/corpus/labelled.json (seeded, deterministic).
// Positives come from faker and libphonenumber's example numbers; hard negatives are hand-written
// lookalikes. Run: node bench/masking/gen-corpus.mjs
import { writeFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { faker } from '@faker-js/faker';
import { getExampleNumber } from 'libphonenumber-js';
import examples from 'libphonenumber-js/mobile/examples';

faker.seed(20240611);
const out = [];
const pos = (label, text, value = text) => out.push({ label, text, value });
const neg = (text, note) => out.push({ label: null, text, note });
const wrap = [(v) => v, (v) => `{"v":"${v}"}`, (v) => `{${v},foo}`, (v) => `("Jane","${v}")`, (v) => `value: ${v}.`, (v) => `[${v}]`];
const w = (i, v) => wrap[i % wrap.length](v);

// card
const issuers = ['visa', 'mastercard', 'american_express', 'discover', 'jcb', 'diners_club'];
for (let i = 0; i < 42; i++) {
  let v = faker.finance.creditCardNumber(issuers[i % issuers.length]);
  if (i % 3 === 0) v = v.replace(/-/g, '');
  else if (i % 3 === 1) v = v.replace(/-/g, ' ');
  pos('card', w(i, v), v);
}
// email
for (let i = 0; i < 36; i++) {
  const v = i % 4 === 0 ? faker.internet.exampleEmail() : faker.internet.email();
  pos('email', w(i, v), v);
}
// phone: NANP in faker's national styles + international example numbers
for (let i = 0; i < 22; i++) {
  const v = faker.phone.number({ style: i % 2 ? 'national' : 'international' });
  pos('phone', w(i, v), v);
}
const nanpStyles = [(a, b, c) => `${a}-${b}-${c}`, (a, b, c) => `${a}.${b}.${c}`, (a, b, c) => `1-${a}-${b}-${c}`, (a, b, c) => `+1 ${a} ${b} ${c}`];
for (let i = 0; i < 8; i++) {
  const a = faker.number.int({ min: 201, max: 989 }), b = faker.number.int({ min: 200, max: 999 }), c = String(faker.number.int({ min: 0, max: 9999 })).padStart(4, '0');
  pos('phone', w(i, nanpStyles[i % 4](a, b, c)), nanpStyles[i % 4](a, b, c));
}
for (const cc of ['GB', 'FR', 'DE', 'JP', 'AU', 'IN', 'BR', 'ES', 'IT', 'NL', 'SE', 'MX', 'ZA', 'CH']) {
  const v = getExampleNumber(cc, examples).formatInternational();
  pos('phone', `call ${v} today`, v);
}
// ssn
for (let i = 0; i < 30; i++) {
  const area = String(faker.number.int({ min: 1, max: 899 })).padStart(3, '0');
  if (area === '666') continue;
  const g = String(faker.number.int({ min: 1, max: 99 })).padStart(2, '0');
  const s = String(faker.number.int({ min: 1, max: 9999 })).padStart(4, '0');
  if (i % 3 === 2) pos('ssn', i % 2 ? `SSN: ${area}${g}${s}` : `{"ssn":"${area}${g}${s}"}`, `${area}${g}${s}`);
  else pos('ssn', w(i, `${area}-${g}-${s}`), `${area}-${g}-${s}`);
}
// iban
for (let i = 0; i < 26; i++) {
  const v = faker.finance.iban({ formatted: i % 2 === 0 });
  pos('iban', w(i, v), v);
}
// ipv4 / ipv6
for (let i = 0; i < 20; i++) {
  const v = faker.internet.ipv4();
  if (/\b0\d/.test(v)) continue;
  pos('ipv4', i % 2 ? `client ${v}:5432 connected` : w(i, v), v);
}
const v6 = ['2001:db8::1', 'fe80::1ff:fe23:4567:890a', '2001:0db8:85a3:0000:0000:8a2e:0370:7334', '::1', '::ffff:192.0.2.128', 'fe80::1%eth0', '2606:4700:4700::1111', '2a00:1450:4001:81c::200e', 'fd12:3456:789a:1::1'];
v6.forEach((v, i) => pos('ipv6', w(i, v), v));
for (let i = 0; i < 6; i++) { const v = faker.internet.ipv6(); pos('ipv6', `addr=${v}`, v); }
// aws access key ids
const b32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
for (let i = 0; i < 15; i++) {
  let v = i % 2 ? 'ASIA' : 'AKIA';
  for (let k = 0; k < 16; k++) v += b32[faker.number.int({ min: 0, max: 31 })];
  pos('aws-access-key', i % 3 ? `aws_access_key_id = ${v}` : w(i, v), v);
}
// jwt
const b64u = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
for (let i = 0; i < 15; i++) {
  const alg = ['HS256', 'RS256', 'ES256', 'none'][i % 4];
  const head = b64u(i % 2 ? { alg, typ: 'JWT' } : { typ: 'JWT', alg, kid: faker.string.alphanumeric(8) });
  const body = b64u({ sub: faker.string.uuid(), email: faker.internet.email(), iat: 1700000000 + i });
  const sig = alg === 'none' ? '' : createHmac('sha256', 'k').update(head + body).digest('base64url');
  const v = `${head}.${body}.${sig}`;
  pos('jwt', i % 2 ? `Authorization: Bearer ${v}` : w(i, v), v);
}
// pem
for (let i = 0; i < 8; i++) {
  const label = ['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'][i % 5];
  const body = faker.string.alphanumeric(64) + '\n' + faker.string.alphanumeric(64) + '\n' + faker.string.alphanumeric(20) + '==';
  const v = `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
  pos('pem-private-key', i % 2 ? `key:\n${v}\n` : JSON.stringify({ key: v }), body.split('\n')[0]);
}
// connection-string passwords
for (let i = 0; i < 20; i++) {
  const pw = faker.internet.password({ length: 12, pattern: /[A-Za-z0-9!%^*_~]/ });
  const user = faker.internet.username().replace(/[^A-Za-z0-9_]/g, '');
  const forms = [
    `postgres://${user}:${pw}@db.internal:5432/app`,
    `postgresql://${user}:${pw}@db-primary/app?sslmode=require`,
    `host=db.internal port=5432 user=${user} password=${pw} dbname=app`,
    `mysql://${user}:${pw}@mysql:3306/shop`,
    `Server=db;Database=app;User Id=${user};Password=${pw};`,
    `export PGPASSWORD=${pw}`,
    `{"dsn":"redis://:${pw}@cache:6379/0"}`,
    `host=db user=${user} password='${pw} x' sslmode=verify-full`,
  ];
  const text = forms[i % forms.length];
  pos('connection-string-password', text, i % 8 === 7 ? `${pw} x` : pw);
}

// ---- hard negatives ----
const negs = [
  ['ORD-2024-000123', 'order'], ['Order #100234567', 'order, 9 digits no context'], ['order_id=4000123456', 'order'],
  ['INV-2023-004512', 'invoice'], ['Invoice 2024/0042/17', 'invoice'], ['PO 4500012345', 'purchase order'],
  ['$1,299.99', 'price'], ['€ 4.111,11', 'price'], ['USD 12345.67', 'price'], ['total: 1234567.89', 'price'],
  ['1Z999AA10123456784', 'UPS tracking'], ['9400 1000 0000 0000 0000 00', 'USPS tracking'], ['tracking 7489 1234 5678', 'FedEx'],
  ['2024-01-05', 'iso date'], ['2024-01-05T12:30:45Z', 'timestamp'], ['2024-01-05 12:30:45.123+00', 'pg timestamptz'],
  ['12:30:45', 'time'], ['05/01/2024', 'date'], ['1704461445', 'unix ts'], ['1704461445123', 'unix ms ts'],
  ['v1.2.3', 'version'], ['1.2.3', 'version'], ['node 20.20.2', 'version'], ['version 10.4.0-beta.1', 'version'], ['2.0.0-rc.1', 'version'],
  ['a94a8fe5ccb19ba61c4c0873d391e987982fbbd3', 'sha1'], ['d41d8cd98f00b204e9800998ecf8427e', 'md5'],
  ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'sha256'],
  ['aGVsbG8gd29ybGQgdGhpcyBpcyBub3QgYSBqd3Q=', 'base64'], ['eyJmb28iOiJiYXIifQ.eyJhIjoxfQ.c2ln', 'jwt-like without alg'],
  ['eyJ0eXAiOiJKV1QifQ', 'one segment'], ['dGVzdA.dGVzdA.dGVzdA', 'base64 dotted'],
  ['4111 1111 1111 1112', 'luhn fail'], ['4111111111111112', 'luhn fail'], ['1234 5678 9012 3456', 'luhn fail/no IIN'],
  ['9999 9999 9999 9995', 'no IIN'], ['0000 0000 0000 0000', 'zeros'], ['1234567890123', 'no IIN 13'],
  ['000-12-3456', 'ssn area 000'], ['666-12-3456', 'ssn area 666'], ['900-12-3456', 'ssn area 9xx'], ['987-65-4321', 'ssn area 9xx'],
  ['123-00-4567', 'ssn group 00'], ['123-45-0000', 'ssn serial 0000'], ['SSN: 000123456', 'ssn 9 digits area 000'], ['id 123456789', 'no context'],
  ['DE89 3704 0044 0532 0130 01', 'iban bad check'], ['GB82WEST12345698765433', 'iban bad check'], ['FR14 2004 1010 0505 0001 3M02 607', 'iban bad check'],
  ['XX12345678901234', 'unknown country'], ['DE8937040044053201300', 'iban short'],
  ['256.1.1.1', 'octet > 255'], ['1.2.3', 'three parts'], ['192.168.1', 'three parts'], ['10.0.0.256', 'octet'], ['01.02.03.04', 'leading zeros'],
  ['1.2.3.4.5', 'five parts'], ['12:30', 'time'], ['00:1a:2b:3c:4d:5e', 'mac'], ['std::vector<int>', 'c++'], ['dead::beef', 'no digit'],
  ['AKIA1234', 'short key'], ['AKIAIOSFODNN7EXAMPL', '19 chars'], ['XKIAIOSFODNN7EXAMPLE', 'wrong prefix'], ['akiaiosfodnn7example', 'lowercase'],
  ['user@localhost', 'no tld'], ['a@b', 'no domain'], ['@handle', 'mention'], ['foo@bar.123', 'numeric tld'], ['email@', 'empty domain'],
  ['555-0100', '7 digit local'], ['123-456-7890', 'area starts 1'], ['055-123-4567', 'area starts 0'], ['+1 555 012', 'too short'], ['+999 1234 5678', 'bad cc'],
  ['password_reset=true', 'not a password key'], ['password=', 'empty'], ['https://example.com/path', 'no userinfo'], ['https://user@example.com/', 'no password'],
  ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 'certificate'], ['-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----', 'public key'],
  ['550e8400-e29b-41d4-a716-446655440000', 'uuid'], ['123e4567-e89b-12d3-a456-426614174000', 'uuid'], ['12345678-1234-5678-1234-567812345678', 'numeric uuid'],
  ['row 4111', 'short'], ['ticket GH-4821', 'issue id'], ['build #20240105', 'build'], ['port 5432', 'port'], ['pid 123456', 'pid'],
  ['ISBN 978-3-16-148410-0', 'isbn'], ['EAN 4006381333931', 'ean'], ['+49 (0)30 1234', 'too short'], ['lat 48.8566, lon 2.3522', 'coords'],
  ['x = 1.23e-4', 'float'], ['CVE-2024-3094', 'cve'], ['RFC 4291', 'rfc'], ['sha256:9f86d081884c7d659a2feaa0c55ad015', 'digest'],
  ['commit 4111111111111111abcdef0', 'hex'], ['id_4111111111111111', 'identifier'], ['acct 000123456789', 'account'],
  ['bytes 1048576 of 4194304', 'sizes'], ['Duration 00:01:23.456', 'duration'], ['(2024, 1, 5)', 'tuple'], ['{1,2,3,4}', 'pg array'],
  ['SELECT 1;', 'sql'], ['ls -la /var/log', 'shell'], ['HTTP/1.1 200 OK', 'http'], ['Mozilla/5.0 (X11; Linux x86_64)', 'ua'],
  ['2001', 'year'], ['fe80', 'word'], ['::', 'bare'], ['a1b2::c3d4::e5f6', 'two double colons'], ['1:2:3:4:5:6:7', 'seven groups'],
  ['10.0.0.1.2', 'five parts'], ['user.name@', 'dangling'], ['415 555', 'partial'], ['(415) 555', 'partial'],
  ['SKU 88-4421-903', 'sku'], ['serial SN-2024-77812-A', 'serial'], ['batch 2024.01.05', 'dotted date'], ['ref 20240105123456', 'timestamp id'],
];
for (const [t, note] of negs) neg(t, note);
writeFileSync(new URL('../../gateway-core/test/masking/corpus/labelled.json', import.meta.url), JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${out.length} entries (${out.filter((e) => e.label).length} positive)`);
