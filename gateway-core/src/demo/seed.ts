// Schema and loader for the demo "production" database. Rows are bulk-loaded with
// COPY FROM '/dev/blob' (PGlite's in-memory COPY source) inside one transaction, and constraints and
// indexes are added after the load, because building them once is much cheaper than per row.
import type { PGlite } from '@electric-sql/pglite';
import { generateDataset, type Cell, type TableRows } from './fake-data.js';

/** Bump when the schema or the generator changes: an existing data dir with another version is reseeded. */
export const SEED_VERSION = 1;

export const TABLES_DDL = `
CREATE SCHEMA IF NOT EXISTS public;
CREATE SCHEMA billing;
CREATE SCHEMA gatehouse_demo;

CREATE TABLE public.products (
  id integer NOT NULL, sku text NOT NULL, name text NOT NULL, category text NOT NULL,
  price_cents integer NOT NULL, active boolean NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE public.customers (
  id integer NOT NULL, full_name text NOT NULL, email text NOT NULL, phone text NOT NULL,
  street text NOT NULL, city text NOT NULL, state char(2) NOT NULL, zip text NOT NULL,
  ssn text NOT NULL, date_of_birth date NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE public.payment_cards (
  id integer NOT NULL, customer_id integer NOT NULL, brand text NOT NULL, card_number text NOT NULL,
  exp_month smallint NOT NULL, exp_year smallint NOT NULL, cardholder text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE public.orders (
  id integer NOT NULL, customer_id integer NOT NULL, status text NOT NULL, total_cents integer NOT NULL,
  currency char(3) NOT NULL, placed_at timestamptz NOT NULL, ship_street text NOT NULL,
  ship_city text NOT NULL, ship_state char(2) NOT NULL, ship_zip text NOT NULL);
CREATE TABLE public.order_items (
  id integer NOT NULL, order_id integer NOT NULL, product_id integer NOT NULL,
  quantity integer NOT NULL, unit_price_cents integer NOT NULL);
CREATE TABLE public.payments (
  id integer NOT NULL, order_id integer NOT NULL, card_id integer NOT NULL, amount_cents integer NOT NULL,
  status text NOT NULL, processor_ref text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE public.support_tickets (
  id integer NOT NULL, customer_id integer NOT NULL, subject text NOT NULL, status text NOT NULL,
  priority text NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, notes text NOT NULL);
CREATE TABLE billing.invoices (
  id integer NOT NULL, invoice_number text NOT NULL, customer_id integer NOT NULL, order_id integer NOT NULL,
  amount_cents integer NOT NULL, currency char(3) NOT NULL, issued_at timestamptz NOT NULL,
  due_date date NOT NULL, paid_at timestamptz, status text NOT NULL);
CREATE TABLE gatehouse_demo.meta (seed_version integer NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now());
`;

// Identity columns are attached after the load so COPY can carry explicit ids; the sequences are
// then moved past the loaded maximum, so an approved INSERT in the demo behaves like production.
export const CONSTRAINTS_DDL = `
ALTER TABLE public.products ADD PRIMARY KEY (id), ADD CONSTRAINT products_sku_key UNIQUE (sku);
ALTER TABLE public.customers ADD PRIMARY KEY (id), ADD CONSTRAINT customers_email_key UNIQUE (email);
ALTER TABLE public.payment_cards ADD PRIMARY KEY (id),
  ADD CONSTRAINT payment_cards_customer_fk FOREIGN KEY (customer_id) REFERENCES public.customers(id);
ALTER TABLE public.orders ADD PRIMARY KEY (id),
  ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES public.customers(id),
  ADD CONSTRAINT orders_status_check CHECK (status IN ('pending','paid','shipped','delivered','cancelled','refunded'));
ALTER TABLE public.order_items ADD PRIMARY KEY (id),
  ADD CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES public.orders(id) ON DELETE CASCADE,
  ADD CONSTRAINT order_items_product_fk FOREIGN KEY (product_id) REFERENCES public.products(id);
ALTER TABLE public.payments ADD PRIMARY KEY (id),
  ADD CONSTRAINT payments_order_fk FOREIGN KEY (order_id) REFERENCES public.orders(id),
  ADD CONSTRAINT payments_card_fk FOREIGN KEY (card_id) REFERENCES public.payment_cards(id);
ALTER TABLE public.support_tickets ADD PRIMARY KEY (id),
  ADD CONSTRAINT support_tickets_customer_fk FOREIGN KEY (customer_id) REFERENCES public.customers(id);
ALTER TABLE billing.invoices ADD PRIMARY KEY (id), ADD CONSTRAINT invoices_number_key UNIQUE (invoice_number),
  ADD CONSTRAINT invoices_customer_fk FOREIGN KEY (customer_id) REFERENCES public.customers(id),
  ADD CONSTRAINT invoices_order_fk FOREIGN KEY (order_id) REFERENCES public.orders(id);

CREATE INDEX customers_created_at_idx ON public.customers (created_at);
CREATE INDEX customers_last_name_idx ON public.customers (lower(full_name));
CREATE INDEX payment_cards_customer_idx ON public.payment_cards (customer_id);
CREATE INDEX orders_customer_idx ON public.orders (customer_id);
CREATE INDEX orders_placed_at_idx ON public.orders (placed_at DESC);
CREATE INDEX orders_status_idx ON public.orders (status);
CREATE INDEX order_items_order_idx ON public.order_items (order_id);
CREATE INDEX payments_order_idx ON public.payments (order_id);
CREATE INDEX payments_created_at_idx ON public.payments (created_at DESC);
CREATE INDEX support_tickets_customer_idx ON public.support_tickets (customer_id);
CREATE INDEX support_tickets_status_idx ON public.support_tickets (status, priority);
CREATE INDEX invoices_customer_idx ON billing.invoices (customer_id);
`;

