-- The system of record for the reference data the job enriches with: card holders and merchants.
-- ENRICH reads a row when the card or merchant is not in the cluster's maps `customers` and
-- `merchants` (or its entry there has expired), and keeps it there; the loader
-- (scripts/load.sh reference-data, org.example.tools.ReferenceDataLoader) writes these tables.
-- Idempotent: the loader runs it before every load. Columns and their meaning: docs/DATA.md.
--
-- The job reads the columns by name (org.example.definition.ReferenceTables); a column added here
-- is ignored by it until that class reads it.

CREATE TABLE IF NOT EXISTS customers (
    -- The card the holder pays with, as its keyed token (HMAC-SHA256 under the members' key,
    -- "<key id>:<base64url>"): the key of map `customers`, which INGEST makes of each message's card
    -- number. Never the number itself (docs/DATA.md, "Card tokens"). During a key rotation the
    -- table holds the tokens of both keys (docs/DEPLOY.md, "Rotating the key").
    card_token      text PRIMARY KEY,
    first_name      text NOT NULL,
    last_name       text NOT NULL,
    gender          text NOT NULL,
    date_of_birth   date NOT NULL,
    job             text NOT NULL,
    street          text NOT NULL,
    city            text NOT NULL,
    state           text NOT NULL,
    zip             text NOT NULL,
    -- The billing address, where TRANSFORM measures the distance from.
    latitude        double precision NOT NULL,
    longitude       double precision NOT NULL,
    city_population bigint NOT NULL,
    setting         text NOT NULL,
    -- When the row last changed: a change reaches scoring within the maps' expiry of it.
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS merchants (
    merchant_code text PRIMARY KEY,
    name          text NOT NULL,
    category      text NOT NULL,
    latitude      double precision NOT NULL,
    longitude     double precision NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
