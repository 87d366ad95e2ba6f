// Deterministic fake "production" data for the demo database. Everything comes from one seeded
// Faker instance with a fixed reference date, generated in a fixed order, so every fresh seed is
// byte-identical (the tests compare checksums). A private instance keeps the global faker untouched.
import type * as FakerEntry from '@faker-js/faker';
import type { Faker } from '@faker-js/faker';
import { fakeCard, fakePhone, fakeSsn, formatCard } from './identifiers.js';

export type Cell = string | number | boolean | null;
export interface TableRows {
  /** Schema-qualified table name, matching the DDL in seed.ts. */
  table: string;
  columns: readonly string[];
  rows: Cell[][];
}

export interface DatasetSizes {
  customers: number;
  orders: number;
  tickets: number;
  products: number;
}

export const DEFAULT_SIZES: DatasetSizes = { customers: 10_000, orders: 30_000, tickets: 3_000, products: 200 };

const SEED = 20250630;
/** "Now" for the dataset: all timestamps are at or before this instant. */
export const REFERENCE_DATE = new Date('2025-06-30T12:00:00.000Z');
const EPOCH = new Date('2019-01-01T00:00:00.000Z');

interface Customer {
  id: number;
  fullName: string;
  email: string;
  phone: string;
  street: string;
  city: string;
  state: string;
  zip: string;
  ssn: string;
  dob: string;
  createdAt: Date;
}
interface Card {
  id: number;
  customerId: number;
  number: string;
  expMonth: number;
  expYear: number;
}

/** What the generator needs of `@faker-js/faker` (the module itself). */
export type FakerModule = Pick<typeof FakerEntry, 'Faker' | 'base' | 'en' | 'en_US'>;

/**
 * faker is loaded here, not at module load: its root entry loads every locale (a few hundred ms),
 * and gateway-core is imported by every CLI command, most of which never make demo data.
 */
export async function generateDataset(sizes: DatasetSizes = DEFAULT_SIZES): Promise<TableRows[]> {
  return buildDataset(await import('@faker-js/faker'), sizes);
}

