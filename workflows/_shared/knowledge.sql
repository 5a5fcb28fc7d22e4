-- The demo company's document store, which workflows search through `knowledge` context
-- sources and tools (libs/business/src/knowledge-search.ts). Shared by every workflow: this
-- file runs before any workflows/<id>/seed.sql, and each workflow's seed adds the documents
-- of its own collections here (ids prefixed by the collection, so they never collide).
CREATE SCHEMA IF NOT EXISTS knowledge;

CREATE TABLE IF NOT EXISTS knowledge.documents (
  id         text PRIMARY KEY,
  collection text NOT NULL,
  title      text NOT NULL,
  body       text NOT NULL,
  tsv        tsvector GENERATED ALWAYS AS (to_tsvector('english', title || ' ' || body)) STORED
);
CREATE INDEX IF NOT EXISTS documents_collection_idx ON knowledge.documents (collection);
CREATE INDEX IF NOT EXISTS documents_tsv_idx ON knowledge.documents USING gin (tsv);
