-- Floor of the collision benchmark, part 1: the batch's CSV files in plain typed tables.
-- Written for the bench from the data dictionary, independently of the product's migrations:
-- no partitions, no encryption, no keys table, only the indexes a hand-written SQL
-- implementation would create, then ANALYZE. Run with psql -v dir=/path/to/batch.
\set ON_ERROR_STOP 1
SET timezone = 'Asia/Shanghai';
DROP SCHEMA IF EXISTS floor CASCADE;
CREATE SCHEMA floor;
SET search_path = floor;

CREATE TABLE region (code text, name text, level text, parent_code text);
CREATE TABLE institution (code text, name text, kind text, level text, ownership text, region_code text);
CREATE TABLE person (
  person_id text, id_number text, name text, gender text, birth_date date, region_code text,
  death_date date, is_public_official boolean, employer_code text, bank_account text);
CREATE TABLE price_catalog (
  item_code text, item_kind text, item_name text, region_code text, max_unit_price numeric,
  max_daily_quantity numeric, max_monthly_quantity numeric, includes text);
CREATE TABLE settlement (
  settlement_id text, person_id text, institution_code text, visit_type text, admit_date date,
  discharge_date date, settled_at timestamptz, diagnosis_code text, dip_group text,
  total_amount numeric, fund_amount numeric, self_amount numeric, payee_account text, doctor_id text,
  settled_on date GENERATED ALWAYS AS ((settled_at AT TIME ZONE 'Asia/Shanghai')::date) STORED);
CREATE TABLE settlement_item (
  settlement_id text, line_no int, item_code text, item_kind text, item_name text, quantity numeric,
  unit_price numeric, amount numeric, charged_on date, trace_code text);
CREATE TABLE drug_purchase (purchase_id text, institution_code text, item_code text, quantity numeric, purchased_on date);

\set f :dir '/regions.csv'
COPY region FROM :'f' WITH (FORMAT csv, HEADER true);
\set f :dir '/institutions.csv'
COPY institution FROM :'f' WITH (FORMAT csv, HEADER true);
\set f :dir '/persons.csv'
COPY person FROM :'f' WITH (FORMAT csv, HEADER true);
\set f :dir '/price_catalog.csv'
COPY price_catalog FROM :'f' WITH (FORMAT csv, HEADER true);
\set f :dir '/settlements.csv'
COPY settlement (settlement_id, person_id, institution_code, visit_type, admit_date, discharge_date, settled_at,
                 diagnosis_code, dip_group, total_amount, fund_amount, self_amount, payee_account, doctor_id)
  FROM :'f' WITH (FORMAT csv, HEADER true);
\set f :dir '/settlement_items.csv'
COPY settlement_item FROM :'f' WITH (FORMAT csv, HEADER true);
\set f :dir '/drug_purchases.csv'
COPY drug_purchase FROM :'f' WITH (FORMAT csv, HEADER true);

CREATE UNIQUE INDEX ON settlement (settlement_id);
CREATE INDEX ON settlement (person_id);
CREATE INDEX ON settlement (settled_on);
CREATE INDEX ON settlement_item (settlement_id);
CREATE INDEX ON settlement_item (trace_code) WHERE trace_code <> '';
CREATE UNIQUE INDEX ON person (person_id);
CREATE UNIQUE INDEX ON institution (code);
VACUUM ANALYZE region, institution, person, price_catalog, settlement, settlement_item, drug_purchase;
