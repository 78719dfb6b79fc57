-- Billing family: the plan catalogue, subscriptions, invoices and payments.
--
-- Money is integer minor units of the plan's currency (cents), never a float;
-- the wire's `price_per_unit` number is rendered from `price_minor`.
-- An organization without a live subscription has the default plan's
-- features (the one plan with `is_default = 1`, seeded as Free).

CREATE TABLE billing_plans (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    cadence       TEXT NOT NULL CHECK (cadence IN ('monthly', 'annually')),
    currency      TEXT NOT NULL,
    unit          TEXT NOT NULL CHECK (unit IN ('user', 'free')),
    minimum_units INTEGER NOT NULL CHECK (minimum_units >= 0),
    price_minor   INTEGER NOT NULL CHECK (price_minor >= 0),
    trial_days    INTEGER NOT NULL DEFAULT 0 CHECK (trial_days >= 0),
    is_default    INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    -- The Stripe price this plan is sold as, to recognise it in webhook events.
    stripe_price_id TEXT,
    -- Archived plans take no new subscriptions; existing ones keep them.
    archived_at   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (name, cadence)
) STRICT;
CREATE UNIQUE INDEX billing_plans_default ON billing_plans (is_default) WHERE is_default = 1;
CREATE UNIQUE INDEX billing_plans_stripe ON billing_plans (stripe_price_id) WHERE stripe_price_id IS NOT NULL;

CREATE TABLE billing_features (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    plan_id    INTEGER NOT NULL REFERENCES billing_plans (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (plan_id, name)
) STRICT;

-- Statuses are Stripe's. At most one live subscription (incomplete,
-- trialing, active, past_due) per organization.
CREATE TABLE billing_subscriptions (
    id                   INTEGER PRIMARY KEY,
    uuid                 TEXT NOT NULL UNIQUE,
    org_id               INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    plan_id              INTEGER NOT NULL REFERENCES billing_plans (id),
    quantity             INTEGER NOT NULL CHECK (quantity >= 1),
    status               TEXT NOT NULL CHECK (status IN ('incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid')),
    processor            TEXT NOT NULL CHECK (processor IN ('offline', 'stripe')),
    -- The processor's id of the subscription (Stripe's `sub_…`).
    billing_id           TEXT,
    email                TEXT,
    -- Periods are whole months or years from the anchor (day 31 becomes the
    -- last day of shorter months, and comes back in longer ones).
    billing_anchor       TEXT,
    current_period_start TEXT,
    current_period_end   TEXT,
    trial_end            TEXT,
    cancel_at_period_end INTEGER NOT NULL DEFAULT 0 CHECK (cancel_at_period_end IN (0, 1)),
    canceled_at          TEXT,
    ended_at             TEXT,
    -- Reminders sent for an overdue invoice, and when the next one is due.
    dunning_attempts     INTEGER NOT NULL DEFAULT 0,
    next_dunning_at      TEXT,
    created_by           INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX billing_subscriptions_live ON billing_subscriptions (org_id)
    WHERE status IN ('incomplete', 'trialing', 'active', 'past_due');
CREATE INDEX billing_subscriptions_org ON billing_subscriptions (org_id, created_at, id);
CREATE UNIQUE INDEX billing_subscriptions_billing_id ON billing_subscriptions (processor, billing_id)
    WHERE billing_id IS NOT NULL;
CREATE INDEX billing_subscriptions_period_end ON billing_subscriptions (current_period_end)
    WHERE status IN ('trialing', 'active', 'past_due');
CREATE INDEX billing_subscriptions_dunning ON billing_subscriptions (next_dunning_at)
    WHERE next_dunning_at IS NOT NULL;

