-- The demo company's CRM, which the lead-qualification workflow reads (accounts, sales reps,
-- the do-not-contact list) and writes (assignments; leads go to the CRM's MCP server,
-- workflows/mcp-servers.yaml). Seeded idempotently, with fixed
-- values, by seedBusinessData (libs/testing/src/business-data.ts), after
-- workflows/_shared/knowledge.sql.
CREATE SCHEMA IF NOT EXISTS crm;

CREATE TABLE IF NOT EXISTS crm.reps (
  id      text PRIMARY KEY,
  name    text NOT NULL,
  email   text NOT NULL UNIQUE,
  segment text NOT NULL,
  region  text NOT NULL,
  active  boolean NOT NULL
);

CREATE TABLE IF NOT EXISTS crm.accounts (
  id           text PRIMARY KEY,
  domain       text NOT NULL UNIQUE,
  name         text NOT NULL,
  industry     text NOT NULL,
  employees    integer NOT NULL,
  segment      text NOT NULL,
  status       text NOT NULL CHECK (status IN ('customer', 'prospect', 'churned')),
  owner_rep_id text REFERENCES crm.reps (id)
);

CREATE TABLE IF NOT EXISTS crm.do_not_contact (
  email      text PRIMARY KEY,
  reason     text NOT NULL,
  listed_at  timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS crm.assignments (
  id              bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  lead_email      text NOT NULL,
  rep_id          text NOT NULL REFERENCES crm.reps (id),
  segment         text NOT NULL,
  reason          text,
  created_at      timestamptz NOT NULL DEFAULT now()
);

INSERT INTO crm.reps (id, name, email, segment, region, active) VALUES
  ('rep_ent_1', 'Priya Raman', 'priya.raman@acme.example', 'enterprise', 'global', true),
  ('rep_mm_1', 'Jonas Berg', 'jonas.berg@acme.example', 'mid-market', 'emea', true),
  ('rep_smb_1', 'Chloe Martin', 'chloe.martin@acme.example', 'smb', 'global', true),
  ('rep_am_1', 'Marcus Lee', 'marcus.lee@acme.example', 'enterprise', 'amer', true)
ON CONFLICT (id) DO NOTHING;

INSERT INTO crm.accounts (id, domain, name, industry, employees, segment, status, owner_rep_id) VALUES
  ('acc_501', 'globex.example', 'Globex Corporation', 'manufacturing', 4200, 'enterprise', 'customer', 'rep_am_1'),
  ('acc_502', 'initech.example', 'Initech', 'software', 40, 'smb', 'prospect', NULL),
  ('acc_503', 'umbrella.example', 'Umbrella Health', 'healthcare', 900, 'mid-market', 'churned', 'rep_mm_1')
ON CONFLICT (id) DO NOTHING;

INSERT INTO crm.do_not_contact (email, reason, listed_at) VALUES
  ('no.thanks@hooli.example', 'unsubscribed from all sales contact (GDPR Art. 21)', '2026-06-02T10:00:00Z')
ON CONFLICT (email) DO NOTHING;

INSERT INTO knowledge.documents (id, collection, title, body) VALUES
  ('sales-1', 'sales-playbook', 'Segments',
   'Enterprise: more than 1,000 employees or a named enterprise account. Mid-market: 100 to 1,000 employees. SMB: fewer than 100 employees, freelancers and personal addresses.'),
  ('sales-2', 'sales-playbook', 'Scoring inbound leads',
   'Score 0 to 100. Add for a clear buying need, a budget, a timeline, a decision maker, a company domain. Leads below 30 are nurtured by marketing, not assigned to a rep.'),
  ('sales-3', 'sales-playbook', 'Existing customers and competitors',
   'A lead from an existing customer goes to the account owner. Students, job seekers, vendors and competitors are not leads.')
ON CONFLICT (id) DO NOTHING;
