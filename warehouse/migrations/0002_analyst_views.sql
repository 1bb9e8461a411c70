-- Analyst views: facts consolidated across articles and outlets, coverage per
-- source and month, and the health of each feed. Views, not tables: they are
-- always in step with `articles` and `metrics`, and a re-extraction needs no
-- rebuild. Every column is documented in docs/warehouse.md ("Views").
--
-- Written for scale (1M metric rows): one pass of hash aggregates and window
-- functions, arg_min/arg_max instead of correlated subqueries. Timestamps are
-- bucketed in UTC whatever the session's TimeZone.

-- Each article with its source (the outlet) and the time it was seen.
CREATE VIEW article_sources AS
SELECT
    a.url,
    a.feed,
    a.title,
    a.status,
    a.relevant,
    coalesce(
        nullif(trim(a.site_name), ''),
        regexp_extract(lower(a.url), '^[a-z][a-z0-9+.-]*://(?:[^/@]*@)?(?:www\.)?([^/:?#]+)', 1)
    ) AS source,
    coalesce(a.published_at, a.fetched_at) AS seen_at
FROM articles a;

-- One row per distinct fact (metric, country, year, value) from relevant articles.
CREATE VIEW metric_facts AS
WITH relevant_metrics AS NOT MATERIALIZED (  -- re-joining is cheaper than materialising 1M rows
    SELECT
        m.metric, m.country, m.year, m.value, m.unit, m.qualifier,
        m.evidence, m.confidence, m.article_url, s.source, s.seen_at
    FROM metrics m
    JOIN article_sources s ON s.url = m.article_url
    WHERE s.relevant IS TRUE
),
-- how often each (unit, qualifier) was used to state the fact: the most frequent wins
wordings AS (
    SELECT metric, country, year, value, unit, qualifier, count(*) AS n
    FROM relevant_metrics
    GROUP BY ALL
),
wording AS (
    SELECT
        metric, country, year, value,
        arg_min(unit, {'n': -n, 'unit': unit}) AS unit,
        arg_min(qualifier, {'n': -n, 'qualifier': qualifier}) AS qualifier,
        list(DISTINCT qualifier ORDER BY qualifier) AS qualifiers
    FROM wordings
    GROUP BY ALL
),
facts AS (
    SELECT
        metric, country, year, value,
        count(DISTINCT article_url) AS n_articles,
        count(DISTINCT source) AS n_sources,
        list(DISTINCT source ORDER BY source) AS sources,
        min(seen_at) AS first_seen,
        max(seen_at) AS last_seen,
        -- best evidence: highest confidence, then earliest seen, then smallest URL
        arg_min(
            {'evidence': evidence, 'url': article_url, 'confidence': confidence},
            {'c': -coalesce(confidence, -1.0),
             't': coalesce(seen_at, TIMESTAMPTZ 'infinity'),
             'u': article_url}
        ) AS best
    FROM relevant_metrics
    GROUP BY ALL
)
SELECT
    f.metric,
    f.country,
    f.year,
    f.value,
    w.unit,
    w.qualifier,
    w.qualifiers,
    f.n_articles,
    f.n_sources,
    f.sources,
    f.first_seen,
    f.last_seen,
    f.best.evidence AS evidence,
    f.best.url AS evidence_url,
    f.best.confidence AS evidence_confidence,
    count(*) OVER (PARTITION BY f.metric, f.country, f.year) AS n_values,
    count(*) OVER (PARTITION BY f.metric, f.country, f.year) > 1 AS conflicting
FROM facts f
JOIN wording w
  ON w.metric = f.metric
 AND w.value = f.value
 AND w.country IS NOT DISTINCT FROM f.country
 AND w.year IS NOT DISTINCT FROM f.year;

-- One row per (metric, country, year): the consolidated value and its alternatives.
CREATE VIEW metrics_by_country_year AS
WITH ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY metric, country, year
            ORDER BY n_sources DESC, n_articles DESC, last_seen DESC NULLS LAST, value DESC
        ) AS support_rank
    FROM metric_facts
)
SELECT
    metric,
    country,
    year,
    arg_min(value, support_rank) AS value,
    arg_min(unit, support_rank) AS unit,
    arg_min(qualifier, support_rank) AS qualifier,
    arg_min(n_articles, support_rank) AS n_articles,
    arg_min(n_sources, support_rank) AS n_sources,
    arg_min(first_seen, support_rank) AS first_seen,
    arg_min(last_seen, support_rank) AS last_seen,
    arg_min(evidence, support_rank) AS evidence,
    arg_min(evidence_url, support_rank) AS evidence_url,
    count(*) > 1 AS conflicting,
    count(*) AS n_values,
    coalesce(list(value ORDER BY support_rank) FILTER (WHERE support_rank > 1), []::BIGINT[])
        AS alternative_values
FROM ranked
GROUP BY metric, country, year;

-- Articles per source and month, to tell a drop in figures from a drop in coverage.
CREATE VIEW coverage AS
WITH per_article AS (
    SELECT article_url, count(*) AS n_metrics
    FROM metrics
    GROUP BY article_url
)
SELECT
    s.source,
    CAST(date_trunc('month', s.seen_at AT TIME ZONE 'UTC') AS DATE) AS month,
    count(*) AS articles,
    count(*) FILTER (WHERE s.relevant IS TRUE) AS relevant_articles,
    count(*) FILTER (WHERE s.relevant IS TRUE AND p.n_metrics > 0) AS articles_with_metrics,
    coalesce(sum(p.n_metrics) FILTER (WHERE s.relevant IS TRUE), 0)::BIGINT AS metrics
FROM article_sources s
LEFT JOIN per_article p ON p.article_url = s.url
GROUP BY ALL;

-- Per feed: polling state and the last 30 days of articles and fetch attempts.
CREATE VIEW feed_health AS
WITH recent_articles AS (
    SELECT
        feed,
        count(*) AS articles_30d,
        count(*) FILTER (WHERE relevant IS TRUE) AS relevant_articles_30d
    FROM articles
    WHERE fetched_at >= now() - INTERVAL 30 DAY
    GROUP BY feed
),
recent_fetches AS (
    SELECT
        feed,
        count(*) AS fetches_30d,
        count(*) FILTER (WHERE outcome NOT IN ('ok', 'not_modified')) AS fetch_errors_30d
    FROM fetches
    WHERE fetched_at >= now() - INTERVAL 30 DAY
    GROUP BY feed
)
SELECT
    f.name AS feed,
    f.url,
    f.state,
    f.last_status,
    f.last_error,
    f.last_polled_at,
    f.last_success_at,
    f.consecutive_failures,
    f.failure_score,
    f.next_poll_at,
    coalesce(ra.articles_30d, 0) AS articles_30d,
    coalesce(ra.relevant_articles_30d, 0) AS relevant_articles_30d,
    coalesce(rf.fetches_30d, 0) AS fetches_30d,
    coalesce(rf.fetch_errors_30d, 0) AS fetch_errors_30d,
    CASE WHEN rf.fetches_30d > 0 THEN rf.fetch_errors_30d / rf.fetches_30d END AS fetch_error_rate_30d
FROM feeds f
LEFT JOIN recent_articles ra ON ra.feed = f.name
LEFT JOIN recent_fetches rf ON rf.feed = f.name;