-- Invoices carry a number from one gapless sequence, taken in the
-- transaction that issues them. Totals are tax-free.
CREATE TABLE billing_invoices (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    number          TEXT NOT NULL UNIQUE,
    org_id          INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    subscription_id INTEGER REFERENCES billing_subscriptions (id) ON DELETE SET NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'paid', 'void', 'uncollectible')),
    -- Stripe's billing_reason.
    reason          TEXT NOT NULL CHECK (reason IN ('subscription_create', 'subscription_cycle', 'subscription_update', 'subscription_trial_end', 'manual')),
    currency        TEXT NOT NULL,
    subtotal_minor  INTEGER NOT NULL,
    -- Credit of the organization used by this invoice (never more than the subtotal).
    balance_applied_minor INTEGER NOT NULL DEFAULT 0,
    total_minor     INTEGER NOT NULL,
    amount_due_minor INTEGER NOT NULL CHECK (amount_due_minor >= 0),
    period_start    TEXT,
    period_end      TEXT,
    due_at          TEXT,
    paid_at         TEXT,
    -- The processor's id of the invoice (Stripe's `in_…`).
    processor_ref   TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX billing_invoices_org ON billing_invoices (org_id, created_at, id);
CREATE INDEX billing_invoices_subscription ON billing_invoices (subscription_id, created_at);
CREATE INDEX billing_invoices_open ON billing_invoices (due_at) WHERE status = 'open';
CREATE UNIQUE INDEX billing_invoices_processor_ref ON billing_invoices (processor_ref) WHERE processor_ref IS NOT NULL;

CREATE TABLE billing_invoice_lines (
    id                INTEGER PRIMARY KEY,
    invoice_id        INTEGER NOT NULL REFERENCES billing_invoices (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    description       TEXT NOT NULL,
    plan_id           INTEGER REFERENCES billing_plans (id),
    quantity          INTEGER NOT NULL,
    unit_amount_minor INTEGER NOT NULL,
    amount_minor      INTEGER NOT NULL,
    proration         INTEGER NOT NULL DEFAULT 0 CHECK (proration IN (0, 1)),
    period_start      TEXT,
    period_end        TEXT,
    UNIQUE (invoice_id, position)
) STRICT;

-- Named sequences (`invoice`): incremented inside the issuing transaction.
CREATE TABLE billing_counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO billing_counters (name, value) VALUES ('invoice', 0);

-- Credit an organization holds (unused time of a downgraded plan), applied
-- to its next invoices.
CREATE TABLE billing_balances (
    org_id       INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    currency     TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (org_id, currency)
) STRICT, WITHOUT ROWID;

-- Payments of open invoices. An offline payment is pending until a billing
-- admin confirms it (bank transfer received, purchase order accepted); its
-- client secret is what the subscription's creator was given.
CREATE TABLE billing_payments (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    invoice_id    INTEGER NOT NULL REFERENCES billing_invoices (id) ON DELETE CASCADE,
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    processor     TEXT NOT NULL CHECK (processor IN ('offline', 'stripe')),
    client_secret TEXT NOT NULL UNIQUE,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'canceled')),
    amount_minor  INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    -- The bank transfer's reference or the purchase order's number.
    reference     TEXT,
    confirmed_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    confirmed_at  TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX billing_payments_pending ON billing_payments (created_at, id) WHERE status = 'pending';
CREATE INDEX billing_payments_invoice ON billing_payments (invoice_id);
CREATE INDEX billing_payments_org ON billing_payments (org_id, created_at, id);

-- Webhook events processed, by the processor's event id: a replay changes nothing.
CREATE TABLE billing_webhook_events (
    processor   TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (processor, event_id)
) STRICT, WITHOUT ROWID;

