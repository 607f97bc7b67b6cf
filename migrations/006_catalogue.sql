-- 006: the indicator catalogue as published data.
--
-- The indicators themselves stay in `indicators` (001; the first nineteen are
-- inserted by 002). Since 006 the catalogue is also a file,
-- deploy/data/indicator-catalogue.json ("tonghop-catalogue/1"), published with
-- `tonghop catalogue publish FILE.json`. Each revision is kept here as it was
-- published, after the server checked it; th_catalogue_store
-- (migrations/rules/50_catalogue.sql) applies it to `indicators`.

CREATE TABLE catalogue_revisions (
    revision     integer PRIMARY KEY CHECK (revision >= 1),
    document     jsonb NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now()
);
