-- postprocess.sql — written by datapolisher.
-- Reads output/ and writes output_polished/ (run from this directory: duckdb < postprocess.sql).
-- Every table is loaded and fixed in memory; nothing is written until every fix has succeeded.
SET TimeZone = 'UTC';
SET preserve_insertion_order = true;

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
