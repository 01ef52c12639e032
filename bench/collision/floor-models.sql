-- Floor of the collision benchmark, part 2: the 16 models of MODELS.md, each one plain
-- set-based query over the floor schema (floor-load.sql), written for the bench from the
-- spec (not from the product's statements). Each yields (hit key, amount involved, subject
-- institution); run.ts wraps it in a count and a digest compared with the product's hits.
-- psql variables: :'from', :'to' (inclusive dates). Default parameters of MODELS.md.
-- Markers "--@@ MODEL" separate the queries.

--@@ DEATH_AFTER
SELECT s.settlement_id, s.fund_amount, s.institution_code
FROM floor.settlement s JOIN floor.person p ON p.person_id = s.person_id
WHERE s.settled_on BETWEEN :'from' AND :'to' AND s.settled_on > p.death_date

--@@ OVERLAPPING_INPATIENT
SELECT a.settlement_id || '|' || b.settlement_id, a.fund_amount + b.fund_amount,
       CASE WHEN a.admit_date > b.admit_date THEN a.institution_code ELSE b.institution_code END
FROM floor.settlement a
JOIN floor.settlement b ON b.person_id = a.person_id AND a.settlement_id COLLATE "C" < b.settlement_id COLLATE "C"
WHERE a.visit_type = 'INPATIENT' AND b.visit_type = 'INPATIENT'
  AND a.institution_code <> b.institution_code
  AND a.admit_date < b.discharge_date AND b.admit_date < a.discharge_date
  AND greatest(a.settled_on, b.settled_on) BETWEEN :'from' AND :'to'

--@@ BED_HANGING
SELECT s.settlement_id, s.fund_amount, s.institution_code
FROM floor.settlement s
LEFT JOIN floor.settlement_item i
  ON i.settlement_id = s.settlement_id AND i.item_kind <> 'BED'
 AND i.charged_on >= s.admit_date AND i.charged_on < s.discharge_date
WHERE s.visit_type = 'INPATIENT' AND s.settled_on BETWEEN :'from' AND :'to'
  AND s.discharge_date - s.admit_date >= 3
GROUP BY s.settlement_id, s.fund_amount, s.institution_code, s.admit_date, s.discharge_date
HAVING count(DISTINCT i.charged_on) < 0.5 * (s.discharge_date - s.admit_date)

--@@ SPLIT_ADMISSION
SELECT b.settlement_id, b.fund_amount, b.institution_code
FROM floor.settlement b
WHERE b.visit_type = 'INPATIENT' AND b.settled_on BETWEEN :'from' AND :'to'
  AND EXISTS (
    SELECT FROM floor.settlement a
    WHERE a.person_id = b.person_id AND a.institution_code = b.institution_code
      AND a.visit_type = 'INPATIENT' AND a.settlement_id <> b.settlement_id
      AND a.settled_on <= :'to'
      AND a.discharge_date <= b.admit_date AND b.admit_date - a.discharge_date <= 15
      AND left(a.diagnosis_code, 3) = left(b.diagnosis_code, 3))

--@@ REPEAT_EXAM_IN_STAY
SELECT s.settlement_id || '|' || i.item_code, round(sum(i.amount) * (sum(i.quantity) - 2) / sum(i.quantity), 2),
       s.institution_code
FROM floor.settlement s JOIN floor.settlement_item i ON i.settlement_id = s.settlement_id
WHERE s.visit_type = 'INPATIENT' AND s.settled_on BETWEEN :'from' AND :'to' AND i.item_kind = 'EXAM'
GROUP BY s.settlement_id, s.institution_code, i.item_code
HAVING sum(i.quantity) > 2

--@@ DAILY_QUANTITY_EXCESS
WITH eff AS (
  SELECT DISTINCT ON (r.code, c.item_code) r.code AS region, c.item_code, c.max_daily_quantity
  FROM (SELECT DISTINCT region_code AS code FROM floor.institution) r
  JOIN floor.price_catalog c ON c.region_code IN (left(r.code, 4) || '00', left(r.code, 2) || '0000')
  ORDER BY r.code, c.item_code, c.region_code DESC),
