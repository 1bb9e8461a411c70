-- The first schema: feeds and their polling state, every HTTP attempt, articles
-- with their raw HTML, the metrics read from them, and the runs that loaded them.

CREATE TABLE runs (
    run_id            VARCHAR PRIMARY KEY,
    kind              VARCHAR NOT NULL,          -- ingest | reextract | backfill | demo | eval
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ,
    status            VARCHAR NOT NULL,          -- running | ok | failed
    feeds_ok          INTEGER DEFAULT 0,
    feeds_failed      INTEGER DEFAULT 0,
    articles_new      INTEGER DEFAULT 0,
    articles_relevant INTEGER DEFAULT 0,
    metrics           INTEGER DEFAULT 0,
    requests          INTEGER DEFAULT 0,
    params            VARCHAR,                   -- JSON of the run's parameters
    error             VARCHAR
);

CREATE TABLE feeds (
    name                 VARCHAR PRIMARY KEY,
    url                  VARCHAR NOT NULL,
    language             VARCHAR,
    tags                 VARCHAR[],
    interval_seconds     INTEGER,
    etag                 VARCHAR,
    last_modified        VARCHAR,
    body_hash            VARCHAR,
    last_status          VARCHAR,                -- ok | not_modified | unchanged | http_error | malformed | timeout | ...
    last_http_status     INTEGER,
    last_error           VARCHAR,
    last_polled_at       TIMESTAMPTZ,
    last_success_at      TIMESTAMPTZ,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    failure_score        DOUBLE NOT NULL DEFAULT 0,   -- hard failures count 1, soft ones 0.5
    next_poll_at         TIMESTAMPTZ,
    state                VARCHAR NOT NULL DEFAULT 'active',  -- active | backoff | dead
    items_last_poll      INTEGER
);

CREATE TABLE fetches (
    url        VARCHAR NOT NULL,
    feed       VARCHAR,
    kind       VARCHAR NOT NULL,                 -- feed | article
    status     INTEGER,                          -- HTTP status, NULL when no response
    outcome    VARCHAR NOT NULL,
    error      VARCHAR,
    bytes      BIGINT NOT NULL DEFAULT 0,
    elapsed    DOUBLE NOT NULL DEFAULT 0,
    fetched_at TIMESTAMPTZ NOT NULL,
    run_id     VARCHAR
);

CREATE TABLE articles (
    url               VARCHAR PRIMARY KEY,       -- canonical URL, the stable key
    feed              VARCHAR,                   -- the feed that first listed it
    source_url        VARCHAR,                   -- the URL as the feed gave it
    final_url         VARCHAR,                   -- after redirects
    status            VARCHAR NOT NULL,          -- ok | not_html | too_large | empty | unextractable | extract_timeout | http_error | refused | ...
    error             VARCHAR,
    http_status       INTEGER,
    content_type      VARCHAR,
    title             VARCHAR,
    author            VARCHAR,
    published_at      TIMESTAMPTZ,
    published_source  VARCHAR,                   -- feed | page
    language          VARCHAR,
    site_name         VARCHAR,
    text              VARCHAR,
    raw_html          BLOB,                      -- zlib-compressed bytes as served
    relevant          BOOLEAN,
    relevance_score   DOUBLE,
    relevance_terms   VARCHAR[],
    extractor_version VARCHAR,
    fetched_at        TIMESTAMPTZ,
    extracted_at      TIMESTAMPTZ,
    run_id            VARCHAR
);

CREATE TABLE metrics (
    article_url       VARCHAR NOT NULL,
    metric            VARCHAR NOT NULL,
    value             BIGINT NOT NULL,
    unit              VARCHAR NOT NULL,
    qualifier         VARCHAR NOT NULL,
    year              INTEGER,
    country           VARCHAR,
    evidence          VARCHAR NOT NULL,
    evidence_start    INTEGER,
    evidence_end      INTEGER,
    language          VARCHAR,
    confidence        DOUBLE,
    extractor_version VARCHAR NOT NULL,
    extracted_at      TIMESTAMPTZ NOT NULL,
    run_id            VARCHAR
);

CREATE INDEX metrics_article ON metrics (article_url);
CREATE INDEX fetches_url ON fetches (url);
