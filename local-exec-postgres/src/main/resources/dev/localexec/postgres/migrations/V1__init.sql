-- local-exec queue, version 1. ${schema} is the queue's schema (default local_exec).

-- The ledger: one row per jobs.jsonl line, exactly as the file ledger writes it (with its seq and
-- hash chain keys), in ledger order. Append-only: rows are never updated or deleted.
CREATE TABLE ${schema}.events (
  line_no     bigint PRIMARY KEY,
  line        text NOT NULL,
  event       text,
  job_id      text,
  unreadable  boolean NOT NULL DEFAULT false,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_job_id ON ${schema}.events (job_id);

CREATE FUNCTION ${schema}.events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'local-exec events are append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON ${schema}.events
  FOR EACH ROW EXECUTE FUNCTION ${schema}.events_append_only();

-- The ledger's tail: the last line number and the head of the hash chain. Every append locks this
-- one row, so the ledger has one order and one chain.
CREATE TABLE ${schema}.ledger_head (
  id         smallint PRIMARY KEY CHECK (id = 1),
  line_no    bigint NOT NULL,
  chain_seq  bigint NOT NULL,
  chain_hash text NOT NULL
);
INSERT INTO ${schema}.ledger_head VALUES (1, 0, 0, repeat('0', 64));

-- Each job's current state: the replay of the events, kept in the same transaction as each event.
CREATE TABLE ${schema}.jobs (
  job_id             text PRIMARY KEY,
  job_type           text NOT NULL,
  document           text NOT NULL,
  state              text NOT NULL CHECK (state IN ('queued', 'running', 'complete', 'failed')),
  first_order        bigint NOT NULL,
  enqueue_order      bigint NOT NULL,
  attempt            integer NOT NULL DEFAULT 0,
  worker_id          text,
  lease_expires_unix double precision NOT NULL DEFAULT 0,
  fence              bigint NOT NULL DEFAULT 0,
  updated_ts         text NOT NULL,
  error              text,
  host               text
);
CREATE INDEX jobs_claimable ON ${schema}.jobs (enqueue_order) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_first_order ON ${schema}.jobs (first_order);

-- Fencing tokens: every claim takes the next one; writes of an older claim are refused.
CREATE SEQUENCE ${schema}.fence_seq;

-- The shared kill switch: a row present means tripped, on every host.
CREATE TABLE ${schema}.kill_switch (
  id     smallint PRIMARY KEY CHECK (id = 1),
  reason text NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now(),
  set_by text
);