day AS (
  SELECT s.person_id, s.institution_code, i.item_code, i.charged_on, sum(i.quantity) AS q, sum(i.amount) AS a
  FROM floor.settlement_item i JOIN floor.settlement s ON s.settlement_id = i.settlement_id
  WHERE i.charged_on BETWEEN :'from' AND :'to'
    AND i.item_code IN (SELECT item_code FROM floor.price_catalog WHERE max_daily_quantity IS NOT NULL)
  GROUP BY 1, 2, 3, 4)
SELECT d.person_id || '|' || d.institution_code || '|' || d.item_code || '|' || to_char(d.charged_on, 'YYYY-MM-DD'),
       round(d.a * (d.q - e.max_daily_quantity) / d.q, 2), d.institution_code
FROM day d
JOIN floor.institution n ON n.code = d.institution_code
JOIN eff e ON e.region = n.region_code AND e.item_code = d.item_code
WHERE d.q > e.max_daily_quantity

--@@ OVER_PRICE
WITH eff AS (
  SELECT DISTINCT ON (r.code, c.item_code) r.code AS region, c.item_code, c.max_unit_price
  FROM (SELECT DISTINCT region_code AS code FROM floor.institution) r
  JOIN floor.price_catalog c ON c.region_code IN (left(r.code, 4) || '00', left(r.code, 2) || '0000')
  ORDER BY r.code, c.item_code, c.region_code DESC)
SELECT s.settlement_id || '|' || i.line_no, (i.unit_price - e.max_unit_price) * i.quantity, s.institution_code
FROM floor.settlement s
JOIN floor.institution n ON n.code = s.institution_code
JOIN floor.settlement_item i ON i.settlement_id = s.settlement_id
JOIN eff e ON e.region = n.region_code AND e.item_code = i.item_code
WHERE s.settled_on BETWEEN :'from' AND :'to' AND i.unit_price > e.max_unit_price

--@@ TRACE_CODE_REUSE
WITH coded AS (
  SELECT i.trace_code, s.settlement_id, s.settled_at, s.settled_on, s.institution_code, i.amount
  FROM floor.settlement_item i JOIN floor.settlement s ON s.settlement_id = i.settlement_id
  WHERE i.trace_code <> '' AND s.settled_on <= :'to'),
reused AS (
  SELECT trace_code FROM coded GROUP BY trace_code
  HAVING count(DISTINCT settlement_id) >= 2 AND max(settled_on) BETWEEN :'from' AND :'to'),
per_settlement AS (
  SELECT c.trace_code, c.settlement_id, c.settled_at, c.institution_code, sum(c.amount) AS a
  FROM coded c JOIN reused USING (trace_code) GROUP BY 1, 2, 3, 4),
ranked AS (
  SELECT p.*, row_number() OVER (w ORDER BY settled_at, settlement_id COLLATE "C") AS up,
         row_number() OVER (w ORDER BY settled_at DESC, settlement_id COLLATE "C" DESC) AS down
  FROM per_settlement p WINDOW w AS (PARTITION BY trace_code))
SELECT trace_code, sum(a) FILTER (WHERE up > 1), max(institution_code) FILTER (WHERE down = 1)
FROM ranked GROUP BY trace_code

--@@ EXCESS_DISPENSING
WITH eff AS (
  SELECT DISTINCT ON (r.code, c.item_code) r.code AS region, c.item_code, c.max_monthly_quantity
  FROM (SELECT DISTINCT region_code AS code FROM floor.person WHERE region_code IS NOT NULL) r
  JOIN floor.price_catalog c ON c.region_code IN (left(r.code, 4) || '00', left(r.code, 2) || '0000')
  ORDER BY r.code, c.item_code, c.region_code DESC),
