-- postprocess.sql — written by datapolisher.
-- Reads output/ and writes output_polished/ (run from this directory: duckdb < postprocess.sql).
-- Every table is loaded and fixed in memory inside one transaction; nothing is written until every fix
-- has succeeded, and the first error stops the script.
.bail on
SET TimeZone = 'UTC';
SET preserve_insertion_order = true;
BEGIN TRANSACTION;

-- Refuse an existing output_polished/ that this script did not write (its .metadata.json would list other steps).
-- Over its own earlier output it writes everything again, .metadata.json included (SQL cannot skip).
CREATE TEMP TABLE __output_check AS SELECT CASE
    WHEN (SELECT count(*) FROM glob('output_polished/*')) > 0
     AND (SELECT json(TRY_CAST(content AS JSON) -> '$.lineage.steps') FROM read_text('output_polished/.metadata.jso[n]'))
         IS DISTINCT FROM json('["cast order.user_id to BIGINT","normalize 2 variant(s) of user.country","trim whitespace in user.name","fill nulls of order.status with ''pending''","round order.unit price to 2 decimals","keep the first row per order.order_id","swap order.placed_at/shipped_at where start > end","drop order rows whose user_id has no user.user_id","move order.placed_at to at/after user.created_at (shifting order.shipped_at by the same amount)","add user.is_active (activity in the last 30 days of the data)","add user.lifetime_value (sum of order.unit price)"]'::JSON)
    THEN error('output_polished/ already exists and was not written by this script: remove it or choose another output') END AS refused;

-- Money rounds half away from zero on the value as written (2.005 -> 2.01), in plain IEEE arithmetic that every
-- DuckDB version and postprocess.py compute alike (round() does not: DuckDB 2 rounds the binary 2.00499999...
-- down, DuckDB 1 rounded it up); the 1e-9 nudge absorbs that representation error, far below a cent.
CREATE OR REPLACE TEMP MACRO round_half_away(x, decimals) AS
    sign(x::DOUBLE) * floor(abs(x::DOUBLE) * pow(10, decimals) + 0.5 + 1e-9) / pow(10, decimals);

-- Load the input tables.
CREATE TABLE "order" AS SELECT * FROM read_parquet('output/order.parquet');
CREATE TABLE "user" AS SELECT * FROM read_parquet('output/user.parquet');

-- cast order.user_id to BIGINT
--   fixes ids_as_float:order.user_id [medium] ids_as_float on order.user_id
CREATE OR REPLACE TABLE "order" AS
SELECT * REPLACE (TRY_CAST(round("user_id") AS BIGINT) AS "user_id") FROM "order";

-- normalize 2 variant(s) of user.country
--   fixes format_inconsistency:user.country [medium] format_inconsistency on user.country
CREATE OR REPLACE TABLE "user" AS
SELECT * REPLACE (
    CASE "country"
        WHEN 'USA' THEN 'US'
        WHEN 'us ' THEN 'US'
        ELSE "country"
    END AS "country") FROM "user";

-- trim whitespace in user.name
--   fixes whitespace:user.name [low] whitespace on user.name
CREATE OR REPLACE TABLE "user" AS
SELECT * REPLACE (trim("name", ' ' || chr(9) || chr(10) || chr(13)) AS "name") FROM "user";

-- fill nulls of order.status with 'pending'
--   fixes null_violations:order.status [medium] null_violations on order.status
CREATE OR REPLACE TABLE "order" AS
SELECT * REPLACE (coalesce("status", 'pending') AS "status") FROM "order";

-- round order.unit price to 2 decimals
--   fixes money_precision:order.unit price [low] money_precision on order.unit price
CREATE OR REPLACE TABLE "order" AS
SELECT * REPLACE (round_half_away("unit price", 2) AS "unit price") FROM "order";

-- keep the first row per order.order_id
--   fixes pk_duplicates:order.order_id [critical] pk_duplicates on order.order_id
CREATE OR REPLACE TABLE "order" AS
SELECT * EXCLUDE (__row) FROM (SELECT *, rowid AS __row FROM "order")
QUALIFY row_number() OVER (PARTITION BY "order_id" ORDER BY __row) = 1
ORDER BY __row;