/** generateDataset with faker already loaded (synchronous callers such as the e2e support code). */
export function buildDataset(faker: FakerModule, sizes: DatasetSizes = DEFAULT_SIZES): TableRows[] {
  const { Faker, base, en, en_US } = faker;
  const f = new Faker({ locale: [en_US, en, base] });
  f.seed(SEED);
  f.setDefaultRefDate(REFERENCE_DATE);
  const iso = (d: Date): string => d.toISOString();
  const between = (from: Date, to: Date): Date => f.date.between({ from, to });

  // --- products -------------------------------------------------------------------------------
  const categories = ['Electronics', 'Home', 'Garden', 'Books', 'Toys', 'Outdoors', 'Kitchen', 'Office'];
  const products: Cell[][] = [];
  const prices: number[] = [];
  for (let id = 1; id <= sizes.products; id++) {
    const price = f.number.int({ min: 299, max: 49_999 });
    prices.push(price);
    products.push([
      id,
      `SKU-${String(id).padStart(5, '0')}`,
      f.commerce.productName(),
      f.helpers.arrayElement(categories),
      price,
      f.number.int({ min: 0, max: 19 }) !== 0,
      iso(between(EPOCH, new Date('2020-01-01T00:00:00Z'))),
    ]);
  }

  // --- customers, cards -----------------------------------------------------------------------
  const customers: Customer[] = [];
  const seenEmails = new Set<string>();
  for (let id = 1; id <= sizes.customers; id++) {
    const first = f.person.firstName();
    const last = f.person.lastName();
    let email = f.internet.exampleEmail({ firstName: first, lastName: last }).toLowerCase();
    // The column is UNIQUE; disambiguate the rare collision the way real sign-up flows end up doing.
    if (seenEmails.has(email)) email = email.replace('@', `${id}@`);
    seenEmails.add(email);
    customers.push({
      id,
      fullName: `${first} ${last}`,
      email,
      phone: fakePhone(f),
      street: f.location.streetAddress(),
      city: f.location.city(),
      state: f.location.state({ abbreviated: true }),
      zip: f.location.zipCode('#####'),
      ssn: fakeSsn(f),
      dob: iso(f.date.birthdate({ mode: 'age', min: 18, max: 85 })).slice(0, 10),
      createdAt: between(EPOCH, new Date(REFERENCE_DATE.getTime() - 7 * 86_400_000)),
    });
  }

  const cards: Card[] = [];
  const cardRows: Cell[][] = [];
  const cardsByCustomer = new Map<number, Card[]>();
  for (const c of customers) {
    const n = f.helpers.weightedArrayElement([
      { weight: 6, value: 1 },
      { weight: 3, value: 2 },
      { weight: 1, value: 3 },
    ]);
    for (let k = 0; k < n; k++) {
      const { brand, number } = fakeCard(f);
      const card: Card = {
        id: cards.length + 1,
        customerId: c.id,
        number,
        expMonth: f.number.int({ min: 1, max: 12 }),
        expYear: f.number.int({ min: 2024, max: 2031 }),
      };
      cards.push(card);
      const list = cardsByCustomer.get(c.id) ?? [];
      list.push(card);
      cardsByCustomer.set(c.id, list);
      cardRows.push([card.id, c.id, brand, number, card.expMonth, card.expYear, c.fullName.toUpperCase(), iso(c.createdAt)]);
    }
  }

  // --- orders, items, payments, invoices ------------------------------------------------------
  const orders: Cell[][] = [];
  const items: Cell[][] = [];
  const payments: Cell[][] = [];
  const invoices: Cell[][] = [];
  const statuses = [
    { weight: 50, value: 'delivered' },
    { weight: 15, value: 'shipped' },
    { weight: 12, value: 'paid' },
    { weight: 8, value: 'pending' },
    { weight: 10, value: 'cancelled' },
    { weight: 5, value: 'refunded' },
  ];
  for (let id = 1; id <= sizes.orders; id++) {
    const c = f.helpers.arrayElement(customers);
    const placedAt = between(c.createdAt, REFERENCE_DATE);
    const status = f.helpers.weightedArrayElement(statuses);
    const nItems = f.number.int({ min: 1, max: 4 });
    let total = 0;
    for (let k = 0; k < nItems; k++) {
      const productId = f.number.int({ min: 1, max: sizes.products });
      const qty = f.helpers.weightedArrayElement([
        { weight: 8, value: 1 },
        { weight: 2, value: 2 },
        { weight: 1, value: 3 },
      ]);
      const unit = prices[productId - 1] ?? 999;
      total += unit * qty;
      items.push([items.length + 1, id, productId, qty, unit]);
    }
    const currency = f.helpers.weightedArrayElement([
      { weight: 90, value: 'USD' },
      { weight: 7, value: 'CAD' },
      { weight: 3, value: 'EUR' },
    ]);
    // Most orders ship to the customer's own address; some are gifts.
    const gift = f.number.int({ min: 0, max: 9 }) === 0;
    orders.push([
      id,
      c.id,
      status,
      total,
      currency,
      iso(placedAt),
      gift ? f.location.streetAddress() : c.street,
      gift ? f.location.city() : c.city,
      gift ? f.location.state({ abbreviated: true }) : c.state,
      gift ? f.location.zipCode('#####') : c.zip,
    ]);
    if (status === 'pending') continue;
    const card = f.helpers.arrayElement(cardsByCustomer.get(c.id) ?? []);
    const payStatus =
      status === 'cancelled' ? 'voided' : status === 'refunded' ? 'refunded' : status === 'paid' ? 'authorized' : 'captured';
    const paidAt = new Date(placedAt.getTime() + f.number.int({ min: 5, max: 600 }) * 1000);
    payments.push([
      payments.length + 1,
      id,
      card.id,
      total,
      payStatus,
      `ch_${f.string.alphanumeric({ length: 24, casing: 'mixed' })}`,
      iso(paidAt),
    ]);
    if (status === 'delivered' || status === 'shipped') {
      const due = new Date(placedAt.getTime() + 30 * 86_400_000);
      const paid = due < REFERENCE_DATE || f.number.int({ min: 0, max: 1 }) === 1;
      invoices.push([
        invoices.length + 1,
        `INV-${String(invoices.length + 1).padStart(7, '0')}`,
        c.id,
        id,
        total,
        currency,
        iso(placedAt),
        iso(due).slice(0, 10),
        paid ? iso(paidAt) : null,
        paid ? 'paid' : 'open',
      ]);
    }
  }

  // --- support tickets ------------------------------------------------------------------------
  const tickets: Cell[][] = [];
  for (let id = 1; id <= sizes.tickets; id++) {
    const c = f.helpers.arrayElement(customers);
    const card = f.helpers.arrayElement(cardsByCustomer.get(c.id) ?? []);
    const orderRef = f.number.int({ min: 1, max: sizes.orders });
    const createdAt = between(c.createdAt, REFERENCE_DATE);
    const t = ticketText(f, c, card, orderRef);
    const status = f.helpers.weightedArrayElement([
      { weight: 3, value: 'open' },
      { weight: 2, value: 'pending' },
      { weight: 4, value: 'solved' },
      { weight: 3, value: 'closed' },
    ]);
    const priority = f.helpers.weightedArrayElement([
      { weight: 3, value: 'low' },
      { weight: 5, value: 'normal' },
      { weight: 2, value: 'high' },
      { weight: 1, value: 'urgent' },
    ]);
    const updatedAt = new Date(createdAt.getTime() + f.number.int({ min: 60, max: 14 * 86_400 }) * 1000);
    tickets.push([id, c.id, t.subject, status, priority, iso(createdAt), iso(updatedAt < REFERENCE_DATE ? updatedAt : REFERENCE_DATE), t.notes]);
  }

  return [
    { table: 'public.products', columns: ['id', 'sku', 'name', 'category', 'price_cents', 'active', 'created_at'], rows: products },
    {
      table: 'public.customers',
      columns: ['id', 'full_name', 'email', 'phone', 'street', 'city', 'state', 'zip', 'ssn', 'date_of_birth', 'created_at'],
      rows: customers.map((c) => [c.id, c.fullName, c.email, c.phone, c.street, c.city, c.state, c.zip, c.ssn, c.dob, iso(c.createdAt)]),
    },
    {
      table: 'public.payment_cards',
      columns: ['id', 'customer_id', 'brand', 'card_number', 'exp_month', 'exp_year', 'cardholder', 'created_at'],
      rows: cardRows,
    },
    {
      table: 'public.orders',
      columns: ['id', 'customer_id', 'status', 'total_cents', 'currency', 'placed_at', 'ship_street', 'ship_city', 'ship_state', 'ship_zip'],
      rows: orders,
    },
    { table: 'public.order_items', columns: ['id', 'order_id', 'product_id', 'quantity', 'unit_price_cents'], rows: items },
    { table: 'public.payments', columns: ['id', 'order_id', 'card_id', 'amount_cents', 'status', 'processor_ref', 'created_at'], rows: payments },
    {
      table: 'public.support_tickets',
      columns: ['id', 'customer_id', 'subject', 'status', 'priority', 'created_at', 'updated_at', 'notes'],
      rows: tickets,
    },
    {
      table: 'billing.invoices',
      columns: ['id', 'invoice_number', 'customer_id', 'order_id', 'amount_cents', 'currency', 'issued_at', 'due_date', 'paid_at', 'status'],
      rows: invoices,
    },
  ];
}