INSERT INTO billing_plans (uuid, name, cadence, currency, unit, minimum_units, price_minor, trial_days, is_default, created_at, updated_at) VALUES
    ('5b3d69d2-80af-5350-b616-c797c28db842', 'Free', 'monthly', 'usd', 'free', 1, 0, 0, 1, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('4b6a23dc-7704-501f-a148-6f60b92140fd', 'Team Designer', 'monthly', 'usd', 'user', 1, 1500, 14, 0, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('563c576a-a05e-5109-8711-2c6d9db9a23d', 'Team Designer', 'annually', 'usd', 'user', 1, 15000, 14, 0, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('d951797e-2d96-5d08-a1fb-4ef8c882ac84', 'Team Operator', 'monthly', 'usd', 'user', 1, 2500, 14, 0, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('a30068cf-7faf-5b7f-adb7-22b07f6658e9', 'Team Operator', 'annually', 'usd', 'user', 1, 25000, 14, 0, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('804b5ec9-2fcd-5701-9d62-a400322e79ed', 'Enterprise', 'monthly', 'usd', 'user', 25, 4500, 0, 0, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('f9db05cd-6277-538e-9005-ae59de9c4f0f', 'Enterprise', 'annually', 'usd', 'user', 25, 45000, 0, 0, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z');

INSERT INTO billing_features (uuid, plan_id, name, quantity, created_at, updated_at) VALUES
    ('78e3f633-c8ef-5d1c-962d-4e2fd068cad2', (SELECT id FROM billing_plans WHERE name = 'Free' AND cadence = 'monthly'), 'MembersInOrganization', 10, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('19dd7806-a179-5c85-b65a-ea8a5aec8d89', (SELECT id FROM billing_plans WHERE name = 'Free' AND cadence = 'monthly'), 'WorkspacesInOrganization', 10, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('a6240022-a096-55aa-a564-9fd3e3655689', (SELECT id FROM billing_plans WHERE name = 'Free' AND cadence = 'monthly'), 'EnvironmentsInOrganization', 10, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('1d797a28-e8e1-554a-91fc-cb62426b7e7a', (SELECT id FROM billing_plans WHERE name = 'Free' AND cadence = 'monthly'), 'ConnectionsInOrganization', 50, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('fa792911-32b4-5dd9-a546-f61e3e1ce8d7', (SELECT id FROM billing_plans WHERE name = 'Free' AND cadence = 'monthly'), 'DesignsInOrganization', 500, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('aa289146-4a99-5431-bfbe-5474bab84df9', (SELECT id FROM billing_plans WHERE name = 'Free' AND cadence = 'monthly'), 'ControlPlanesInOrganization', 1, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('7225a619-2294-568a-b240-332dc62a2f13', (SELECT id FROM billing_plans WHERE name = 'Free' AND cadence = 'monthly'), 'DesignsInWorkspace', 100, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('379a8b62-cc43-5d5e-8226-179795b28580', (SELECT id FROM billing_plans WHERE name = 'Free' AND cadence = 'monthly'), 'ComponentsInDesign', 1000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('cbb757ed-6a10-5b65-8afa-37119cd51309', (SELECT id FROM billing_plans WHERE name = 'Free' AND cadence = 'monthly'), 'RelationshipsInDesign', 2000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('012dcf39-720e-58dd-842a-35244d7606fa', (SELECT id FROM billing_plans WHERE name = 'Free' AND cadence = 'monthly'), 'SizePerDesign', 8388608, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('12aa153f-754a-5ee7-8a4e-58b236107f65', (SELECT id FROM billing_plans WHERE name = 'Free' AND cadence = 'monthly'), 'ImageSizeInDesign', 1048576, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('a7cb2260-b119-537f-bae4-4d933ececb8c', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'monthly'), 'MembersInOrganization', 100, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('c8e6f828-a06a-5486-9d6b-4c467b48c622', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'monthly'), 'WorkspacesInOrganization', 50, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('7b381cf1-0d7a-519a-83de-b6314ddd4d0b', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'monthly'), 'EnvironmentsInOrganization', 50, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('18dd6ae5-fdc1-55a8-a44c-e200963d9da8', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'monthly'), 'ConnectionsInOrganization', 500, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('41eb5ef6-06a5-5fe5-b410-5f81614dac47', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'monthly'), 'DesignsInOrganization', 5000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('8a44724b-92da-5412-a030-108129650bb6', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'monthly'), 'ControlPlanesInOrganization', 5, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('dff3f496-3b4a-57c7-8a67-458d03cf3303', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'monthly'), 'DesignsInWorkspace', 1000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('b115e62c-96ca-55e8-bb33-3e85b527a91c', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'monthly'), 'ComponentsInDesign', 5000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('d2ac267c-b05f-5ccc-8e1e-15504a3c19dd', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'monthly'), 'RelationshipsInDesign', 10000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('50935f4d-d0a8-56fe-b7de-88eb9f004289', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'monthly'), 'SizePerDesign', 33554432, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('bfdabb29-69e1-50d6-827d-d7b1fb70e67c', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'monthly'), 'ImageSizeInDesign', 8388608, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('636ccbca-d539-5400-b847-0121a61be368', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'annually'), 'MembersInOrganization', 100, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('975f900c-0b7b-56af-8b79-376884c546cf', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'annually'), 'WorkspacesInOrganization', 50, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('b7ce006e-8990-5c41-8d5f-43a50dec97db', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'annually'), 'EnvironmentsInOrganization', 50, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('9c06542e-d816-5666-a27b-8d765efb8762', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'annually'), 'ConnectionsInOrganization', 500, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('58dc543f-f30e-510a-84f6-f0946ce9de5a', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'annually'), 'DesignsInOrganization', 5000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('f7fa2b4e-057b-54d3-a80c-b9652b2d1530', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'annually'), 'ControlPlanesInOrganization', 5, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('875c527a-49da-5b01-89de-559b9f5e78f7', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'annually'), 'DesignsInWorkspace', 1000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('b9eedd22-6fb5-5749-a386-d234172f0657', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'annually'), 'ComponentsInDesign', 5000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('18eaf474-496f-520f-b422-e2b3a7da742b', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'annually'), 'RelationshipsInDesign', 10000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('89776c0d-f164-5530-99b0-0a0270ec4dfa', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'annually'), 'SizePerDesign', 33554432, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('4d902d84-1627-5199-9c25-ca41cf2346bf', (SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'annually'), 'ImageSizeInDesign', 8388608, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('23e19884-9208-5f9a-9632-edd7fc2ac0b1', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'monthly'), 'MembersInOrganization', 500, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('8b550348-bc13-59df-83b5-a8d09ddc5b66', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'monthly'), 'WorkspacesInOrganization', 250, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('35fe5898-865e-55f9-b583-5cee8c65e605', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'monthly'), 'EnvironmentsInOrganization', 250, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('e30e6534-5c3c-5238-9f8c-e25b865ab053', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'monthly'), 'ConnectionsInOrganization', 2500, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('22aa7a46-e4a0-50a6-a4b0-aa40fd01ba56', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'monthly'), 'DesignsInOrganization', 25000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('6cfa6cc6-d5c1-5313-9cf1-18d9976a96c5', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'monthly'), 'ControlPlanesInOrganization', 25, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('64b71be2-c671-590d-a1f2-7d1d11e11e8a', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'monthly'), 'DesignsInWorkspace', 5000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('b2deadeb-bc34-527f-bda7-645cfe959c8c', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'monthly'), 'ComponentsInDesign', 5000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('ff3185e9-25ec-52c7-b4fe-bd2f8339061d', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'monthly'), 'RelationshipsInDesign', 10000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('6f041c63-8d34-520c-b788-37af1d11223d', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'monthly'), 'SizePerDesign', 33554432, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('857b0a88-08b6-5c5e-b404-2ad27298ffd9', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'monthly'), 'ImageSizeInDesign', 8388608, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('c586d954-c97a-5096-ba57-da7a50b93f78', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'annually'), 'MembersInOrganization', 500, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('940ad8dc-c0bf-5d5a-bdf8-374480ebebf3', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'annually'), 'WorkspacesInOrganization', 250, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('ff326082-283a-5cc4-9414-1933dc3d2dcf', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'annually'), 'EnvironmentsInOrganization', 250, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('4b5e5076-a7d3-5b6e-a5d3-6b519c1ae432', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'annually'), 'ConnectionsInOrganization', 2500, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('52041e53-e2c4-5c15-953d-da0802047afe', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'annually'), 'DesignsInOrganization', 25000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('6da4e04d-ad89-5a48-bdcf-73dafb418f80', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'annually'), 'ControlPlanesInOrganization', 25, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('c03e695e-25c5-580b-94c5-0d819e97fb99', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'annually'), 'DesignsInWorkspace', 5000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('10766d3a-e0d1-5916-9e98-07fe66b0ef54', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'annually'), 'ComponentsInDesign', 5000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('e2f4b8c3-3f8e-5a10-8b00-c388e6344bed', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'annually'), 'RelationshipsInDesign', 10000, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('7a2cc304-56e9-5ec3-b481-72dc2e49695e', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'annually'), 'SizePerDesign', 33554432, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('91824f09-0548-5a84-ab4e-60e25a9c650b', (SELECT id FROM billing_plans WHERE name = 'Team Operator' AND cadence = 'annually'), 'ImageSizeInDesign', 8388608, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('d248ad78-8bae-57f8-9ec2-d4ae0b3e6d4d', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'monthly'), 'MembersInOrganization', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('a561b60d-b186-5ee7-b2c0-f9c68cc0ca5d', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'monthly'), 'WorkspacesInOrganization', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('f30085c7-2422-588b-b6c1-0397fd0c4f48', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'monthly'), 'EnvironmentsInOrganization', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('8c92e200-47c6-5d85-9364-ccef9d0ace24', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'monthly'), 'ConnectionsInOrganization', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('931eb13a-c5f7-5d3b-94a1-a6429daa6450', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'monthly'), 'DesignsInOrganization', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('1bb0bb38-a4b4-5854-8761-dcb67b16d4e2', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'monthly'), 'ControlPlanesInOrganization', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('38852d31-be0c-5c8f-a574-442e1463cb39', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'monthly'), 'DesignsInWorkspace', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('1bff34ca-3cc7-5bde-852c-c67a92de8f9f', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'monthly'), 'ComponentsInDesign', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('dafa1ee6-664e-5538-bc10-fed2474bf7bc', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'monthly'), 'RelationshipsInDesign', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('598f5425-e71e-50a2-a6b4-4603c121c670', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'monthly'), 'SizePerDesign', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('318619cf-5b6f-51b1-94d5-502bf04d6da8', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'monthly'), 'ImageSizeInDesign', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('b7326419-63b8-50f6-b505-e0214683d7e2', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'annually'), 'MembersInOrganization', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('4f02021d-f7bf-5610-88d7-11b2a05dfbbd', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'annually'), 'WorkspacesInOrganization', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('7ec9ce1d-6a19-5dbe-b90b-c9345b8a7a2e', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'annually'), 'EnvironmentsInOrganization', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('e860d73e-25a3-5ebc-ab75-68deb78a04b7', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'annually'), 'ConnectionsInOrganization', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('2057e49c-2390-5d5c-b954-9cbb9fca5e08', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'annually'), 'DesignsInOrganization', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('2344d0e0-0fc2-5d51-ae1c-aa877ab1c0f1', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'annually'), 'ControlPlanesInOrganization', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('6ceb26ce-c70d-5386-adb4-a1cfcc3ae7c8', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'annually'), 'DesignsInWorkspace', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('5ef762b2-542e-5f3c-89f2-40fecb492fd9', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'annually'), 'ComponentsInDesign', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('61621ab5-73e5-5b6a-aa15-20cc7a32bc53', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'annually'), 'RelationshipsInDesign', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('2805c4e8-dfcc-51d0-83aa-24f15c80b24e', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'annually'), 'SizePerDesign', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('e0936568-a4f9-5be1-b047-67eb9bbc8f2f', (SELECT id FROM billing_plans WHERE name = 'Enterprise' AND cadence = 'annually'), 'ImageSizeInDesign', 9999999999, '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z');

INSERT INTO permission_keys (uuid, code, owner, function, category, subcategory, description, created_at, updated_at) VALUES
    ('8c511b0c-d06c-5203-acf9-88b193f92035', 'billing.subscriptions.read', '00000000-0000-0000-0000-000000000000', 'read', 'billing', 'subscriptions', 'View the organization''s plan, usage, subscriptions and invoices', '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('ebf100aa-8268-50a3-a3da-86493f796dda', 'billing.subscriptions.manage', '00000000-0000-0000-0000-000000000000', 'manage', 'billing', 'subscriptions', 'Subscribe the organization to a plan, change and cancel its subscription', '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('69185728-8a5d-5347-bf86-634958272593', 'billing.payments.confirm', '00000000-0000-0000-0000-000000000000', 'confirm', 'billing', 'payments', 'Confirm offline payments and list those pending', '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('91b1e499-9bc3-51b0-9f46-392239c34684', 'billing.plans.manage', '00000000-0000-0000-0000-000000000000', 'manage', 'billing', 'plans', 'Create and change plans and their features', '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z');

-- Organization administrators read and manage their own organization's
-- billing; confirming payments and editing the catalogue is the provider's.
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-12-07T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL
       AND kc.name IN ('Provider administration', 'Organization administration')
       AND k.code IN ('billing.subscriptions.read', 'billing.subscriptions.manage');
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-12-07T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL AND kc.name = 'Provider administration'
       AND k.code IN ('billing.payments.confirm', 'billing.plans.manage');