-- swap order.placed_at/shipped_at where start > end
--   fixes temporal_within:order.placed_at [high] temporal_within on order.placed_at
CREATE OR REPLACE TABLE "order" AS
SELECT * REPLACE (
    CASE WHEN "placed_at" > "shipped_at" THEN "shipped_at" ELSE "placed_at" END AS "placed_at",
    CASE WHEN "placed_at" > "shipped_at" THEN "placed_at" ELSE "shipped_at" END AS "shipped_at") FROM "order";

-- drop order rows whose user_id has no user.user_id
--   fixes fk_orphans:order.user_id [critical] fk_orphans on order.user_id
CREATE OR REPLACE TABLE "order" AS
SELECT * FROM "order" WHERE "user_id" IS NULL OR "user_id" IN (SELECT "user_id" FROM "user");

-- move order.placed_at to at/after user.created_at (shifting order.shipped_at by the same amount)
--   fixes temporal_fk:order.placed_at [critical] temporal_fk on order.placed_at
CREATE OR REPLACE TABLE "order" AS
SELECT c.* EXCLUDE (__row) REPLACE (
    CASE WHEN c."placed_at" < p.__parent_time THEN CAST(p.__parent_time AS TIMESTAMP) ELSE c."placed_at" END AS "placed_at",
    CASE WHEN c."placed_at" < p.__parent_time THEN c."shipped_at" + (CAST(p.__parent_time AS TIMESTAMP) - c."placed_at") ELSE c."shipped_at" END AS "shipped_at")
FROM (SELECT *, rowid AS __row FROM "order") AS c
LEFT JOIN (SELECT "user_id" AS __key, "created_at" AS __parent_time FROM "user") AS p
  ON c."user_id" = p.__key
ORDER BY c.__row;

-- add user.is_active (activity in the last 30 days of the data)
--   fixes requested: --add is_active=user
CREATE OR REPLACE TABLE "user" AS
SELECT *, coalesce("last_login" >= (SELECT max("last_login") FROM "user") - INTERVAL 30 DAY, false) AS "is_active" FROM "user";

-- add user.lifetime_value (sum of order.unit price)
--   fixes requested: --add lifetime_value=user
CREATE OR REPLACE TABLE "user" AS
SELECT c.* EXCLUDE (__row), coalesce(v.__total, 0.0) AS "lifetime_value"
FROM (SELECT *, rowid AS __row FROM "user") AS c
LEFT JOIN (SELECT "user_id" AS __key, round_half_away(sum("unit price"), 2) AS __total FROM "order" GROUP BY 1) AS v
  ON c."user_id" = v.__key
ORDER BY c.__row;

-- Write the output: this COPY creates output_polished/ (DuckDB has no mkdir) and leaves a small marker file.
COPY (SELECT 'datapolisher postprocess.sql' AS written_by) TO 'output_polished' (FORMAT csv, PER_THREAD_OUTPUT, FILENAME_PATTERN '_postprocess', OVERWRITE_OR_IGNORE);
COPY "order" TO 'output_polished/order.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY "user" TO 'output_polished/user.parquet' (FORMAT parquet, COMPRESSION zstd);

-- Describe the output in output_polished/.metadata.json (contract datagen.metadata/1): the declarations datapolisher
-- knew when it wrote this script, plus what only this run knows: each file's rows, bytes and sha256, the
-- input's fingerprint, and the sha256 of postprocess.sql (read from the directory this runs in; null if renamed).
CREATE TEMP TABLE __files AS
          SELECT 'order' AS name, 'order.parquet' AS path, (SELECT num_rows FROM parquet_file_metadata('output_polished/order.parquet')) AS rows, size AS bytes, sha256(content) AS sha256 FROM read_blob('output_polished/order.parquet')
