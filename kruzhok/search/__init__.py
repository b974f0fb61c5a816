"""Search: an interest, a place and an age → the best matches.

Pieces: `analyzer` (words → stems, synonyms, corrections), `backends` (the database's full-text
engine: SQLite FTS5 or PostgreSQL tsvector, text matching only), `store` (the index's numbers
in memory, per process), `selectors.search` (filters, facets, ranking, relaxations), `index`
(kept current in the same transaction as every catalog write).

Ranking, `sort=best` (`ranking.best_score`): a weighted sum of five signals, each in 0..1:

    best = 0.50·text + 0.20·distance + 0.12·age + 0.08·schedule + 0.10·quality

- text: per query word, 1 when the word itself is in the title or categories, 0.75 when a
  synonym is, 0.4 when it is only in the description or the organization's name; words are
  weighted by rarity, log(1 + N/df). Text leads because a parent who typed «футбол» wants
  football first, whatever else is true. Without a query every document gets 1.
- distance: exp(−d / 2.5 km). A child walks or rides a short way; at 2.5 km the signal has
  fallen to 0.37, so a close, fitting entry beats a far one with a slightly better text match
  but not a football club over a chess club. Without a place, 1.
- age: with an age, 0.6 × how central the age is in the range + 0.4 × how narrow the range is
  (a group for 7–9 is made for an 8-year-old, one for 3–18 merely admits them). Without, 1.
- schedule: with day / time filters, the share of the entry's sessions inside the window;
  otherwise 1 when it has a timetable and 0.6 when it has none (a parent cannot plan it).
- quality: 0.45 × completeness (description, timetable, coordinates, contacts) + 0.30 ×
  freshness (verified in the last 180 days = 1, falling to 0 at two years) + 0.15 × rating
  (rating/5 when rated, 0.6 when not, so one bad review does not bury an entry below unrated
  ones) + 0.10 × enrollment open. Quality only breaks near-ties: it is worth a tenth.

`near`, `price` and `rating` sort by that field (nearest, cheapest, best rated with the most
reviews), with `best` as the tie-breaker.
"""
