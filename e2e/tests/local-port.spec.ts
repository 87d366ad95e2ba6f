import { expect, test } from '@playwright/test';
import { TLSSocket } from 'node:tls';
import pg from 'pg';
import { actAs, e2eUrl, openSqlEditor, seededRawValues } from '../support/sql-editor.js';

/**
 * Issue 7's UI: Erin opens a local PostgreSQL port for the demo database from the app, copies its
 * connection URL, and a native client (node-postgres here, as DBeaver would) connects with it:
 * what it reads is masked and a DROP is refused. Closing the port (or switching identity) ends it.
 */
test('a local port opened from the app serves a native client, masked, until it is closed', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(e2eUrl());
  await actAs(page, 'engineer');
  await openSqlEditor(page, 'demo-postgres');
  const panel = page.getByTestId('local-ports');
  await panel.getByTestId('open-local-port').click();
  const item = panel.getByTestId('local-port-demo-postgres');
  await expect(item).toBeVisible();
  await expect(item.getByTestId('local-port-password')).toHaveText('•'.repeat(12));

  await item.getByTestId('copy-local-port-url').click();
  await expect(item.getByRole('status')).toHaveText('Connection URL copied');
  const url = await page.evaluate(() => navigator.clipboard.readText());
  const port = await item.getByTestId('local-port-port').innerText();
  expect(url).toMatch(new RegExp(`^postgresql://engineer:[A-Za-z0-9_-]{32}@127\\.0\\.0\\.1:${port}/demo-postgres\\?sslmode=disable$`));
  await item.getByRole('button', { name: 'Show' }).click();
  expect(url).toContain(await item.getByTestId('local-port-password').innerText());

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const raw = seededRawValues(20);
    const { rows } = await client.query<{ email: string; ssn: string }>('SELECT email, ssn FROM customers ORDER BY id LIMIT 20');
    expect(rows).toHaveLength(20);
    for (const r of rows) {
      expect(raw.emails).not.toContain(r.email);
      expect(raw.ssns).not.toContain(r.ssn);
      expect(r.email).toContain('•');
    }
    await expect(client.query('DROP TABLE customers')).rejects.toMatchObject({ code: '42501' });
    await expect(item.getByTestId('local-port-clients')).toHaveText('1 client', { timeout: 10_000 });
  } finally {
    await client.end();
  }

  await item.getByTestId('close-local-port').click();
  await expect(item).toHaveCount(0);
  const late = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await expect(late.connect()).rejects.toThrow();
});

test('a port that requires TLS shows its sslmode and certificate, and serves a client that pins it', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(e2eUrl());
  await actAs(page, 'engineer');
  await openSqlEditor(page, 'demo-postgres');
  const panel = page.getByTestId('local-ports');
  await panel.getByTestId('local-port-require-tls').check();
  await panel.getByTestId('open-local-port').click();
  const item = panel.getByTestId('local-port-demo-postgres');
  await expect(item.getByTestId('local-port-sslmode')).toHaveText('verify-ca (TLS required; require also works)');
  const certFile = await item.getByTestId('local-port-cert-file').innerText();
  expect(certFile).toMatch(/local-port-tls\/local-port\.crt$/);
  const fingerprint = await item.getByTestId('local-port-fingerprint').innerText();
  expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

  await item.getByTestId('copy-local-port-url').click();
  const url = await page.evaluate(() => navigator.clipboard.readText());
  expect(url).toMatch(/\?sslmode=verify-ca&sslrootcert=/);
  expect(url).toContain(`sslrootcert=${encodeURIComponent(certFile)}`);
  await item.getByTestId('copy-local-port-psql').click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^PGPASSWORD=\S+ PGSSLROOTCERT=\S+ psql 'host=127\.0\.0\.1 port=\d+ user=engineer dbname=demo-postgres sslmode=verify-ca'$/);

  // node-postgres reads sslrootcert from the URL and verifies the port's certificate against it.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const stream = (client as unknown as { connection: { stream: TLSSocket } }).connection.stream;
    expect(stream).toBeInstanceOf(TLSSocket);
    expect(stream.getPeerX509Certificate()?.fingerprint256).toBe(fingerprint);
    const raw = seededRawValues(5);
    const { rows } = await client.query<{ email: string }>('SELECT email FROM customers ORDER BY id LIMIT 5');
    for (const r of rows) expect(raw.emails).not.toContain(r.email);
  } finally {
    await client.end();
  }
  const port = Number(await item.getByTestId('local-port-port').innerText());
  const plain = new pg.Client({ host: '127.0.0.1', port, user: 'engineer', password: 'x', database: 'demo-postgres', ssl: false });
  await expect(plain.connect()).rejects.toThrow(/requires TLS/);

  await item.getByTestId('close-local-port').click();
  await expect(item).toHaveCount(0);
});

test('switching identity closes the ports of the identity that left', async ({ page }) => {
  await page.goto(e2eUrl());
  await actAs(page, 'engineer');
  await openSqlEditor(page, 'demo-postgres');
  const panel = page.getByTestId('local-ports');
  await panel.getByTestId('open-local-port').click();
  const item = panel.getByTestId('local-port-demo-postgres');
  await expect(item).toBeVisible();
  const port = Number(await item.getByTestId('local-port-port').innerText());
  await actAs(page, 'admin');
  await expect(item).toHaveCount(0);
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'engineer', password: 'x', database: 'demo-postgres', connectionTimeoutMillis: 3_000 });
  await expect(client.connect()).rejects.toThrow();
  await actAs(page, 'engineer');
  await expect(page.getByTestId('local-ports').getByTestId('local-port-demo-postgres')).toHaveCount(0);
});