line AS (
  SELECT s.person_id, i.item_code, to_char(i.charged_on, 'YYYY-MM') AS month, s.institution_code, i.quantity, i.amount
  FROM floor.settlement_item i JOIN floor.settlement s ON s.settlement_id = i.settlement_id
  WHERE i.item_kind = 'DRUG' AND i.charged_on BETWEEN :'from' AND :'to'
    AND i.item_code IN (SELECT item_code FROM floor.price_catalog WHERE max_monthly_quantity IS NOT NULL)),
over AS (
  SELECT l.person_id, l.item_code, l.month, sum(l.quantity) AS q, sum(l.amount) AS a, min(e.max_monthly_quantity) AS cap
  FROM line l
  JOIN floor.person p ON p.person_id = l.person_id
  JOIN eff e ON e.region = p.region_code AND e.item_code = l.item_code
  GROUP BY 1, 2, 3 HAVING sum(l.quantity) > min(e.max_monthly_quantity)),
top AS (
  SELECT DISTINCT ON (l.person_id, l.item_code, l.month) l.person_id, l.item_code, l.month, l.institution_code
  FROM line l JOIN over o USING (person_id, item_code, month)
  GROUP BY 1, 2, 3, 4
  ORDER BY l.person_id, l.item_code, l.month, sum(l.quantity) DESC, l.institution_code COLLATE "C")
SELECT o.person_id || '|' || o.item_code || '|' || o.month, round(o.a * (o.q - o.cap) / o.q, 2), t.institution_code
FROM over o JOIN top t USING (person_id, item_code, month)

--@@ LOW_STANDARD_ADMISSION
SELECT s.settlement_id, s.fund_amount, s.institution_code
FROM floor.settlement s JOIN floor.settlement_item i ON i.settlement_id = s.settlement_id
WHERE s.visit_type = 'INPATIENT' AND s.settled_on BETWEEN :'from' AND :'to' AND s.fund_amount > 0
GROUP BY s.settlement_id, s.fund_amount, s.institution_code
HAVING bool_and(i.item_kind IN ('LAB', 'EXAM', 'BED'))

--@@ PEER_OUTLIER
WITH monthly AS (
  SELECT s.institution_code, n.kind, left(n.region_code, 4) AS city, to_char(s.settled_on, 'YYYY-MM') AS month,
         count(*) AS cnt, avg(s.fund_amount) AS x
  FROM floor.settlement s JOIN floor.institution n ON n.code = s.institution_code
  WHERE s.visit_type = 'OUTPATIENT' AND s.settled_on BETWEEN :'from' AND :'to'
  GROUP BY 1, 2, 3, 4 HAVING count(*) >= 30),
ranked AS (
  SELECT m.*, count(*) OVER g AS size, row_number() OVER (g ORDER BY x) AS pos
  FROM monthly m WINDOW g AS (PARTITION BY kind, city, month)),
med AS (
  SELECT kind, city, month, avg(x) AS m FROM ranked
  WHERE size >= 5 AND pos IN ((size + 1) / 2, (size + 2) / 2) GROUP BY 1, 2, 3),
dev AS (
  SELECT r.*, md.m, abs(r.x - md.m) AS d, row_number() OVER (PARTITION BY r.kind, r.city, r.month ORDER BY abs(r.x - md.m)) AS dpos
  FROM ranked r JOIN med md USING (kind, city, month)),
mad AS (
  SELECT kind, city, month, avg(d) AS mad FROM dev WHERE dpos IN ((size + 1) / 2, (size + 2) / 2) GROUP BY 1, 2, 3)
SELECT d.institution_code || '|' || d.month, round((d.x - d.m) * d.cnt, 2), d.institution_code
FROM dev d JOIN mad USING (kind, city, month)
WHERE mad.mad > 0 AND (d.x - d.m) / (1.4826 * mad.mad) > 3.5

