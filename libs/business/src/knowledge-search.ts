import type { BusinessDatabase } from './business-database.js';

/** Words kept from the search text: enough for a long message, bounded for the planner. */
export const MAX_QUERY_WORDS = 64;

/**
 * The search text as an OR query of its words (`duplicate | charge | march`), for
 * `to_tsquery('english', …)`. A long customer message must still match a passage that shares a
 * few of its words, which an AND query (plainto_tsquery) would not. Only `[a-z0-9]+` words are
 * kept (accents folded), so nothing in the text can be tsquery syntax. Undefined: no words.
 */
export function toOrTsQuery(text: string): string | undefined {
  const folded = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  const words = [...new Set(folded.match(/[a-z0-9]+/g) ?? [])].slice(0, MAX_QUERY_WORDS);
  return words.length > 0 ? words.join(' | ') : undefined;
}

export interface Passage {
  id: string;
  title: string;
  body: string;
  score: number;
  /** Scored below the source's `minScore`: not to be trusted alone. */
  weak: boolean;
}

export interface KnowledgeQuery {
  collection: string;
  text: string;
  limit: number;
  minScore: number;
  timeoutMs: number;
}

// The demo company's shared document store (workflows/_shared/knowledge.sql); each workflow's
// seed adds the documents of its collections.
const SEARCH_SQL = `
  SELECT id, title, body, ts_rank(tsv, query)::float8 AS score
  FROM knowledge.documents, to_tsquery('english', $2) AS query
  WHERE collection = $1 AND tsv @@ query
  ORDER BY score DESC, id
  LIMIT $3`;

/** Full-text search of one collection, best passages first; none when the text has no words. */
export async function searchKnowledge(
  database: BusinessDatabase,
  query: KnowledgeQuery,
): Promise<Passage[]> {
  const tsquery = toOrTsQuery(query.text);
  if (!tsquery) return [];
  const rows = await database.run(
    'read',
    SEARCH_SQL,
    [query.collection, tsquery, query.limit],
    query.timeoutMs,
  );
  return rows.map((row) => {
    const score = Number(row['score']);
    return {
      id: String(row['id']),
      title: String(row['title']),
      body: String(row['body']),
      score,
      weak: score < query.minScore,
    };
  });
}