/**
 * Free-text ticket notes the way agents actually write them: PII pasted mid-sentence, cards with
 * and without separators. This is the data that column rules cannot catch and detectors must.
 */
function ticketText(f: Faker, c: Customer, card: Card, orderRef: number): { subject: string; notes: string } {
  const first = c.fullName.split(' ')[0] ?? c.fullName;
  const last4 = card.number.slice(-4);
  const exp = `${String(card.expMonth).padStart(2, '0')}/${String(card.expYear).slice(2)}`;
  const spaced = formatCard(card.number, f.helpers.arrayElement([' ', '-', '']));
  const agent = f.person.firstName();
  const templates: Array<{ subject: string; notes: string }> = [
    {
      subject: `Refund request for order #${orderRef}`,
      notes: `${first} called from ${c.phone} about order #${orderRef}. Wants the refund sent to the card on file (${spaced}, exp ${exp}). Confirmation to ${c.email}. -- ${agent}`,
    },
    {
      subject: 'Card declined at checkout',
      notes: `Customer says card ending ${last4} keeps getting declined. Full number given on the call: ${card.number}. Asked them to retry; if it fails again escalate to payments. Callback number ${c.phone}.`,
    },
    {
      subject: 'Identity verification',
      notes: `Verified identity before changing the account email: SSN ${c.ssn}, DOB ${c.dob}, address ${c.street}, ${c.city}, ${c.state} ${c.zip}. New email will be ${c.email}.`,
    },
    {
      subject: 'Update billing address',
      notes: `Please update billing address to ${c.street}, ${c.city} ${c.state} ${c.zip}. Customer emailed from ${c.email} and included their SSN (${c.ssn}) even though we never ask for it -- redact?`,
    },
    {
      subject: `Where is my order #${orderRef}?`,
      notes: `Tracking shows no movement for 5 days. Reached ${first} at ${c.phone}; promised an update by email (${c.email}) within 48h.`,
    },
    {
      subject: 'Duplicate charge',
      notes: `Two charges on ${spaced} for order #${orderRef}. Customer ${c.fullName} <${c.email}> wants one reversed. Checked processor: second auth is pending, will drop off.`,
    },
    {
      subject: 'Account locked',
      notes: `Too many failed logins. Reset link sent to ${c.email}. No PII exchanged.`,
    },
    {
      subject: 'Damaged item',
      notes: `Item arrived broken. Photos received; replacement shipped, no return needed. ${f.lorem.sentence()}`,
    },
  ];
  return f.helpers.arrayElement(templates);
}