export const IDENTITY_TABLES = [
  'public.products', 'public.customers', 'public.payment_cards', 'public.orders', 'public.order_items',
  'public.payments', 'public.support_tickets', 'billing.invoices',
];

export const VIEWS_DDL = `
CREATE VIEW public.customer_order_summary AS
  SELECT c.id AS customer_id, c.full_name, c.email, c.state,
         count(o.id) AS order_count,
         coalesce(sum(o.total_cents) FILTER (WHERE o.status NOT IN ('cancelled','refunded')), 0) AS lifetime_cents,
         max(o.placed_at) AS last_order_at
    FROM public.customers c LEFT JOIN public.orders o ON o.customer_id = c.id
   GROUP BY c.id;
CREATE VIEW public.open_tickets AS
  SELECT t.id, t.subject, t.priority, t.status, t.created_at, c.full_name, c.email, c.phone, t.notes
    FROM public.support_tickets t JOIN public.customers c ON c.id = t.customer_id
   WHERE t.status IN ('open','pending');
-- "Recent" is relative to the dataset's reference date, not now(), so the view is stable over time.
CREATE VIEW public.recent_payments AS
  SELECT p.id, p.order_id, p.amount_cents, p.status, p.processor_ref, p.created_at,
         pc.brand, pc.card_number, pc.cardholder, c.email
    FROM public.payments p
    JOIN public.payment_cards pc ON pc.id = p.card_id
    JOIN public.orders o ON o.id = p.order_id
    JOIN public.customers c ON c.id = o.customer_id
   WHERE p.created_at >= timestamptz '2025-06-30 12:00:00+00' - interval '30 days';
CREATE VIEW billing.monthly_revenue AS
  SELECT date_trunc('month', issued_at) AS month, currency, count(*) AS invoices,
         sum(amount_cents) AS amount_cents, sum(amount_cents) FILTER (WHERE status = 'open') AS outstanding_cents
    FROM billing.invoices GROUP BY 1, 2;
COMMENT ON TABLE public.customers IS 'Customer master data (contains PII: email, phone, address, SSN).';
COMMENT ON TABLE public.payment_cards IS 'Stored cards (PAN in clear: a deliberately bad practice for the demo).';
COMMENT ON COLUMN public.support_tickets.notes IS 'Agent free text; often contains pasted PII.';
`;

/** Encodes one value for COPY's text format: backslash escapes for the few special characters. */
function copyValue(v: Cell): string {
  if (v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return v.replace(/[\\\t\n\r]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r'));
}

export function toCopyText(t: TableRows): string {
  const lines = new Array<string>(t.rows.length);
  for (let i = 0; i < t.rows.length; i++) lines[i] = (t.rows[i] ?? []).map(copyValue).join('\t');
  return lines.join('\n') + '\n';
}

/** The seed version recorded in the database, or null when the marker is absent. */
export async function readSeedVersion(db: PGlite): Promise<number | null> {
  const exists = await db.query<{ ok: boolean }>(`SELECT to_regclass('gatehouse_demo.meta') IS NOT NULL AS ok`);
  if (!exists.rows[0]?.ok) return null;
  const r = await db.query<{ seed_version: number }>('SELECT seed_version FROM gatehouse_demo.meta LIMIT 1');
  return r.rows[0]?.seed_version ?? null;
}

export interface SeedStats {
  rows: Record<string, number>;
  generateMs: number;
  loadMs: number;
}

/**
 * Drops whatever demo objects exist and loads a fresh dataset. All in one transaction, so a crash
 * mid-seed leaves no marker and the next start simply seeds again.
 */
export async function seedDatabase(db: PGlite, onProgress: (msg: string) => void): Promise<SeedStats> {
  const t0 = performance.now();
  onProgress('Generating demo data');
  const dataset = await generateDataset();
  const t1 = performance.now();
  const rows: Record<string, number> = {};

  await db.exec('BEGIN');
  try {
    await db.exec(`DROP SCHEMA IF EXISTS billing CASCADE; DROP SCHEMA IF EXISTS gatehouse_demo CASCADE;
                   DROP SCHEMA IF EXISTS public CASCADE;`);
    await db.exec(TABLES_DDL);
    for (const t of dataset) {
      onProgress(`Loading ${t.table} (${t.rows.length} rows)`);
      const blob = new Blob([toCopyText(t)]);
      await db.query(`COPY ${t.table} (${t.columns.join(', ')}) FROM '/dev/blob'`, [], { blob });
      rows[t.table] = t.rows.length;
    }
    onProgress('Adding keys and indexes');
    await db.exec(CONSTRAINTS_DDL);
    for (const table of IDENTITY_TABLES) {
      await db.exec(`ALTER TABLE ${table} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
        SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT max(id) FROM ${table}));`);
    }
    await db.exec(VIEWS_DDL);
    await db.query('INSERT INTO gatehouse_demo.meta (seed_version) VALUES ($1)', [SEED_VERSION]);
    await db.exec('COMMIT');
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
  // Planner statistics, so EXPLAIN and the schema browser show realistic row estimates.
  onProgress('Analyzing');
  await db.exec('ANALYZE');
  await db.exec('CHECKPOINT');
  return { rows, generateMs: Math.round(t1 - t0), loadMs: Math.round(performance.now() - t1) };
}