--@@ PRESCRIPTION_SPLITTING
SELECT person_id || '|' || institution_code || '|' || to_char(settled_on, 'YYYY-MM-DD'), sum(fund_amount), institution_code
FROM floor.settlement
WHERE visit_type IN ('OUTPATIENT', 'PHARMACY') AND settled_on BETWEEN :'from' AND :'to'
GROUP BY person_id, institution_code, settled_on
HAVING count(*) >= 3

--@@ GROUP_ADMISSION
SELECT institution_code || '|' || to_char(admit_date, 'YYYY-MM-DD') || '|' || left(diagnosis_code, 3) || '|'
         || (discharge_date - admit_date), sum(fund_amount), institution_code
FROM floor.settlement
WHERE visit_type = 'INPATIENT' AND settled_on BETWEEN :'from' AND :'to' AND diagnosis_code <> ''
GROUP BY institution_code, admit_date, left(diagnosis_code, 3), discharge_date - admit_date
HAVING count(DISTINCT person_id) >= 5

--@@ INVENTORY_MISMATCH
WITH sold AS (
  SELECT s.institution_code, i.item_code, sum(i.quantity) AS q, sum(i.amount) AS a
  FROM floor.institution n
  JOIN floor.settlement s ON s.institution_code = n.code
  JOIN floor.settlement_item i ON i.settlement_id = s.settlement_id
  WHERE n.kind = 'PHARMACY' AND i.item_kind = 'DRUG' AND i.charged_on <= :'to'
  GROUP BY 1, 2),
bought AS (
  SELECT institution_code, item_code, sum(quantity) AS q FROM floor.drug_purchase
  WHERE purchased_on <= :'to' GROUP BY 1, 2)
SELECT so.institution_code || '|' || so.item_code, round(so.a * (so.q - coalesce(b.q, 0)) / so.q, 2), so.institution_code
FROM sold so LEFT JOIN bought b USING (institution_code, item_code)
WHERE so.q > coalesce(b.q, 0)

--@@ INSIDER_PAYEE
SELECT s.settlement_id, s.fund_amount, s.institution_code
FROM floor.settlement s
JOIN floor.person own ON own.person_id = s.person_id
WHERE s.settled_on BETWEEN :'from' AND :'to' AND s.payee_account <> ''
  AND s.payee_account IS DISTINCT FROM own.bank_account
  AND s.payee_account IN (SELECT bank_account FROM floor.person WHERE is_public_official)

--@@ BUNDLED_ITEM_CHARGE
WITH eff AS (
  SELECT DISTINCT ON (r.code, c.item_code) r.code AS region, c.item_code, c.includes
  FROM (SELECT DISTINCT region_code AS code FROM floor.institution) r
  JOIN floor.price_catalog c ON c.region_code IN (left(r.code, 4) || '00', left(r.code, 2) || '0000')
  ORDER BY r.code, c.item_code, c.region_code DESC),
pair AS (
  SELECT e.region, e.item_code AS bundle, component
  FROM eff e CROSS JOIN unnest(string_to_array(e.includes, '|')) AS component
  WHERE e.includes <> ''),
day AS (
  SELECT s.settlement_id, s.institution_code, n.region_code, i.item_code, i.charged_on, sum(i.amount) AS a
  FROM floor.settlement s
  JOIN floor.institution n ON n.code = s.institution_code
  JOIN floor.settlement_item i ON i.settlement_id = s.settlement_id
  WHERE s.settled_on BETWEEN :'from' AND :'to'
    AND i.item_code IN (SELECT bundle FROM pair UNION SELECT component FROM pair)
  GROUP BY 1, 2, 3, 4, 5)
SELECT b.settlement_id || '|' || p.bundle || '|' || p.component || '|' || to_char(b.charged_on, 'YYYY-MM-DD'), c.a,
       b.institution_code
FROM day b
JOIN pair p ON p.region = b.region_code AND p.bundle = b.item_code
JOIN day c ON c.settlement_id = b.settlement_id AND c.charged_on = b.charged_on AND c.item_code = p.component
