-- The demo company's billing system, which the billing-dispute workflow reads and writes
-- through its granted tools. It stands for a system Baton does not own: its own schema.
-- Seeded idempotently, with fixed values, by seedBusinessData (libs/testing/src/business-data.ts).
CREATE SCHEMA IF NOT EXISTS billing;

CREATE TABLE IF NOT EXISTS billing.customers (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  plan          text NOT NULL,
  tenure_months integer NOT NULL,
  status        text NOT NULL
);

CREATE TABLE IF NOT EXISTS billing.invoices (
  id          text PRIMARY KEY,
  customer_id text NOT NULL REFERENCES billing.customers (id),
  period      text NOT NULL,
  amount      numeric(10, 2) NOT NULL,
  status      text NOT NULL,
  issued_at   timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS billing.credits (
  id              bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  customer_id     text NOT NULL REFERENCES billing.customers (id),
  invoice_id      text NOT NULL REFERENCES billing.invoices (id),
  amount          numeric(10, 2) NOT NULL CHECK (amount > 0),
  reason          text,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS billing.replies (
  id              bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  customer_id     text NOT NULL REFERENCES billing.customers (id),
  body            text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- Reply drafts open in the support agent's reply box, which holds at most 2,000 characters: the
-- database refuses a longer draft, a permanent refusal whoever proposes it (the draft-reply
-- tool fails, and the same call proposed again escalates). Added once, and NOT VALID so a
-- database seeded before it keeps its older drafts unchecked.
DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_constraint
     WHERE conname = 'replies_body_fits_reply_box' AND conrelid = 'billing.replies'::regclass
  ) THEN
    ALTER TABLE billing.replies
      ADD CONSTRAINT replies_body_fits_reply_box CHECK (char_length(body) <= 2000) NOT VALID;
  END IF;
END
$$;

INSERT INTO billing.customers (id, name, plan, tenure_months, status) VALUES
  ('cus_1001', 'Dana Whitfield', 'team', 26, 'active'),
  ('cus_1002', 'Omar Haddad', 'business', 7, 'active'),
  ('cus_1003', 'Lena Vogel', 'starter', 2, 'cancelled')
ON CONFLICT (id) DO NOTHING;

INSERT INTO billing.invoices (id, customer_id, period, amount, status, issued_at) VALUES
  ('inv_2001', 'cus_1001', '2026-11', 36.00, 'paid', '2026-11-01T00:00:00Z'),
  ('inv_2002', 'cus_1001', '2026-10', 18.00, 'paid', '2026-10-01T00:00:00Z'),
  ('inv_2101', 'cus_1002', '2026-11', 480.00, 'paid', '2026-11-01T00:00:00Z'),
  ('inv_2102', 'cus_1002', '2026-10', 240.00, 'paid', '2026-10-01T00:00:00Z'),
  ('inv_2201', 'cus_1003', '2026-11', 12.00, 'open', '2026-11-01T00:00:00Z')
ON CONFLICT (id) DO NOTHING;

-- The refund policy, in the shared document store (workflows/_shared/knowledge.sql runs first).
INSERT INTO knowledge.documents (id, collection, title, body) VALUES
  ('policy-1', 'billing-policy', 'Duplicate charges',
   'When a customer is charged twice for the same period, the duplicate charge is credited in full to the invoice. Credits up to 50 dollars are issued without review.'),
  ('policy-2', 'billing-policy', 'Credits above 50 dollars',
   'Any credit above 50 dollars needs the approval of a billing reviewer before it is issued. Credits never exceed the invoice amount.'),
  ('policy-3', 'billing-policy', 'Cancelled service',
   'Charges after a cancellation date are refunded for the unused part of the period, pro rata.')
ON CONFLICT (id) DO NOTHING;