UNION ALL SELECT 'user' AS name, 'user.parquet' AS path, (SELECT num_rows FROM parquet_file_metadata('output_polished/user.parquet')) AS rows, size AS bytes, sha256(content) AS sha256 FROM read_blob('output_polished/user.parquet');
CREATE TEMP TABLE __source AS
SELECT sha256(string_agg(rel || chr(0) || size || chr(0) || sha256(content) || chr(10), '' ORDER BY rel)) AS fingerprint FROM (
    SELECT 'order.parquet' AS rel, size, content FROM read_blob('output/order.parquet')
    UNION ALL SELECT 'user.parquet' AS rel, size, content FROM read_blob('output/user.parquet'));
COPY (
    SELECT
        '"datagen.metadata/1"'::JSON AS "contract",
        '"shop"'::JSON AS "dataset_name",
        '{"name":"datapolisher","version":"0.2.0"}'::JSON AS "generator",
        strftime(coalesce(make_timestamp(getvariable('source_date_epoch')::BIGINT * 1000000), now()::TIMESTAMP), '%Y-%m-%dT%H:%M:%SZ') AS "generated_at",
        'null'::JSON AS "duration_seconds",
        '42'::JSON AS "seed",
        '1.0'::JSON AS "scale",
        'null'::JSON AS "partition_rows",
        'null'::JSON AS "schema",
        'null'::JSON AS "scenario",
        '{}'::JSON AS "context",
        'null'::JSON AS "timeframe",
        '"timestamp[us], tz-naive, UTC"'::JSON AS "timestamp_convention",
        json_array(
            json_merge_patch('{"name":"order","kind":"fact","columns":[{"name":"order_id","arrow_type":"int64","nullable":false,"primary_key":true},{"name":"user_id","arrow_type":"int64","foreign_key":"user.user_id"},{"name":"unit price","arrow_type":"double","role":"money"},{"name":"placed_at","arrow_type":"timestamp[us]"},{"name":"shipped_at","arrow_type":"timestamp[us]"},{"name":"status","arrow_type":"string"}],"primary_key":"order_id","foreign_keys":[{"column":"user_id","references_table":"user","references_column":"user_id"}],"parents":["user"],"time_columns":["placed_at","shipped_at"],"created_at_column":"placed_at"}'::JSON, (SELECT json_object('rows', sum(rows)::BIGINT, 'files', to_json(list(json_object('path', path, 'rows', rows, 'bytes', bytes, 'sha256', sha256) ORDER BY path))) FROM __files WHERE name = 'order')),
            json_merge_patch('{"name":"user","kind":"entity","columns":[{"name":"user_id","arrow_type":"int64","nullable":false,"primary_key":true},{"name":"name","arrow_type":"string"},{"name":"country","arrow_type":"string","role":"country"},{"name":"created_at","arrow_type":"timestamp[us]"},{"name":"last_login","arrow_type":"timestamp[us]"},{"name":"is_active","arrow_type":"bool","nullable":false},{"name":"lifetime_value","arrow_type":"double","nullable":false}],"primary_key":"user_id","time_columns":["created_at","last_login"],"created_at_column":"created_at"}'::JSON, (SELECT json_object('rows', sum(rows)::BIGINT, 'files', to_json(list(json_object('path', path, 'rows', rows, 'bytes', bytes, 'sha256', sha256) ORDER BY path))) FROM __files WHERE name = 'user'))
        ) AS "tables",
        '[]'::JSON AS "defects",
        json_merge_patch('{"derived_from":"","steps":["cast order.user_id to BIGINT","normalize 2 variant(s) of user.country","trim whitespace in user.name","fill nulls of order.status with ''pending''","round order.unit price to 2 decimals","keep the first row per order.order_id","swap order.placed_at/shipped_at where start > end","drop order rows whose user_id has no user.user_id","move order.placed_at to at/after user.created_at (shifting order.shipped_at by the same amount)","add user.is_active (activity in the last 30 days of the data)","add user.lifetime_value (sum of order.unit price)"]}'::JSON, json_object(
            'derived_from', 'output', 'derived_from_fingerprint', (SELECT fingerprint FROM __source),
            'script', 'postprocess.sql', 'script_sha256', (SELECT sha256(content) FROM read_blob('postprocess.sq[l]')))) AS "lineage"
) TO 'output_polished/.metadata.json' (FORMAT json);
COMMIT;
