-- The demo company's internal help desk, which the help-desk workflow reads (the employee
-- directory) and writes (tickets; answers go to the help desk's HTTP API, BATON_ENDPOINTS
-- `helpdesk`). Its handbook is the
-- `it-handbook` collection of the shared document store. Seeded idempotently, with fixed
-- values, by seedBusinessData (libs/testing/src/business-data.ts), after
-- workflows/_shared/knowledge.sql.
CREATE SCHEMA IF NOT EXISTS helpdesk;

CREATE TABLE IF NOT EXISTS helpdesk.employees (
  id         text PRIMARY KEY,
  email      text NOT NULL UNIQUE,
  name       text NOT NULL,
  department text NOT NULL,
  location   text NOT NULL,
  status     text NOT NULL CHECK (status IN ('active', 'on-leave', 'left'))
);

CREATE TABLE IF NOT EXISTS helpdesk.tickets (
  id              bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  employee_id     text NOT NULL REFERENCES helpdesk.employees (id),
  queue           text NOT NULL CHECK (queue IN ('service-desk', 'security', 'hr', 'facilities')),
  priority        text NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
  subject         text NOT NULL,
  body            text,
  created_at      timestamptz NOT NULL DEFAULT now()
);

INSERT INTO helpdesk.employees (id, email, name, department, location, status) VALUES
  ('emp_701', 'sam.okafor@acme.example', 'Sam Okafor', 'finance', 'London', 'active'),
  ('emp_702', 'mia.keller@acme.example', 'Mia Keller', 'engineering', 'Berlin', 'active'),
  ('emp_703', 'raj.patel@acme.example', 'Raj Patel', 'sales', 'New York', 'active'),
  ('emp_704', 'ines.duarte@acme.example', 'Ines Duarte', 'marketing', 'Lisbon', 'left')
ON CONFLICT (id) DO NOTHING;

INSERT INTO knowledge.documents (id, collection, title, body) VALUES
  ('hd-vpn', 'it-handbook', 'VPN access',
   'Install the Acme VPN client from the self-service portal and sign in with your single sign-on account. If the VPN connection drops, update the client to the latest version and switch to the nearest gateway.'),
  ('hd-password', 'it-handbook', 'Password reset',
   'Reset a forgotten password yourself at the self-service portal with your phone as the second factor. If the self-service reset fails, the service desk resets it after checking your identity.'),
  ('hd-laptop', 'it-handbook', 'Broken or lost laptop',
   'A broken, stolen or lost laptop is replaced by the service desk: open a ticket. Report a stolen laptop to security at once.'),
  ('hd-leave', 'it-handbook', 'Holidays and leave',
   'Book holidays and leave in the HR portal; your manager approves them. Questions about pay, contracts or a complaint about a colleague go to an HR partner, confidentially.')
ON CONFLICT (id) DO NOTHING;
